"""My Videos on a realistic library (tests.helpers.library: 19 sets in three aspect ratios, a failed
set, an import, every kind of edit, 32 captions), in a real browser: what one lonely set never shows."""

import hashlib
import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from tests.helpers.browser import running_app, wait_for_posters, wait_until_idle
from tests.helpers.library import Library, seed_library

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Library, str]]:
    """The library, seeded once for the module (about half a minute), and the app running on it."""
    folder = tmp_path_factory.mktemp("library")
    made = seed_library(folder / "home")
    with running_app(folder / "home", folder / "streamlit.log") as url:
        yield made, url


FIRST_PAGE = 12  # My Videos shows 12 sets a page


def open_my_videos(page, url: str) -> None:
    """My Videos with its first page of cards and their Play buttons drawn (not just the script run)."""
    page.goto(f"{url}/my_videos")
    wait_until_idle(page)
    for selector in (".ms-card", "[class*='st-key-open-'] button"):
        page.wait_for_function(f"() => document.querySelectorAll({selector!r}).length >= {FIRST_PAGE}", timeout=60_000)
    wait_for_posters(page)


def test_my_videos_counts_every_set_and_the_failed_set_says_why_in_its_lightbox(seeded, browser):
    made, url = seeded
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    open_my_videos(page, url)
    page.get_by_text(f"{made.set_count} sets of videos and images.").wait_for(timeout=30_000)
    page.get_by_text("Page (of 2)").wait_for(timeout=30_000)  # 19 sets, 12 a page
    page.locator(f".st-key-open-{made.failed_set} button").click()  # newest first: on page 1
    dialog = page.get_by_role("dialog")
    dialog.get_by_text("Variation 1 of 1").wait_for(timeout=30_000)
    dialog.get_by_text(made.failed_message).wait_for(timeout=30_000)
    assert dialog.locator("video").count() == 0
    page.close()


def test_every_card_shows_its_own_poster_in_its_own_shape(seeded, browser):
    """Guards issue #8's shared poster: once every card drew the last card's poster and shape."""
    _, url = seeded
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    open_my_videos(page, url)
    cards = page.locator(".ms-card")
    cards.first.wait_for(timeout=30_000)
    looks = cards.evaluate_all(
        "cards => cards.map(c => [getComputedStyle(c).backgroundImage, c.offsetWidth, c.offsetHeight])"
    )
    posters = [image for image, _, _ in looks if image != "none"]
    assert len(posters) == len(looks) - 1  # every card but the failed set's has a poster …
    assert len(set(posters)) == len(posters)  # … of its own
    assert any(height > width for _, width, height in looks)  # the 9:16 sets stand upright
    assert any(abs(height - width) <= 2 for _, width, height in looks)  # and the 1:1 sets are square
    drawn = {hashlib.sha256(cards.nth(i).screenshot()).hexdigest() for i in range(cards.count())}
    assert len(drawn) == cards.count()  # what the browser drew differs card by card, not just the HTML

    # The hover strip is not downloaded with the page, only when a card is hovered, and then it plays.
    sprite = page.locator(".ms-card:not(.ms-failed) .ms-sprite").first
    assert sprite.evaluate("s => getComputedStyle(s).backgroundImage") == "none"
    sprite.locator("xpath=..").hover()
    page.wait_for_timeout(300)
    strip = sprite.evaluate("s => getComputedStyle(s).backgroundImage")
    assert strip.startswith('url("')
    strip_url = strip[len('url("') : -len('")')]
    loaded = "async u => { const i = new Image(); i.src = u; await i.decode(); return i.naturalWidth; }"
    assert page.evaluate(loaded, strip_url) > 0  # still served after the script run ended
    assert sprite.evaluate("s => getComputedStyle(s).animationName") == "ms-play"
    page.close()


@pytest.mark.parametrize("aspect", ["9:16", "16:9", "1:1"])
def test_the_lightbox_shows_the_whole_video_and_its_actions_without_scrolling(seeded, browser, aspect):
    """Guards issue #8: a 9:16 video was drawn about 2,200 px tall, its actions a long scroll away."""
    made, url = seeded
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    open_my_videos(page, url)
    on_first_page = [s for s in made.by_aspect[aspect] if page.locator(f".st-key-open-{s} button").count()]
    page.locator(f".st-key-open-{on_first_page[0]} button").click()
    dialog = page.get_by_role("dialog")
    video = dialog.locator("video")
    video.wait_for(timeout=30_000)
    # The player's source is the studio's file route; the browser has read the video's header from it.
    page.wait_for_function("v => v.readyState >= 1", arg=video.element_handle(), timeout=30_000)
    width, height = video.evaluate("v => [v.videoWidth, v.videoHeight]")
    wide, tall = (int(n) for n in aspect.split(":"))
    assert abs(width / height - wide / tall) < 0.02, (aspect, width, height)
    assert "/api/files/media/" in video.get_attribute("src")
    page.wait_for_timeout(500)
    for thing in (
        video,
        dialog.get_by_role("button", name="Previous"),
        dialog.get_by_role("button", name="Next"),
        dialog.get_by_role("button", name="Download", exact=True),
        dialog.get_by_role("button", name="Favourite"),
        dialog.get_by_role("button", name="Move set to Trash"),
    ):
        box = thing.bounding_box()
        assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 900, (aspect, box)
    page.close()


def test_blend_keeps_the_chosen_partner_after_a_job(seeded, browser):
    """Guards issue #8: after one blend, "Blend with" silently jumped to the newest variation."""
    made, url = seeded
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    open_my_videos(page, url)
    single = [
        s for s in made.by_aspect["16:9"] if s != made.imported_set and page.locator(f".st-key-open-{s} button").count()
    ]
    page.locator(f".st-key-open-{single[0]} button").click()
    dialog = page.get_by_role("dialog")
    dialog.locator("video").wait_for(timeout=30_000)
    count = int(re.search(r"Variation 1 of (\d+)", dialog.inner_text()).group(1))
    dialog.get_by_role("tab", name="Blend").click()
    picker = dialog.locator(".st-key-blend-partner")
    picker.click()
    picker.get_by_role("combobox").press("ArrowDown")  # opens the list even when the click did not (once on CI)
    options = page.get_by_role("option")
    options.nth(2).wait_for(timeout=30_000)
    chosen = options.nth(2).inner_text()  # not the default (the newest), which a finished blend would become
    options.nth(2).click()
    wait_until_idle(page)
    assert picker.get_by_role("combobox").input_value() == chosen
    dialog.get_by_role("button", name="Blend", exact=True).click()
    dialog.get_by_text(f"Variation {count + 1} of {count + 1}").wait_for(timeout=30_000)
    dialog.locator("video").wait_for(timeout=120_000)  # the blend has been made
    dialog.get_by_role("tab", name="Blend").click()
    assert dialog.locator(".st-key-blend-partner").get_by_role("combobox").input_value() == chosen
    page.close()


def test_undo_restores_a_deleted_set_with_its_files(seeded, browser):
    """Issue #8: deletes without undo. Move set to Trash hides the set; Undo brings it back whole."""
    made, url = seeded
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    open_my_videos(page, url)
    page.get_by_text(f"{made.set_count} sets of videos and images.").wait_for(timeout=30_000)
    chosen = next(
        s for s in made.generated if s != made.failed_set and page.locator(f".st-key-open-{s} button").count()
    )
    poster = page.locator(".ms-card").evaluate_all("cards => cards.map(c => getComputedStyle(c).backgroundImage)")
    page.locator(f".st-key-open-{chosen} button").click()
    dialog = page.get_by_role("dialog")
    dialog.locator("video").wait_for(timeout=30_000)
    dialog.get_by_role("button", name="Move set to Trash").click()
    page.get_by_text(f"{made.set_count - 1} sets of videos and images.").wait_for(timeout=30_000)
    wait_until_idle(page)
    assert page.locator(f".st-key-open-{chosen} button").count() == 0
    assert page.get_by_role("dialog").count() == 0
    page.get_by_text("Moved to the Trash").wait_for(timeout=10_000)

    page.get_by_role("button", name="Undo").click()
    page.get_by_text(f"{made.set_count} sets of videos and images.").wait_for(timeout=30_000)
    wait_until_idle(page)
    assert page.get_by_text("Moved to the Trash").count() == 0
    page.locator(f".st-key-open-{chosen} button").wait_for(timeout=30_000)
    after = page.locator(".ms-card").evaluate_all("cards => cards.map(c => getComputedStyle(c).backgroundImage)")
    assert sorted(after) == sorted(poster)  # every poster is back, the restored set's included
    page.locator(f".st-key-open-{chosen} button").click()
    video = page.get_by_role("dialog").locator("video")
    video.wait_for(timeout=30_000)
    playing = "() => { const v = document.querySelector('[role=dialog] video'); return v && v.readyState >= 2; }"
    page.wait_for_function(playing, timeout=30_000)  # the restored file is there and decodes
    page.close()


def test_retry_on_a_failed_card_makes_the_set_again(seeded, browser):
    """Issue #8: a failed set showed no reason and had no Retry."""
    made, url = seeded
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    open_my_videos(page, url)
    card = page.locator(".ms-failed")
    assert made.failed_message in card.first.inner_text()  # the reason is on the card itself
    page.locator(f".st-key-retry-{made.failed_set} button").first.click()
    page.locator(f".st-key-retry-{made.failed_set}").wait_for(state="detached", timeout=120_000)
    wait_until_idle(page)
    assert page.locator(".ms-failed").count() == 0
    page.close()


def test_lineage_links_open_the_variation(seeded, browser):
    """Issue #8 point 4: lineage entries are links that open that variation."""
    made, url = seeded
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    open_my_videos(page, url)
    blend_set = made.edit_sets["blend"]
    if not page.locator(f".st-key-open-{blend_set} button").count():  # an older set: on the second page
        page.get_by_label("Page (of 2)").fill("2")
        page.keyboard.press("Enter")
        page.locator(f".st-key-open-{blend_set} button").first.wait_for(timeout=30_000)
    page.locator(f".st-key-open-{blend_set} button").first.click()
    dialog = page.get_by_role("dialog")
    dialog.locator("video").wait_for(timeout=30_000)
    link = dialog.locator(f"[class*='st-key-link-'][class*='-{made.edits['blend']}'] button").first
    link.click()  # "Made from it": the blend made from this variation
    dialog.get_by_text("How it was made:").wait_for(timeout=30_000)
    page.wait_for_function(
        "() => document.querySelector('[role=dialog]')?.innerText.includes('blend (')", timeout=30_000
    )
    page.close()


def test_select_five_cards_tag_them_move_them_to_the_trash_and_undo(seeded, browser):
    """Issue #8: deleting was one set at a time, with no tags and no selection."""
    made, url = seeded
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    open_my_videos(page, url)
    page.get_by_text(f"{made.set_count} sets of videos and images.").wait_for(timeout=30_000)
    page.locator(".st-key-videos_select label").click()
    page.locator("[class*='st-key-videos-pick-']").first.wait_for(timeout=30_000)
    wait_until_idle(page)
    ready = [s for s in made.generated if s != made.failed_set and page.locator(f".st-key-videos-pick-{s}").count()]
    for chosen in ready[:5]:
        page.locator(f".st-key-videos-pick-{chosen} label").click()
        wait_until_idle(page)
    page.get_by_text("5 selected").wait_for(timeout=30_000)

    page.get_by_role("button", name="Tags").click()
    page.get_by_label("Add tags").fill("Batch five, night")
    page.get_by_role("button", name="Add tags").click()
    expect(page.locator("[data-testid='stCaptionContainer']", has_text="#batch five #night")).to_have_count(
        5, timeout=30_000
    )  # each chosen card now shows its tags
    wait_until_idle(page)
    page.keyboard.press("Escape")  # close the popover
    tag_filter = page.get_by_role("combobox", name="Tag", exact=True)
    tag_filter.click()  # the Tag filter now offers the new tags
    page.get_by_role("option", name="batch five").click()
    page.get_by_text("5 sets of videos and images.").wait_for(timeout=30_000)
    tag_filter.click()
    page.get_by_role("option", name="All tags").click()
    page.get_by_text(f"{made.set_count} sets of videos and images.").wait_for(timeout=30_000)
    wait_until_idle(page)

    trash_button = page.locator(".st-key-danger-videos-bulk-trash button")
    red, green, _blue = (
        int(c) for c in re.findall(r"\d+", trash_button.evaluate("b => getComputedStyle(b).color"))[:3]
    )
    assert red > 200 and green < 120  # the danger colour
    trash_button.click()
    page.get_by_text(f"{made.set_count - 5} sets of videos and images.").wait_for(timeout=30_000)
    wait_until_idle(page)
    assert all(page.locator(f".st-key-open-{s}").count() == 0 for s in ready[:5])
    page.get_by_text("Moved to the Trash: 5 sets").wait_for(timeout=10_000)
    page.get_by_role("button", name="Undo").click()
    page.get_by_text(f"{made.set_count} sets of videos and images.").wait_for(timeout=30_000)
    wait_until_idle(page)
    assert all(page.locator(f".st-key-open-{s}").count() == 1 for s in ready[:5])
    page.close()


def test_a_keyboard_user_skips_the_filters_to_the_first_card(seeded, browser):
    """Issue #8: the grid was reachable only by tabbing through every filter."""
    _, url = seeded
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    open_my_videos(page, url)
    page.evaluate("() => document.activeElement && document.activeElement.blur()")  # Tab starts at the top
    active = "() => document.activeElement && document.activeElement.className"
    for _ in range(40):  # the skip link comes before the filters (after the sidebar's links)
        page.keyboard.press("Tab")
        if "ms-skip" in (page.evaluate(active) or ""):
            break
    else:
        pytest.fail("Tab never reached the 'Skip to the videos' link")
    assert page.locator(".ms-skip").evaluate("a => a.getBoundingClientRect().left") >= 0  # shown when focused
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    in_card = "() => !!document.activeElement.closest(\"[class*='st-key-open-']\")"
    assert page.evaluate(in_card), page.evaluate("() => document.activeElement.outerHTML.slice(0, 200)")
    page.close()


def test_an_edited_variation_shows_its_own_duration_and_prompt(seeded, browser):
    """Issue #8: an edited variation showed its set's prompt and duration (a 28 s loop said "4 s")."""
    from core.config import Settings
    from core.studio import open_studio
    from core.videos import library as videos

    made, url = seeded
    studio = open_studio(Settings.load(environ={"MEDIA_STUDIO_HOME": str(made.home)}, secrets={}))
    try:
        loop_set = videos.generation(studio, made.edit_sets["loop"])
        loop = next(v for v in loop_set.variations if v.id == made.edits["loop"])
        own = f"{round(videos.variation_duration(studio, loop.id), 1):g} s"
    finally:
        studio.db.dispose()
    assert own != f"{loop_set.seconds} s"  # the loop's length is not its set's
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    open_my_videos(page, url)
    if not page.locator(f".st-key-open-{loop_set.id} button").count():
        page.get_by_label("Page (of 2)").fill("2")
        page.keyboard.press("Enter")
        page.locator(f".st-key-open-{loop_set.id} button").first.wait_for(timeout=30_000)
    page.locator(f".st-key-open-{loop_set.id} button").first.click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_text(f"Variation 1 of {len(loop_set.variations)}").wait_for(timeout=30_000)
    for step in range(1, loop.position + 1):  # one step at a time: a key pressed mid-rerun can be lost
        dialog.get_by_role("button", name="Next").click()
        dialog.get_by_text(f"Variation {step + 1} of {len(loop_set.variations)}").wait_for(timeout=30_000)
        wait_until_idle(page)
    facts = dialog.get_by_text(" s · preset ").first
    facts.wait_for(timeout=30_000)
    assert f"· {own} ·" in facts.inner_text(), facts.inner_text()
    assert "Loop" in dialog.inner_text() or "loop" in dialog.inner_text()
    page.close()
