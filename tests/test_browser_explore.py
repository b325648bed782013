"""Explore in a real browser: the gallery is drawn before any preview exists and fills in as the
background worker makes them; "Use this prompt" fills every field of Create video; "Make it"
queues a set that My Videos shows."""

from __future__ import annotations

import pytest

from core.config import Settings
from core.studio import open_studio
from core.videos import explore
from core.videos import library as videos
from tests.helpers.browser import running_app, seed_finished_set, wait_until_idle

pytestmark = pytest.mark.browser

PLANETS = explore.example("balloon-planets")  # 9:16, 8 s, Balloon World: none of them a default
assert PLANETS is not None


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    folder = tmp_path_factory.mktemp("explore")
    seed_finished_set(folder / "home")  # set #1, starred below: "From your library" shows it
    studio = open_studio(Settings.load(environ={"MEDIA_STUDIO_HOME": str(folder / "home")}, secrets={}))
    videos.set_favourite(studio, 1, True)
    studio.db.dispose()
    with running_app(folder / "home", folder / "streamlit.log") as url:
        yield url, folder


def _selected(page, label: str) -> str:
    """The chosen option of the segmented control called ``label``."""
    return page.get_by_role("radiogroup", name=label).get_by_role("radio", checked=True).inner_text().strip()


def test_the_gallery_is_drawn_before_any_preview_exists_then_fills_in(browser, app):
    url, folder = app
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    page.goto(f"{url}/explore")
    page.get_by_text(explore.examples()[-1].title, exact=True).wait_for(timeout=60_000)  # every card is drawn
    page.get_by_text("preparing preview").first.wait_for(timeout=10_000)
    previews = folder / "home" / explore.PREVIEW_FOLDER
    made = len(list(previews.glob("*.mp4"))) if previews.exists() else 0
    assert made < len(explore.examples())  # the page did not wait for the renders
    # The worker's previews appear without a reload: a card gains its poster.
    page.wait_for_function(
        "() => [...document.querySelectorAll('.ms-card')].some(c => c.style.backgroundImage.includes('url'))",
        timeout=120_000,
    )
    page.close()


def test_use_this_prompt_fills_every_field_of_create_video(browser, app):
    url, _ = app
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    page.goto(f"{url}/explore")
    wait_until_idle(page)
    page.get_by_label("Search").fill("solar")
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Use this prompt").first.wait_for()
    wait_until_idle(page)
    assert page.get_by_role("button", name="Use this prompt").count() == 1
    page.get_by_role("button", name="Use this prompt").click()
    page.get_by_label("Scene context").wait_for(timeout=30_000)
    wait_until_idle(page)
    assert page.get_by_label("Scene context").input_value() == PLANETS.scene
    assert page.get_by_label("Visual details").input_value() == PLANETS.visual
    assert page.get_by_label("Motion (camera and subject)").input_value() == PLANETS.motion
    assert page.get_by_role("combobox", name="Style preset").input_value() == PLANETS.preset
    assert _selected(page, "Aspect ratio") == PLANETS.aspect
    assert _selected(page, "Duration") == f"{PLANETS.seconds} s"
    page.close()


def test_make_it_queues_a_set_that_my_videos_shows(browser, app):
    url, _ = app
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    page.goto(f"{url}/explore")
    wait_until_idle(page)
    page.get_by_label("Search").fill("solar")
    page.keyboard.press("Enter")
    wait_until_idle(page)
    page.get_by_role("button", name="Make it").click()
    page.get_by_text("Set #2 queued").first.wait_for(timeout=30_000)
    page.goto(f"{url}/my_videos")
    wait_until_idle(page)
    page.get_by_text(PLANETS.scene[:40]).first.wait_for(timeout=30_000)
    page.close()


def test_from_your_library_shows_a_favourite_and_opens_it_in_my_videos(browser, app):
    url, _ = app
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    page.goto(f"{url}/explore")
    wait_until_idle(page)
    page.get_by_text("★ favourite").wait_for()
    page.get_by_role("button", name="Open in the Library").click()
    page.get_by_role("dialog").wait_for(timeout=30_000)  # My Videos' lightbox, on that set
    assert "/my_videos" in page.url
    page.close()
