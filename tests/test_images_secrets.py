"""The image back-end's secrets (issue #9's guarantee, for images): with a key set and a password inside
the base URL, the Images API refuses in ways that quote them (a 401 quoting the key, with and without
its prefix; a 400 quoting the URL with its password); then the database file, every log line, the
generations CSV and the HTML of Settings and of the failed set's lightbox hold neither."""

from __future__ import annotations

import logging

import pytest

from core.config import Settings
from core.studio import open_studio
from core.videos import image_sets
from core.videos import library as videos
from core.videos.backends import openai_images
from core.videos.create import VideoSettings
from core.videos.jobs.runner import JobRunner
from core.videos.kinds import MediaKind
from core.videos.prompt import VideoPrompt
from tests.fakes.images_server import FakeImages
from tests.helpers.browser import chromium_browser, running_app, wait_until_idle

KEY = "sk-FAKE-img-7c6b"
PASSWORD = "Pa55-img-N0t-For-Logs"
SECRETS = [KEY, KEY[3:], PASSWORD]


def hits(text: str) -> list[str]:
    return [s for s in SECRETS if s in text]


@pytest.mark.browser
def test_no_image_secret_reaches_the_database_the_logs_the_export_or_a_page(tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    home = tmp_path / "home"
    with FakeImages(api_key=KEY) as server:
        base = server.v1_url.replace("://", f"://ana:{PASSWORD}@", 1)
        environ = {"OPENAI_IMAGE_BASE_URL": base, "OPENAI_IMAGE_API_KEY": KEY}
        openai_images.clear_clients()
        studio = open_studio(Settings.load(environ={"MEDIA_STUDIO_HOME": str(home), **environ}, secrets={}))
        try:
            settings = VideoSettings(backend="openai-images", model="gpt-image-2.5-flare", kind=MediaKind.IMAGE)
            for status, message in (
                (401, f"Incorrect API key provided: {KEY}. Also seen as {KEY[3:]}."),
                (400, f"Bad request to {base}"),
            ):
                server.fail_next(status, message, count=5)
                image_sets.create_image_set(studio, VideoPrompt("A red fox", "", ""), settings)
                JobRunner(studio, tick_s=0.02).run_until_idle(timeout=30)
                server.clear_script()
            failed = videos.library(studio, videos.GenerationFilter(media_kinds=("image",)))[1]
            assert [v.status for v in failed] == ["failed", "failed"]
            errors = " ".join(v.variations[0].error or "" for v in failed)
            assert "rejected the API key (HTTP 401)" in errors and "refused the request (HTTP 400)" in errors
            assert hits(errors) == []
            exported = videos.export_generations_csv(studio, videos.GenerationFilter()).decode("utf-8-sig")
            assert "rejected the API key" in exported and hits(exported) == []
        finally:
            studio.db.dispose()
            openai_images.clear_clients()
        stored = b"".join(p.read_bytes() for p in home.glob("*.db*"))
        assert stored and [s for s in SECRETS if s.encode() in stored] == []
        assert hits(caplog.text) == []

        log_path = tmp_path / "streamlit.log"
        with running_app(home, log_path, extra_env=environ) as url, chromium_browser() as browser:
            page = browser.new_page(viewport={"width": 1440, "height": 1400})
            shown = []
            for path in ("settings", "create_video"):
                page.goto(f"{url}/{path}")
                wait_until_idle(page)
                shown.append(page.content())
            page.goto(f"{url}/settings")
            wait_until_idle(page)
            box = page.locator(".st-key-settings-openai-images")  # the Images API's fields, the key masked
            box.get_by_text(f"sk-…{KEY[-4:]}").first.wait_for()
            box.get_by_role("button", name="Test connection").click()
            answer = box.locator("[data-testid^='stAlertContent']")
            answer.wait_for(timeout=60_000)
            wait_until_idle(page)
            sentence = answer.inner_text()  # the URL's user and password go out as Basic auth: the fake says 401
            assert "rejected the API key (HTTP 401)" in sentence and hits(sentence) == []
            shown.append(page.content())
            page.goto(f"{url}/my_videos")
            wait_until_idle(page)
            page.locator(".st-key-open-2 button").click()  # the failed image set's lightbox: its message
            page.get_by_role("dialog").get_by_text("Image 1 of 1").wait_for(timeout=30_000)
            wait_until_idle(page)
            shown.append(page.content())
            page.close()
        html = "\n".join(shown)
        assert "refused the request (HTTP 400)" in html  # the stored message is shown …
        assert "ana@" not in html and hits(html) == []  # … without the secrets
        assert hits(log_path.read_text()) == []
