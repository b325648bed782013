"""The captions CSV streams to a file: memory stays flat however many rows there are, the progress
bar hears about every 10,000 rows, and the file holds every row (History's "Export CSV")."""

from __future__ import annotations

import tracemalloc

import pandas as pd

from bench.bench_csv_export import seed
from core.captions import service as captions


def test_a_hundred_thousand_captions_stream_to_a_file_with_flat_memory(studio, tmp_path):
    rows = 100_000
    seed(studio, rows)
    target = tmp_path / "captions.csv"
    heard: list[int] = []
    tracemalloc.start()
    try:
        with target.open("wb") as out:
            written = captions.write_captions_csv(
                studio, captions.CaptionFilter(), out, all_versions=True, progress=lambda done, _t: heard.append(done)
            )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    size = target.stat().st_size
    assert written == rows
    assert size > 30_000_000  # about 37 MB of CSV ...
    assert peak < 20_000_000, f"peak {peak / 1e6:.1f} MB for a {size / 1e6:.0f} MB file"  # ... never all in memory
    assert heard[:3] == [10_000, 20_000, 30_000] and heard[-1] == rows
    frame = pd.read_csv(target, encoding="utf-8-sig", usecols=["caption_id", "caption"], dtype=str)
    assert len(frame) == rows and frame["caption_id"].is_unique
    assert not frame["caption"].str.startswith("=").any()  # "=SUM(1)" first in a caption is neutralised
