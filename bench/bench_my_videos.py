"""My Videos, History and search: server time per rerun at 100, 10,000 and 100,000 sets, on SQLite and
on PostgreSQL (a throwaway server, as the tests start one).

Seeds a fresh data folder per size (each set has 2 completed variations; as many captions as sets,
for History), then runs the real page scripts with Streamlit's AppTest (the script run only, no
browser), fifteen reruns after one warm-up, median (the times are tens of milliseconds, and five
reruns left the ratios at the mercy of one slow run). The searches: a word in every set ("dusk", the
worst case for counting), a word in about a tenth ("lighthouse"), and a word in none ("volcano", the
worst case for a plan that walks the table looking for matches). Streamlit's resource cache is
cleared between sizes, so each size's pages open that size's database (an earlier version of this
bench did not, and measured the first library every time).

Run: .venv/bin/python -m bench.bench_my_videos [--sizes 100,10000,100000] [--sqlite-only]
One case, the smallest and largest sizes taking turns:
     .venv/bin/python -m bench.bench_my_videos --alternate "My Videos, search matching a tenth" --postgresql

"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DIGEST = "ab" * 32  # every row shares one poster and sprite: the page reads 12 per page either way
WORDS = ["lighthouse", "harbour", "fox", "snow", "neon", "street", "desert", "forest", "tide", "market"]


def _rows(sets: int) -> tuple[list[tuple[int, str]], list[tuple[int, int, str]], list[tuple[int, str, str, str]]]:
    rng = random.Random(7)
    generations = [
        (i, f"Scene: {rng.choice(WORDS)} number {i} at dusk. Motion: slow pan right.") for i in range(1, sets + 1)
    ]
    variations = [(i, p, DIGEST) for i in range(1, sets + 1) for p in (0, 1)]
    captions = [
        (i, f"{i:064x}", f"photo-{i}.jpg", f"A {rng.choice(WORDS)} seen at dawn, photo {i}") for i in range(1, sets + 1)
    ]
    return generations, variations, captions


GEN_COLUMNS = (
    "id, created_at, source, backend, model, prompt, prompt_parts, style_preset, aspect_ratio, resolution, "
    "request_size, width, height, local_crop, seconds, n_variations, estimated_cost_usd, favourite"
)
GEN_FIXED = ("2026-11-01 10:00:00", "generate", "offline", "offline-animatic")
GEN_TAIL = ("{}", "None", "16:9", "720p", "1280x720", 1280, 720, False, 4, 2, 0.0, False)
VAR_COLUMNS = (
    "generation_id, position, status, progress, attempts, video_sha256, has_thumbnail, has_spritesheet, "
    "cost_usd, operation, operation_params, created_at"
)


def seed(home: Path, sets: int, url: str | None = None) -> None:
    from PIL import Image

    from core.config import Settings
    from core.studio import open_studio

    environ = {"MEDIA_STUDIO_HOME": str(home), **({"DATABASE_URL": url} if url else {})}
    studio = open_studio(Settings.load(environ=environ, secrets={}))
    for kind, size in (("posters", (640, 360)), ("sprites", (1920, 108))):
        path = studio.media.path_for(DIGEST, kind, ".jpg")
        path.parent.mkdir(parents=True, exist_ok=True)
        Image.new("RGB", size, (90, 60, 160)).save(path, "JPEG")
    generations, variations, captions = _rows(sets)
    raw = studio.db.engine.raw_connection()
    try:
        if studio.db.engine.dialect.name == "postgresql":
            driver: Any = raw.driver_connection
            with driver.cursor() as cur:
                with cur.copy(f"COPY generations ({GEN_COLUMNS}) FROM STDIN") as copy:
                    for gid, prompt in generations:
                        copy.write_row((gid, *GEN_FIXED, prompt, *GEN_TAIL))
                with cur.copy(f"COPY variations ({VAR_COLUMNS}) FROM STDIN") as copy:
                    for gid, position, digest in variations:
                        copy.write_row(
                            (
                                gid,
                                position,
                                "completed",
                                100,
                                0,
                                digest,
                                True,
                                True,
                                0.0,
                                "generate",
                                "{}",
                                GEN_FIXED[0],
                            )
                        )
                with cur.copy(
                    "COPY image_assets (id, sha256, display_name, format, width, height, bytes, created_at) FROM STDIN"
                ) as copy:
                    for aid, sha, name, _ in captions:
                        copy.write_row((aid, sha, name, "JPEG", 1024, 768, 250000, GEN_FIXED[0]))
                with cur.copy(
                    "COPY captions (asset_id, style, prompt, provider, model, text, created_at) FROM STDIN"
                ) as copy:
                    for aid, _, _, text in captions:
                        copy.write_row((aid, "alt_text", "", "offline", "efficientnet-lite0", text, GEN_FIXED[0]))
                for table in ("generations", "image_assets"):  # ids were given: move the sequences on
                    cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {sets})")
                cur.execute("ANALYZE")
        else:
            cur = raw.cursor()
            marks = ", ".join("?" * 18)
            cur.executemany(
                f"INSERT INTO generations ({GEN_COLUMNS}) VALUES ({marks})",
                [(gid, *GEN_FIXED, prompt, *GEN_TAIL) for gid, prompt in generations],
            )
            cur.executemany(
                f"INSERT INTO variations ({VAR_COLUMNS}) "
                f"VALUES (?, ?, 'completed', 100, 0, ?, 1, 1, 0, 'generate', '{{}}', '{GEN_FIXED[0]}')",
                variations,
            )
            cur.executemany(
                "INSERT INTO image_assets (id, sha256, display_name, format, width, height, bytes, created_at) "
                f"VALUES (?, ?, ?, 'JPEG', 1024, 768, 250000, '{GEN_FIXED[0]}')",
                [c[:3] for c in captions],
            )
            cur.executemany(
                "INSERT INTO captions (asset_id, style, prompt, provider, model, text, created_at) "
                f"VALUES (?, 'alt_text', '', 'offline', 'efficientnet-lite0', ?, '{GEN_FIXED[0]}')",
                [(c[0], c[3]) for c in captions],
            )
        raw.commit()
    finally:
        raw.close()
    studio.db.dispose()


def open_library(home: Path, url: str | None) -> None:
    """Point the next page runs at this library: environment, and no studio cached from the last one."""
    import streamlit as st

    os.environ["MEDIA_STUDIO_HOME"] = str(home)
    if url:
        os.environ["DATABASE_URL"] = url
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ["MEDIA_STUDIO_JOBS"] = "external"  # no job runner thread in the measuring process
    st.cache_resource.clear()


def time_page(
    home: Path, reruns: int = 15, page: str = "my_videos.py", state: dict[str, object] | None = None, cards: int = 12
) -> float:
    from streamlit.testing.v1 import AppTest

    os.chdir(ROOT)
    app = AppTest.from_file(str(ROOT / "pages" / page), default_timeout=120)
    for key, value in (state or {}).items():
        app.session_state[key] = value
    app.run()  # warm-up: imports, opening the database
    assert not app.exception, app.exception
    times = []
    for _ in range(reruns):
        start = time.perf_counter()
        app.run()
        times.append(time.perf_counter() - start)
    assert not app.exception, app.exception
    if cards:
        shown = [b for b in app.button if b.label == "Play"]
        assert len(shown) == cards, f"expected {cards} cards, got {len(shown)}"
    return statistics.median(times)


def library_size_shown(home: Path) -> str:
    from streamlit.testing.v1 import AppTest

    app = AppTest.from_file(str(ROOT / "pages" / "my_videos.py"), default_timeout=120)
    app.run()
    return next(c.value for c in app.caption if "sets of" in c.value)


CASES: list[tuple[str, str, dict[str, object], int]] = [  # name, page, session state, cards shown
    ("My Videos", "my_videos.py", {}, 12),
    ("My Videos, search matching every set", "my_videos.py", {"videos_search": "dusk"}, 12),
    ("My Videos, search matching a tenth", "my_videos.py", {"videos_search": "lighthouse"}, 0),
    ("My Videos, search matching nothing", "my_videos.py", {"videos_search": "volcano"}, 0),
    ("History · Captions", "history.py", {}, 0),
    ("History · Captions, search matching every caption", "history.py", {"history_search": "dawn"}, 0),
    ("History · Captions, search matching a tenth", "history.py", {"history_search": "lighthouse"}, 0),
    ("History · Generations", "history.py", {"history_kind": "Generations"}, 0),
]


def measure(home: Path, sets: int, url: str | None) -> dict[str, float]:
    open_library(home, url)
    from core.tally import CAP

    said = library_size_shown(home)
    counted = f"{min(sets, CAP):,}{'+' if sets > CAP else ''} sets"  # the page counts up to CAP
    assert said.startswith(counted), f"the pages opened another library: {said}"
    return {name: time_page(home, page=page, state=state, cards=cards) for name, page, state, cards in CASES}


def alternate(case: str, sizes: list[int], rounds: int, postgresql: bool) -> None:
    """One case, the smallest and the largest library taking turns ``rounds`` times (each a median of
    15 reruns), so that a slow spell on the machine falls on both: the ratio of the medians."""
    from tests.helpers.postgres import throwaway_server

    _, page, state, cards = next(c for c in CASES if c[0] == case)
    with ExitStack() as stack:
        server = stack.enter_context(throwaway_server()) if postgresql else None
        libraries = {}
        for sets in (sizes[0], sizes[-1]):
            home = Path(stack.enter_context(tempfile.TemporaryDirectory()))
            url = server.create_database(f"turns{sets}") if server is not None else None
            seed(home, sets, url)
            libraries[sets] = (home, url)
        times: dict[int, list[float]] = {sets: [] for sets in libraries}
        for turn in range(rounds):
            for sets, (home, url) in libraries.items():
                open_library(home, url)
                times[sets].append(time_page(home, reruns=15, page=page, state=state, cards=cards) * 1000)
                print(f"round {turn + 1}: {sets:,} sets {times[sets][-1]:.1f} ms", flush=True)
    small, large = (statistics.median(times[s]) for s in libraries)
    print(
        f"{case} ({'PostgreSQL' if postgresql else 'SQLite'}): {small:.1f} ms / {large:.1f} ms = {large / small:.2f}×"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="100,10000,100000")
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--alternate", metavar="CASE", help="one case, smallest and largest size taking turns")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--postgresql", action="store_true", help="with --alternate: on PostgreSQL")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    sys.path.insert(0, str(ROOT))
    if args.alternate:
        alternate(args.alternate, sizes, args.rounds, args.postgresql)
        return
    results: dict[tuple[str, int, str], float] = {}
    with ExitStack() as stack:
        databases: list[tuple[str, object]] = [("SQLite", None)]
        if not args.sqlite_only:
            from tests.helpers.postgres import throwaway_server

            databases.append(("PostgreSQL", stack.enter_context(throwaway_server())))
        for database, server in databases:
            for sets in sizes:
                home = Path(stack.enter_context(tempfile.TemporaryDirectory()))
                url = server.create_database(f"bench{sets}") if server is not None else None  # type: ignore[attr-defined]
                start = time.perf_counter()
                seed(home, sets, url)
                print(f"seeded {sets:,} sets on {database} in {time.perf_counter() - start:.0f} s", flush=True)
                for name, seconds in measure(home, sets, url).items():
                    results[(database, sets, name)] = seconds
                    print(f"  {name}: {seconds * 1000:.0f} ms", flush=True)
    print(
        "\n| database | page | " + " | ".join(f"{s:,} sets" for s in sizes) + f" | ratio {sizes[-1]:,} / {sizes[0]:,} |"
    )
    print("|---|---|" + "---:|" * (len(sizes) + 1))
    for database in dict.fromkeys(d for d, _, _ in results):
        for name, *_ in CASES:
            cells = [results[(database, s, name)] * 1000 for s in sizes]
            ratio = cells[-1] / cells[0]
            print(f"| {database} | {name} | " + " | ".join(f"{c:.0f} ms" for c in cells) + f" | {ratio:.2f}× |")


if __name__ == "__main__":
    main()
