"""Images in a real browser, offline: Explore → Use this prompt → Create (Type: Image, 2 images) →
Library (an image card, the lightbox with the arrow keys across the stills) → Animate → Create video
holds the still as its first frame → a video is made from it; and Caption hands the still to
Caption Studio."""

from __future__ import annotations

import pytest

from core.config import Settings
from core.studio import open_studio
from core.videos import library as videos
from core.videos.kinds import MediaKind, VariationStatus
from tests.helpers.browser import running_app, wait_until_idle

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    folder = tmp_path_factory.mktemp("images")
    with running_app(folder / "home", folder / "streamlit.log") as url:
        yield url, folder / "home"


def _sets(home):
    studio = open_studio(Settings.load(environ={"MEDIA_STUDIO_HOME": str(home)}, secrets={}))
    try:
        return videos.library(studio, videos.GenerationFilter())[1]
    finally:
        studio.db.dispose()


def _choose(page, group: str, option: str) -> None:
    page.get_by_role("radiogroup", name=group).get_by_text(option, exact=True).click()
    wait_until_idle(page)


def _open_image_set(page, url: str):
    page.goto(f"{url}/my_videos")
    wait_until_idle(page)
    page.locator(".st-key-open-1 button").click()  # set #1's card: the image set
    dialog = page.get_by_role("dialog")
    dialog.get_by_text("Image 1 of 2").wait_for(timeout=30_000)
    dialog.locator("img").first.wait_for(timeout=30_000)
    return dialog


def test_explore_to_two_images_to_animate_makes_a_video_from_the_image(browser, app):
    url, home = app
    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    page.goto(f"{url}/explore")
    wait_until_idle(page)
    page.get_by_label("Search").fill("solar")
    page.keyboard.press("Enter")
    wait_until_idle(page)
    page.get_by_role("button", name="Use this prompt").click()
    page.get_by_label("Scene context").wait_for(timeout=30_000)
    wait_until_idle(page)

    _choose(page, "Type", "Image")
    page.get_by_role("button", name="Create image").wait_for()
    assert page.get_by_role("radiogroup", name="Duration").count() == 0  # a still has no duration
    _choose(page, "Images", "2")
    page.get_by_role("button", name="Create image").click()
    page.get_by_text("Set #1 queued").first.wait_for(timeout=30_000)

    page.goto(f"{url}/my_videos")
    page.get_by_text("2/2 ready").wait_for(timeout=120_000)
    wait_until_idle(page)
    assert "Library" in page.locator("[data-testid='stMain'] h1").inner_text()
    dialog = _open_image_set(page, url)
    page.keyboard.press("ArrowRight")
    dialog.get_by_text("Image 2 of 2").wait_for(timeout=30_000)
    wait_until_idle(page)
    dialog.get_by_role("button", name="Animate").click()
    page.get_by_text("Reference image kept from your draft: image of set 1.png").wait_for(timeout=30_000)
    wait_until_idle(page)
    chosen = page.get_by_role("radiogroup", name="Type").get_by_role("radio", checked=True)
    assert chosen.inner_text().strip() == "Video"
    _choose(page, "Duration", "4 s")
    page.get_by_role("button", name="Create video").click()
    page.get_by_text("Set #2 queued").first.wait_for(timeout=30_000)
    wait_until_idle(page)
    page.goto(f"{url}/my_videos")
    page.get_by_text("1/1 ready").wait_for(timeout=180_000)

    made = {view.id: view for view in _sets(home)}
    assert made[1].media_kind == MediaKind.IMAGE and len(made[1].variations) == 2
    video = made[2]
    assert video.media_kind == MediaKind.VIDEO and video.variations[0].status == VariationStatus.COMPLETED
    studio = open_studio(Settings.load(environ={"MEDIA_STUDIO_HOME": str(home)}, secrets={}))
    try:
        from core.videos import edits

        recalled = edits.recall(studio, video.variations[0].id)
        assert recalled["reference_sha256"] is not None  # the video was made from the still
    finally:
        studio.db.dispose()
    page.close()


def test_caption_hands_the_image_to_caption_studio(browser, app):
    url, _home = app
    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    dialog = _open_image_set(page, url)
    dialog.get_by_role("button", name="Caption").click()
    page.get_by_text("From your Library: image of set 1.png").wait_for(timeout=30_000)
    wait_until_idle(page)
    assert page.get_by_role("button", name="Generate caption").is_enabled()
    page.close()
