"""The captions CSV streams to a file: memory stays flat however many rows there are, the progress
bar hears about every 10,000 rows, and the file holds every row (History's "Export CSV"). Where the
database has a native CSV writer (PostgreSQL's COPY, the sqlite3 command line) it writes the rows,
and its file reads back exactly as the Python writer's does, on both databases."""

from __future__ import annotations

import io
import tracemalloc

import pandas as pd
import pytest

from bench.bench_csv_export import seed
from core.captions import service as captions
from db import captions as queries
from db import csv_export
from tests.test_csv_export import TRICKY


def test_a_hundred_thousand_captions_stream_to_a_file_with_flat_memory(studio, tmp_path):
    rows = 100_000
    seed(studio, rows)
    target = tmp_path / "captions.csv"
    heard: list[int] = []
    tracemalloc.start()
    try:
        with target.open("wb") as out:
            written = captions.write_captions_csv(
                studio,
                captions.CaptionFilter(),
                out,
                all_versions=True,
                progress=lambda done, _t: heard.append(done),
                native=False,  # the Python writer: the native ones never hold rows in Python at all
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


@pytest.mark.both_databases
def test_the_databases_own_csv_writer_gives_the_same_file_as_python(studio):
    with studio.db.session() as session:
        for n, text in enumerate(TRICKY):
            asset = queries.add_asset(
                session, sha256=f"{n:064x}", display_name=f"=photo {n}.png", format="PNG", width=4, height=3, size=9
            )
            queries.add_caption(
                session, asset, style="alt_text", prompt="+a prompt", provider="offline", model="m", text=text
            )
    expected = "copy" if studio.db.engine.dialect.name == "postgresql" else "sqlite3"
    assert csv_export.native_writer(studio.db.engine) == expected
    found = {}
    for native in (True, False):
        out = io.BytesIO()
        count = captions.write_captions_csv(studio, captions.CaptionFilter(), out, all_versions=True, native=native)
        assert count == len(TRICKY)
        assert out.getvalue().startswith("\ufeffcaption_id,created_at,".encode())
        found[native] = pd.read_csv(io.BytesIO(out.getvalue()), encoding="utf-8-sig", keep_default_na=False, dtype=str)
    pd.testing.assert_frame_equal(found[True], found[False])
    assert list(found[True]["caption"]) == [("'" + t if t[0] in "=+-@\t\r" else t) for t in TRICKY]
    assert set(found[True]["image_name"]) == {f"'=photo {n}.png" for n in range(len(TRICKY))}
    assert set(found[True]["style"]) == {"Alt text"}
