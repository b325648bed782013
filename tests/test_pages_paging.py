"""The Library and History pages count once a rerun, as far as a page needs, and page past the cap.

The page scripts run in Streamlit's AppTest (the script run, no browser) against a real SQLite
studio of 64 sets and 64 captions, with the cap lowered to 25 so that "25+" shows without seeding
10,000 rows."""

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from core.captions import history as caption_history
from core.videos import library
from tests.helpers.studio import add_generation_row, digest_of, stored_caption

SETS = 64
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def pages(studio, monkeypatch):
    for i in range(SETS):
        add_generation_row(studio, f"A lighthouse at dusk, take {i}")
        stored_caption(studio, f"A harbour at dawn, photo {i}", digest_of(f"{i:x}"), f"photo-{i}.jpg")
    monkeypatch.setenv("MEDIA_STUDIO_HOME", str(studio.home))
    monkeypatch.setenv("DATABASE_URL", str(studio.db.engine.url))
    monkeypatch.setenv("MEDIA_STUDIO_JOBS", "external")  # no job runner in the test process
    monkeypatch.setattr(library, "CAP", 25)
    monkeypatch.setattr(caption_history, "CAP", 25)
    st.cache_resource.clear()
    monkeypatch.chdir(ROOT)  # where the pages find .streamlit/ and the theme
    yield lambda page: AppTest.from_file(str(ROOT / "pages" / page), default_timeout=60)
    st.cache_resource.clear()


def _texts(app):
    return [c.value for c in app.caption] + [m.value for m in app.markdown] + [i.value for i in app.info]


def test_the_library_says_25_plus_and_pages_past_the_cap(pages):
    app = pages("my_videos.py").run()
    assert not app.exception
    assert "25+ sets of videos and images." in _texts(app)
    pager = app.number_input(key="videos_page")
    assert pager.label == "Page (of 3+)" and pager.max is None
    assert len([b for b in app.button if b.label == "Play"]) == 12
    pager.set_value(6).run()  # sets 61-64, past the cap
    assert len([b for b in app.button if b.label == "Play"]) == SETS - 60
    pager.set_value(7).run()
    assert "Nothing on this page." in _texts(app) and not [b for b in app.button if b.label == "Play"]


def test_history_pages_captions_and_generations_50_at_a_time(pages):
    app = pages("history.py").run()
    assert not app.exception
    assert "**25+** captions match." in _texts(app)
    assert len(app.dataframe[0].value) == 50
    app.number_input(key="history_page").set_value(2).run()
    assert len(app.dataframe[0].value) == SETS - 50
    app.segmented_control(key="history_kind").set_value("Generations").run()
    assert not app.exception
    assert "**25+** generations match." in _texts(app)
    generations = app.dataframe[0].value
    assert len(generations) == 50 and generations["generation_id"].iloc[0] == SETS  # the newest first
    app.number_input(key="gen_page").set_value(2).run()
    assert list(app.dataframe[0].value["generation_id"]) == list(range(SETS - 50, 0, -1))
