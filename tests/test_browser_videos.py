"""Create video and My Videos in a real browser: the offline renderer makes two variations while
a progress bar moves; the set appears in My Videos; the lightbox's Right arrow key shows the second."""

import pytest

from tests.helpers.browser import (
    create_offline_video,
    open_first_set,
    running_app,
    seed_finished_set,
    wait_until_idle,
)

pytestmark = pytest.mark.browser


def test_create_two_variations_then_step_through_them_with_the_arrow_key(browser, tmp_path):
    with running_app(tmp_path / "home", tmp_path / "streamlit.log") as url:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        create_offline_video(page, url)
        page.get_by_text("variation 2", exact=False).first.wait_for(timeout=90_000)  # the live progress panel
        assert page.locator("[data-testid='stProgress']").count() >= 1

        page.goto(f"{url}/my_videos")
        wait_until_idle(page)
        page.get_by_text("2/2 ready").wait_for(timeout=120_000)
        wait_until_idle(page)
        page.get_by_role("button", name="Play").first.click()
        dialog = page.get_by_role("dialog")
        dialog.get_by_text("Variation 1 of 2").wait_for(timeout=30_000)
        dialog.locator("video").wait_for(timeout=30_000)  # drawn after the heading, in the same run
        assert dialog.locator("video").count() == 1
        page.keyboard.press("ArrowRight")
        dialog.get_by_text("Variation 2 of 2").wait_for(timeout=30_000)
        page.close()


def test_a_closed_lightbox_stays_closed_when_the_page_reruns(browser, tmp_path):
    seed_finished_set(tmp_path / "home")
    with running_app(tmp_path / "home", tmp_path / "streamlit.log") as url:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        open_first_set(page, url, "Variation 1 of 1")
        page.keyboard.press("Escape")
        page.get_by_role("dialog").wait_for(state="hidden")
        wait_until_idle(page)
        page.get_by_label("Search prompts").fill("lighthouse")
        page.keyboard.press("Enter")
        wait_until_idle(page)
        page.wait_for_timeout(1000)
        assert page.get_by_role("dialog").count() == 0
        page.close()


def test_loop_a_variation_from_the_lightbox_and_see_it_join_the_set(browser, tmp_path):
    seed_finished_set(tmp_path / "home", size=(640, 360), seconds=4)
    with running_app(tmp_path / "home", tmp_path / "streamlit.log") as url:
        page = browser.new_page(viewport={"width": 1400, "height": 1100})
        dialog = open_first_set(page, url, "Variation 1 of 1")
        dialog.get_by_role("tab", name="Loop").click()
        dialog.get_by_role("button", name="Make loop").click()
        dialog.get_by_text("Variation 2 of 2").wait_for(timeout=30_000)  # the new variation, in the same set
        dialog.get_by_role("button", name="Set #1 · variation 1 (generated)").wait_for(timeout=60_000)  # made from
        dialog.locator("video").wait_for(timeout=120_000)  # finished and playable
        assert "How it was made: loop" in dialog.inner_text()
        page.close()


def test_recall_fills_create_video_with_the_variations_prompt(browser, tmp_path):
    seed_finished_set(tmp_path / "home")
    with running_app(tmp_path / "home", tmp_path / "streamlit.log") as url:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        dialog = open_first_set(page, url, "Variation 1 of 1")
        dialog.get_by_role("tab", name="Re-cut").wait_for(timeout=60_000)  # the toolbar has finished drawing
        wait_until_idle(page)
        dialog.get_by_role("button", name="Recall in Create video").click()
        page.get_by_label("Scene context").wait_for(timeout=90_000)
        wait_until_idle(page)
        assert page.locator("h1").first.inner_text() == "Create video"
        assert page.get_by_label("Scene context").input_value() == "a lighthouse on a cliff at dusk"
        assert page.get_by_label("Motion (camera and subject)").input_value() == "slow pan right"
        page.close()


def test_jobs_left_queued_by_a_previous_server_finish_once_any_page_is_opened(browser, tmp_path):
    import time

    from core.config import Settings
    from core.studio import open_studio
    from core.videos import library as videos
    from tests.helpers.studio import queue_offline

    studio = open_studio(Settings.load(environ={"MEDIA_STUDIO_HOME": str(tmp_path / "home")}, secrets={}))
    generation_id = queue_offline(studio, n=2, size=(320, 180), seconds=2)  # queued, never run
    with running_app(tmp_path / "home", tmp_path / "streamlit.log") as url:
        page = browser.new_page()
        page.goto(url)  # Caption Studio, not a video page
        wait_until_idle(page)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if videos.generation(studio, generation_id).status == "completed":
                break
            time.sleep(0.5)
        assert [v.status for v in videos.generation(studio, generation_id).variations] == ["completed"] * 2
        page.close()
    studio.db.dispose()


def test_a_hand_edited_prompt_survives_a_change_to_the_fields(browser, tmp_path):
    """Guards issue #8: the edited "Prompt sent to the back-end" was thrown away when any field changed."""
    with running_app(tmp_path / "home", tmp_path / "streamlit.log") as url:
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.goto(f"{url}/create_video")
        wait_until_idle(page)
        page.get_by_label("Scene context").fill("A lighthouse on a cliff at dusk")
        page.keyboard.press("Tab")
        wait_until_idle(page)
        prompt = page.get_by_label("Prompt sent to the back-end (edit freely)")
        assert "A lighthouse on a cliff at dusk" in prompt.input_value()  # it follows the fields …
        prompt.fill("My own words: a lighthouse, seen from a boat, in a storm")
        page.keyboard.press("Tab")
        wait_until_idle(page)
        page.get_by_label("Motion (camera and subject)").fill("slow dolly in")
        page.keyboard.press("Tab")
        wait_until_idle(page)
        assert prompt.input_value() == "My own words: a lighthouse, seen from a boat, in a storm"  # … until edited
        page.get_by_role("button", name="Recompose").click()
        wait_until_idle(page)
        assert "Motion: slow dolly in" in prompt.input_value()
        page.close()


def test_the_create_video_draft_survives_another_page_and_a_browser_reload(browser, tmp_path):
    """Guards issue #8: leaving Create video (or refreshing the browser) emptied the form."""
    with running_app(tmp_path / "home", tmp_path / "streamlit.log") as url:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{url}/create_video")
        wait_until_idle(page)
        page.get_by_label("Scene context").fill("A lighthouse on a cliff at dusk")
        page.keyboard.press("Tab")
        wait_until_idle(page)
        page.get_by_role("radiogroup", name="Aspect ratio").get_by_text("9:16", exact=True).click()
        wait_until_idle(page)
        page.get_by_role("radiogroup", name="Variations").get_by_text("2", exact=True).click()
        wait_until_idle(page)
        prompt = page.get_by_label("Prompt sent to the back-end (edit freely)")
        prompt.fill("My own words: a lighthouse seen from a boat")
        page.keyboard.press("Tab")
        wait_until_idle(page)

        def assert_the_form_is_as_left() -> None:
            assert page.get_by_label("Scene context").input_value() == "A lighthouse on a cliff at dusk"
            for group, value in (("Aspect ratio", "9:16"), ("Variations", "2")):
                chosen = page.get_by_role("radiogroup", name=group).get_by_role("radio", checked=True)
                assert chosen.inner_text() == value
            assert prompt.input_value() == "My own words: a lighthouse seen from a boat"

        assert_the_form_is_as_left()
        page.get_by_role("link", name="Library").click()  # the sidebar: same session, widget state dropped
        page.get_by_text("Nothing here yet").wait_for(timeout=30_000)
        page.get_by_role("link", name="Create video").click()
        page.get_by_label("Scene context").wait_for(timeout=30_000)
        wait_until_idle(page)
        assert_the_form_is_as_left()
        page.reload()  # a new session: only the database remembers
        page.get_by_label("Scene context").wait_for(timeout=30_000)
        wait_until_idle(page)
        assert_the_form_is_as_left()
        page.close()
