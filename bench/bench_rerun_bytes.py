"""My Videos in a real browser: bytes received per rerun, and the time from Play to a playing video.

Seeds the realistic library (tests.helpers.library: 19 sets in three aspect ratios, a failed set, an
import, every kind of edit), starts the app from ``--tree`` (default: this checkout; pass an exported
older commit to measure "before"), opens My Videos at 1440×900 in headless Chromium and counts, through
the DevTools protocol, every byte the browser receives (WebSocket frames and HTTP bodies) while it:
toggles "Favourites only" on, then off, flips to page 2, then back to page 1. Then it clicks Play on a
card and times how long until the lightbox's video can play (readyState HAVE_FUTURE_DATA: its
first frames are decoded and it is running or ready to), three times.

Run: .venv/bin/python -m bench.bench_rerun_bytes [--tree PATH]
"""

from __future__ import annotations

import argparse
import base64
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = (
    "from pathlib import Path; import sys; from tests.helpers.library import seed_library;"
    " seed_library(Path(sys.argv[1]))"
)


def seed(tree: Path, home: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    subprocess.run([sys.executable, "-c", SEED, str(home)], cwd=tree, env=env, check=True)


class Counter:
    """Bytes the page receives: WebSocket frame payloads plus HTTP response bodies as sent."""

    def __init__(self, page) -> None:
        self.websocket = 0
        self.http = 0
        self.requests = 0
        self.cached = 0  # images the browser took from its cache (no bytes, no request)
        cdp = page.context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.on("Network.webSocketFrameReceived", self._frame)
        cdp.on("Network.loadingFinished", self._loaded)
        cdp.on("Network.requestServedFromCache", self._from_cache)

    @property
    def total(self) -> int:
        return self.websocket + self.http

    def _frame(self, event: dict) -> None:
        response = event["response"]
        data = response.get("payloadData", "")
        self.websocket += len(base64.b64decode(data)) if response.get("opcode") == 2 else len(data.encode())

    def _loaded(self, event: dict) -> None:
        self.http += int(event.get("encodedDataLength", 0))
        self.requests += 1

    def _from_cache(self, _event: dict) -> None:
        self.cached += 1


def settle(page) -> None:
    sys.path.insert(0, str(ROOT))
    from tests.helpers.browser import wait_until_idle

    wait_until_idle(page)
    page.wait_for_timeout(1500)  # images and late frames


def measure(tree: Path) -> dict[str, object]:
    sys.path.insert(0, str(ROOT))
    from playwright.sync_api import sync_playwright

    from tests.helpers.browser import CHROMIUM_ARGS, app_environment, chromium_path, free_port, streamlit_command

    with tempfile.TemporaryDirectory() as scratch:
        home = Path(scratch) / "home"
        seed(tree, home)
        port = free_port()
        log = open(Path(scratch) / "streamlit.log", "wb")  # noqa: SIM115 (closed in the finally below)
        server = subprocess.Popen(
            streamlit_command(port), cwd=tree, env=app_environment(home), stdout=log, stderr=subprocess.STDOUT
        )
        url = f"http://127.0.0.1:{port}"
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1440, "height": 900})
                for _ in range(120):
                    try:
                        page.goto(f"{url}/my_videos")
                        break
                    except Exception:
                        time.sleep(0.5)
                page.wait_for_function("() => document.querySelectorAll('.ms-card').length >= 12", timeout=120_000)
                settle(page)
                counter = Counter(page)
                steps: dict[str, tuple[int, int, int, int]] = {}

                def step(name: str, action) -> None:
                    before = (counter.websocket, counter.http, counter.requests, counter.cached)
                    action()
                    settle(page)
                    after = (counter.websocket, counter.http, counter.requests, counter.cached)
                    steps[name] = tuple(a - b for a, b in zip(after, before))  # type: ignore[assignment]

                toggle = page.get_by_text("Favourites only")
                step("favourites on", toggle.click)
                step("favourites off", toggle.click)
                number = page.get_by_label("Page (of 2)")

                def go(n: int):
                    def flip() -> None:
                        number.fill(str(n))
                        number.press("Enter")

                    return flip

                step("page 2", go(2))
                step("page 1", go(1))
                print("bytes per rerun:", steps, flush=True)
                plays = []
                for attempt in range(3):
                    ready = "[data-testid='stColumn']:has(.ms-card:not(.ms-failed)) [class*='st-key-open-'] button"
                    button = page.locator(ready).nth(attempt)
                    started = time.perf_counter()
                    button.click()
                    page.wait_for_function(
                        "() => { const v = document.querySelector('[role=dialog] video');"
                        " return v && v.readyState >= 3; }",
                        timeout=60_000,
                        polling=10,
                    )
                    plays.append(time.perf_counter() - started)
                    page.keyboard.press("Escape")
                    page.get_by_role("dialog").wait_for(state="hidden")
                    settle(page)
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=20)
            log.close()
    return {"steps": steps, "plays": plays}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tree", type=Path, default=ROOT, help="the checkout whose app to measure")
    args = parser.parse_args()
    result = measure(args.tree.resolve())
    steps: dict[str, tuple[int, int, int, int]] = result["steps"]  # type: ignore[assignment]
    plays: list[float] = result["plays"]  # type: ignore[assignment]
    print(f"tree: {args.tree}")
    print("| rerun | bytes received | of which WebSocket | of which HTTP | HTTP requests | from cache |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, (ws, http, requests, cached) in steps.items():
        print(f"| {name} | {ws + http:,} | {ws:,} | {http:,} | {requests} | {cached} |")
    print(f"| mean per rerun | {statistics.mean(ws + http for ws, http, _, _ in steps.values()):,.0f} | | | | |")
    each = ", ".join(f"{s * 1000:.0f} ms" for s in plays)
    print(f"Play → video can play: {each} (median {statistics.median(plays) * 1000:.0f} ms)")


if __name__ == "__main__":
    main()
