"""Job workers as processes of their own (``python -m core.worker``): several share one queue through
the database and the real OpenAI SDK against the fake /v1/videos; each job is sent to the service
once even when a worker is killed with SIGKILL mid-run; SIGTERM finishes or releases the steps in
flight and exits 0; every worker's heartbeat is visible (``core.workers.health``)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest

from core import workers
from core.config import Settings
from core.studio import open_studio
from core.videos import create
from core.videos import library as videos
from core.videos.prompt import VideoPrompt
from tests.helpers.browser import ROOT, app_environment, running_app
from tests.helpers.studio import assert_rows_and_files_agree


def start_worker(home: Path, log: Path, extra: dict[str, str], *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "core.worker", "--lease-s", "3", "--tick-s", "0.05", "--beat-s", "0.5", *args],
        cwd=ROOT,
        env=app_environment(home, extra),
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.kill()
        process.wait(timeout=10)


def statuses(studio, ids: list[int]) -> Counter[str]:
    return Counter(v.status for g in ids for v in videos.generation(studio, g).variations)


def wait_for(predicate, timeout: float, what: str, logs: list[Path]) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            tails = "\n".join(f"--- {p.name}\n{p.read_text()[-2000:]}" for p in logs if p.exists())
            raise AssertionError(f"timed out waiting for {what}\n{tails}")
        time.sleep(0.2)


def queue_api_sets(studio, count: int) -> list[int]:
    ids = []
    for n in range(count):
        scene = f"Shot {n:02d}: a lighthouse keeper climbs the stairs"
        settings = create.VideoSettings(
            aspect="16:9", resolution="720p", seconds=4, variations=1, backend="openai-videos", model="sora-2"
        )
        ids.append(
            create.create_generation(
                studio, VideoPrompt(scene=scene, visual="warm lamp light", motion="slow tilt up"), settings
            )
        )
    return ids


SETS = 60


@pytest.mark.both_databases
def test_three_workers_and_a_web_server_share_the_queue_and_a_killed_worker_loses_nothing(
    tmp_path, videos_server, database_url
):
    """The issue's scenario: three workers and one web server (MEDIA_STUDIO_JOBS=external) on one
    database and one data folder, 60 sets through the fake /v1/videos, one worker killed mid-run."""
    home = tmp_path / "home"
    env = {**videos_server.client_settings(), "DATABASE_URL": database_url, "MEDIA_STUDIO_JOBS": "external"}
    studio = open_studio(Settings.load(environ={"MEDIA_STUDIO_HOME": str(home), **env}, secrets={}))
    logs = [tmp_path / f"worker-{n}.log" for n in range(3)]
    procs = []
    try:
        ids = queue_api_sets(studio, SETS)
        with running_app(home, tmp_path / "web.log", env) as url:  # a web server: it must not run jobs
            procs = [start_worker(home, log, env, "--max-running", "6") for log in logs]
            wait_for(lambda: statuses(studio, ids)["completed"] >= 6, 120, "the first sets to finish", logs)
            procs[0].send_signal(signal.SIGKILL)  # mid-run: it holds leases it will never release
            procs[0].wait(timeout=10)
            wait_for(lambda: statuses(studio, ids)["completed"] == SETS, 240, "every set to finish", logs)
            assert httpx.get(f"{url}/_stcore/health", timeout=10).text == "ok"
        web_log = (tmp_path / "web.log").read_text()
        assert "Variation" not in web_log and "video-job" not in web_log, web_log[-2000:]  # it ran no job

        prompts = [form.fields["prompt"] for form in videos_server.create_forms]
        per_shot = [sum(f"Shot {n:02d}:" in prompt for prompt in prompts) for n in range(SETS)]
        assert per_shot == [1] * SETS  # each sent to the service exactly once, the killed worker's too
        assert len(videos_server.videos) == SETS
        assert_rows_and_files_agree(studio)  # no orphan files, no rows pointing at missing ones
        killed = f"worker-{workers.worker_id().rpartition(':')[0]}:{procs[0].pid}-"
        leftovers = [p.name for p in studio.media.scratch().iterdir() if not p.name.startswith(killed)]
        assert leftovers == []  # only the killed worker may leave work files (the sweep takes them later)

        health = workers.health(studio)
        assert health.mode is workers.JobsMode.EXTERNAL
        assert (health.queued, health.running) == (0, 0)
        pids = {w.pid: w.state for w in health.workers}
        assert set(pids) == {p.pid for p in procs}
        assert all(pids[p.pid] == "running" for p in procs[1:])
        wait_for(
            lambda: {w.pid: w.state for w in workers.health(studio).workers}[procs[0].pid] == "not answering",
            30,
            "the killed worker to be shown as not answering",
            logs,
        )
    finally:
        for process in procs:
            stop(process)
        studio.db.dispose()


def test_sigterm_releases_the_step_in_flight_and_another_worker_finishes_it(tmp_path):
    home = tmp_path / "home"
    studio = open_studio(Settings.load(environ={"MEDIA_STUDIO_HOME": str(home)}, secrets={}))
    log = tmp_path / "worker.log"
    try:
        settings = create.VideoSettings(aspect="16:9", resolution="720p", seconds=12, variations=1)
        [set_id] = [
            create.create_generation(
                studio, VideoPrompt(scene="A slow tide over black sand", visual="grey dawn", motion="static"), settings
            )
        ]
        first = start_worker(home, log, {})
        wait_for(lambda: statuses(studio, [set_id])["in_progress"] == 1, 60, "the render to start", [log])
        started = time.monotonic()
        first.send_signal(signal.SIGTERM)
        assert first.wait(timeout=30) == 0
        took = time.monotonic() - started
        [variation] = videos.generation(studio, set_id).variations
        assert variation.status in {"queued", "in_progress", "completed"}, variation.status  # never failed
        health = {w.pid: w.state for w in workers.health(studio).workers}
        assert health[first.pid] == "stopped"
        assert "SIGTERM received" in log.read_text()

        second = start_worker(home, log, {})
        try:
            wait_for(lambda: statuses(studio, [set_id])["completed"] == 1, 120, "the render to finish", [log])
        finally:
            second.send_signal(signal.SIGTERM)
            assert second.wait(timeout=30) == 0
        assert_rows_and_files_agree(studio)
        assert took < 30
    finally:
        studio.db.dispose()


def test_a_worker_says_plainly_when_the_database_cannot_be_opened(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    done = subprocess.run(
        [sys.executable, "-m", "core.worker"],
        cwd=ROOT,
        env=app_environment(home, {"DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:9/none"}),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2, done.stderr[-2000:]
    assert done.stderr.startswith("media-studio worker: "), done.stderr[-2000:]


@pytest.mark.parametrize("value, mode", [("external", "external"), ("EXTERNAL ", "external"), ("", "internal")])
def test_jobs_mode_is_read_from_the_setting(tmp_path, value, mode):
    studio = open_studio(
        Settings.load(environ={"MEDIA_STUDIO_HOME": str(tmp_path / "h"), "MEDIA_STUDIO_JOBS": value}, secrets={})
    )
    try:
        assert workers.jobs_mode(studio) == mode
    finally:
        studio.db.dispose()
