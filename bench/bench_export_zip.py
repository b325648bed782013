"""Export ZIP of 2,000 captioned images with sidecars against `zip -r` of the same files.

One data folder gets 2,000 distinct JPEG photos (about 20 KB each) with a caption each, written
through db/ as Caption Studio writes them. Then, in the same run:

* Media Studio: ``export_captions_zip`` into ``<home>/exports/`` (images stored, the ``.txt`` and
  ``.json`` sidecars and ``metadata.jsonl``/``metadata.csv`` deflated), without and with captions
  written into the image copies; peak Python memory from ``tracemalloc`` in a separate pass;
* the reference: the same images and ``.txt`` sidecars laid out in a folder, then
  ``zip -r -q -n .jpg`` (store JPEGs, deflate the rest, as ours does) and plain ``zip -r -q``.

Run: .venv/bin/python -m bench.bench_export_zip [COUNT]   (Debian's `zip` for the reference)
"""

from __future__ import annotations

import hashlib
import io
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TypeVar

import numpy as np
from PIL import Image

from core.bundle import BundleOptions, export_to_file
from core.captions.export import export_captions_zip
from core.config import Settings
from core.studio import open_studio
from db import captions as caption_queries
from db.media import ORIGINALS

T = TypeVar("T")


def seed(studio, count: int, folder: Path) -> list[int]:
    """``count`` captioned photos in the studio, and the same files with .txt sidecars in ``folder``."""
    rng = np.random.default_rng(3)
    base = (rng.random((192, 256, 3)) * 255).astype("uint8")
    ids = []
    folder.mkdir(parents=True)
    with studio.db.session() as session:
        for n in range(count):
            pixels = np.roll(base, n % 256, axis=1).copy()
            for bit in range(12):  # n in black and white 8×8 blocks: a distinct photo each, whatever JPEG keeps
                pixels[:8, bit * 8 : bit * 8 + 8] = 255 if n >> bit & 1 else 0
            out = io.BytesIO()
            Image.fromarray(pixels).save(out, "JPEG", quality=85)
            data = out.getvalue()
            digest = hashlib.sha256(data).hexdigest()
            studio.media.put(data, ORIGINALS, ".jpg", digest)
            text = f"Photo {n}: a harbour at dawn with fishing boats, gulls and a red lighthouse"
            asset = caption_queries.add_asset(
                session,
                sha256=digest,
                display_name=f"photo-{n}.jpg",
                format="JPEG",
                width=256,
                height=192,
                size=len(data),
            )
            ids.append(
                caption_queries.add_caption(
                    session, asset, style="alt_text", prompt="", provider="offline", model="m", text=text
                ).id
            )
            (folder / f"photo-{n}.jpg").write_bytes(data)
            (folder / f"photo-{n}.txt").write_text(text + "\n")
    return ids


def timed(run: Callable[[], T]) -> tuple[float, T]:
    start = time.perf_counter()
    result = run()
    return time.perf_counter() - start, result


def main() -> int:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    tool = shutil.which("zip")
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        studio = open_studio(Settings.load(environ={"MEDIA_STUDIO_HOME": str(work / "home")}, secrets={}))
        ids = seed(studio, count, work / "layout" / "dataset")
        rows: list[tuple[str, float, int, int | None]] = []
        for embed in (False, True):
            write = partial(export_captions_zip, studio, ids, options=BundleOptions(embed_captions=embed))
            seconds, (path, _) = timed(partial(export_to_file, studio.home, f"ours-{embed}.zip", write))
            tracemalloc.start()
            export_to_file(studio.home, "peak.zip", write)
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            label = "Media Studio, captions written into the copies" if embed else "Media Studio"
            rows.append((label, seconds, path.stat().st_size, peak))
        reference: dict[str, float] = {}
        if tool:
            for label, flags in (("zip -r -n .jpg (JPEGs stored)", ["-n", ".jpg"]), ("zip -r", [])):
                target = work / f"ref-{len(reference)}.zip"
                command = [tool, "-r", "-q", *flags, str(target), "dataset"]
                seconds, _ = timed(partial(subprocess.run, command, cwd=work / "layout", check=True))
                reference[label] = seconds
                rows.append((label, seconds, target.stat().st_size, None))
        studio.db.dispose()
    print(f"{count:,} images with sidecars\n")
    print("| export | seconds | bytes | peak Python memory |\n|---|---:|---:|---:|")
    for label, took, size, most in rows:
        memory = "—" if most is None else f"{most / 1e6:.1f} MB"
        print(f"| {label} | {took:.2f} | {size:,} | {memory} |")
    if reference:
        base = reference["zip -r -n .jpg (JPEGs stored)"]
        print(
            f"\nratio Media Studio / zip -r -n .jpg: {rows[0][1] / base:.2f}× (with captions written in: "
            f"{rows[1][1] / base:.2f}×)"
        )
    else:
        print("\nzip not found (apt-get install zip) — no reference")
    return 0


if __name__ == "__main__":
    sys.exit(main())
