"""Running the real app for browser tests and screenshots: `streamlit run` on a free loopback port,
and Debian's Chromium driven by Playwright (never `playwright install`: nothing is downloaded)."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def chromium_path() -> str | None:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def app_environment(home: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment minus every cloud setting, so the app runs on its offline defaults."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WATSONX_", "OPENAI_", "MEDIA_STUDIO_"))}
    env.pop("DATABASE_URL", None)
    env.update(
        {"MEDIA_STUDIO_HOME": str(home), "MEDIA_STUDIO_SECRETS": str(home / "no-secrets.toml"), "PYTHONUNBUFFERED": "1"}
    )
    env.update(extra or {})
    return env


def streamlit_command(port: int) -> list[str]:
    """``streamlit run streamlit_app.py`` on a loopback port, headless, with no usage statistics."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "streamlit_app.py",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
    ]


def wait_for_health(
    process: subprocess.Popen[bytes], url: str, log_path: Path, timeout: float, poll: float = 0.3
) -> None:
    """Return once the server at ``url`` answers its health check; raise with its log if it dies or stalls."""
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited early:\n{log_path.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read() == b"ok":
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"streamlit did not answer in {timeout} s:\n{log_path.read_text()[-3000:]}")
        time.sleep(poll)


def stop_process(process: subprocess.Popen[bytes], timeout: float = 10) -> None:
    """SIGTERM, then SIGKILL if it has not gone within ``timeout`` seconds."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@contextlib.contextmanager
def running_server(
    home: Path, log_path: Path, extra_env: dict[str, str] | None = None, timeout: float = 90
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """Start the studio; yield its URL and its process once its health check answers; stop it afterwards."""
    port = free_port()
    home.mkdir(parents=True, exist_ok=True)
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            streamlit_command(port),
            cwd=ROOT,
            env=app_environment(home, extra_env),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            wait_for_health(process, url, log_path, timeout)
            yield url, process
        finally:
            stop_process(process)


@contextlib.contextmanager
def running_app(
    home: Path, log_path: Path, extra_env: dict[str, str] | None = None, timeout: float = 90
) -> Iterator[str]:
    """Start the studio; yield its URL once its health check answers; stop it afterwards."""
    with running_server(home, log_path, extra_env, timeout) as (url, _process):
        yield url


@contextlib.contextmanager
def chromium_browser():
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    if executable is None:
        raise RuntimeError("Debian's chromium is not installed: run scripts/setup.sh dev")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


def wait_until_idle(page, timeout: float = 60_000) -> None:
    """Wait for the Streamlit script run to finish: the page's heading is drawn and the
    'running' status widget has gone (a screenshot taken sooner catches the loading skeleton)."""
    page.wait_for_selector("[data-testid='stMain'] [data-testid='stHeading']", timeout=timeout)
    page.wait_for_timeout(300)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')",
        timeout=timeout,
    )
    page.wait_for_timeout(300)


def seed_finished_set(home: Path, size: tuple[int, int] = (320, 180), seconds: int = 2) -> None:
    """A data folder holding one finished offline set, made before the app starts."""
    from core.config import Settings
    from core.studio import open_studio
    from core.videos.jobs.runner import JobRunner
    from tests.helpers.studio import queue_offline

    studio = open_studio(Settings.load(environ={"MEDIA_STUDIO_HOME": str(home)}, secrets={}))
    queue_offline(studio, n=1, size=size, seconds=seconds)
    JobRunner(studio).run_until_idle(timeout=120)
    studio.db.dispose()


def create_offline_video(page, url: str, seconds: str = "8 s", variations: str = "2") -> None:
    """Fill Create video with a lighthouse shot and press Create video (offline renderer)."""
    page.goto(f"{url}/create_video")
    wait_until_idle(page)
    page.get_by_label("Scene context").fill("A lighthouse on a cliff at dusk, waves breaking below")
    page.get_by_label("Visual details").fill("golden light, teal sea, soft mist")
    page.get_by_label("Motion (camera and subject)").fill("slow dolly in; gulls circle the lamp")
    page.keyboard.press("Tab")
    wait_until_idle(page)
    page.get_by_role("radiogroup", name="Duration").get_by_text(seconds, exact=True).click()
    wait_until_idle(page)
    page.get_by_role("radiogroup", name="Variations").get_by_text(variations, exact=True).click()
    wait_until_idle(page)
    page.get_by_role("button", name="Create video").click()


def open_first_set(page, url: str, expect: str):
    """Go to My Videos, press Play on the first set, wait for ``expect`` in the lightbox; return it."""
    page.goto(f"{url}/my_videos")
    wait_until_idle(page)
    page.get_by_role("button", name="Play").first.click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_text(expect).wait_for(timeout=30_000)
    return dialog


POSTERS_LOADED = """async () => {
  const urls = [...document.querySelectorAll('.ms-card')]
    .map(c => getComputedStyle(c).backgroundImage.match(/url\\("?(.*?)"?\\)/))
    .filter(Boolean).map(m => m[1]);
  await Promise.all(urls.map(u => { const i = new Image(); i.src = u; return i.decode(); }));
}"""


def wait_for_posters(page) -> None:
    """Return once every My Videos card's poster (a /media URL the browser fetches) has loaded and decoded."""
    page.evaluate(POSTERS_LOADED)
