"""Captions CSV export of 1,000,000 rows against the database engines' own CSV writers on the same
rows: `sqlite3 -csv` on SQLite and `psql \\copy … (FORMAT csv)` on PostgreSQL (a throwaway server,
as the tests start one). Ours is History's Export CSV (`write_captions_csv`: formula-safe, style
names, rounding, BOM and header), written to a file; its Python memory peak is traced. Each export
is timed ROUNDS times, ours and the reference taking turns after one untimed reference run; the
figures are medians.

Run: .venv/bin/python -m bench.bench_csv_export [rows] [--sqlite-only | --postgresql-only]
"""

from __future__ import annotations

import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from core.captions import service as captions
from core.config import Settings
from core.studio import open_studio
from db import csv_export

ROUNDS = 3  # timed runs of each export, taking turns
SQL = (
    "SELECT c.id, c.created_at, c.edited_at, a.display_name, a.sha256, a.format, a.width, a.height, c.style, "
    "c.prompt, c.provider, c.model, c.text, c.latency_ms, c.prompt_tokens, c.completion_tokens, c.confidence "
    "FROM captions c JOIN image_assets a ON a.id = c.asset_id ORDER BY c.id"
)
WORDS = ["a", "cat", "dog", "coffee", "cup", "espresso", "street", "mountain", "sunset,", "red", "blue"]
WORDS += ['"quoted"', "café", "猫", "🌅", "=SUM(1)"]


def _rows(rows: int) -> tuple[list[tuple[int, str, str]], list[tuple[int, str]]]:
    rng = random.Random(1)
    assets = [(i, f"{i:064x}", f"photo-{i}.jpg") for i in range(1, rows // 4 + 2)]
    texts = [(i // 4 + 1, " ".join(rng.choices(WORDS, k=30))) for i in range(rows)]
    return assets, texts


def seed(studio, rows: int) -> None:
    """``rows`` captions of 30 words (quotes, commas, non-Latin text, emoji, a formula), 4 per image."""
    assets, texts = _rows(rows)
    raw = studio.db.engine.raw_connection()
    try:
        if studio.db.engine.dialect.name == "postgresql":
            with raw.driver_connection.cursor() as cursor:
                # The search column's trigger is skipped while seeding (the export does not read it;
                # computing it for a million rows one by one takes minutes).
                cursor.execute("ALTER TABLE captions DISABLE TRIGGER USER")
                with cursor.copy(
                    "COPY image_assets (id, sha256, display_name, format, width, height, bytes, created_at) FROM STDIN"
                ) as copy:
                    for row in assets:
                        copy.write_row((*row, "JPEG", 1024, 768, 250000, "2026-11-01 10:00:00"))
                with cursor.copy(
                    "COPY captions (asset_id, style, prompt, provider, model, text, latency_ms, prompt_tokens, "
                    "completion_tokens, confidence, created_at) FROM STDIN"
                ) as copy:
                    for asset_id, text in texts:
                        copy.write_row(
                            (
                                asset_id,
                                "detailed",
                                "",
                                "offline",
                                "efficientnet-lite0",
                                text,
                                12.5,
                                100,
                                40,
                                0.8,
                                "2026-11-01 10:00:00",
                            )
                        )
                cursor.execute("ALTER TABLE captions ENABLE TRIGGER USER")
                cursor.execute("ANALYZE")
        else:
            cur = raw.cursor()
            cur.executemany(
                "INSERT INTO image_assets (id, sha256, display_name, format, width, height, bytes, created_at) "
                "VALUES (?, ?, ?, 'JPEG', 1024, 768, 250000, '2026-11-01 10:00:00')",
                assets,
            )
            cur.executemany(
                "INSERT INTO captions (asset_id, style, prompt, provider, model, text, latency_ms, prompt_tokens, "
                "completion_tokens, confidence, created_at) VALUES (?, 'detailed', '', 'offline', "
                "'efficientnet-lite0', ?, 12.5, 100, 40, 0.8, '2026-11-01 10:00:00')",
                texts,
            )
        raw.commit()
    finally:
        raw.close()


def ours(studio, target: Path, native: bool = True, trace: bool = False) -> tuple[float, int, int | None]:
    """Seconds, rows and (with ``trace``, under tracemalloc, which slows Python down) the Python memory
    peak in bytes of History's Export CSV into ``target``."""
    if trace:
        tracemalloc.start()
    start = time.perf_counter()
    with target.open("wb") as out:
        count = captions.write_captions_csv(studio, captions.CaptionFilter(), out, all_versions=True, native=native)
    seconds = time.perf_counter() - start
    peak = None
    if trace:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return seconds, count, peak


def alternate(run_ours, run_reference) -> tuple[float, float, int | None]:
    """Medians of ROUNDS timings each, ours and the reference taking turns, after one untimed run of
    the reference (it brings the table into the page cache and, on PostgreSQL, sets the hint bits a
    first scan after loading writes: whichever ran first paid for that); and ours' memory peak."""
    run_reference()
    ours_s, reference_s = [], []
    for _ in range(ROUNDS):
        reference_s.append(run_reference())
        ours_s.append(run_ours(False)[0])
    peak = run_ours(True)[2]
    return statistics.median(ours_s), statistics.median(reference_s), peak


def timed(command: list[str], target: Path) -> float:
    start = time.perf_counter()
    with target.open("wb") as out:
        subprocess.run(command, stdout=out, check=True)
    return time.perf_counter() - start


def report(database: str, rows: int, results: list[tuple[str, float, Path, int | None]]) -> None:
    print(f"\n{database}, {rows:,} captions:\n")
    print("| export | seconds | bytes | Python peak |\n|---|---:|---:|---:|")
    for name, seconds, path, peak in results:
        memory = f"{peak / 1e6:.1f} MB" if peak is not None else "(another process)"
        print(f"| {name} | {seconds:.2f} | {path.stat().st_size:,} | {memory} |")
    reference = results[-1][1]
    for name, seconds, _, _ in results[:-1]:
        print(f"ratio {name} / {results[-1][0]}: {seconds / reference:.2f}×")


def run_sqlite(rows: int, folder: Path) -> None:
    studio = open_studio(Settings.load(environ={"MEDIA_STUDIO_HOME": str(folder / "sqlite")}, secrets={}))
    try:
        seed(studio, rows)
        tool = shutil.which("sqlite3")
        assert tool, "sqlite3 command-line tool not found (apt-get install sqlite3)"
        db_path = str(folder / "sqlite" / "studio.db")
        mine, target, reference = (
            folder / "ours-sqlite.csv",
            folder / "sqlite3.csv",
            [tool, "-csv", "-header", db_path, SQL],
        )
        seconds, cli_s, peak = alternate(
            lambda trace: ours(studio, mine, True, trace), lambda: timed(reference, target)
        )
        python_s, count, python_peak = ours(studio, folder / "ours-python.csv", native=False, trace=True)
        assert count == rows
        results: list[tuple[str, float, Path, int | None]] = [
            ("Media Studio (sqlite3 command line)", seconds, mine, peak),
            ("Media Studio (Python csv writer, one run, traced)", python_s, folder / "ours-python.csv", python_peak),
            ("sqlite3 -csv", cli_s, target, None),
        ]
        report("SQLite", rows, results)
    finally:
        studio.db.dispose()


def run_postgresql(rows: int, folder: Path) -> None:
    from tests.helpers.postgres import throwaway_server

    with throwaway_server() as server:
        url = server.create_database("bench")
        env = {"MEDIA_STUDIO_HOME": str(folder / "pg"), "DATABASE_URL": url}
        studio = open_studio(Settings.load(environ=env, secrets={}))
        try:
            seed(studio, rows)
            writer = {"psql": "COPY run by psql", "copy": "COPY through psycopg"}[
                csv_export.native_writer(studio.db.engine) or "copy"
            ]
            psql = str(server.bin_dir / "psql")
            libpq = url.replace("+psycopg", "")
            copy = f"\\copy ({SQL}) TO STDOUT WITH (FORMAT csv, HEADER)"
            mine = folder / "ours-pg.csv"
            seconds, ref_s, peak = alternate(
                lambda trace: ours(studio, mine, True, trace),
                lambda: timed([psql, "-X", "-q", libpq, "-c", copy], folder / "psql.csv"),
            )
            assert ours(studio, mine)[1] == rows
            report(
                "PostgreSQL",
                rows,
                [
                    (f"Media Studio ({writer})", seconds, folder / "ours-pg.csv", peak),
                    ("psql \\copy", ref_s, folder / "psql.csv", None),
                ],
            )
        finally:
            studio.db.dispose()


def main() -> None:
    rows = int(next((a for a in sys.argv[1:] if a.isdigit()), 1_000_000))
    with tempfile.TemporaryDirectory() as folder:
        if "--postgresql-only" not in sys.argv:
            run_sqlite(rows, Path(folder))
        if "--sqlite-only" not in sys.argv:
            run_postgresql(rows, Path(folder))


if __name__ == "__main__":
    main()
