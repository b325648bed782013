"""Selections in My Videos and History: tags (many per set; a filter; found by search), select all
that match, bulk favourite / folder / tags / Trash with Undo, and ZIP downloads of what is chosen."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from core import trash
from core.captions import service as captions
from core.errors import StudioError
from core.videos import bulk
from core.videos import library as videos
from core.videos.export import export_sets_zip
from tests.helpers.studio import add_generation_row, digest_of, finished_set, stored_caption

pytestmark = pytest.mark.both_databases  # the studio's database: SQLite, then PostgreSQL


def _ids(studio, **filters):
    return [v.id for v in videos.library(studio, videos.GenerationFilter(**filters), limit=100)[1]]


@pytest.fixture
def library(studio):
    """Six finished sets, newest last: (studio, [ids oldest first])."""
    prompts = [
        "A red fox in snow",
        "Waves on rocks",
        "Neon city at night",
        "A kite over dunes",
        "Rain on glass",
        "Fox cubs",
    ]
    return studio, [finished_set(studio, p, [digest_of(str(i))]) for i, p in enumerate(prompts)]


def test_tags_are_parsed_once_each_trimmed_and_lower_case():
    assert bulk.parse_tags(" Beach, golden  hour #Sunset,beach ,, ") == ["beach", "golden hour", "sunset"]
    with pytest.raises(StudioError, match="at most 50"):
        bulk.parse_tags("x" * 51)


def test_tags_filter_the_library_and_search_finds_them(library):
    studio, ids = library
    fox, waves, neon, *_ = ids
    tags, tagged = bulk.add_tags(studio, [fox, neon], "Client A, night")
    assert (tags, tagged) == (["client a", "night"], 2)
    bulk.add_tags(studio, [fox], "night")  # again: kept once
    assert bulk.tags(studio) == [("client a", 2), ("night", 2)]
    assert sorted(_ids(studio, tag="night")) == sorted([fox, neon])
    assert _ids(studio, search="client") == [neon, fox]  # no prompt says "client": the tag matched
    assert _ids(studio, search="waves") == [waves]  # the prompt still matches as before
    assert videos.generation(studio, fox).tags == ("client a", "night")
    assert bulk.remove_tag(studio, [fox], "night") == 1
    assert _ids(studio, tag="night") == [neon]


def test_select_all_that_match_reaches_past_the_page_and_bulk_actions_change_only_the_chosen(library):
    studio, ids = library
    foxes = bulk.matching_ids(studio, videos.GenerationFilter(search="fox"))
    assert foxes == [ids[5], ids[0]]  # every page, newest first
    assert len(bulk.matching_ids(studio, videos.GenerationFilter())) == 6
    assert bulk.favourite_many(studio, foxes, True) == 2
    assert sorted(_ids(studio, favourites_only=True)) == sorted(foxes)
    assert bulk.move_many_to_folder(studio, foxes, "  Wildlife ") == 2
    assert sorted(_ids(studio, folder="Wildlife")) == sorted(foxes)
    with pytest.raises(StudioError, match="at most 100"):
        bulk.move_many_to_folder(studio, foxes, "x" * 101)
    assert videos.folders(studio) == ["Wildlife"]


def test_bulk_trash_of_five_then_undo_restores_all_five_with_their_files(library):
    studio, ids = library
    files = sorted(p for p in studio.media.files())
    moved, busy = trash.trash_sets(studio, ids[:5])
    assert (len(moved), busy) == (5, 0)
    assert _ids(studio) == [ids[5]]
    assert bulk.still_there(studio, ids) == [ids[5]]
    assert trash.restore_all(studio, moved) == 5
    assert sorted(_ids(studio)) == sorted(ids)
    assert sorted(p for p in studio.media.files()) == files


def test_bulk_trash_leaves_a_set_still_being_made(library):
    studio, ids = library
    making = add_generation_row(studio, "Still rendering").id  # queued: the job runner may take it
    moved, busy = trash.trash_sets(studio, [ids[0], making])
    assert [m.id for m in moved] == [ids[0]] and busy == 1
    assert making in _ids(studio)


def test_a_zip_of_chosen_sets_holds_their_videos_with_sidecars_and_a_metadata_line_each(library):
    studio, ids = library
    bulk.add_tags(studio, [ids[0]], "fox")
    buffer = io.BytesIO()
    assert export_sets_zip(studio, [ids[0], ids[2]], buffer) == 2
    fox = f"set-{ids[0]:05d}-v1-A-red-fox-in-snow"
    neon = f"set-{ids[2]:05d}-v1-Neon-city-at-night"
    with zipfile.ZipFile(buffer) as archive:
        assert sorted(archive.namelist()) == sorted(
            [f"{stem}{ext}" for stem in (fox, neon) for ext in (".mp4", ".txt", ".json")]
            + ["metadata.jsonl", "metadata.csv"]
        )
        assert archive.read(f"{fox}.mp4") == studio.media.video_path(digest_of("0")).read_bytes()
        assert archive.read(f"{fox}.txt").decode() == "A red fox in snow\n"
        sidecar = json.loads(archive.read(f"{fox}.json"))
        lines = [json.loads(line) for line in archive.read("metadata.jsonl").decode().splitlines()]
    by_name = {line["file_name"]: line for line in lines}
    assert by_name[f"{fox}.mp4"]["prompt"] == "A red fox in snow" and by_name[f"{fox}.mp4"]["tags"] == ["fox"]
    assert sidecar == by_name[f"{fox}.mp4"]
    assert (sidecar["set"], sidecar["variation"], sidecar["operation"]) == (ids[0], 1, "generated")


def test_a_zip_of_chosen_captions_holds_each_image_once_with_its_caption_beside_it(studio):
    cat = stored_caption(studio, "A ginger cat asleep", digest_of("1"), name="pet.jpg")
    dog = stored_caption(studio, "A dog on a beach", digest_of("2"), name="pet.jpg")  # same name, other image
    stored_caption(studio, "Not chosen", digest_of("3"), name="other.jpg")
    assert captions.matching_caption_ids(studio, captions.CaptionFilter(search="dog")) == [dog]
    buffer = io.BytesIO()
    assert captions.export_captions_zip(studio, [cat, dog], buffer) == 2
    with zipfile.ZipFile(buffer) as archive:
        assert sorted(archive.namelist()) == [
            "metadata.csv",
            "metadata.jsonl",
            "pet-2.jpg",
            "pet-2.json",
            "pet-2.txt",
            "pet.jpg",
            "pet.json",
            "pet.txt",
        ]
        assert archive.read("pet.txt").decode() == "A ginger cat asleep\n"
        assert archive.read("pet-2.txt").decode() == "A dog on a beach\n"
        assert archive.read("pet.jpg") == b"original " + digest_of("1").encode()
        lines = [json.loads(line) for line in archive.read("metadata.jsonl").decode().splitlines()]
    assert [(line["file_name"], line["text"], line["style"]) for line in lines] == [
        ("pet.jpg", "A ginger cat asleep", "Alt text"),
        ("pet-2.jpg", "A dog on a beach", "Alt text"),
    ]


def test_bulk_trash_of_captions_and_undo(studio):
    ids = [stored_caption(studio, f"Caption {i}", digest_of(str(i))) for i in range(3)]
    moved = trash.trash_captions(studio, ids[:2])
    assert [m.id for m in moved] == ids[:2]
    assert captions.matching_caption_ids(studio, captions.CaptionFilter()) == [ids[2]]
    assert trash.restore_all(studio, moved) == 2
    assert sorted(captions.matching_caption_ids(studio, captions.CaptionFilter())) == ids


def test_compare_from_a_selection_plays_each_sets_cover_and_a_kept_cover_wins(studio):
    one = finished_set(studio, "Two takes of a lighthouse", [digest_of("a"), digest_of("b")])
    other = finished_set(studio, "A kite", [digest_of("c")])
    first, second = (v.id for v in videos.generation(studio, one).variations)
    kite = videos.generation(studio, other).variations[0].id
    assert bulk.covers(studio, [other, one]) == [kite, first]  # in the order chosen; the first ready by default
    videos.set_cover(studio, one, second)
    assert bulk.covers(studio, [one, other]) == [second, kite]
