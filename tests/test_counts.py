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
    made = [
        stored_caption(studio, f"A lighthouse at dawn, take {i}", digest_of(f"{i:x}"), f"c{i}.jpg") for i in range(9)
    ]
    with studio.db.session() as session:  # one caption in the Trash: never counted
        trashed = session.get(Caption, made[0])
        trashed.deleted_at = trashed.created_at
    everything, dawn = captions.CaptionFilter(), captions.CaptionFilter(search="DAWN")
    assert captions.history_count(studio, everything) == Tally(8)
    monkeypatch.setattr(history, "SEARCH_CAP", 5)  # a search counts to its own, lower cap
    monkeypatch.setattr(history, "CAP", 7)
    capped = captions.history_count(studio, dawn)
    assert capped == Tally(5, more=True) and str(capped) == "5+" and capped.pages(50) == 1
    assert captions.history_count(studio, everything) == Tally(7, more=True)
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


def test_a_search_pages_and_counts_what_select_all_finds_by_text_tags_and_descriptions(studio):
    """The index-led pages (``db.library``) against "Select all" (the plain filter), on 30 sets:
    prompts, tags and variation titles each find some, one set is in the Trash, some are favourites."""
    from db import bulk as bulk_queries
    from db import described
    from db import videos as queries
    from db.models import Generation
    from tests.helpers.studio import add_generation_row

    made = []
    for i in range(30):
        prompt = f"A harbour at night, shot {i}" if i % 3 == 0 else f"A desert road, shot {i}"
        made.append(add_generation_row(studio, prompt).id)
    with studio.db.session() as session:
        bulk_queries.add_tags(session, made[::5], ["harbour-night"])
        for set_id in made[::7]:
            described.set_variation_text(
                session, queries.get_generation(session, set_id).variations[0].id, "Harbour lights", ""
            )
        bulk_queries.set_favourite_many(session, made[::2], True)
        trashed = session.get(Generation, made[9])
        trashed.deleted_at = trashed.created_at
    searches = ("harbour", "HARB", "lights", "harbour lights", "night", "road shot", "volcano")
    for search in searches:
        for flt in (
            queries.GenerationFilter(search=search),
            queries.GenerationFilter(search=search, favourites_only=True),
        ):
            with studio.db.session() as session:
                expected = bulk_queries.matching_ids(session, flt)
                paged = [g.id for offset in range(0, 32, 4) for g in queries.list_generations(session, flt, 4, offset)]
                assert paged == expected, (search, flt.favourites_only)
                assert queries.count_generations(session, flt) == len(expected)
                assert queries.count_generations(session, flt, cap=3) == min(len(expected), 4)
                assert queries.count_generations(session, flt, cap=100) == len(expected)
    with studio.db.session() as session:  # the three ways each find something, so the merge is tested
        harbour = bulk_queries.matching_ids(session, queries.GenerationFilter(search="harbour"))
        assert set(made[::3]) - {made[9]} < set(harbour) and made[5] in harbour and made[7] in harbour


def test_a_caption_search_pages_and_counts_what_select_all_finds(studio):
    from db import captions as queries

    made = [
        stored_caption(
            studio, f"A {'lighthouse' if i % 3 else 'market'} at dawn, take {i}", digest_of(f"{i:x}"), f"{i}.jpg"
        )
        for i in range(20)
    ]
    with studio.db.session() as session:
        trashed = session.get(Caption, made[4])
        trashed.deleted_at = trashed.created_at
    for search in ("lighthouse", "LIGHT dawn", "market", "take 1", "volcano"):
        flt = captions.CaptionFilter(search=search)
        with studio.db.session() as session:
            expected = queries.matching_caption_ids(session, flt)
            paged = [c.id for offset in range(0, 24, 6) for c, _ in queries.list_captions(session, flt, 6, offset)]
            assert paged == expected, search
            assert queries.count_captions(session, flt, cap=2) == min(len(expected), 3)
            assert queries.count_captions(session, flt) == len(expected)
