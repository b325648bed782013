"""Create video with a preset of the user's own, and importing one file twice, in a real browser:
two of issue #8's defects that core tests alone would not catch where the user meets them."""

from __future__ import annotations

import pytest

from tests.helpers.browser import running_app, wait_until_idle
from tests.helpers.video import make_mp4

pytestmark = pytest.mark.browser


def test_a_custom_preset_appears_at_once_and_its_video_is_made(browser, tmp_path):
    """Issue #8: a custom style preset made every variation fail (KeyError: 'Neon noir')."""
    with running_app(tmp_path / "home", tmp_path / "streamlit.log") as url:
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.goto(f"{url}/create_video")
        wait_until_idle(page)
        page.get_by_text("Style presets").click()  # the expander
        page.get_by_label("Preset name").fill("Neon noir")
        page.get_by_label("Words it adds to the prompt").fill("neon reflections on wet streets, deep shadows")
        page.get_by_role("button", name="Save preset").click()
        wait_until_idle(page)
        page.get_by_text("Preset “Neon noir” saved.").wait_for(timeout=30_000)
        presets = page.get_by_role("combobox", name="Style preset")
        presets.click()
        presets.press_sequentially("Neon")
        page.get_by_role("option", name="Neon noir").click()  # in the list at once, no reload
        wait_until_idle(page)
        page.get_by_label("Scene context").fill("A taxi waits at a crossing at night")
        page.keyboard.press("Tab")
        wait_until_idle(page)
        prompt = page.get_by_label("Prompt sent to the back-end (edit freely)").input_value()
        assert "neon reflections on wet streets" in prompt  # the preset's words are in the prompt
        page.get_by_role("radiogroup", name="Duration").get_by_text("4 s", exact=True).click()
        wait_until_idle(page)
        page.get_by_role("button", name="Create video").click()
        page.get_by_text("your latest take").wait_for(timeout=60_000)  # queued; leaving sooner can lose the click
        page.goto(f"{url}/my_videos")
        wait_until_idle(page)
        page.get_by_text("1/1 ready").wait_for(timeout=180_000)
        assert page.locator(".ms-failed").count() == 0
        log = (tmp_path / "streamlit.log").read_text()
        assert "KeyError" not in log and "Traceback" not in log
        page.close()


def test_importing_the_same_file_twice_makes_one_set_and_opens_it(browser, tmp_path):
    """Issue #8: importing the same file twice made two sets."""
    clip = make_mp4(tmp_path / "harbour.mp4", seconds=1)
    with running_app(tmp_path / "home", tmp_path / "streamlit.log") as url:
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.goto(f"{url}/my_videos")
        wait_until_idle(page)
        uploader = page.locator("[data-testid='stSidebar'] input[type='file']")
        uploader.set_input_files(str(clip))
        page.get_by_role("button", name="Import").click()
        page.get_by_text("1 set of videos and images.").wait_for(timeout=60_000)
        wait_until_idle(page)
        page.get_by_role("button", name="Import").click()  # the same file, again
        page.get_by_text("“harbour.mp4” is already in the library as set #1.").wait_for(timeout=60_000)
        page.get_by_role("dialog").get_by_text("Variation 1 of 1").wait_for(timeout=30_000)  # it opens that set
        wait_until_idle(page)
        assert page.get_by_text("1 set of videos and images.").count() == 1  # still one set
        page.close()
