"""Export that travels, in a real browser: History → Select → Select all → Export ZIP… with a trigger
word → Prepare ZIP (written to the data folder with a progress bar) → the browser downloads the
finished file, whose image copies carry their captions (read back by exiftool) and whose
``metadata.jsonl`` names every file."""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile

import pytest

from core.config import Settings
from core.studio import open_studio
from tests.helpers.browser import chromium_browser, running_app, wait_until_idle
from tests.helpers.imaging import noise_image, store_captioned_image

pytestmark = pytest.mark.browser

IMAGES = [("JPEG", ".jpg"), ("PNG", ".png"), ("WEBP", ".webp"), ("TIFF", ".tif")] * 2


def test_history_exports_a_zip_the_browser_downloads_with_each_caption_inside_its_image(tmp_path):
    home = tmp_path / "home"
    studio = open_studio(Settings.load(environ={"MEDIA_STUDIO_HOME": str(home)}, secrets={}))
    try:
        for n, (fmt, ext) in enumerate(IMAGES):
            store_captioned_image(studio, noise_image(fmt, n), fmt, f"trip photo{ext}", f"Harbour at dawn, view {n}")
    finally:
        studio.db.dispose()

    with running_app(home, tmp_path / "streamlit.log") as url, chromium_browser() as browser:
        page = browser.new_page(viewport={"width": 1440, "height": 900}, accept_downloads=True)
        page.goto(f"{url}/history")
        wait_until_idle(page)
        page.locator(".st-key-history_select label").click()
        wait_until_idle(page)
        page.locator(".st-key-captions-select-all button").click()
        wait_until_idle(page)
        page.get_by_text("8 selected").wait_for()
        page.get_by_role("button", name="Export ZIP…").click()
        page.get_by_role("textbox", name="Trigger word or prefix (optional)").fill("ohwx")
        page.keyboard.press("Tab")
        wait_until_idle(page)
        page.get_by_role("button", name="Prepare ZIP").click()
        page.get_by_text("8 files ready.").wait_for(timeout=60_000)
        with page.expect_download(timeout=60_000) as download:
            page.get_by_role("button", name="Download media-studio-8-captions-").click()
        saved = tmp_path / "export.zip"
        download.value.save_as(saved)

    with zipfile.ZipFile(saved) as archive:
        lines = [json.loads(line) for line in archive.read("metadata.jsonl").decode().splitlines()]
        archive.extractall(tmp_path / "out")
    names = [line["file_name"] for line in lines]
    assert len(names) == len(set(names)) == 8  # one name each, though all were called "trip photo"
    assert {n.rsplit(".", 1)[1] for n in names} == {"jpg", "png", "webp", "tif"}
    tool = shutil.which("exiftool")
    assert tool, "exiftool is missing: scripts/setup.sh dev installs libimage-exiftool-perl"
    read = subprocess.run(
        [tool, "-j", "-XMP-dc:Description", "-ImageDescription", *(str(tmp_path / "out" / n) for n in names)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    found = {r["SourceFile"].rsplit("/", 1)[1]: r for r in json.loads(read.stdout)}
    for line in lines:
        assert line["text"].startswith("ohwx, Harbour at dawn, view ")
        assert found[line["file_name"]]["Description"] == line["text"]
        assert found[line["file_name"]]["ImageDescription"] == line["text"]
