"""Start-up: first paint and page switches of the studio against a bare Streamlit app with as many pages.

In one run, each round starts fresh server processes (each on a free loopback port, with a fresh
empty data folder and no cloud settings) for

* a bare reference app: ``st.navigation`` over seven trivial pages (a title, a caption and a few
  widgets), generated into a temporary folder with the studio's ``.streamlit/config.toml``, and
* the studio: ``streamlit run streamlit_app.py`` in ``--app-root`` (default: this checkout),

and drives each with Debian's Chromium through Playwright (a fresh browser context, so a cold
cache, per app and round):

* first paint: from starting the server process until the first page's title (its ``h1``) is
  visible and the script run has finished;
* page switches: click each sidebar link in turn (studio: Explore, Create video, Storyboard, Library,
  History, Settings, back to Caption Studio; bare app: its seven pages likewise) and time until the new page's title is
  visible and the run has finished.

"Finished" is read from ``stApp``'s ``data-test-script-state`` (``notRunning``, the flag
Streamlit's own end-to-end tests wait on) together with the running icon of ``stStatusWidget``
being gone (the status widget itself fades out for another 200 ms after the run ends, which is
animation, not work, so it is not waited for), and with no ``stSkeleton`` left: widgets whose
code the browser has not fetched yet are drawn as grey placeholders, and a page showing those is
not ready to use.

The rounds alternate which app goes first; a warm-up round (not counted) fills the disk cache and
compiles bytecode. Medians (and min-max) per step, and the ratio studio / bare, are printed.

By default the studio starts on a fresh, empty data folder (a first start: the database is
created and migrated inside the timing); ``--existing-data`` times a returning user's start instead
(the database already migrated, by the app's own ``db.engine``, before the timing starts).

Run: .venv/bin/python -m bench.bench_startup [--rounds 3] [--warmup 1] [--app-root PATH] [--existing-data]
     [--json PATH]
(the "before" figure: ``git worktree add /tmp/baseline <commit>`` and ``--app-root /tmp/baseline``).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from tests.helpers.browser import app_environment, chromium_browser, free_port, streamlit_command, wait_for_health

ROOT = Path(__file__).resolve().parents[1]
STUDIO_PAGES = (
    "Caption Studio",
    "Explore",
    "Create video",
    "Storyboard",
    "Library",
    "History",
    "Settings",
)
BARE_PAGES = ("Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot", "Golf")  # as many pages as the studio
TIMEOUT_S = 120

BARE_MAIN = (
    "import streamlit as st\n\n"
    'st.set_page_config(page_title="Bare", page_icon=":material/movie:", layout="wide")\n'
    "navigation = st.navigation([\n"
    + "".join(
        f'    st.Page("pages/{name.lower()}.py", title="{name}", icon=":material/image:"'
        + (", default=True" if i == 0 else f', url_path="{name.lower()}"')
        + "),\n"
        for i, name in enumerate(BARE_PAGES)
    )
    + "])\nnavigation.run()\n"
)

BARE_PAGE = """import streamlit as st

st.title({title!r})
st.caption("A bare reference page: a title, a caption and a few widgets.")
with st.sidebar:
    st.radio("Mode", ["One", "Two"], key="{key}_mode")
left, right = st.columns(2)
left.text_input("Name", key="{key}_name")
right.selectbox("Choice", ["one", "two", "three"], key="{key}_choice")
st.slider("Amount", 0, 100, 50, key="{key}_amount")
st.button("Go", key="{key}_go")
"""

# True once the page's title is drawn, the script run (that drew it) has finished and no widget
# still shows its loading placeholder (widgets whose code the browser has not fetched yet).
IDLE_WITH_TITLE = """(title) => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (document.querySelector('[data-testid="stStatusWidgetRunningIcon"]')) return false;
  if (document.querySelector('[data-testid="stSkeleton"], [data-testid="stAppSkeleton"]')) return false;
  const h1 = document.querySelector('[data-testid="stMain"] h1');
  if (!h1 || !h1.textContent.trim().startsWith(title)) return false;
  const box = h1.getBoundingClientRect();
  return box.width > 0 && box.height > 0;
}"""


def write_bare_app(folder: Path, config_from: Path) -> Path:
    """The reference app; it shares the studio's server settings (file watcher off, theme)."""
    (folder / "pages").mkdir(parents=True, exist_ok=True)
    (folder / "streamlit_app.py").write_text(BARE_MAIN)
    for title in BARE_PAGES:
        (folder / "pages" / f"{title.lower()}.py").write_text(BARE_PAGE.format(title=title, key=title.lower()))
    config = config_from / ".streamlit" / "config.toml"
    if config.exists():
        (folder / ".streamlit").mkdir(exist_ok=True)
        shutil.copy(config, folder / ".streamlit" / "config.toml")
    return folder


@contextlib.contextmanager
def serve(app_dir: Path, home: Path, log_path: Path) -> Iterator[tuple[str, float, float]]:
    """Start ``streamlit run streamlit_app.py`` in ``app_dir``; yield (url, start, health answered)
    as ``perf_counter`` times; stop it afterwards. (tests.helpers.browser.running_app always runs
    this checkout and does not expose when the process started, so it is not reused here.)"""
    port = free_port()
    home.mkdir(parents=True, exist_ok=True)
    env = app_environment(home)
    env.pop("PYTHONPATH", None)  # the app imports its own core/, ui/ and db/ from app_dir
    url = f"http://127.0.0.1:{port}"
    with open(log_path, "wb") as log:
        start = time.perf_counter()
        process = subprocess.Popen(
            streamlit_command(port),
            cwd=app_dir,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_for_health(process, url, log_path, TIMEOUT_S, poll=0.05)
            yield url, start, time.perf_counter()
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_idle(page, title: str, log_path: Path) -> float:
    try:
        page.wait_for_function(IDLE_WITH_TITLE, arg=title, polling="raf", timeout=TIMEOUT_S * 1000)
    except Exception as exc:  # say which page never settled, and what it showed
        shown = page.locator("[data-testid='stMain']").inner_text()[:500]
        raise RuntimeError(f"{title!r} never settled within {TIMEOUT_S} s; the page showed: {shown!r}") from exc
    done = time.perf_counter()
    if page.locator("[data-testid='stException']").count():
        raise RuntimeError(
            f"{title!r} shows an exception:\n"
            f"{page.locator('[data-testid=stException]').first.inner_text()[:2000]}\n"
            f"server log:\n{log_path.read_text()[-3000:]}"
        )
    return done


def migrated_database(app_dir: Path, home: Path) -> None:
    """A data folder whose database the app has already migrated (``--existing-data``): made by the
    app's own ``db.engine`` in a separate process before the server starts, outside the timing."""
    code = (
        "import sys; from pathlib import Path; from db.engine import default_url, open_database; "
        "open_database(default_url(Path(sys.argv[1]))).dispose()"
    )
    env = app_environment(home)
    env.pop("PYTHONPATH", None)
    subprocess.run([sys.executable, "-c", code, str(home)], cwd=app_dir, env=env, check=True, capture_output=True)


def measure(
    browser, app_dir: Path, pages: tuple[str, ...], work: Path, existing_data: bool = False
) -> dict[str, float]:
    """One fresh server and browser context: server up, first paint, then one switch per page
    (the first page last), in seconds."""
    home = Path(tempfile.mkdtemp(prefix="home-", dir=work))
    log_path = work / f"{home.name}.log"
    if existing_data:
        migrated_database(app_dir, home)
    times: dict[str, float] = {}
    with serve(app_dir, home, log_path) as (url, start, healthy):
        times["server answers"] = healthy - start
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        try:
            page = context.new_page()
            page.goto(url, wait_until="commit", timeout=TIMEOUT_S * 1000)
            times["first paint"] = _wait_idle(page, pages[0], log_path) - start
            for title in (*pages[1:], pages[0]):
                link = page.locator(
                    "[data-testid='stSidebarNav'] [data-testid='stSidebarNavLink']", has_text=title
                ).first
                link.wait_for(state="visible", timeout=TIMEOUT_S * 1000)
                clicked = time.perf_counter()
                link.click()
                times[f"to {title}"] = _wait_idle(page, title, log_path) - clicked
        finally:
            context.close()
    shutil.rmtree(home, ignore_errors=True)
    return times


@dataclass
class Results:
    bare: list[dict[str, float]] = field(default_factory=list)
    studio: list[dict[str, float]] = field(default_factory=list)


def _cell(values: list[float]) -> str:
    return f"{statistics.median(values):5.2f} ({min(values):.2f}-{max(values):.2f})"


def report(results: Results, app_root: Path, existing_data: bool = False) -> str:
    studio_steps = ["server answers", "first paint", *(f"to {t}" for t in (*STUDIO_PAGES[1:], STUDIO_PAGES[0]))]
    bare_steps = ["server answers", "first paint", *(f"to {t}" for t in (*BARE_PAGES[1:], BARE_PAGES[0]))]
    rounds = len(results.studio)
    data = "an already migrated database" if existing_data else "a fresh, empty data folder"
    lines = [
        f"Start-up of {app_root} ({data}) against a bare four-page Streamlit app, {rounds} round(s):",
        "median seconds (min-max); ratio = studio median / bare median; paired = median of each round's ratio",
        "",
        f"{'step':<30}{'bare':>20}{'studio':>20}{'ratio':>9}{'paired':>9}",
    ]
    pooled: tuple[list[float], list[float]] = ([], [])
    for s_step, b_step in zip(studio_steps, bare_steps):
        s = [r[s_step] for r in results.studio]
        b = [r[b_step] for r in results.bare]
        if s_step.startswith("to "):
            pooled[0].extend(b)
            pooled[1].extend(s)
        label = s_step if s_step == b_step else f"{s_step} ({b_step.removeprefix('to ')})"
        lines.append(_row(label, b, s))
    lines.append(_row("any page switch", *pooled))
    return "\n".join(lines)


def _row(label: str, bare: list[float], studio: list[float]) -> str:
    ratio = statistics.median(studio) / statistics.median(bare)
    paired = statistics.median(s / b for s, b in zip(studio, bare))
    return f"{label:<30}{_cell(bare):>20}{_cell(studio):>20}{ratio:>8.2f}x{paired:>8.2f}x"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="counted rounds (default 3)")
    parser.add_argument("--warmup", type=int, default=1, help="uncounted rounds first (default 1)")
    parser.add_argument("--app-root", type=Path, default=ROOT, help="folder holding streamlit_app.py")
    parser.add_argument(
        "--existing-data",
        action="store_true",
        help="start the studio on a data folder whose database is already migrated (a returning user) "
        "instead of an empty one (a first start)",
    )
    parser.add_argument("--json", type=Path, help="also write every round's figures here")
    args = parser.parse_args(argv)
    app_root = args.app_root.resolve()
    if not (app_root / "streamlit_app.py").exists():
        parser.error(f"no streamlit_app.py in {app_root}")

    results = Results()
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp, chromium_browser() as browser:
        work = Path(tmp)
        bare_dir = write_bare_app(work / "bare", app_root)
        for n in range(args.warmup + args.rounds):
            counted = n >= args.warmup
            order = [("bare", bare_dir, BARE_PAGES), ("studio", app_root, STUDIO_PAGES)]
            if n % 2:
                order.reverse()
            for name, app_dir, pages in order:
                times = measure(browser, app_dir, pages, work, args.existing_data and name == "studio")
                if counted:
                    getattr(results, name).append(times)
                tag = f"round {n - args.warmup + 1}" if counted else "warm-up"
                print(
                    f"{tag:>9} {name:<7}" + "  ".join(f"{k} {v:.2f}" for k, v in times.items()),
                    file=sys.stderr,
                    flush=True,
                )
    print(report(results, app_root, args.existing_data))
    print(
        f"\n(took {time.perf_counter() - began:.0f} s; {sys.executable} -m bench.bench_startup"
        f" --rounds {args.rounds} --warmup {args.warmup} --app-root {app_root}"
        f"{' --existing-data' if args.existing_data else ''})"
    )
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "app_root": str(app_root),
                    "existing_data": args.existing_data,
                    "bare": results.bare,
                    "studio": results.studio,
                },
                indent=2,
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
