"""Create video and My Videos in a real browser: the offline renderer makes two variations while
a progress bar moves; the set appears in My Videos; the lightbox's Right arrow key shows the second."""

import pytest

from tests.browser_support import chromium_browser, running_app, wait_until_idle

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser():
    with chromium_browser() as launched:
        yield launched


def test_create_two_variations_then_step_through_them_with_the_arrow_key(browser, tmp_path):
    with running_app(tmp_path / "home", tmp_path / "streamlit.log") as url:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{url}/create_video")
        wait_until_idle(page)
        assert page.get_by_text("Offline preview", exact=False).first.is_visible()
        page.get_by_label("Scene context").fill("A lighthouse on a cliff at dusk, waves breaking below")
        page.get_by_label("Visual details").fill("golden light, teal sea, mist")
        page.get_by_label("Motion (camera and subject)").fill("slow dolly in")
        page.keyboard.press("Tab")
        wait_until_idle(page)
        page.locator("[data-testid='stButtonGroup']").nth(2).get_by_text("8 s", exact=True).click()
        wait_until_idle(page)
        page.locator("[data-testid='stButtonGroup']").nth(3).get_by_text("2", exact=True).click()
        wait_until_idle(page)
        page.get_by_role("button", name="Create video").click()
        page.get_by_text("variation 2", exact=False).first.wait_for(timeout=30_000)  # the live progress panel
        assert page.locator("[data-testid='stProgress']").count() >= 1

        page.goto(f"{url}/my_videos")
        wait_until_idle(page)
        page.get_by_text("2/2 ready").wait_for(timeout=120_000)
        wait_until_idle(page)
        page.get_by_role("button", name="Play").first.click()
        dialog = page.get_by_role("dialog")
        dialog.get_by_text("Variation 1 of 2").wait_for(timeout=30_000)
        assert dialog.locator("video").count() == 1
        page.keyboard.press("ArrowRight")
        dialog.get_by_text("Variation 2 of 2").wait_for(timeout=30_000)
        page.close()


def test_a_closed_lightbox_stays_closed_when_the_page_reruns(browser, tmp_path):
    from core.config import Settings
    from core.jobs import JobRunner
    from core.studio import open_studio
    from tests.test_jobs_offline import _queue

    studio = open_studio(Settings.load(environ={"MEDIA_STUDIO_HOME": str(tmp_path / "home")}, secrets={}))
    _queue(studio, n=1, size=(320, 180), seconds=2)
    JobRunner(studio).run_until_idle(timeout=60)
    studio.db.dispose()
    with running_app(tmp_path / "home", tmp_path / "streamlit.log") as url:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{url}/my_videos")
        wait_until_idle(page)
        page.get_by_role("button", name="Play").first.click()
        page.get_by_role("dialog").get_by_text("Variation 1 of 1").wait_for(timeout=30_000)
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
    from core.config import Settings
    from core.jobs import JobRunner
    from core.studio import open_studio
    from tests.test_jobs_offline import _queue

    studio = open_studio(Settings.load(environ={"MEDIA_STUDIO_HOME": str(tmp_path / "home")}, secrets={}))
    _queue(studio, n=1, size=(640, 360), seconds=4)
    JobRunner(studio).run_until_idle(timeout=60)
    studio.db.dispose()
    with running_app(tmp_path / "home", tmp_path / "streamlit.log") as url:
        page = browser.new_page(viewport={"width": 1400, "height": 1100})
        page.goto(f"{url}/my_videos")
        wait_until_idle(page)
        page.get_by_role("button", name="Play").first.click()
        dialog = page.get_by_role("dialog")
        dialog.get_by_text("Variation 1 of 1").wait_for(timeout=30_000)
        dialog.get_by_role("tab", name="Loop").click()
        dialog.get_by_role("button", name="Make loop").click()
        dialog.get_by_text("Variation 2 of 2").wait_for(timeout=30_000)  # the new variation, in the same set
        dialog.get_by_text("Made from: set #1 variation 1").wait_for(timeout=60_000)
        dialog.locator("video").wait_for(timeout=120_000)  # finished and playable
        assert "How it was made: loop" in dialog.inner_text()
        page.close()
