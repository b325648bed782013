"""Throughput of job workers: 60 sets through the fake /v1/videos (the real OpenAI SDK over HTTP)
with 1, 2 and 3 `python -m core.worker` processes on one database and one data folder.

Each set is one 4 s 720p variation; the fake completes a video over 4 polls 20 ms apart, so the
work is mostly the studio's own (requests, downloads, probing, posters, database writes) on this
machine's cores. `--max-running` is 6 for every worker (a cap on jobs running across the studio).

Run: .venv/bin/python -m bench.bench_workers [--sets 60] [--postgresql]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

from core.config import Settings
from core.studio import open_studio
from core.videos import create
from core.videos import library as videos
from core.videos.prompt import VideoPrompt
from tests.fakes.videos_server import FakeVideos
from tests.helpers.browser import ROOT, app_environment


def run(workers: int, sets: int, url: str | None, folder: Path) -> float:
    with FakeVideos() as fake:
        home = folder / f"home-{workers}"
        env = {**fake.client_settings(), **({"DATABASE_URL": url} if url else {})}
        studio = open_studio(Settings.load(environ={"MEDIA_STUDIO_HOME": str(home), **env}, secrets={}))
        settings = create.VideoSettings(
            aspect="16:9", resolution="720p", seconds=4, variations=1, backend="openai-videos", model="sora-2"
        )
        ids = [
            create.create_generation(studio, VideoPrompt(scene=f"Shot {n}", visual="dusk", motion="pan"), settings)
            for n in range(sets)
        ]
        start = time.perf_counter()
        procs = [
            subprocess.Popen(
                [sys.executable, "-m", "core.worker", "--max-running", "6", "--tick-s", "0.05"],
                cwd=ROOT,
                env=app_environment(home, env),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for _ in range(workers)
        ]
        try:
            while True:
                views = [videos.generation(studio, g) for g in ids]
                done = sum(v.status == "completed" for view in views if view for v in view.variations)
                if done == sets:
                    break
                time.sleep(0.1)
            seconds = time.perf_counter() - start
        finally:
            for process in procs:
                process.terminate()
                process.wait(timeout=60)
            studio.db.dispose()
        assert len(fake.create_forms) == sets
        return seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sets", type=int, default=60)
    parser.add_argument("--postgresql", action="store_true")
    args = parser.parse_args()
    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        server = None
        if args.postgresql:
            from tests.helpers.postgres import throwaway_server

            server = stack.enter_context(throwaway_server())
        results = {}
        for workers in (1, 2, 3):
            url = server.create_database(f"workers{workers}") if server else None
            results[workers] = run(workers, args.sets, url, folder)
            print(f"{workers} worker(s): {results[workers]:.1f} s", flush=True)
    database = "PostgreSQL" if args.postgresql else "SQLite"
    print(f"\n{database}, {args.sets} sets:\n")
    print("| workers | seconds | sets per minute | vs 1 worker |\n|---:|---:|---:|---:|")
    for workers, seconds in results.items():
        print(f"| {workers} | {seconds:.1f} | {args.sets / seconds * 60:.0f} | {results[1] / seconds:.2f}× |")


if __name__ == "__main__":
    main()
