"""Screenshots of every page, taken in headless Chromium against a fresh studio, into docs/.

Run: .venv/bin/python -m scripts.screenshots   (needs scripts/setup.sh dev first)
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from tests.helpers.browser import ROOT, chromium_browser, create_offline_video, running_app, wait_until_idle
from tests.helpers.corpus import encode, photo

OUT = ROOT / "docs" / "screenshots"


def shoot_videos(page, url: str) -> None:
    create_offline_video(page, url)
    page.get_by_text("variation 2", exact=False).first.wait_for(timeout=30_000)
    page.screenshot(path=OUT / "create-video.png", full_page=True)
    page.goto(f"{url}/my_videos")
    wait_until_idle(page)
    page.get_by_text("2/2 ready").wait_for(timeout=180_000)
    wait_until_idle(page)
    page.screenshot(path=OUT / "my-videos.png", full_page=True)
    page.get_by_role("button", name="Play").first.click()
    page.get_by_role("dialog").get_by_text("Variation 1 of 2").wait_for(timeout=30_000)
    page.keyboard.press("ArrowRight")
    page.get_by_role("dialog").get_by_text("Variation 2 of 2").wait_for(timeout=30_000)
    page.wait_for_timeout(1500)
    page.screenshot(path=OUT / "lightbox.png")
    dialog = page.get_by_role("dialog")
    for tab in ("Edit", "Remix", "Blend", "Loop"):
        dialog.get_by_role("tab", name=tab).click()
        page.wait_for_timeout(800)
        dialog.get_by_role("tab", name=tab).scroll_into_view_if_needed()
        page.wait_for_timeout(400)
        dialog.screenshot(path=OUT / f"edit-{tab.lower()}.png")
    dialog.get_by_role("button", name="Make loop").click()
    dialog.get_by_text("Variation 3 of 3").wait_for(timeout=30_000)
    dialog.locator("video").wait_for(timeout=120_000)
    dialog.get_by_text("How it was made", exact=False).scroll_into_view_if_needed()
    page.wait_for_timeout(800)
    dialog.screenshot(path=OUT / "lineage.png")
    page.keyboard.press("Escape")
    page.goto(f"{url}/history")
    wait_until_idle(page)
    page.get_by_text("Generations", exact=True).click()
    wait_until_idle(page)
    page.wait_for_timeout(1000)
    page.screenshot(path=OUT / "history-generations.png", full_page=True)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        uploads = []
        for name in ("chelsea", "coffee", "astronaut"):
            path = tmp / f"{name}.jpg"
            path.write_bytes(encode(photo(name)))
            uploads.append(str(path))
        (tmp / "notes.png").write_text("not really a picture")
        uploads.append(str(tmp / "notes.png"))
        with running_app(tmp / "home", tmp / "streamlit.log") as url, chromium_browser() as browser:
            page = browser.new_page(viewport={"width": 1400, "height": 1100})
            page.goto(url)
            wait_until_idle(page)
            page.screenshot(path=OUT / "caption-studio-empty.png", full_page=True)
            page.locator("input[type='file']").set_input_files(uploads)
            wait_until_idle(page)
            page.get_by_label("Caption style").click()
            page.get_by_role("option", name="Detailed description").click()
            wait_until_idle(page)
            page.get_by_role("button", name="Generate caption").click()
            page.get_by_text("Results —").wait_for(timeout=180_000)
            wait_until_idle(page)
            page.screenshot(path=OUT / "caption-studio.png", full_page=True)
            page.goto(f"{url}/history")
            wait_until_idle(page)
            page.wait_for_timeout(1500)  # the data grid draws its thumbnails after the script run
            page.screenshot(path=OUT / "history.png", full_page=True)
            shoot_videos(page, url)
    print(f"Screenshots written to {OUT.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
