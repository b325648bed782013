"""The offline captioner's cost: cold start, per-image time when warm, and memory.

Each measurement runs in a fresh Python process, so the cold start includes importing the model
libraries, reading the weights, building the ONNX graph and constructing the OCR engine. Warm
times are medians over ``--rounds`` passes of scikit-image's three sample photos, overall and per
stage (the classifier alone is the figure to compare with EfficientNet-Lite0's usual CPU cost).
Run: .venv/bin/python -m bench.bench_offline_captioner [--rounds 10]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _memory_mib() -> tuple[float, float]:
    """(current RSS, peak RSS) of this process in MiB, from /proc (Linux)."""
    fields = {}
    with open("/proc/self/status") as status:
        for line in status:
            key, _, value = line.partition(":")
            fields[key] = value.strip()
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def _ms(fn, *args) -> float:
    start = time.perf_counter()
    fn(*args)
    return (time.perf_counter() - start) * 1000


def worker(rounds: int) -> dict:
    """Runs inside the fresh process; returns the figures as a dict."""
    from tests.helpers.imaging import SAMPLE_PHOTOS, caption_request, sample_photo

    requests = [caption_request(sample_photo(name), "alt_text") for name in SAMPLE_PHOTOS]
    baseline_rss, _ = _memory_mib()

    start = time.perf_counter()
    from core.captions.providers.offline import OfflineCaptioner

    captioner = OfflineCaptioner()
    captioner.caption(requests[0])
    cold_ms = (time.perf_counter() - start) * 1000
    cold_rss, _ = _memory_mib()

    from core.captions.vision import efficientnet
    from core.captions.vision.colours import dominant_colours
    from core.captions.vision.faces import detect_faces
    from core.captions.vision.text import read_text

    for request in requests:  # warm-up: every photo once
        captioner.caption(request)
    stages: dict[str, list[float]] = {
        "caption (all stages)": [],
        "classifier (preprocess + ONNX)": [],
        "face detector": [],
        "text reader": [],
        "colours": [],
    }
    for _ in range(rounds):
        for request in requests:
            image = request.image.image
            stages["caption (all stages)"].append(_ms(captioner.caption, request))
            stages["classifier (preprocess + ONNX)"].append(_ms(efficientnet.probabilities, image))
            stages["face detector"].append(_ms(detect_faces, image))
            stages["text reader"].append(_ms(read_text, image))
            stages["colours"].append(_ms(dominant_colours, image))
    warm_rss, peak_rss = _memory_mib()
    return {
        "cold_ms": cold_ms,
        "baseline_rss": baseline_rss,
        "cold_rss": cold_rss,
        "warm_rss": warm_rss,
        "peak_rss": peak_rss,
        "medians": {name: statistics.median(times) for name, times in stages.items()},
        "samples": len(stages["colours"]),
        "threads": os.cpu_count(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10, help="passes over the three photos (default 10)")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.rounds)))
        return
    out = subprocess.run(
        [sys.executable, "-m", "bench.bench_offline_captioner", "--worker", "--rounds", str(args.rounds)],
        cwd=REPO,
        check=True,
        capture_output=True,
        text=True,
    )
    r = json.loads(out.stdout.strip().splitlines()[-1])
    print(
        f"Offline captioner, {r['threads']} CPU cores, median of {r['samples']} captions "
        f"(3 sample photos × {args.rounds} rounds, style alt_text)\n"
    )
    print("| measurement | value |")
    print("|---|---:|")
    print(f"| cold start: import + build models + first caption (fresh process) | {r['cold_ms']:.0f} ms |")
    for name, ms in r["medians"].items():
        print(f"| warm, per image: {name} | {ms:.1f} ms |")
    print(f"| RSS before loading the captioner (Python + PIL + test helpers) | {r['baseline_rss']:.0f} MiB |")
    print(f"| RSS after the first caption | {r['cold_rss']:.0f} MiB |")
    print(f"| RSS after the warm runs (peak) | {r['warm_rss']:.0f} MiB ({r['peak_rss']:.0f} MiB) |")


if __name__ == "__main__":
    main()
