"""The Settings page in a real browser: a key set through the page lands in the secrets file only
(mode 0600), "Test connection" answers one sentence (success, then the service's 401), and neither
the page's HTML nor the server's log ever holds the key. Settings from the environment are shown
masked and read-only; a video price saved on the page reaches the database."""

from __future__ import annotations

import stat
import tomllib

import pytest

from core.config import Settings
from core.studio import open_studio
from core.videos import create
from tests.helpers.browser import chromium_browser, running_app, wait_until_idle

pytestmark = pytest.mark.browser


def test_a_key_set_on_the_page_is_saved_0600_tested_and_never_shown(tmp_path, openai_chat_server):
    key = "sk-FAKE-settings-01"
    openai_chat_server.api_key = key
    secrets_path = tmp_path / "secrets" / "secrets.toml"
    log_path = tmp_path / "streamlit.log"
    pages: list[str] = []

    with (
        running_app(tmp_path / "home", log_path, {"MEDIA_STUDIO_SECRETS": str(secrets_path)}) as url,
        chromium_browser() as browser,
    ):
        page = browser.new_page(viewport={"width": 1280, "height": 2400})
        page.goto(f"{url}/settings")
        wait_until_idle(page)
        box = page.locator(".st-key-settings-openai")
        box.get_by_text("Not configured").wait_for()
        box.get_by_role("textbox", name="Base URL").fill(openai_chat_server.v1_url)
        box.get_by_role("textbox", name="API key").fill(key)
        box.get_by_role("button", name="Save", exact=True).click()
        page.get_by_text("the studio uses them from now on").wait_for(timeout=30_000)
        wait_until_idle(page)
        pages.append(page.content())

        box.get_by_text("Configured: llama3.2-vision").wait_for()
        box.get_by_text(f"sk-…{key[-4:]}").first.wait_for()
        box.get_by_role("button", name="Test connection").click()
        success = box.locator("[data-testid='stAlertContentSuccess']")
        success.wait_for(timeout=60_000)
        assert success.inner_text().startswith("Connected: llama3.2-vision at http://127.0.0.1:")
        pages.append(page.content())

        openai_chat_server.fail_next(401)
        box.get_by_role("button", name="Test connection").click()
        error = box.locator("[data-testid='stAlertContentError']")
        error.wait_for(timeout=60_000)
        assert error.inner_text() == (
            f"The vision server at {openai_chat_server.v1_url} rejected the API key (HTTP 401); check OPENAI_API_KEY."
        )
        wait_until_idle(page)
        pages.append(page.content())
        page.screenshot(path=str(tmp_path / "settings.png"), full_page=True)

    assert stat.S_IMODE(secrets_path.stat().st_mode) == 0o600
    assert tomllib.loads(secrets_path.read_text()) == {
        "OPENAI_BASE_URL": openai_chat_server.v1_url,
        "OPENAI_API_KEY": key,
    }
    assert len(openai_chat_server.chat_requests) == 2
    for html in pages:
        assert key not in html and key[3:] not in html
    server_log = log_path.read_text()
    assert key not in server_log and key[3:] not in server_log
    stored = b"".join(p.read_bytes() for p in (tmp_path / "home").rglob("*") if p.is_file())
    assert key.encode() not in stored


def test_settings_from_the_environment_are_read_only_and_prices_can_be_set(tmp_path, videos_server):
    key = "sk-FAKE-environ-02"
    videos_server.api_key = key
    environ = {"OPENAI_VIDEO_BASE_URL": videos_server.v1_url, "OPENAI_VIDEO_API_KEY": key}
    log_path = tmp_path / "streamlit.log"

    with running_app(tmp_path / "home", log_path, environ) as url, chromium_browser() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 2400})
        page.goto(f"{url}/settings")
        wait_until_idle(page)
        box = page.locator(".st-key-settings-openai-videos")
        box.get_by_text(f"sk-…{key[-4:]}").first.wait_for()
        assert box.get_by_role("textbox", name="API key").is_disabled()
        box.get_by_role("button", name="Test connection").click()
        answer = box.locator("[data-testid^='stAlertContent']")
        answer.wait_for(timeout=60_000)
        wait_until_idle(page)
        sentence = answer.inner_text()
        html = page.content()

        price = page.get_by_role("spinbutton", name="sora-2", exact=True)
        price.fill("0.25")
        price.press("Enter")
        page.get_by_role("button", name="Save prices").click()
        page.get_by_text("Saved the prices.").wait_for(timeout=30_000)

    assert sentence.startswith("Connected: the video service at"), sentence
    studio = open_studio(Settings.load(environ={"MEDIA_STUDIO_HOME": str(tmp_path / "home")}, secrets={}))
    try:
        assert create.prices(studio)["sora-2"] == pytest.approx(0.25)
    finally:
        studio.db.dispose()

    assert "environment" in html and videos_server.v1_url in html
    for secret in (key, key[3:]):
        assert secret not in html and secret not in log_path.read_text()
