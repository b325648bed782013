"""What stage 2 saves: a 12-megapixel photo prepared for Llama 4 (1120 px JPEG data URL) against
sending the original file as naive base64. Run: .venv/bin/python -m bench.bench_image_prep"""

from __future__ import annotations

import base64
import statistics
import time
from collections.abc import Callable
from typing import TypeVar

from core.captions.images import prepare_image
from tests.helpers.corpus import big_photo

T = TypeVar("T")


def timed(fn: Callable[[], T], repeat: int = 5) -> tuple[float, T]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    original = big_photo(12.0)
    naive_s, naive = timed(lambda: "data:image/jpeg;base64," + base64.b64encode(original).decode())
    prep_s, prepared = timed(lambda: prepare_image(original, 1120, "photo.jpg"))
    print("| what | bytes sent | time (median of 5) |")
    print("|---|---:|---:|")
    print(f"| naive base64 of the 12 MP original | {len(naive):,} | {naive_s * 1000:.1f} ms |")
    print(
        f"| validate + orient + downscale to {prepared.width}×{prepared.height} + JPEG data URL "
        f"| {len(prepared.data_url):,} | {prep_s * 1000:.1f} ms |"
    )
    print(f"\nbytes ratio (naive / prepared): {len(naive) / len(prepared.data_url):.1f}×")


if __name__ == "__main__":
    main()
