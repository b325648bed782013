"""A person's path through the studio in a real browser: upload a photo, caption it, find it in
History, download the CSV. Debian's Chromium, driven by Playwright, against `streamlit run`."""

import io
import re
from pathlib import Path

import pandas as pd
import pytest

from tests.helpers.browser import running_app, wait_until_idle
from tests.helpers.corpus import encode, photo

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    base = tmp_path_factory.mktemp("browser")
    with running_app(base / "home", base / "streamlit.log") as url:
        yield url


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    yield page
    context.close()


def test_caption_a_photo_then_find_and_export_it_from_history(app_url, page, tmp_path):
    cat = tmp_path / "chelsea.jpg"
    cat.write_bytes(encode(photo("chelsea")))

    page.goto(app_url)
    wait_until_idle(page)
    assert page.get_by_text("Offline captioner", exact=False).first.is_visible()
    page.locator("input[type='file']").set_input_files(str(cat))
    page.get_by_text("chelsea.jpg").first.wait_for()
    wait_until_idle(page)
    page.get_by_role("button", name="Generate caption").click()
    page.get_by_text("Results — 1 of 1 captioned").wait_for(timeout=120_000)
    caption = page.locator("[data-testid='stCode']").first.inner_text()
    assert "cat" in caption.lower()

    # History's table draws the thumbnail from the file route (a short URL), not a data: URL in the page.
    with page.expect_response(lambda r: "/api/files/media/thumbs/" in r.url, timeout=60_000) as thumb:
        page.goto(f"{app_url}/history")
        wait_until_idle(page)
        page.get_by_text("1 caption match").wait_for()
    assert thumb.value.status == 200 and thumb.value.headers["content-type"] == "image/jpeg"
    assert thumb.value.body()[:3] == b"\xff\xd8\xff"
    page.get_by_label("Search captions and prompts").fill("cat")
    page.keyboard.press("Enter")
    wait_until_idle(page)
    page.get_by_text("1 caption match").wait_for()
    page.get_by_role("button", name="Export CSV").click()
    page.get_by_role("button", name="Prepare CSV").click()
    page.get_by_text("1 row ready.").wait_for(timeout=30_000)
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download captions-").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    exported = pd.read_csv(io.BytesIO(Path(download.path()).read_bytes()), encoding="utf-8-sig")
    assert list(exported["image_name"]) == ["chelsea.jpg"]
    assert "cat" in exported["caption"][0].lower()


def test_a_non_image_gets_a_clear_message_in_the_page(app_url, page, tmp_path):
    fake = tmp_path / "holiday.png"
    fake.write_text("<html><body>not a picture</body></html>")
    page.goto(app_url)
    wait_until_idle(page)
    page.locator("input[type='file']").set_input_files(str(fake))
    page.get_by_text("holiday.png").first.wait_for()
    wait_until_idle(page)
    page.get_by_role("button", name="Generate caption").click()
    page.get_by_text("Results — 0 of 1 captioned").wait_for(timeout=60_000)
    error = page.locator("[data-testid='stAlertContentError']").first.inner_text()
    assert "holiday.png" in error and "is an HTML page, not an image" in error


def test_with_watsonx_keys_the_page_uses_llama_4_and_shows_service_errors(browser, watsonx_server, tmp_path):
    photo_path = tmp_path / "coffee.jpg"
    photo_path.write_bytes(encode(photo("coffee")))
    with running_app(tmp_path / "home", tmp_path / "streamlit.log", extra_env=watsonx_server.client_settings()) as url:
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        page.goto(url)
        wait_until_idle(page)
        assert page.get_by_text("IBM watsonx — Llama 4 Maverick").first.is_visible()
        page.locator("input[type='file']").set_input_files(str(photo_path))
        page.get_by_text("coffee.jpg").first.wait_for()
        wait_until_idle(page)
        page.get_by_role("button", name="Generate caption").click()
        page.get_by_text("Results — 1 of 1 captioned").wait_for(timeout=60_000)
        assert watsonx_server.caption in page.locator("[data-testid='stCode']").first.inner_text()

        watsonx_server.fail_next(401, count=20)
        page.get_by_role("button", name="Caption all again").click()
        page.get_by_text("Results — 0 of 1 captioned").wait_for(timeout=60_000)
        error = page.locator("[data-testid='stAlertContentError']").first.inner_text()
        assert "credentials" in error.lower()
        assert watsonx_server.api_key not in page.content()
        context.close()
    assert watsonx_server.api_key not in (tmp_path / "streamlit.log").read_text()


def test_a_deep_link_to_history_on_a_fresh_server_gets_the_studio_navigation(browser, tmp_path):
    with running_app(tmp_path / "home", tmp_path / "streamlit.log") as url:
        page = browser.new_page()
        page.goto(f"{url}/history")
        wait_until_idle(page)
        assert page.locator("h1").first.inner_text() == "History"
        nav = page.locator("[data-testid='stSidebarNav']").inner_text()
        assert "Caption Studio" in nav and "streamlit app" not in nav.lower()
        page.close()


def test_generate_twice_captions_each_image_once(app_url, page, tmp_path):
    """Guards issue #8: pressing Generate again re-captioned every image still in the uploader."""
    files = []
    for name in ("coffee", "astronaut"):
        path = tmp_path / f"{name}.jpg"
        path.write_bytes(encode(photo(name)))
        files.append(str(path))
    page.goto(app_url)
    wait_until_idle(page)
    page.get_by_role("button", name="Clear all").click()  # the module's app may hold an earlier upload
    wait_until_idle(page)
    page.locator("input[type='file']").set_input_files(files)
    page.get_by_text("astronaut.jpg").first.wait_for()
    wait_until_idle(page)
    page.get_by_role("button", name="Generate caption").click()
    page.get_by_text("Results — 2 of 2 captioned").wait_for(timeout=120_000)
    wait_until_idle(page)
    page.get_by_role("button", name="Generate caption").click()
    page.get_by_text("already captioned with these settings").wait_for(timeout=60_000)
    page.goto(f"{app_url}/history")
    wait_until_idle(page)
    page.get_by_label("Search captions and prompts").fill("coffee")
    page.keyboard.press("Enter")
    wait_until_idle(page)
    assert page.get_by_text("1 caption match").count() == 1  # one row for the coffee photo, not two


def test_the_card_shows_certainty_as_a_badge_and_the_caption_alone_with_a_copy_button(app_url, browser, tmp_path):
    """Issue #8: "(92% sure)" was part of the caption text; the card now badges it beside the model."""
    import numpy as np
    from PIL import Image

    cat = tmp_path / "chelsea.jpg"
    cat.write_bytes(encode(photo("chelsea")))
    blocks = np.kron(np.random.default_rng(7).integers(0, 255, (6, 8, 3), dtype=np.uint8), np.ones((50, 50, 1), "u1"))
    puzzle = tmp_path / "blocks.png"
    Image.fromarray(blocks).save(puzzle)  # the classifier has no idea what this is
    context = browser.new_context(
        viewport={"width": 1400, "height": 1000}, permissions=["clipboard-read", "clipboard-write"]
    )
    page = context.new_page()
    page.goto(app_url)
    wait_until_idle(page)
    page.get_by_role("button", name="Clear all").click()  # the module's app may hold an earlier upload
    wait_until_idle(page)
    page.locator("input[type='file']").set_input_files([str(cat), str(puzzle)])
    page.get_by_text("blocks.png").first.wait_for(timeout=60_000)
    wait_until_idle(page)
    page.get_by_role("button", name="Generate caption").click()
    page.get_by_text("Results — 2 of 2 captioned").wait_for(timeout=120_000)
    wait_until_idle(page)

    codes = page.locator("[data-testid='stCode']")
    texts = [codes.nth(i).inner_text() for i in range(2)]
    assert "cat" in texts[0].lower()
    assert not any("%" in t or "sure" in t or "Described on this computer" in t for t in texts), texts
    badges = page.get_by_text(re.compile(r"^\d{1,2}% sure$"))
    assert badges.count() == 2 and badges.first.is_visible()
    warnings = page.get_by_text("Not sure: check this one")
    assert warnings.count() == 1 and warnings.first.is_visible()  # only the puzzle is flagged

    copy = codes.first.get_by_role("button", name="Copy to clipboard")
    shown = copy.evaluate(  # without hovering: Playwright's is_visible() ignores a parent's opacity 0
        """b => { let opacity = 1; for (let e = b; e; e = e.parentElement) opacity *= +getComputedStyle(e).opacity;
                  return [opacity, getComputedStyle(b).visibility, getComputedStyle(b, '::after').content]; }"""
    )
    assert shown == [1, "visible", '"Copy"'], shown  # shown and labelled
    copy.click()
    assert page.evaluate("navigator.clipboard.readText()") == texts[0]
    context.close()


def test_extra_instructions_for_the_offline_captioner_say_they_are_ignored(app_url, page):
    note = page.get_by_text("The offline captioner cannot follow instructions: it ignores this box.")
    page.goto(app_url)
    wait_until_idle(page)
    assert note.count() == 0  # nothing typed, nothing to warn about
    page.get_by_label("Extra instructions (optional)").fill("Mention the brand on the mug")
    page.keyboard.press("Tab")  # a text area sends its value when it loses focus
    wait_until_idle(page)
    note.wait_for()
    page.get_by_label("Extra instructions (optional)").fill("")
    page.keyboard.press("Tab")
    wait_until_idle(page)
    assert note.count() == 0
