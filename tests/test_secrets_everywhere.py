"""Issue #9's secrets test: with API keys set and passwords inside the base URLs, every back-end is
made to fail in the ways the fakes can (a 401 that quotes the key, with and without its prefix, a
400 that quotes the URL's password, a service error, an unreachable server); then the database file,
every log line, both CSV exports and the HTML of every page are searched for the secrets: zero hits."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from core.captions import service as captions
from core.captions.providers import openai_compat
from core.captions.providers import watsonx as wx
from core.config import Settings
from core.studio import open_studio
from core.videos import library as videos
from core.videos.backends import openai_videos
from tests.fakes.sample_images import caption_request
from tests.helpers.browser import chromium_browser, free_port, running_app, wait_until_idle
from tests.helpers.corpus import encode, photo
from tests.helpers.studio import create_api_generation, fast_runner

PASSWORD = "Pa55-w0rd-N0t-For-Logs"


def with_password(url: str) -> str:
    return url.replace("://", f"://ana:{PASSWORD}@", 1)


def secrets_of(videos_server, openai_chat_server, watsonx_server) -> list[str]:
    keys = [videos_server.api_key, openai_chat_server.api_key, watsonx_server.api_key]
    return [PASSWORD, *keys, *(k[3:] for k in keys if k.startswith("sk-"))]


def hits(text: str, secrets: list[str]) -> list[str]:
    return [s for s in secrets if s and s in text]


@pytest.mark.browser
def test_no_secret_reaches_the_database_the_logs_the_exports_or_a_page(
    tmp_path, videos_server, openai_chat_server, watsonx_server, caplog
):
    caplog.set_level(logging.DEBUG)
    videos_server.api_key = "sk-FAKE-videos-9f8e7d"  # OpenAI-style keys, so "without its prefix" means something
    openai_chat_server.api_key = "sk-FAKE-chat-0a1b2c"
    secrets = secrets_of(videos_server, openai_chat_server, watsonx_server)
    home = tmp_path / "home"
    environ = {
        "MEDIA_STUDIO_HOME": str(home),
        **watsonx_server.client_settings(),
        "OPENAI_BASE_URL": with_password(openai_chat_server.v1_url),
        "OPENAI_API_KEY": openai_chat_server.api_key,
        "OPENAI_VISION_MODEL": "llava",
        "OPENAI_VIDEO_BASE_URL": with_password(videos_server.v1_url),
        "OPENAI_VIDEO_API_KEY": videos_server.api_key,
    }
    openai_videos.clear_clients()
    openai_compat.clear_clients()
    wx.clear_clients()
    studio = open_studio(Settings.load(environ=environ, secrets={}))
    try:
        # Videos: a 401 quoting the key (whole and without its prefix), a 400 quoting the URL and password.
        key = videos_server.api_key
        for status, message in (
            (401, f"Incorrect API key provided: {key}. Also seen as {key[3:]}."),
            (400, f"Bad request to {with_password(videos_server.v1_url)}"),
        ):
            videos_server.fail_next(status, count=20, message=message)
            create_api_generation(studio)
            runner = fast_runner(studio)
            runner.run_until_idle(timeout=60)
            videos_server.clear_script()
        failed = [v for v in videos.library(studio, videos.GenerationFilter(), limit=10)[1] if v.status == "failed"]
        assert len(failed) == 2  # both sets failed, each with a stored message

        # Captions: each provider refused in a way that quotes a secret, and one unreachable server.
        image = captions.Upload("coffee.jpg", encode(photo("coffee")))
        openai_chat_server.fail_next(401, count=20, message=f"Incorrect API key {openai_chat_server.api_key}")
        watsonx_server.fail_next(400, count=20, message=f"Rejected key {watsonx_server.api_key}")
        for key_name in ("openai", "watsonx"):
            outcome = captions.caption_image(
                studio, image, "alt_text", "", captions.open_provider(key_name, studio.settings)
            )
            assert outcome.error and not hits(outcome.error, secrets), outcome.error
        unreachable = Settings.load(
            environ={**environ, "OPENAI_BASE_URL": with_password(f"http://127.0.0.1:{free_port()}/v1")}, secrets={}
        )
        provider = captions.open_provider("openai", unreachable)
        with pytest.raises(Exception) as caught:
            provider.caption(caption_request(provider))
        assert not hits(str(caught.value), secrets)

        exports = captions.export_captions_csv(studio, captions.CaptionFilter()).decode(
            "utf-8-sig"
        ) + videos.export_generations_csv(studio, videos.GenerationFilter()).decode("utf-8-sig")
        assert "Incorrect API key" in exports or "refused" in exports.lower()  # the errors are exported …
        assert hits(exports, secrets) == []  # … without the secrets
    finally:
        studio.db.dispose()

    stored = b"".join(p.read_bytes() for p in home.glob("*.db*"))
    assert stored, "the database file was not found"
    assert [s for s in secrets if s.encode() in stored] == []
    assert hits(caplog.text, secrets) == []

    # Every page as a browser sees it, with the same settings (the sidebar names the services' URLs).
    log_path = tmp_path / "streamlit.log"
    extra = {k: v for k, v in environ.items() if k != "MEDIA_STUDIO_HOME"}
    with running_app(home, log_path, extra_env=extra) as url, chromium_browser() as browser:
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        shown = []
        for path in ("", "explore", "create_video", "my_videos", "history", "settings"):
            page.goto(f"{url}/{path}")
            wait_until_idle(page)
            page.wait_for_timeout(500)
            shown.append(page.content())
        page.goto(f"{url}/my_videos")
        wait_until_idle(page)
        page.locator("[class*='st-key-open-'] button").first.click()  # a failed set's lightbox: its message
        page.get_by_role("dialog").wait_for(timeout=30_000)
        wait_until_idle(page)
        shown.append(page.content())
        page.goto(f"{url}/history")
        wait_until_idle(page)
        page.get_by_text("Generations", exact=True).click()
        wait_until_idle(page)
        shown.append(page.content())
        page.close()
    html = "\n".join(shown)
    assert "ana@" not in html and hits(html, secrets) == []
    assert hits(Path(log_path).read_text(), secrets) == []
