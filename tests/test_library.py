"""My Videos' library queries: search by prompt, filters, favourites, folders and paging."""

import pytest

from core.videos import library as videos
from db import videos as queries
from tests.helpers.studio import add_generation_row

pytestmark = pytest.mark.both_databases  # the studio's database: SQLite, then PostgreSQL


def _add(studio, prompt, backend="offline", status="completed"):
    generation_id = add_generation_row(studio, prompt, backend=backend, model="m").id
    with studio.db.session() as session:
        variation = queries.get_generation(session, generation_id).variations[0]
        variation.status = status
        if status == "completed":
            variation.video_sha256 = f"{generation_id:064x}"
    return generation_id


def ids(studio, **filters):
    return sorted(v.id for v in videos.library(studio, videos.GenerationFilter(**filters), limit=100)[1])


def test_search_filters_favourites_and_folders(studio):
    fox = _add(studio, "A red fox in snow")
    boat = _add(studio, "A paper boat on a puddle", backend="openai-videos", status="failed")
    city = _add(studio, "Neon city at night, foxes on rooftops", status="queued")
    assert ids(studio, search="fox") == [fox, city]  # prefix match: fox, foxes
    assert ids(studio, statuses=("failed",)) == [boat]
    assert ids(studio, statuses=("active",)) == [city]
    assert ids(studio, backends=("openai-videos",)) == [boat]
    videos.set_favourite(studio, fox, True)
    videos.set_folder(studio, boat, "  Rainy days ")
    assert ids(studio, favourites_only=True) == [fox]
    assert ids(studio, folder="Rainy days") == [boat]
    assert videos.folders(studio) == ["Rainy days"]


def test_paging_returns_the_newest_first_and_counts_everything(studio):
    made = [_add(studio, f"shot {i}") for i in range(30)]
    total, first = videos.library(studio, videos.GenerationFilter(), limit=12, offset=0)
    _, last = videos.library(studio, videos.GenerationFilter(), limit=12, offset=24)
    assert total == 30 and len(first) == 12 and len(last) == 6
    assert first[0].id == made[-1] and last[-1].id == made[0]


def test_the_date_range_is_inclusive_of_both_days(studio):
    from datetime import timedelta

    from db.models import utcnow

    made = _add(studio, "a kite over dunes")
    today = utcnow().date()
    assert ids(studio, date_from=today, date_to=today) == [made]
    assert ids(studio, date_to=today - timedelta(days=1)) == []
    assert ids(studio, date_from=today + timedelta(days=1)) == []


def test_the_library_counts_as_far_as_a_page_needs_and_pages_past_the_cap(studio, monkeypatch):
    from core.tally import Tally
    from db.models import Generation

    made = [_add(studio, f"harbour shot {i}") for i in range(7)]
    with studio.db.session() as session:  # one set in the Trash: never counted
        session.get(Generation, made[3]).deleted_at = session.get(Generation, made[3]).created_at
    everything, harbour = videos.GenerationFilter(), videos.GenerationFilter(search="harbour")
    assert videos.library_count(studio, everything) == Tally(6)
    monkeypatch.setattr(videos, "SEARCH_CAP", 4)  # a search counts to its own, lower cap
    capped = videos.library_count(studio, harbour)
    assert capped == Tally(4, more=True) and str(capped) == "4+" and capped.pages(3) == 2 and capped.plural()
    assert videos.library_count(studio, everything) == Tally(6)
    monkeypatch.setattr(videos, "CAP", 5)
    assert videos.library_count(studio, everything) == Tally(5, more=True)
    monkeypatch.setattr(videos, "CAP", 6)  # exactly the cap: an exact count
    assert videos.library_count(studio, everything) == Tally(6)
    assert videos.library_count(studio, videos.GenerationFilter(search="nothing")) == Tally(0)
    assert [v.id for v in videos.library_page(studio, harbour, limit=2, offset=4)] == [made[1], made[0]]
    assert videos.library(studio, everything, limit=0)[0] == 6  # the exact count stays for callers that need it
    with studio.db.session() as session:  # the database stops reading one row past the cap
        assert queries.count_generations(session, harbour, cap=2) == 3
