"""Caption CSV export of 100,000 rows against `sqlite3 -csv` on the same rows and columns.
Run: .venv/bin/python -m bench.bench_csv_export [rows]"""

from __future__ import annotations

import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from core.captions import service as captions
from core.config import Settings
from core.studio import open_studio

SQL = (
    "SELECT c.id, c.created_at, c.edited_at, a.display_name, a.sha256, a.format, a.width, a.height, c.style, "
    "c.prompt, c.provider, c.model, c.text, c.latency_ms, c.prompt_tokens, c.completion_tokens, c.confidence "
    "FROM captions c JOIN image_assets a ON a.id = c.asset_id ORDER BY c.id"
)
WORDS = [
    "a",
    "cat",
    "dog",
    "coffee",
    "cup",
    "espresso",
    "street",
    "mountain",
    "sunset,",
    "red",
    "blue",
    '"quoted"',
    "café",
    "猫",
    "🌅",
    "=SUM(1)",
]


def seed(studio, rows: int) -> None:
    rng = random.Random(1)
    raw = studio.db.engine.raw_connection()
    cur = raw.cursor()
    cur.executemany(
        "INSERT INTO image_assets (id, sha256, display_name, format, width, height, bytes, created_at) "
        "VALUES (?, ?, ?, 'JPEG', 1024, 768, 250000, '2026-11-01 10:00:00')",
        [(i, f"{i:064x}", f"photo-{i}.jpg") for i in range(1, rows // 4 + 2)],
    )
    cur.executemany(
        "INSERT INTO captions (asset_id, style, prompt, provider, model, text, latency_ms, prompt_tokens, "
        "completion_tokens, confidence, created_at) VALUES (?, 'detailed', '', 'offline', 'efficientnet-lite0', "
        "?, 12.5, 100, 40, 0.8, '2026-11-01 10:00:00')",
        [(i // 4 + 1, " ".join(rng.choices(WORDS, k=30))) for i in range(rows)],
    )
    raw.commit()
    raw.close()


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    sqlite3_cli = shutil.which("sqlite3")
    with tempfile.TemporaryDirectory() as home:
        studio = open_studio(Settings.load(environ={"MEDIA_STUDIO_HOME": home}, secrets={}))
        seed(studio, rows)
        start = time.perf_counter()
        ours = captions.export_captions_csv(studio, captions.CaptionFilter(), all_versions=True)  # the same rows
        ours_s = time.perf_counter() - start
        print("| export | rows | bytes | seconds |\n|---|---:|---:|---:|")
        print(
            f"| Media Studio (SQLAlchemy stream + csv, formula-safe, BOM) | {rows:,} | {len(ours):,} | {ours_s:.2f} |"
        )
        if sqlite3_cli:
            db_path = Path(home) / "studio.db"
            start = time.perf_counter()
            out = subprocess.run(
                [sqlite3_cli, "-csv", "-header", str(db_path), SQL], capture_output=True, check=True
            ).stdout
            cli_s = time.perf_counter() - start
            print(f"| sqlite3 -csv (no neutralising) | {rows:,} | {len(out):,} | {cli_s:.2f} |")
            print(f"\nratio (ours / sqlite3 -csv): {ours_s / cli_s:.2f}×")
        else:
            print("sqlite3 command-line tool not found (apt-get install sqlite3)")
        studio.db.dispose()


if __name__ == "__main__":
    main()
