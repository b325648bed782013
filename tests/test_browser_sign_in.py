"""Sign-in when shared, in a real browser against a local OpenID Connect provider: a browser that
has not signed in sees only the sign-in screen, on any URL, and nothing of the studio runs for it;
after signing in the pages show with who is signed in, something made is stored, and after
Sign out the sign-in screen is all there is again. A server told to listen beyond loopback
without sign-in exits with one sentence."""

from __future__ import annotations

import subprocess
import time

import pytest

from core import downloads, people
from core.config import Settings
from core.studio import open_studio
from core.videos import create
from core.videos import library as videos
from core.videos.prompt import VideoPrompt
from tests.helpers.browser import (
    ROOT,
    app_environment,
    create_offline_video,
    free_port,
    running_app,
    streamlit_command,
    wait_until_idle,
)
from tests.helpers.oidc import oidc_provider, write_auth_secrets

pytestmark = pytest.mark.browser

ADA = {"sub": "ada", "name": "Ada Lovelace", "email": "ada@example.com"}
GRACE = "grace@example.com"
PAGE_TITLES = ["Caption Studio", "Explore", "Create video", "Storyboard", "Library", "History", "Settings"]


@pytest.fixture(scope="module")
def issuer(tmp_path_factory):
    with oidc_provider(tmp_path_factory.mktemp("oidc") / "oidc.log", [ADA]) as url:
        yield url


@pytest.fixture
def studio_with_sign_in(issuer, tmp_path):
    """The studio (offline defaults) with ``[auth]`` pointing at the local provider; yields (url, home)."""
    secrets = write_auth_secrets(tmp_path / "streamlit-secrets.toml", issuer)
    home = tmp_path / "home"
    with running_app(home, tmp_path / "streamlit.log", {"STREAMLIT_SECRETS_FILES": str(secrets)}) as url:
        yield url, home


def assert_only_the_sign_in_screen(page) -> None:
    wait_until_idle(page)
    main = page.locator("[data-testid='stMain']")
    assert main.get_by_role("heading", name="Media Studio").is_visible()
    assert page.get_by_role("button", name="Sign in").is_visible()
    headings = main.locator("[data-testid='stHeading']").all_inner_texts()
    assert [h.strip() for h in headings] == ["Media Studio"], headings
    assert page.locator("[data-testid='stSidebar']").count() == 0  # no navigation, no pickers
    assert page.locator("[data-testid='stSidebarNav']").count() == 0
    assert page.get_by_text("Signed in as").count() == 0
    text = main.inner_text()
    for title in PAGE_TITLES:
        assert title not in text, f"{title!r} shown to a browser that has not signed in"


def sign_in(page, issuer: str, url: str, subject: str) -> None:
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{issuer}/oauth2/authorize**")
    page.get_by_placeholder("sub").fill(subject)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(f"{url}/**")
    wait_until_idle(page)


def test_a_browser_that_has_not_signed_in_sees_only_the_sign_in_screen_and_nothing_runs(browser, studio_with_sign_in):
    url, home = studio_with_sign_in
    context = browser.new_context(viewport={"width": 1280, "height": 800})  # no cookies
    page = context.new_page()
    for path in ("/my_videos", "", "/settings", "/create_video"):  # a deep link first, on a fresh server
        page.goto(f"{url}{path}")
        assert_only_the_sign_in_screen(page)
    assert not (home / "studio.db").exists(), "the database was opened for a browser that has not signed in"
    assert not (home / "media").exists()
    context.close()


def test_sign_in_make_a_video_sign_out_and_see_nothing(browser, studio_with_sign_in, issuer, tmp_path):
    """Also: the set made while signed in records who made it, and the Library's "Made by" shows
    only the chosen person's sets beside another person's."""
    url, home = studio_with_sign_in
    studio = open_studio(Settings.load(environ={"MEDIA_STUDIO_HOME": str(home)}, secrets={}))
    try:  # another person's set, there before this browser signs in (nothing has opened the database yet)
        boat = VideoPrompt(scene="A paper boat on a river", visual="tan card", motion="static")
        create.create_generation(studio, boat, create.VideoSettings(seconds=4), made_by=GRACE)
    finally:
        studio.db.dispose()
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(url)
    assert_only_the_sign_in_screen(page)

    sign_in(page, issuer, url, ADA["sub"])
    sidebar = page.locator("[data-testid='stSidebar']")
    assert sidebar.get_by_text("Signed in as Ada Lovelace").is_visible()
    assert sidebar.get_by_role("button", name="Sign out").is_visible()
    nav = page.locator("[data-testid='stSidebarNav']").inner_text()
    assert all(title in nav for title in PAGE_TITLES), nav

    create_offline_video(page, url, seconds="4 s", variations="1")
    studio = open_studio(Settings.load(environ={"MEDIA_STUDIO_HOME": str(home)}, secrets={}))
    try:
        by_ada = videos.GenerationFilter(made_by=(ADA["email"],))
        deadline = time.monotonic() + 60
        while not videos.library(studio, by_ada)[0] and time.monotonic() < deadline:  # the press reaches the server
            time.sleep(0.2)
        total, sets = videos.library(studio, by_ada)
        assert total == 1 and "lighthouse" in sets[0].prompt.lower()  # made by the person signed in
        assert people.set_makers(studio) == [ADA["email"], GRACE]
    finally:
        studio.db.dispose()
    page.goto(f"{url}/my_videos")
    wait_until_idle(page)
    main = page.locator("[data-testid='stMain']")
    assert "paper boat" in main.inner_text().lower() and "lighthouse" in main.inner_text().lower()
    page.get_by_role("combobox", name="Made by").click()
    page.get_by_role("option", name=ADA["email"]).click()
    page.keyboard.press("Escape")
    wait_until_idle(page)
    shown = main.inner_text().lower()
    assert "1 set of videos and images" in shown and "lighthouse" in shown and "paper boat" not in shown, shown
    page.screenshot(path=str(tmp_path / "signed-in.png"))
    probe = home / "exports" / "probe.csv"  # a file behind a signed download link
    probe.parent.mkdir(parents=True, exist_ok=True)
    probe.write_text("a,b\r\n")
    link = url + downloads.link(home, probe, "probe.csv")
    answer = page.request.get(link)
    assert answer.status == 200 and answer.body() == b"a,b\r\n"

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{issuer}/oauth2/end_session**")  # the provider ends its session too
    page.get_by_role("button", name="End session").click()
    page.wait_for_url(f"{url}/**")
    assert_only_the_sign_in_screen(page)
    page.goto(f"{url}/my_videos")  # the identity cookie is gone: a deep link shows nothing either
    assert_only_the_sign_in_screen(page)
    assert not [c for c in context.cookies() if c["name"].startswith("_streamlit_user")]
    refused = page.request.get(link)  # the same link, signed out: a leaked link is no use
    assert refused.status == 401 and refused.text() == "Sign in to the studio first."
    context.close()


def test_a_server_beyond_loopback_without_sign_in_exits_with_one_sentence(tmp_path):
    command = streamlit_command(free_port())
    command[command.index("--server.address") + 1] = "0.0.0.0"
    home = tmp_path / "home"
    home.mkdir()
    no_auth = {"STREAMLIT_SECRETS_FILES": str(tmp_path / "no-streamlit-secrets.toml")}
    finished = subprocess.run(
        command, cwd=ROOT, env=app_environment(home, no_auth), capture_output=True, text=True, timeout=60, check=False
    )
    said = finished.stdout + finished.stderr
    assert finished.returncode == 1, said
    assert (
        "Media Studio will not listen on 0.0.0.0 without sign-in: set up [auth] in .streamlit/secrets.toml "
        "(see docs/deploy.md) or listen on 127.0.0.1." in finished.stderr.splitlines()
    ), said
    assert "Traceback" not in said, said
