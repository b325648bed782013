"""The local video layer against the clock: an offline render of 8 s of 720p against real time, and
the per-video costs of the library (probe, validation, poster, sprite sheet).
Run: .venv/bin/python -m bench.bench_video [--repeat N]"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

from core.videos.av.previews import poster, spritesheet
from core.videos.av.read import probe, validate_video
from core.videos.backends.offline.render import render_offline
from core.videos.prompt import VideoPrompt

WIDTH, HEIGHT, SECONDS = 1280, 720, 8
PROMPT = VideoPrompt(
    scene="A lighthouse on a rocky cliff above the sea at dusk",
    visual="Golden light, teal water, soft haze",
    motion="Slow pan right across the bay",
)


def timed(fn, repeat: int) -> tuple[float, float, object]:
    """Median wall time, median CPU time (all threads) and the last result."""
    walls, cpus, result = [], [], None
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        result = fn()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus), result


def photo_like(width: int = 1920, height: int = 1080) -> Image.Image:
    """A stand-in for a reference photo: soft shapes plus fine detail, as a camera gives."""
    rng = np.random.default_rng(0)
    soft = Image.fromarray(rng.integers(0, 255, (9, 16, 3), dtype=np.uint8)).resize(
        (width, height), Image.Resampling.BICUBIC
    )
    detail = rng.normal(0, 6, (height, width, 1))
    return Image.fromarray(np.clip(np.asarray(soft, np.float32) + detail, 0, 255).astype(np.uint8))


def main(repeat: int = 3) -> None:
    folder = Path(tempfile.mkdtemp(prefix="bench-video-"))
    rows = []
    cases = [
        ("prompt, preset None", "None", None),
        ("prompt, preset Archival (grain, dust, flicker)", "Archival", None),
        ("reference image (Ken Burns), preset None", "None", photo_like()),
    ]
    out = folder / "render.mp4"
    for label, preset, reference in cases:
        wall, cpu, _ = timed(
            lambda preset=preset, reference=reference: render_offline(
                PROMPT, preset, WIDTH, HEIGHT, SECONDS, 7, out, reference=reference
            ),
            repeat,
        )
        rows.append(
            (
                f"offline render {SECONDS} s {WIDTH}×{HEIGHT}: {label}",
                wall,
                cpu,
                f"{wall / SECONDS:.2f}× real time, {out.stat().st_size / 1e6:.1f} MB",
            )
        )
    render_offline(PROMPT, "None", WIDTH, HEIGHT, SECONDS, 7, out)
    per_video = [
        ("probe (header only)", lambda: probe(out)),
        ("validate_video (decodes every frame)", lambda: validate_video(out)),
        ("poster (frame at ⅓)", lambda: poster(out)),
        ("spritesheet (10 tiles × 160 px)", lambda: spritesheet(out)),
    ]
    for label, fn in per_video:
        wall, cpu, _ = timed(fn, 10 * repeat)
        rows.append((f"{label}, per {SECONDS} s {WIDTH}×{HEIGHT} video", wall, cpu, ""))
    print(f"CPU cores: {os.cpu_count()}; median of {repeat} renders, {10 * repeat} runs of the rest\n")
    print("| what | wall | CPU (all threads) | note |")
    print("|---|---:|---:|---|")
    for label, wall, cpu, note in rows:
        unit = (f"{wall:.2f} s", f"{cpu:.2f} s") if wall >= 1 else (f"{wall * 1000:.1f} ms", f"{cpu * 1000:.1f} ms")
        print(f"| {label} | {unit[0]} | {unit[1]} | {note} |")
    for path in folder.iterdir():
        path.unlink()
    folder.rmdir()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Offline renders and per-video costs against the clock.")
    parser.add_argument("--repeat", type=int, default=3, help="renders per case (the median is shown); default 3")
    main(parser.parse_args().repeat)
