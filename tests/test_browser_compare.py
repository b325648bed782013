"""Compare and the lightbox's keys on a realistic library (tests.helpers.library: 19 sets in three
aspect ratios), in a real browser at 1440×900: C opens Compare, the videos play in sync and stay
together after a seek, "Keep this one" makes the set's cover; F favourites and Delete moves the
variation to the Trash."""

from collections.abc import Iterator

import pytest

from core import trash
from core.config import Settings
from core.studio import Studio, open_studio
from core.videos import library
from core.videos.kinds import VariationStatus
from tests.helpers.browser import running_app, wait_until_idle
from tests.helpers.library import Library, seed_library

pytestmark = pytest.mark.browser

VIEWPORT = {"width": 1440, "height": 900}
VIDEOS = "[...document.querySelectorAll('[role=dialog] .ms-compare video')]"


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Library, str, Studio]]:
    """The library, seeded once for the module, the app running on it, and the studio to check it by."""
    folder = tmp_path_factory.mktemp("library")
    made = seed_library(folder / "home")
    studio = open_studio(Settings.load(environ={"MEDIA_STUDIO_HOME": str(made.home)}, secrets={}))
    try:
        with running_app(folder / "home", folder / "streamlit.log") as url:
            yield made, url, studio
    finally:
        studio.db.dispose()


def ready(studio: Studio, set_id: int) -> list[int]:
    view = library.generation(studio, set_id)
    assert view is not None
    return [v.id for v in view.variations if v.status == VariationStatus.COMPLETED]


def cover(studio: Studio, set_id: int) -> int | None:
    view = library.generation(studio, set_id)
    return view.cover.id if view and view.cover else None


def favourite(studio: Studio, set_id: int) -> bool:
    view = library.generation(studio, set_id)
    return bool(view and view.favourite)


def open_set(page, url: str, candidates: list[int]) -> int:
    """Open the lightbox of the first of ``candidates`` on My Videos' first page; return its id."""
    page.goto(f"{url}/my_videos")
    wait_until_idle(page)
    page.wait_for_function("() => document.querySelectorAll(\"[class*='st-key-open-'] button\").length >= 12")
    chosen = next(s for s in candidates if page.locator(f".st-key-open-{s} button").count())
    page.locator(f".st-key-open-{chosen} button").first.click()
    page.get_by_role("dialog").locator("video").wait_for(timeout=30_000)
    wait_until_idle(page)
    return chosen


def seek_all(page, seconds: float) -> None:
    """Move Compare's one seek bar as a user's drag does (an input event, then change)."""
    page.evaluate(
        """(t) => {
            const seek = document.querySelector('[role=dialog] .ms-cmp-seek');
            seek.value = t;
            seek.dispatchEvent(new Event('input', {bubbles: true}));
            seek.dispatchEvent(new Event('change', {bubbles: true}));
        }""",
        seconds,
    )


def wait_for_state(page, state: str) -> None:
    page.wait_for_function(
        f"() => document.querySelector('[role=dialog] .ms-compare').dataset.state === {state!r}", timeout=30_000
    )


def test_c_opens_compare_whose_videos_stay_in_sync_after_a_seek_and_keep_this_one_sets_the_cover(seeded, browser):
    """Issue #8 point 5: two to four variations side by side, one play/pause/seek for all."""
    made, url, studio = seeded
    edited = set(made.edit_sets.values())
    pairs = [s for s in made.generated if s not in edited and len(ready(studio, s)) == 2]
    upright = max(s for s in made.by_aspect["9:16"] if s not in edited)  # a recent one: in the picker's list
    page = browser.new_page(viewport=VIEWPORT)
    chosen = open_set(page, url, pairs)
    first, second = ready(studio, chosen)
    assert cover(studio, chosen) == first

    page.keyboard.press("c")
    dialog = page.get_by_role("dialog", name="Compare")
    dialog.wait_for(timeout=30_000)
    page.wait_for_function(f"() => {VIDEOS}.length === 2", timeout=30_000)
    compared = page.evaluate(f"() => {VIDEOS}.map(v => Number(v.dataset.variation))")
    assert compared == [first, second]  # this variation and the next one of its set

    picker = dialog.locator("[class*='st-key-compare-pick'] input")  # add an upright one from another set
    picker.click()
    picker.fill(f"Set #{upright} · variation 1")
    page.get_by_role("option").filter(has_text=f"Set #{upright} · variation 1 ·").click()
    page.wait_for_function(f"() => {VIDEOS}.length === 3", timeout=30_000)
    dialog.locator(".ms-cmp-time").click()  # somewhere neutral: closes the picker's list
    page.wait_for_function(f"() => {VIDEOS}.every(v => v.readyState >= 2)", timeout=30_000)
    for box in page.evaluate(f"() => {VIDEOS}.map(v => v.getBoundingClientRect().toJSON())"):
        assert box["top"] >= 0 and box["bottom"] <= VIEWPORT["height"], box  # 16:9, 1:1 and 9:16 all in view

    dialog.get_by_role("button", name="Play or pause all").click()
    wait_for_state(page, "playing")
    page.wait_for_timeout(600)
    seek_all(page, 2.0)
    wait_for_state(page, "playing")  # every video landed, then all started again together
    page.wait_for_timeout(400)
    times = page.evaluate(f"() => {VIDEOS}.map(v => [v.currentTime, v.paused])")
    assert all(not paused for _, paused in times), times
    positions = [t for t, _ in times]
    assert max(positions) - min(positions) <= 0.2, positions
    assert all(2.0 <= t < 3.5 for t in positions), positions  # they moved to the seek, and play on from it

    dialog.locator(f".st-key-cmp-keep-{second} button").click()
    dialog.locator(f".st-key-cmp-kept-{second}").wait_for(timeout=30_000)
    assert cover(studio, chosen) == second
    wait_until_idle(page)
    state = page.evaluate("() => document.querySelector('[role=dialog] .ms-compare').dataset.state")
    assert state == "playing"  # the players were left alone: Keep does not rebuild them
    page.close()


def test_f_favourites_and_delete_moves_the_shown_variation_to_the_trash(seeded, browser):
    """Issue #8 point 4's keys: F favourite, Delete to the Trash (native shortcuts inside the dialog)."""
    made, url, studio = seeded
    candidates = [
        s
        for s in made.generated
        if s not in made.favourites and s not in made.edit_sets.values() and len(ready(studio, s)) == 2
    ]
    page = browser.new_page(viewport=VIEWPORT)
    chosen = open_set(page, url, list(reversed(candidates)))  # not the set the Compare test kept a cover in
    shown, other = ready(studio, chosen)
    dialog = page.get_by_role("dialog")
    dialog.get_by_text("Variation 1 of 2").wait_for(timeout=30_000)
    assert not favourite(studio, chosen)

    dialog.locator("video").click()  # focus on the player, as after a click to pause it
    page.keyboard.press("f")
    dialog.get_by_role("button", name="Unfavourite").wait_for(timeout=30_000)
    assert favourite(studio, chosen)

    page.keyboard.press("Delete")
    dialog.get_by_text("Variation 1 of 1").wait_for(timeout=30_000)
    assert ready(studio, chosen) == [other]  # its set stayed, with the other one
    assert (trash.TrashKind.VARIATION, shown) in {(i.kind, i.id) for i in trash.trash_items(studio)}
    page.get_by_text(f"Moved to the Trash: Variation 1 of set #{chosen}").first.wait_for(timeout=30_000)
    page.close()


def test_compare_from_a_set_of_one_asks_for_one_more_and_escape_returns_to_the_lightbox(seeded, browser):
    made, url, studio = seeded
    singles = [s for s in made.generated if s != made.failed_set and len(ready(studio, s)) == 1]
    page = browser.new_page(viewport=VIEWPORT)
    open_set(page, url, singles)
    page.get_by_role("dialog").get_by_role("button", name="Compare").click()
    dialog = page.get_by_role("dialog", name="Compare")
    dialog.get_by_text("Pick at least two variations to compare").wait_for(timeout=30_000)
    assert dialog.locator("video").count() == 0
    page.keyboard.press("Escape")
    page.get_by_role("dialog").get_by_text("Variation 1 of 1").wait_for(timeout=30_000)
    page.close()
