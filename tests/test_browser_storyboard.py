"""Storyboard and Extend in a real browser: cards added, moved and deleted on the Storyboard page and
generated offline into one video; a variation extended from the lightbox's Extend tab, and opened
in the Storyboard page with "Edit in Storyboard"."""

import time

import pytest

from tests.helpers.browser import open_first_set, running_app, seed_finished_set, wait_until_idle

pytestmark = pytest.mark.browser


def _studio(home):
    from core.config import Settings
    from core.studio import open_studio

    return open_studio(Settings.load(environ={"MEDIA_STUDIO_HOME": str(home)}, secrets={}))


def _wait_for_set(studio, generation_id, timeout=120):
    from core.videos import library as videos

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        view = videos.generation(studio, generation_id)
        if view is not None and view.status != "active":
            return view
        time.sleep(0.5)
    raise AssertionError("the storyboard was not made in time")


def test_cards_are_added_moved_and_deleted_then_the_storyboard_is_generated_offline(browser, tmp_path):
    with running_app(tmp_path / "home", tmp_path / "streamlit.log") as url:
        page = browser.new_page(viewport={"width": 1400, "height": 1400})
        page.goto(f"{url}/storyboard")
        wait_until_idle(page)
        assert page.locator("h1").first.inner_text() == "Storyboard"
        page.get_by_label("Total length (s)").fill("4")
        page.keyboard.press("Enter")
        page.get_by_text("0–4 s (4 s)").wait_for(timeout=30_000)
        wait_until_idle(page)
        page.get_by_label("Words").first.fill("red desert dunes at noon")
        page.keyboard.press("Tab")
        wait_until_idle(page)

        page.get_by_role("button", name="Add text card").click()
        page.get_by_text("Card 2 · Text").wait_for(timeout=30_000)  # halfway through the first card's time
        page.get_by_text("2–4 s (2 s)").wait_for(timeout=30_000)
        wait_until_idle(page)
        page.get_by_label("Words").nth(1).fill("blue sea at night")
        page.keyboard.press("Tab")
        wait_until_idle(page)
        page.get_by_role("button", name="Add text card").click()
        page.get_by_text("Card 3 · Text").wait_for(timeout=30_000)  # halfway through the second card's time
        wait_until_idle(page)
        page.get_by_role("button", name="Delete").nth(2).click()
        page.get_by_text("Card 3 · Text").wait_for(state="detached", timeout=30_000)
        wait_until_idle(page)
        page.get_by_role("button", name="Later").nth(1).click()  # the first card's is disabled: it starts at 0
        page.get_by_text("2.5–4 s (1.5 s)").wait_for(timeout=30_000)
        wait_until_idle(page)
        assert page.get_by_text("cut", exact=True).count() == 1  # the timeline: two close cards, one cut

        page.get_by_role("button", name="Generate").click()
        page.get_by_text("Queued as set #1").wait_for(timeout=30_000)
        page.close()
        studio = _studio(tmp_path / "home")
        view = _wait_for_set(studio, 1)  # made by the app's job runner

    from core.videos import edits
    from core.videos.operations import Storyboard

    [made] = view.variations
    assert made.status == "completed", made.error
    found = edits.lineage(studio, made.id)
    assert made.duration_s == pytest.approx(4.0, abs=0.1)
    assert found.operation.label == "from storyboard" and isinstance(found.params, Storyboard)
    cards = [(c.at_s, c.prompt) for c in found.params.cards]
    assert cards == [(0.0, "red desert dunes at noon"), (2.5, "blue sea at night")]
    studio.db.dispose()


def test_a_variation_is_extended_from_the_lightbox_and_opens_in_the_storyboard(browser, tmp_path):
    seed_finished_set(tmp_path / "home", size=(320, 180), seconds=2)
    with running_app(tmp_path / "home", tmp_path / "streamlit.log") as url:
        page = browser.new_page(viewport={"width": 1400, "height": 1100})
        dialog = open_first_set(page, url, "Variation 1 of 1")
        dialog.get_by_role("tab", name="Re-cut").wait_for(timeout=60_000)  # the toolbar has finished drawing
        wait_until_idle(page)
        dialog.get_by_role("tab", name="Extend").click()
        dialog.get_by_label("What happens next").fill("a storm rolls in over the sea")
        page.keyboard.press("Tab")
        wait_until_idle(page)
        dialog.get_by_role("button", name="Extend", exact=True).click()
        dialog.get_by_text("Variation 2 of 2").wait_for(timeout=30_000)  # the new variation, in the same set
        dialog.get_by_role("button", name="Set #1 · variation 1 (generated)").wait_for(timeout=60_000)  # made from
        dialog.locator("video").wait_for(timeout=120_000)  # finished and playable
        assert "How it was made: extended by 4 s" in dialog.inner_text()
        wait_until_idle(page)

        dialog.get_by_role("button", name="Edit in Storyboard").click()
        page.get_by_text("Generating adds a new variation to set #1").wait_for(timeout=60_000)
        assert page.locator("h1").first.inner_text() == "Storyboard"
        page.close()
    studio = _studio(tmp_path / "home")
    from core.videos import library as videos

    extended = videos.generation(studio, 1).variations[1]
    assert extended.duration_s == pytest.approx(6.0, abs=0.1)
    studio.db.dispose()
