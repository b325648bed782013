"""History counts captions as far as a page needs (``core.tally``), on both databases."""

import pytest

from core.captions import history
from core.captions import service as captions
from core.tally import Tally
from db import captions as queries
from db.models import Caption
from tests.helpers.studio import digest_of, stored_caption

pytestmark = pytest.mark.both_databases  # the studio's database: SQLite, then PostgreSQL


def test_history_counts_captions_up_to_the_cap_and_pages_past_it(studio, monkeypatch):
    made = [stored_caption(studio, f"A lighthouse at dawn, take {i}", digest_of(f"{i:x}"), f"c{i}.jpg") for i in range(9)]
    with studio.db.session() as session:  # one caption in the Trash: never counted
        trashed = session.get(Caption, made[0])
        trashed.deleted_at = trashed.created_at
    everything, dawn = captions.CaptionFilter(), captions.CaptionFilter(search="DAWN")
    assert captions.history_count(studio, everything) == Tally(8)
    monkeypatch.setattr(history, "CAP", 5)
    capped = captions.history_count(studio, dawn)
    assert capped == Tally(5, more=True) and str(capped) == "5+" and capped.pages(50) == 1
    assert [r.caption_id for r in captions.history_page(studio, dawn, limit=3, offset=6)] == [made[2], made[1]]
    assert captions.history_count(studio, captions.CaptionFilter(search="volcano")) == Tally(0)
    with studio.db.session() as session:  # the database stops reading one row past the cap
        assert queries.count_captions(session, dawn, cap=5) == 6 and queries.count_captions(session, dawn) == 8
    assert captions.history(studio, everything, limit=0)[0] == 8  # exact, for callers that need it
    monkeypatch.setattr(history, "CAP", 8)
    assert captions.history_count(studio, everything) == Tally(8)


def test_the_style_filter_lists_only_styles_of_captions_not_in_the_trash(studio):
    first = stored_caption(studio, "A red kite", digest_of("a1"), "k1.jpg")
    stored_caption(studio, "A blue kite", digest_of("a2"), "k2.jpg")
    with studio.db.session() as session:
        session.get(Caption, first).style = "detailed"
    assert captions.facets(studio)[1] == ["alt_text", "detailed"]
    with studio.db.session() as session:
        session.get(Caption, first).deleted_at = session.get(Caption, first).created_at
    assert captions.facets(studio)[1] == ["alt_text"]
