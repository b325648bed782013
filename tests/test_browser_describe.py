"""Describe this video in the lightbox, in a real browser, on the offline captioner: the title and
alt text appear in the lightbox and the library search finds the set by them."""

import pytest

from core.config import Settings
from core.studio import open_studio
from core.videos import imports
from tests.helpers.browser import chromium_browser, running_app, wait_until_idle
from tests.helpers.video import make_mp4

pytestmark = pytest.mark.browser


def test_describe_this_video_shows_and_saves_a_title_and_alt_text(tmp_path):
    home = tmp_path / "home"
    studio = open_studio(Settings.load(environ={"MEDIA_STUDIO_HOME": str(home)}, secrets={}))
    imports.import_video(studio, "clip.mp4", make_mp4(tmp_path / "clip.mp4", seconds=2).read_bytes())
    studio.db.dispose()
    with chromium_browser() as browser, running_app(home, tmp_path / "streamlit.log") as url:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{url}/my_videos")
        wait_until_idle(page)
        page.get_by_role("button", name="Play").first.click()
        dialog = page.get_by_role("dialog")
        dialog.locator("video").wait_for(timeout=30_000)
        dialog.get_by_text("Title and alt text", exact=True).click()
        dialog.get_by_role("button", name="Describe this video").click()
        dialog.get_by_text("Video: ", exact=False).wait_for(timeout=60_000)
        assert dialog.get_by_role("button", name="Describe again").count() == 1
        page.close()
