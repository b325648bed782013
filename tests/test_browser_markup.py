"""User text is text: Markdown images and HTML tags typed into every user-editable field (prompts,
presets, folders, tags, captions, file names, remix words, the draft) are drawn as written on every
page and dialog, and never make the browser fetch a URL of the writer's choosing (issue #9)."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.captions import service as captions
from core.config import Settings
from core.studio import open_studio
from core.videos import bulk, create, edits
from core.videos import library as videos
from core.videos.prompt import VideoPrompt
from tests.helpers.browser import chromium_browser, free_port, running_app, wait_until_idle
from tests.helpers.corpus import encode, photo
from tests.helpers.library import caption_images
from tests.helpers.studio import digest_of, finished_set, stored_caption

pytestmark = pytest.mark.browser

BEACON = f"http://127.0.0.1:{free_port()}"  # nothing listens: a fetch is counted, not answered


def hostile(where: str) -> str:
    """Markdown image + HTML image + a link, each pointing at the beacon, named after the field."""
    return f"{where} ![x]({BEACON}/beacon-{where}-md.png) <img src={BEACON}/beacon-{where}-html.png> [y]({BEACON}/l)"


def hostile_name(where: str) -> str:
    """The same for a file name (no slash allowed): relative URLs, fetched from the app's own origin."""
    return f"{where} ![x](beacon-{where}.png) <img src=beacon-{where}2.png>"


def seed(home: Path) -> dict[str, int]:
    studio = open_studio(Settings.load(environ={"MEDIA_STUDIO_HOME": str(home)}, secrets={}))
    try:
        first = finished_set(studio, hostile("prompt"), [digest_of("a"), digest_of("b")])
        second = finished_set(studio, hostile("prompt2"), [digest_of("c")])
        videos.set_folder(studio, first, hostile("folder")[:100])
        bulk.add_tags(studio, [first], hostile("tag").replace("/", " ")[:50])
        create.save_preset(studio, hostile("preset")[:100], hostile("words"))
        remix_source = videos.generation(studio, first).variations[0].id
        edits.queue_remix(studio, remix_source, hostile("remix"))
        stored_caption(studio, hostile("caption"), digest_of("d"), name=hostile_name("image") + ".jpg")
        trashed = stored_caption(studio, hostile("trashed"), digest_of("e"))
        from core import trash

        trash.trash_caption(studio, trashed)
        upload = caption_images(1)[0]
        captions.caption_batch(
            studio,
            [captions.Upload(hostile_name("upload") + ".jpg", upload.data)],
            "custom",
            hostile("ask"),
            captions.open_provider("offline", studio.settings),
        )
        draft = create.Draft(parts=VideoPrompt(hostile("scene"), hostile("visual"), hostile("motion")))
        create.save_draft(studio, draft)
        return {"first": first, "second": second}
    finally:
        studio.db.dispose()


def test_no_field_turns_into_markup_on_any_page(tmp_path):
    made = seed(tmp_path / "home")
    good = tmp_path / "coffee.jpg"
    good.write_bytes(encode(photo("coffee")))
    named = tmp_path / (hostile_name("picked") + ".jpg")
    named.write_bytes(encode(photo("chelsea")))
    broken = tmp_path / (hostile_name("broken") + ".png")
    broken.write_text("not a picture")
    fetched: list[str] = []
    with running_app(tmp_path / "home", tmp_path / "streamlit.log") as url, chromium_browser() as browser:
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.on("request", lambda request: fetched.append(request.url) if "beacon" in request.url else None)

        page.goto(url)  # Caption Studio: an upload named with markup, and one refused (its name in the error)
        wait_until_idle(page)
        page.locator("input[type='file']").set_input_files([str(named), str(broken)])
        wait_until_idle(page)
        page.get_by_role("button", name="Generate caption").click()
        page.get_by_text("Results —").wait_for(timeout=120_000)
        wait_until_idle(page)
        page.get_by_text("broken ![x](beacon-broken.png)", exact=False).first.wait_for(timeout=10_000)

        page.goto(f"{url}/create_video")  # the draft and the presets
        wait_until_idle(page)
        page.get_by_text("scene ![x]", exact=False).first.wait_for(timeout=10_000)
        page.get_by_text("Style presets").click()
        wait_until_idle(page)

        page.goto(f"{url}/my_videos")  # cards, filters, select mode, the lightbox, Compare
        wait_until_idle(page)
        page.get_by_text("prompt ![x]", exact=False).first.wait_for(timeout=10_000)
        page.get_by_role("combobox", name="Tag", exact=True).click()
        page.keyboard.press("Escape")
        page.get_by_role("combobox", name="Folder", exact=True).click()
        page.keyboard.press("Escape")
        page.locator(f".st-key-open-{made['first']} button").click()
        dialog = page.get_by_role("dialog")
        dialog.get_by_text("Variation 1 of", exact=False).wait_for(timeout=30_000)
        page.keyboard.press("ArrowRight")
        page.keyboard.press("ArrowRight")  # the remix, whose change quotes markup
        wait_until_idle(page)
        dialog.get_by_text("Folder", exact=True).click()
        wait_until_idle(page)
        page.keyboard.press("Escape")
        wait_until_idle(page)
        page.locator(".st-key-videos_select label").click()
        wait_until_idle(page)
        for set_id in (made["first"], made["second"]):
            page.locator(f".st-key-videos-pick-{set_id} label").click()
            wait_until_idle(page)
        page.locator(".st-key-videos-bulk-compare button").first.click()
        page.get_by_role("dialog", name="Compare").wait_for(timeout=30_000)
        wait_until_idle(page)
        page.keyboard.press("Escape")
        wait_until_idle(page)
        page.locator(".st-key-danger-videos-bulk-trash button").click()  # the Undo notice quotes the prompts
        page.get_by_text("Moved to the Trash").wait_for(timeout=30_000)

        page.goto(f"{url}/history")  # captions (and one's detail), generations, the Trash
        wait_until_idle(page)
        page.get_by_label("Search captions and prompts").fill("caption")
        page.keyboard.press("Enter")
        wait_until_idle(page)
        grid = page.locator("[data-testid='stDataFrame']").first.bounding_box()
        page.mouse.click(grid["x"] + 18, grid["y"] + 36 + 32)  # the first row's selection box
        page.get_by_role("button", name="Save changes").wait_for(timeout=30_000)  # its detail is open
        shown = page.locator("[data-testid='stMarkdownContainer']", has_text="image ![x](beacon-image.png) <img")
        shown.first.wait_for(timeout=10_000)  # the name, drawn as written
        for view in ("Generations", "Trash"):
            page.get_by_text(view, exact=True).click()
            wait_until_idle(page)
        page.get_by_text("trashed ![x]", exact=False).first.wait_for(timeout=10_000)
        page.wait_for_timeout(1500)
        page.close()
    assert fetched == []
