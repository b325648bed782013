"""My Videos page: server time per rerun with 100 and with 10,000 sets of videos in the database.

Seeds a fresh data folder, then runs the real page script with Streamlit's AppTest (the script
run only, no browser), five reruns each after one warm-up. Run: .venv/bin/python -m bench.bench_my_videos
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def seed(home: Path, sets: int) -> None:
    from PIL import Image

    from core.config import Settings
    from core.studio import open_studio

    studio = open_studio(Settings.load(environ={"MEDIA_STUDIO_HOME": str(home)}, secrets={}))
    digest = "ab" * 32  # every row shares one poster and sprite: the page reads 12 per page either way
    for kind, size in (("posters", (640, 360)), ("sprites", (1920, 108))):
        path = studio.media.path_for(digest, kind, ".jpg")
        path.parent.mkdir(parents=True, exist_ok=True)
        Image.new("RGB", size, (90, 60, 160)).save(path, "JPEG")
    raw = studio.db.engine.raw_connection()
    cur = raw.cursor()
    cur.executemany(
        "INSERT INTO generations (id, created_at, source, backend, model, prompt, prompt_parts, style_preset, "
        "aspect_ratio, resolution, request_size, width, height, local_crop, seconds, n_variations, "
        "estimated_cost_usd, favourite) VALUES (?, '2026-11-01 10:00:00', 'generate', 'offline', "
        "'offline-animatic', ?, '{}', 'None', '16:9', '720p', '1280x720', 1280, 720, 0, 4, 2, 0, 0)",
        [(i, f"Scene: lighthouse number {i} at dusk. Motion: slow pan right.") for i in range(1, sets + 1)],
    )
    cur.executemany(
        "INSERT INTO variations (generation_id, position, status, progress, attempts, video_sha256, has_thumbnail, "
        "has_spritesheet, cost_usd, operation, operation_params, created_at) VALUES (?, ?, 'completed', 100, 0, ?, "
        "1, 1, 0, 'generate', '{}', '2026-11-01 10:00:00')",
        [(i, p, digest) for i in range(1, sets + 1) for p in (0, 1)],
    )
    raw.commit()
    raw.close()
    studio.db.dispose()


def time_page(
    home: Path, reruns: int = 5, page: str = "my_videos.py", state: dict[str, object] | None = None, cards: int = 12
) -> float:
    from streamlit.testing.v1 import AppTest

    os.environ["MEDIA_STUDIO_HOME"] = str(home)
    os.chdir(ROOT)
    app = AppTest.from_file(str(ROOT / "pages" / page), default_timeout=60)
    for key, value in (state or {}).items():
        app.session_state[key] = value
    app.run()  # warm-up: imports, opening the database, starting the job runner
    assert not app.exception, app.exception
    times = []
    for _ in range(reruns):
        start = time.perf_counter()
        app.run()
        times.append(time.perf_counter() - start)
    assert not app.exception, app.exception
    shown = [b for b in app.button if b.label == "Play"]
    assert len(shown) == cards, f"expected {cards} cards, got {len(shown)}"
    return statistics.median(times)


def main() -> None:
    sys.path.insert(0, str(ROOT))
    results = {}
    for sets in (100, 10_000):
        with tempfile.TemporaryDirectory() as home:
            seed(Path(home), sets)
            every = list(range(1, sets + 1))
            results[("My Videos", sets, "off")] = time_page(Path(home))
            results[("My Videos", sets, "on, all selected")] = time_page(
                Path(home), state={"videos_select": True, "videos_selected": every}
            )
            results[("History · Generations", sets, "on, all selected")] = time_page(
                Path(home),
                page="history.py",
                state={"history_kind": "Generations", "gen_select": True, "gens_selected": every},
                cards=0,
            )
    print("| page | sets in the library | select mode | server time per rerun (median of 5) |")
    print("|---|---:|---|---:|")
    for (page, sets, mode), seconds in results.items():
        print(f"| {page} | {sets:,} | {mode} | {seconds * 1000:.0f} ms |")
    for page, mode in {(p, m) for p, _, m in results}:
        ratio = results[(page, 10_000, mode)] / results[(page, 100, mode)]
        print(f"ratio 10,000 / 100 sets, {page}, select {mode}: {ratio:.2f}×")


if __name__ == "__main__":
    main()
