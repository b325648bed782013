"""The offline captioner on a batch of camera photos: 100 × 12 MP JPEGs through Caption Studio's path.

The photos are generated into a temporary folder from scikit-image's sample photos (no download):
upscaled to 4000×3000 (or 3000×4000) with varied crops, small rotations, mirroring and sensor
noise; some are stored sideways with an EXIF orientation, and every tenth carries a printed sign
(large words drawn with Pillow) whose text a good caption quotes. Each source tree is then run
in a fresh Python process on a fresh data folder, the way the page does it: every upload's bytes
in memory, ``service.open_provider("offline")``, then ``service.caption_batch`` (validate, prepare,
caption, thumbnail, save). Reported: total seconds, the median per photo (whole pipeline and the
provider alone), time inside the text reader, whether each sign's words were quoted, and the
process's memory at photos 10, 50 and 100 (current RSS, the highest RSS sampled every 100 ms
since the previous mark, and the kernel's peak).

``--before PATH`` also runs another source tree in the same session (for example the last commit,
exported with ``git -C . archive HEAD | tar -x -C /tmp/before-captioner``), prints both and their
ratio, and counts the captions that differ; ``--rounds N`` runs each tree N times, alternating which
goes first, and reports medians.
Run: .venv/bin/python -m bench.bench_offline_batch [--photos 100] [--before PATH] [--rounds 1] [--photo-dir PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SOURCES = ("coffee", "chelsea", "astronaut", "rocket", "cat", "hubble_deep_field", "camera", "coins", "retina", "brick")
SIGNS = ("OPEN DAILY", "FRESH COFFEE", "PLATFORM 4", "NO PARKING", "HOTEL", "WELCOME", "EXIT", "BAKERY")
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")
SIZE = (4000, 3000)
SIGN_EVERY = 10
EXIF_EVERY = 7


# --- the photos ---------------------------------------------------------------------------------


def camera_photo(index: int) -> tuple[bytes, str | None]:
    """One generated camera-like 12 MP JPEG and the sign text it carries (None for most)."""
    import io

    import numpy as np
    import skimage.data
    from PIL import Image, ImageChops, ImageDraw, ImageFont

    rng = random.Random(index)
    pixels = np.asarray(getattr(skimage.data, SOURCES[(index + index // len(SOURCES)) % len(SOURCES)])())
    source = Image.fromarray(pixels[..., :3] if pixels.ndim == 3 else pixels).convert("RGB")
    portrait = rng.random() < 0.25
    width, height = (SIZE[1], SIZE[0]) if portrait else SIZE
    # a crop with the photo's final aspect, covering 70-100% of the source
    share = rng.uniform(0.7, 1.0)
    crop_w = min(source.width, round(source.height * share * width / height), round(source.width * share))
    crop_h = round(crop_w * height / width)
    if crop_h > source.height:
        crop_h = source.height
        crop_w = round(crop_h * width / height)
    left, top = rng.randint(0, source.width - crop_w), rng.randint(0, source.height - crop_h)
    picture = source.crop((left, top, left + crop_w, top + crop_h))
    if rng.random() < 0.5:
        picture = picture.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    if rng.random() < 0.3:
        picture = picture.rotate(rng.uniform(-6, 6), resample=Image.Resampling.BICUBIC, expand=False)
    picture = picture.resize((width, height), Image.Resampling.BICUBIC)
    sign = None
    if index % SIGN_EVERY == SIGN_EVERY - 1:
        sign = SIGNS[(index // SIGN_EVERY) % len(SIGNS)]
        size = rng.randint(200, 320)  # 56-90 px tall once the captioner's copy is 1120 px long
        font = ImageFont.truetype(str(FONT), size) if FONT.exists() else ImageFont.load_default(size=size)
        draw = ImageDraw.Draw(picture)
        box = [int(edge) for edge in draw.textbbox((0, 0), sign, font=font)]
        pad = size // 3
        x = rng.randint(pad, max(pad, width - (box[2] - box[0]) - 3 * pad))
        y = rng.randint(pad, max(pad, height - (box[3] - box[1]) - 3 * pad))
        draw.rectangle((x, y, x + box[2] - box[0] + 2 * pad, y + box[3] + 2 * pad), fill=(245, 242, 235))
        draw.text((x + pad - box[0], y + pad), sign, fill=(25, 25, 30), font=font)
    grain = np.random.default_rng(index).standard_normal((height, width), dtype=np.float32) * rng.uniform(3.0, 6.0)
    noise = Image.fromarray(np.clip(grain + 128, 0, 255).astype(np.uint8))  # sensor noise, centred on 128
    picture = ImageChops.add(picture, Image.merge("RGB", (noise, noise, noise)), offset=-128)
    exif = Image.Exif()
    exif[0x010F], exif[0x0110] = "Bench", "Camera 12MP"  # Make, Model
    if index % EXIF_EVERY == EXIF_EVERY - 1:  # stored sideways: "rotate 90° clockwise to display"
        picture = picture.transpose(Image.Transpose.ROTATE_90)
        exif[0x0112] = 6
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=92, exif=exif.tobytes())
    return buffer.getvalue(), sign


def make_photos(folder: Path, count: int) -> dict[str, str | None]:
    """Write ``count`` photos into ``folder``; photos already there (by the manifest) are reused."""
    folder.mkdir(parents=True, exist_ok=True)
    manifest = folder / "manifest.json"
    known: dict[str, str | None] = json.loads(manifest.read_text()) if manifest.exists() else {}
    signs: dict[str, str | None] = {}
    for index in range(count):
        name = f"IMG_{index + 1:04d}.jpg"
        if name not in known or not (folder / name).exists():
            data, known[name] = camera_photo(index)
            (folder / name).write_bytes(data)
        signs[name] = known[name]
    manifest.write_text(json.dumps(known))
    return signs


# --- one source tree, in its own process ---------------------------------------------------------


def _status_kib(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


class RssSampler(threading.Thread):
    """The highest VmRSS seen every 100 ms since the last ``mark()``."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.highest = 0
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(0.1):
            self.highest = max(self.highest, _status_kib("VmRSS"))

    def mark(self) -> int:
        highest, self.highest = max(self.highest, _status_kib("VmRSS")), 0
        return highest


def worker(photo_dir: Path, count: int, style: str) -> dict[str, Any]:
    """Caption the photos in one batch as Caption Studio does; figures as a dict."""
    import core
    from core.captions import service
    from core.config import Settings
    from core.studio import open_studio

    names = [f"IMG_{index + 1:04d}.jpg" for index in range(count)]
    uploads = [service.Upload(name, (photo_dir / name).read_bytes()) for name in names]
    home = tempfile.TemporaryDirectory(prefix="bench-offline-batch-")  # the saved originals: ~300 MB
    settings = Settings.load(environ={"MEDIA_STUDIO_HOME": home.name}, secrets={})
    studio = open_studio(settings)
    loaded_rss = _status_kib("VmRSS")
    from core.captions.vision import text as text_module  # after: it may bring numpy

    reading: list[float] = []
    read_text = text_module.read_text

    def timed_read_text(image: Any) -> Any:  # the provider looks the reader up on every call
        start = time.perf_counter()
        try:
            return read_text(image)
        finally:
            reading.append(time.perf_counter() - start)

    text_module.read_text = timed_read_text
    marks = sorted({min(count, m) for m in (10, 50, 100)} | {count})
    memory: dict[int, dict[str, float]] = {}
    finished: list[float] = []
    sampler = RssSampler()
    sampler.start()

    def on_progress(done: int, total: int, outcome: Any) -> None:
        finished.append(time.perf_counter())
        if done in marks:
            memory[done] = {
                "rss": _status_kib("VmRSS") / 1024,
                "window_peak": sampler.mark() / 1024,
                "hwm": _status_kib("VmHWM") / 1024,
            }

    start = time.perf_counter()
    provider = service.open_provider("offline", settings)
    outcomes = service.caption_batch(studio, uploads, style, "", provider, on_progress)
    total = time.perf_counter() - start
    sampler.stopped.set()
    studio.db.dispose()
    home.cleanup()
    per_photo = [b - a for a, b in zip([start, *finished], finished)]
    return {
        "tree": str(Path(core.__file__).resolve().parents[1]),
        "total_s": total,
        "first_s": per_photo[0],
        "median_s": statistics.median(per_photo),
        "provider_median_ms": statistics.median(o.latency_ms for o in outcomes if o.latency_ms is not None),
        "reading_s": sum(reading),
        "reading_median_ms": statistics.median(reading) * 1000 if reading else 0.0,
        "loaded_rss": loaded_rss / 1024,
        "memory": {str(k): v for k, v in memory.items()},
        "captions": {o.name: o.text or f"ERROR: {o.error}" for o in outcomes},
        "errors": sum(not o.ok for o in outcomes),
    }


def run_tree(tree: Path, photo_dir: Path, count: int, style: str) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", "--photo-dir", str(photo_dir)]
    out = subprocess.run(
        [*command, "--photos", str(count), "--style", style],
        cwd=tree,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    if Path(result["tree"]) != tree.resolve():
        raise SystemExit(f"{tree} imported core from {result['tree']}: check PYTHONPATH")
    return result


def signs_quoted(result: dict[str, Any], signs: dict[str, str | None]) -> tuple[int, int, int]:
    """(signs whose words are all in the caption, photos with a sign, photos without one that quote text)."""
    with_sign = {name: sign for name, sign in signs.items() if sign and name in result["captions"]}
    read = sum(
        all(word in result["captions"][name].upper() for word in sign.split()) for name, sign in with_sign.items()
    )
    quoted_without = sum('"' in text for name, text in result["captions"].items() if not signs.get(name))
    return read, len(with_sign), quoted_without


def report(runs: dict[str, list[dict[str, Any]]], signs: dict[str, str | None], count: int) -> None:
    """A Markdown table: each figure is the median over the rounds (memory: the highest)."""
    labels = list(runs)
    pair = len(labels) == 2
    rounds = len(runs[labels[0]])
    print(f"{count} camera-like 12 MP JPEGs, one batch, style alt_text, {os.cpu_count()} CPU cores", end="")
    print(f", median of {rounds} rounds (alternating which tree goes first)\n" if rounds > 1 else "\n")
    print("| measurement | " + " | ".join(labels) + (" | ratio |" if pair else " |"))
    print("|---|" + "---:|" * (len(labels) + pair))

    def line(name: str, cells: list[str], ratio: str = "") -> None:
        print(f"| {name} | {' | '.join(cells)}{' | ' + ratio if pair else ''} |")

    def row(name: str, key: str, fmt: str, scale: float = 1.0, ratio: bool = True) -> None:
        values = [statistics.median(run[key] for run in runs[label]) * scale for label in labels]
        cells = [format(v, fmt) for v in values]
        if rounds > 1 and key == "total_s":
            cells = [f"{c} ({', '.join(format(run[key], fmt) for run in runs[k])})" for c, k in zip(cells, labels)]
        line(name, cells, f"{values[0] / values[1]:.2f}×" if ratio and pair and values[1] else "")

    row("total, first click to last caption saved (s)", "total_s", ".1f")
    row("first photo, models loading (s)", "first_s", ".2f")
    row("per photo, whole pipeline, median (ms)", "median_s", ".0f", 1000)
    row("per photo, the provider alone, median (ms)", "provider_median_ms", ".0f")
    row("inside the text reader, all photos (s)", "reading_s", ".1f")
    row("inside the text reader, per photo, median (ms)", "reading_median_ms", ".0f")
    row("RSS with the uploads in memory, before the batch (MiB)", "loaded_rss", ".0f", ratio=False)
    for mark in sorted({int(m) for label in labels for m in runs[label][0]["memory"]}):
        cells = []
        for label in labels:
            marks = [run["memory"][str(mark)] for run in runs[label]]
            cells.append(" / ".join(f"{max(m[field] for m in marks):.0f}" for field in ("rss", "window_peak", "hwm")))
        line(f"at photo {mark}: RSS / highest since the last mark / peak (MiB)", cells)
    first = [runs[label][0] for label in labels]
    quoted = [signs_quoted(run, signs) for run in first]
    line("signs whose words the caption quotes", [f"{a} of {b}" for a, b, _ in quoted])
    line("photos without a sign whose caption quotes text", [str(c) for _, _, c in quoted])
    line("failed captions", [str(sum(run["errors"] for run in runs[label])) for label in labels])
    if pair:
        before, after = (run["captions"] for run in first)
        differ = [name for name in before if before[name] != after.get(name)]
        print(f"\n{len(differ)} of {len(before)} captions differ between {labels[0]} and {labels[1]}.")
        for name in differ[:12]:
            print(f"  {name}: {before[name]!r}\n  {' ' * len(name)}→ {after.get(name)!r}")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--photos", type=int, default=100, help="photos in the batch (default 100)")
    parser.add_argument("--before", type=Path, help="another source tree, for a before/after ratio in one run")
    parser.add_argument("--rounds", type=int, default=1, help="runs per tree, alternating the order (default 1)")
    parser.add_argument("--photo-dir", type=Path, help="keep the generated photos here (reused when present)")
    parser.add_argument("--style", default="alt_text", help="caption style (default alt_text)")
    parser.add_argument("--json", type=Path, help="also write every figure and caption here")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.photo_dir, args.photos, args.style)))
        return
    with tempfile.TemporaryDirectory(prefix="bench-photos-") as scratch:
        photo_dir = args.photo_dir or Path(scratch)
        started = time.perf_counter()
        signs = make_photos(photo_dir, args.photos)
        print(f"photos ready in {time.perf_counter() - started:.0f} s ({photo_dir})", file=sys.stderr)
        trees = {"before": args.before.resolve(), "after": REPO} if args.before else {"this tree": REPO}
        runs: dict[str, list[dict[str, Any]]] = {label: [] for label in trees}
        for round_ in range(args.rounds):
            order = list(trees) if round_ % 2 == 0 else list(reversed(trees))
            for label in order:
                print(f"round {round_ + 1}: captioning with {trees[label]} …", file=sys.stderr)
                runs[label].append(run_tree(trees[label], photo_dir, args.photos, args.style))
    if args.json:
        args.json.write_text(json.dumps(runs, indent=1))
    report(runs, signs, args.photos)


if __name__ == "__main__":
    main()
