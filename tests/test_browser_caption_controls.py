"""Caption controls and Compare providers in a real browser: with the offline captioner and an
OpenAI-compatible server (the fake, through the real SDK), a trigger word and a template shape every
saved caption, the live counter shows the alt-text guide, and "Keep this one" makes the offline
caption the one that stands for its image while the other stays in History as a version."""

from __future__ import annotations

import pytest

from core.captions import service as captions
from core.config import Settings
from core.studio import open_studio
from db import captions as queries
from tests.helpers.browser import chromium_browser, running_app, wait_until_idle
from tests.helpers.corpus import encode, photo

pytestmark = pytest.mark.browser


def test_compare_two_providers_with_controls_and_keep_the_offline_caption(tmp_path, openai_chat_server):
    openai_chat_server.caption = "A ginger cat dozes on a sunny windowsill beside a green plant"
    cat = tmp_path / "chelsea.jpg"
    cat.write_bytes(encode(photo("chelsea")))
    home = tmp_path / "home"
    environ = openai_chat_server.client_settings()

    with running_app(home, tmp_path / "streamlit.log", environ) as url, chromium_browser() as browser:
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.goto(url)
        wait_until_idle(page)
        page.locator("input[type='file']").set_input_files(str(cat))
        page.get_by_text("chelsea.jpg").first.wait_for()
        wait_until_idle(page)
        page.get_by_text("Caption controls").click()
        page.get_by_role("textbox", name="Template").fill("{filename}: {caption}")
        page.get_by_role("textbox", name="Trigger word or prefix").fill("ohwx")
        page.keyboard.press("Tab")
        wait_until_idle(page)
        page.locator(".st-key-compare_mode label").click()
        wait_until_idle(page)
        page.get_by_role("button", name="Generate caption").click()
        page.get_by_text("Compared — 1 image").wait_for(timeout=120_000)
        wait_until_idle(page)
        texts = page.locator("[data-testid='stCode']").all_inner_texts()
        counters = page.get_by_text("/ 125 characters").count()
        page.get_by_role("button", name="Keep this one").first.click()
        page.get_by_text("Kept").wait_for(timeout=30_000)

    assert len(texts) == 2 and all(t.startswith("ohwx, chelsea: ") for t in texts)
    assert "ohwx, chelsea: A ginger cat dozes on a sunny windowsill beside a green plant" in texts
    assert counters == 2
    studio = open_studio(Settings.load(environ={"MEDIA_STUDIO_HOME": str(home)}, secrets={}))
    try:
        with studio.db.session() as session:
            versions = queries.count_captions(session)
        standing = captions.export_captions_csv(studio, captions.CaptionFilter()).decode("utf-8-sig")
        every = captions.export_captions_csv(studio, captions.CaptionFilter(), all_versions=True).decode("utf-8-sig")
    finally:
        studio.db.dispose()
    assert versions == 2  # both versions are in History
    assert "offline" in standing and "llama3.2-vision" not in standing  # the kept (offline) caption stands
    assert "offline" in every and "llama3.2-vision" in every
