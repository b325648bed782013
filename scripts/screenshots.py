"""Screenshots of every page and dialog, taken in headless Chromium against a realistic library.

The library (tests.helpers.library: 22 sets in three aspect ratios, a failed set, an import, each
kind of edit, a storyboard set, two sets of stills, 32 captions) is seeded in a temporary data
folder before the app starts, so the pictures show what a user with a real library sees, not one lonely item.

Run: .venv/bin/python -m scripts.screenshots   (needs scripts/setup.sh dev first)
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.helpers.browser import (
    ROOT,
    chromium_browser,
    create_offline_video,
    running_app,
    wait_for_posters,
    wait_until_idle,
)
from tests.helpers.corpus import encode, photo
from tests.helpers.library import Library, seed_library

OUT = ROOT / "docs" / "screenshots"
VIEWPORT = {"width": 1440, "height": 900}


class Camera:
    """Writes each shot into docs/screenshots and remembers its name, so stale ones can be removed."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.taken: list[str] = []

    def shoot(self, name: str, full_page: bool = False) -> None:
        """The viewport as a user sees it; ``full_page``: the whole main pane, however long."""
        path = OUT / f"{name}.png"
        if full_page:  # Streamlit scrolls its main pane, not the document: grow the window to fit it
            height = self.page.evaluate("() => document.querySelector('[data-testid=stMain]').scrollHeight")
            self.page.set_viewport_size(
                {"width": VIEWPORT["width"], "height": min(max(height, VIEWPORT["height"]), 6000)}
            )
            self.page.wait_for_timeout(800)
        self.page.screenshot(path=path)
        self.page.set_viewport_size(VIEWPORT)
        self.taken.append(path.name)
        print(f"  {path.name}", file=sys.stderr)

    def remove_stale(self) -> None:
        for old in OUT.glob("*.png"):
            if old.name not in self.taken:
                old.unlink()
                print(f"  removed {old.name}", file=sys.stderr)


def open_set(page: Any, url: str, set_id: int, expect: str) -> Any:
    """My Videos, paged to wherever set ``set_id`` is; press its Play; return the lightbox."""
    page.goto(f"{url}/my_videos")
    wait_until_idle(page)
    play = page.locator(f".st-key-open-{set_id} button")
    pager = page.get_by_label("Page (of", exact=False)
    last = int(page.get_by_text("Page (of", exact=False).first.inner_text().split("of")[1].strip(" )"))
    number = 1
    while play.count() == 0 and number < last:
        number += 1
        pager.fill(str(number))
        pager.press("Enter")
        wait_until_idle(page)
    play.click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_text(expect).wait_for(timeout=30_000)
    wait_until_idle(page)
    return dialog


def step_to(page: Any, dialog: Any, index: int, count: int) -> None:
    """Press Right until the lightbox shows variation ``index`` (1-based) of ``count``."""
    for shown in range(2, index + 1):
        page.keyboard.press("ArrowRight")
        dialog.get_by_text(f"Variation {shown} of {count}").wait_for(timeout=30_000)
    wait_until_idle(page)


def settle(page: Any, dialog: Any) -> None:
    """Let the dialog's video load its first frame and the layout stop moving."""
    if dialog.locator("video").count():
        page.wait_for_function(
            "() => [...document.querySelectorAll('[role=dialog] video')].every(v => v.readyState >= 2)",
            timeout=30_000,
        )
    page.wait_for_timeout(1200)


def scroll_to(page: Any, element: Any, block: str) -> None:
    """Scroll the dialog so ``element`` sits at the top ("start") or middle ("center") of the window."""
    element.evaluate(f"e => e.scrollIntoView({{block: '{block}'}})")
    page.wait_for_timeout(600)


def report_dialog(page: Any, dialog: Any, name: str) -> None:
    """Print how the dialog and its video sit in the viewport: what a reader checks for in the picture."""
    box = dialog.bounding_box() or {}
    video = dialog.locator("video")
    size = video.first.bounding_box() if video.count() else None
    shape = f"video {size['width']:.0f}×{size['height']:.0f}" if size else "no video"
    print(
        f"  {name}: dialog {box.get('width', 0):.0f}×{box.get('height', 0):.0f} in {VIEWPORT}; {shape}", file=sys.stderr
    )


def shoot_captions(camera: Camera, url: str, uploads: list[str]) -> None:
    page = camera.page
    page.goto(url)
    wait_until_idle(page)
    camera.shoot("caption-studio-empty", full_page=True)
    page.locator("input[type='file']").set_input_files(uploads)
    wait_until_idle(page)
    page.get_by_text("Caption controls").click()
    page.get_by_role("textbox", name="Template").fill("{filename}: {caption}")
    page.get_by_role("textbox", name="Words to avoid").fill("image, photo")
    page.keyboard.press("Tab")
    wait_until_idle(page)
    camera.shoot("caption-controls")
    page.get_by_role("textbox", name="Template").fill("{caption}")
    page.get_by_role("textbox", name="Words to avoid").fill("")
    page.keyboard.press("Tab")
    wait_until_idle(page)
    page.get_by_text("Caption controls").click()
    page.get_by_label("Caption style").click()
    page.get_by_role("option", name="Detailed description").click()
    wait_until_idle(page)
    page.get_by_role("button", name="Generate caption").click()
    page.get_by_text("Results —").wait_for(timeout=180_000)
    wait_until_idle(page)
    camera.shoot("caption-studio", full_page=True)
    page.goto(f"{url}/history")
    wait_until_idle(page)
    page.wait_for_timeout(1500)  # the data grid draws its thumbnails after the script run
    camera.shoot("history", full_page=True)
    page.locator(".st-key-history_select label").click()
    wait_until_idle(page)
    page.locator(".st-key-captions-select-all button").click()
    wait_until_idle(page)
    page.wait_for_timeout(1000)
    camera.shoot("history-select")
    page.get_by_role("button", name="Export ZIP…").click()
    page.get_by_role("button", name="Prepare ZIP").click()
    page.get_by_text("files ready.").wait_for(timeout=120_000)
    page.wait_for_timeout(500)
    camera.shoot("history-export")
    page.keyboard.press("Escape")
    wait_until_idle(page)
    page.locator(".st-key-captions-select-clear button").click()
    wait_until_idle(page)
    page.locator(".st-key-history_select label").click()
    wait_until_idle(page)


def shoot_compare_providers(browser: Any, tmp: Path, photo_path: str) -> list[str]:
    """Compare providers needs a second one: a local OpenAI-compatible server (the test fake, whose
    answer is one fixed sentence) beside the offline captioner, in a data folder of its own."""
    from tests.fakes.openai_chat_server import FakeOpenAIChat

    with FakeOpenAIChat(api_key=None) as server:
        server.caption = "A ginger tabby cat looks up from a sunny windowsill, ears forward."
        with running_app(tmp / "compare-home", tmp / "compare.log", server.client_settings()) as url:
            camera = Camera(browser.new_page(viewport=VIEWPORT))
            page = camera.page
            page.goto(url)
            wait_until_idle(page)
            page.locator("input[type='file']").set_input_files([photo_path])
            wait_until_idle(page)
            page.locator(".st-key-compare_mode label").click()
            wait_until_idle(page)
            page.get_by_role("button", name="Generate caption").click()
            page.get_by_text("Compared — 1 image").wait_for(timeout=180_000)
            page.get_by_role("button", name="Keep this one").first.click()
            page.get_by_text("Kept").wait_for(timeout=30_000)
            wait_until_idle(page)
            page.get_by_text("Compared — 1 image").scroll_into_view_if_needed()
            page.wait_for_timeout(500)
            camera.shoot("caption-compare")

            # Improve prompt, rewritten by the same (OpenAI-compatible) provider: before and after.
            server.caption = json.dumps(
                {
                    "scene": "A weathered stone lighthouse on a basalt cliff at dusk, waves bursting below",
                    "visual": "Golden-hour rim light, teal sea, drifting sea mist, 35 mm film grain",
                    "motion": "Slow dolly in toward the lamp as gulls circle through the beam",
                }
            )
            page.goto(f"{url}/create_video")
            wait_until_idle(page)
            page.get_by_label("Scene context").fill("A lighthouse on a cliff at dusk")
            page.get_by_label("Visual details").fill("golden light, teal sea")
            page.get_by_label("Motion (camera and subject)").fill("dolly in")
            page.keyboard.press("Tab")
            wait_until_idle(page)
            page.get_by_role("button", name="Improve prompt").click()
            page.locator(".st-key-improve_result").wait_for(timeout=60_000)
            wait_until_idle(page)
            page.locator(".st-key-improve_result").scroll_into_view_if_needed()
            page.wait_for_timeout(500)
            camera.shoot("create-improve")
            page.close()
            return camera.taken


def shoot_composer_and_storyboard(camera: Camera, url: str, photo_path: str) -> None:
    page = camera.page
    page.goto(f"{url}/create_video")
    wait_until_idle(page)
    page.get_by_role("radiogroup", name="Type").get_by_text("Image", exact=True).click()
    wait_until_idle(page)
    page.get_by_label("Scene context").fill("A bowl of ramen on a wooden counter, steam rising")
    page.keyboard.press("Tab")
    wait_until_idle(page)
    camera.shoot("create-image", full_page=True)
    page.get_by_role("radiogroup", name="Type").get_by_text("Video", exact=True).click()
    wait_until_idle(page)
    page.locator("input[type='file']").first.set_input_files([photo_path])  # the reference image
    page.get_by_role("button", name="Describe this image").wait_for(timeout=30_000)
    wait_until_idle(page)
    page.get_by_role("button", name="Describe this image").click()
    wait_until_idle(page)
    page.wait_for_function(
        "() => [...document.querySelectorAll('textarea')].some(t => t.value.includes('cat'))", timeout=120_000
    )
    wait_until_idle(page)
    camera.shoot("create-describe")

    page.goto(f"{url}/storyboard")
    wait_until_idle(page)
    page.get_by_role("textbox", name="Words").first.fill(
        "A kite lifts off a windy beach, bright red against grey cloud"
    )
    page.keyboard.press("Tab")
    wait_until_idle(page)
    for card in ("Add image card", "Add clip card"):
        page.get_by_role("button", name=card).click()
        wait_until_idle(page)
    page.wait_for_timeout(500)
    camera.shoot("storyboard", full_page=True)


def shoot_explore_and_settings(camera: Camera, url: str) -> None:
    page = camera.page
    page.goto(f"{url}/explore")
    wait_until_idle(page)
    page.wait_for_function(  # the previews render in the background; wait until most have a poster
        "() => document.querySelectorAll('.ms-card').length >= 8 && !document.body.innerText.includes('preparing')",
        timeout=180_000,
    )
    wait_until_idle(page)
    page.wait_for_timeout(800)
    camera.shoot("explore")
    page.goto(f"{url}/settings")
    wait_until_idle(page)
    page.wait_for_timeout(500)
    camera.shoot("settings", full_page=True)


def shoot_videos(camera: Camera, url: str, made: Library) -> None:
    page = camera.page
    page.goto(f"{url}/my_videos")
    wait_until_idle(page)
    wait_for_posters(page)
    page.wait_for_timeout(500)
    camera.shoot("my-videos", full_page=True)

    # Select mode: two cards ticked, the bulk bar, and the Tags popover.
    page.locator(".st-key-videos_select label").click()
    wait_until_idle(page)
    picked = [s for s in made.generated if s != made.failed_set and page.locator(f".st-key-videos-pick-{s}").count()]
    for chosen in picked[:2]:
        page.locator(f".st-key-videos-pick-{chosen} label").click()
        wait_until_idle(page)
    wait_for_posters(page)
    page.evaluate("() => document.querySelector('[data-testid=stMain]').scrollTo(0, 0)")
    page.wait_for_timeout(300)
    camera.shoot("my-videos-select")
    page.get_by_role("button", name="Tags").click()
    page.get_by_label("Add tags").wait_for(timeout=10_000)
    page.wait_for_timeout(300)
    camera.shoot("my-videos-tags")
    page.keyboard.press("Escape")

    # Compare the two chosen sets, in sync.
    wait_until_idle(page)
    page.locator(".st-key-videos-bulk-compare button").first.click()
    dialog = page.get_by_role("dialog", name="Compare")
    dialog.wait_for(timeout=30_000)
    dialog.locator("video").nth(1).wait_for(timeout=30_000)
    page.wait_for_timeout(1500)  # both videos decode their first frames
    camera.shoot("compare")
    page.keyboard.press("Escape")
    page.get_by_role("dialog", name="Compare").wait_for(state="hidden", timeout=10_000)
    page.locator(".st-key-videos-select-clear button").click()
    wait_until_idle(page)
    page.locator(".st-key-videos_select label").click()
    wait_until_idle(page)

    dialog = open_set(page, url, made.hd_set, "Variation 1 of 1")
    settle(page, dialog)
    report_dialog(page, dialog, "lightbox")
    camera.shoot("lightbox")
    for tab in ("Re-cut", "Remix", "Blend", "Loop", "Extend"):
        dialog.get_by_role("tab", name=tab).click()
        wait_until_idle(page)
        scroll_to(page, dialog.get_by_role("tab", name=tab), "start")
        camera.shoot(f"edit-{tab.lower()}")
    page.keyboard.press("Escape")

    dialog = open_set(page, url, made.hd_set, "Variation 1 of 1")
    dialog.get_by_text("Title and alt text", exact=True).click()
    dialog.get_by_role("button", name="Describe this video").click()
    dialog.get_by_role("button", name="Describe again").wait_for(timeout=120_000)
    settle(page, dialog)
    scroll_to(page, dialog.get_by_text("Title and alt text", exact=True), "center")
    camera.shoot("lightbox-describe")
    page.keyboard.press("Escape")

    stills = made.image_sets[0]
    dialog = open_set(page, url, stills, "Image 1 of 2")
    page.wait_for_timeout(1200)
    report_dialog(page, dialog, "lightbox-image")
    camera.shoot("lightbox-image")
    page.keyboard.press("Escape")

    dialog = open_set(page, url, made.storyboard_set, "Variation 1 of 1")
    settle(page, dialog)
    scroll_to(page, dialog.get_by_text("How it was made", exact=False), "center")
    camera.shoot("lineage-storyboard")
    page.keyboard.press("Escape")

    portrait = made.by_aspect["9:16"][-1]
    dialog = open_set(page, url, portrait, "Variation 1 of 1")
    settle(page, dialog)
    report_dialog(page, dialog, "lightbox-portrait")
    camera.shoot("lightbox-portrait")
    page.keyboard.press("Escape")

    blend_set = made.edit_sets["blend"]
    view_count = 2  # the set's one rendered variation, then the blend
    dialog = open_set(page, url, blend_set, f"Variation 1 of {view_count}")
    step_to(page, dialog, view_count, view_count)
    settle(page, dialog)
    scroll_to(page, dialog.get_by_text("How it was made", exact=False), "center")
    camera.shoot("lineage")
    page.keyboard.press("Escape")

    dialog = open_set(page, url, made.failed_set, "Variation 1 of 1")
    dialog.get_by_text(made.failed_message).wait_for(timeout=30_000)
    settle(page, dialog)
    report_dialog(page, dialog, "lightbox-failed")
    camera.shoot("lightbox-failed")
    page.keyboard.press("Escape")

    page.goto(f"{url}/history")
    wait_until_idle(page)
    page.get_by_text("Generations", exact=True).click()
    wait_until_idle(page)
    page.wait_for_timeout(1000)
    camera.shoot("history-generations", full_page=True)

    # The Trash, holding one set moved there from My Videos (restored afterwards).
    dialog = open_set(page, url, made.generated[-1], "Variation 1 of")
    dialog.get_by_role("button", name="Move set to Trash").click()
    page.get_by_text("Moved to the Trash").wait_for(timeout=30_000)
    page.goto(f"{url}/history")
    wait_until_idle(page)
    page.get_by_text("Trash", exact=True).click()
    wait_until_idle(page)
    camera.shoot("history-trash")
    page.get_by_role("button", name="Restore").first.click()
    wait_until_idle(page)

    # Last, so the new set does not change the other pictures: a job in progress on Create video.
    create_offline_video(page, url, seconds="4 s", variations="2")
    page.get_by_text("variation 2", exact=False).first.wait_for(timeout=30_000)
    page.locator("[data-testid='stToast']").first.wait_for(state="detached", timeout=15_000)
    page.evaluate("() => document.querySelector('[data-testid=stMain]').scrollTo(0, 0)")
    camera.shoot("create-video", full_page=True)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        started = time.perf_counter()
        made = seed_library(tmp / "home")
        print(
            f"Seeded {made.set_count} sets and {made.captions} captions in {time.perf_counter() - started:.0f} s",
            file=sys.stderr,
        )
        uploads = []
        for name in ("chelsea", "coffee", "astronaut"):
            path = tmp / f"{name}.jpg"
            path.write_bytes(encode(photo(name)))
            uploads.append(str(path))
        (tmp / "notes.png").write_text("not really a picture")
        uploads.append(str(tmp / "notes.png"))
        with running_app(tmp / "home", tmp / "streamlit.log") as url, chromium_browser() as browser:
            camera = Camera(browser.new_page(viewport=VIEWPORT))
            shoot_captions(camera, url, uploads)
            shoot_explore_and_settings(camera, url)
            shoot_composer_and_storyboard(camera, url, uploads[0])
            camera.taken += shoot_compare_providers(browser, tmp, uploads[0])
            shoot_videos(camera, url, made)
        camera.remove_stale()
    print(f"Screenshots written to {OUT.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
