"""Options depend on your plan, in a real browser: choosing the Standard plan for the Videos API in
Settings narrows what Create video offers (720p, 4 or 8 s, 1 or 2 variations, sora-2 only), and the
Offline renderer keeps every option."""

from __future__ import annotations

import pytest

from tests.helpers.browser import chromium_browser, running_app, wait_until_idle

pytestmark = pytest.mark.browser


def _offered(page, label: str) -> list[str]:
    group = page.get_by_role("radiogroup", name=label, exact=True)
    group.get_by_role("radio").first.wait_for(timeout=60_000)  # drawn, not just idle (all_inner_texts never waits)
    return [text.strip() for text in group.get_by_role("radio").all_inner_texts()]


def test_the_plan_chosen_in_settings_is_what_create_video_offers(tmp_path, videos_server):
    environ = {"OPENAI_VIDEO_BASE_URL": videos_server.v1_url, "OPENAI_VIDEO_API_KEY": "sk-FAKE-plan"}
    with running_app(tmp_path / "home", tmp_path / "streamlit.log", environ) as url, chromium_browser() as browser:
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.goto(f"{url}/create_video")
        wait_until_idle(page)
        before = _offered(page, "Duration"), _offered(page, "Variations")

        page.goto(f"{url}/settings")
        wait_until_idle(page)
        box = page.locator(".st-key-plan-openai-videos")
        plans = box.get_by_role("combobox", name="Plan")
        plans.click()
        plans.press_sequentially("Stan")  # the list opens as one types
        page.get_by_role("option", name="Standard").click()
        wait_until_idle(page)
        box.get_by_text("sora-2 at 720p, clips of 4 or 8 s, up to 2 variations.").wait_for()
        box.get_by_role("button", name="Use this plan").click()
        box.get_by_text("Create video now offers the Standard plan's options.").wait_for(timeout=30_000)

        page.goto(f"{url}/create_video")
        wait_until_idle(page)
        page.get_by_text("Options of your Standard plan; change it in Settings.").wait_for()
        after = _offered(page, "Resolution"), _offered(page, "Duration"), _offered(page, "Variations")
        model_boxes = page.get_by_role("combobox", name="Model").count()

    assert before == (["4 s", "8 s", "12 s"], ["1", "2", "4"])  # the default (Pro) plan offers everything
    assert after == (["720p"], ["4 s", "8 s"], ["1", "2"])
    assert model_boxes == 0  # one model on this plan: nothing to pick


def test_switching_type_to_image_and_back_keeps_a_choice_in_every_video_setting(tmp_path):
    with running_app(tmp_path / "home", tmp_path / "streamlit.log") as url, chromium_browser() as browser:
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.goto(f"{url}/create_video")
        wait_until_idle(page)
        page.get_by_role("radiogroup", name="Type").get_by_text("Image", exact=True).click()
        wait_until_idle(page)
        page.get_by_label("Scene context").fill("A bowl of ramen on a wooden counter")  # a rerun as an image
        page.keyboard.press("Tab")
        wait_until_idle(page)
        page.get_by_role("radiogroup", name="Type").get_by_text("Video", exact=True).click()
        wait_until_idle(page)
        chosen = {
            label: page.get_by_role("radiogroup", name=label, exact=True)
            .locator("[aria-checked='true']")
            .all_inner_texts()
            for label in ("Resolution", "Duration", "Variations")
        }
    assert chosen == {"Resolution": ["720p"], "Duration": ["4 s"], "Variations": ["1"]}
