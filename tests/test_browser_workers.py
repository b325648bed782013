"""Jobs in worker processes, seen from the browser: with MEDIA_STUDIO_JOBS=external the web server
runs no job itself and says so (a queued set waits, Settings shows the queue and "no worker");
once ``python -m core.worker`` starts, Settings shows its heartbeat and the set is made."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time

import pytest

from core.config import Settings
from core.studio import open_studio
from core.videos import create
from core.videos import library as videos
from core.videos.prompt import VideoPrompt
from tests.helpers.browser import ROOT, app_environment, chromium_browser, running_app, wait_until_idle

pytestmark = pytest.mark.browser


def test_an_external_jobs_server_waits_for_a_worker_and_shows_its_heartbeat(tmp_path):
    home = tmp_path / "home"
    studio = open_studio(Settings.load(environ={"MEDIA_STUDIO_HOME": str(home)}, secrets={}))
    settings = create.VideoSettings(aspect="9:16", resolution="720p", seconds=4, variations=2)
    set_id = create.create_generation(
        studio, VideoPrompt(scene="Neon rain on a quiet street", visual="magenta glow", motion="slow push in"), settings
    )
    external = {"MEDIA_STUDIO_JOBS": "external"}
    worker = None
    try:
        with running_app(home, tmp_path / "streamlit.log", external) as url, chromium_browser() as browser:
            page = browser.new_page(viewport={"width": 1440, "height": 900})
            page.goto(f"{url}/settings")
            wait_until_idle(page)
            section = page.get_by_role("heading", name="Job workers")
            section.scroll_into_view_if_needed()
            page.get_by_text("No job worker is running").wait_for(timeout=30_000)
            queued = page.locator("[data-testid='stMetric']").filter(has_text="Queued")
            assert queued.locator("[data-testid='stMetricValue']").inner_text() == "2"
            time.sleep(3)  # the web server must not start the jobs itself
            assert {v.status for v in videos.generation(studio, set_id).variations} == {"queued"}

            worker = subprocess.Popen(
                [sys.executable, "-m", "core.worker", "--beat-s", "0.5", "--tick-s", "0.1"],
                cwd=ROOT,
                env=app_environment(home, external),
                stdout=(tmp_path / "worker.log").open("wb"),
                stderr=subprocess.STDOUT,
            )
            deadline = time.monotonic() + 120
            while {v.status for v in videos.generation(studio, set_id).variations} != {"completed"}:
                assert time.monotonic() < deadline, (tmp_path / "worker.log").read_text()[-3000:]
                time.sleep(0.3)
            page.reload()
            wait_until_idle(page)
            page.get_by_role("heading", name="Job workers").scroll_into_view_if_needed()
            table = page.locator("[data-testid='stTable']").last
            table.wait_for(timeout=30_000)
            text = table.inner_text()
            assert "running" in text and re.search(r"\d+ s ago", text), text
            assert page.get_by_text("No job worker is running").count() == 0
            assert queued.locator("[data-testid='stMetricValue']").inner_text() == "0"
            page.screenshot(path=str(tmp_path / "settings-workers.png"), full_page=True)
    finally:
        if worker is not None:
            worker.send_signal(signal.SIGTERM)
            assert worker.wait(timeout=30) == 0
        studio.db.dispose()
