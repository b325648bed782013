"""Who made it: every caption, set and variation records the signed-in person it is given (an edit
records who asked for it, not who made its set), nobody without sign-in; the Library and History
filter by person; the CSVs and the ZIP sidecars say who made each row."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest

from core import access, people
from core.captions import service as captions
from core.captions.compare import compare_providers
from core.captions.export import export_captions_zip
from core.captions.providers.base import CaptionResult
from core.videos import bulk, create, edits, explore, image_sets, imports, storyboard
from core.videos import library as videos
from core.videos.export import export_sets_zip
from core.videos.kinds import MediaKind
from db.models import Caption, Generation, Variation
from tests.helpers.corpus import encode, photo
from tests.helpers.studio import PARTS, add_generation_row
from tests.helpers.video import make_mp4

pytestmark = pytest.mark.both_databases  # the studio's database: SQLite, then PostgreSQL

ADA, GRACE = "ada@example.com", "grace@example.com"


class Captioner:
    """A caption provider that always answers (no service, no model)."""

    label, model, max_long_side, follows_instructions = "A test captioner", "m", 1120, True

    def __init__(self, key: str = "offline") -> None:
        self.key = key

    def caption(self, request):
        return CaptionResult(text="A tabby cat on a rug.", model="m")

    def rewrite(self, instruction):
        return instruction


def upload(name: str = "cat.jpg", colour: float = 1.0) -> captions.Upload:
    image = photo().point(lambda v: int(v * colour))  # another colour: other bytes, another image
    return captions.Upload(name, encode(image))


def caption_row(studio, caption_id: int) -> Caption:
    with studio.db.session() as session:
        found = session.get(Caption, caption_id)
        session.expunge(found)
        return found


def made_by_of_set(studio, generation_id: int) -> tuple[str | None, list[str | None]]:
    """(the set's maker, each variation's) as stored."""
    with studio.db.session() as session:
        generation = session.get(Generation, generation_id)
        return generation.made_by, [v.made_by for v in generation.variations]


def finished_set(studio, made_by: str | None = None, prompt: str = "A red fox trots through fresh snow") -> int:
    """A set whose one variation is finished (as far as an edit request checks), made by ``made_by``."""
    generation_id = add_generation_row(studio, prompt).id
    with studio.db.session() as session:
        generation = session.get(Generation, generation_id)
        generation.made_by = made_by
        variation = generation.variations[0]
        variation.status, variation.video_sha256, variation.duration_s = "completed", f"{generation_id:064x}", 2.0
        variation.made_by = made_by
    return generation_id


def test_a_person_is_their_email_else_their_name_else_their_subject_and_nobody_when_signed_out():
    signed_in = {"is_logged_in": True, "email": ADA, "name": "Ada Lovelace", "sub": "ada"}
    assert access.person(signed_in) == ADA
    assert access.person({**signed_in, "email": "  "}) == "Ada Lovelace"
    assert access.person({"is_logged_in": True, "sub": "ada"}) == "ada"
    assert access.person({"is_logged_in": False, "email": ADA}) is None
    assert access.person({}) is None and access.person(None) is None
    assert len(access.person({"is_logged_in": True, "email": "x" * 500}) or "") == 200  # fits the column


def test_captions_record_the_person_given_and_nobody_without_sign_in(studio):
    mine = captions.caption_image(studio, upload(), "alt_text", "", Captioner(), made_by=ADA)
    nobody = captions.caption_image(studio, upload("dog.jpg", 0.5), "alt_text", "", Captioner())
    again = captions.regenerate(studio, nobody.caption_id, Captioner(), made_by=GRACE)
    [(_, batch)], _count = captions.caption_new(
        studio, [upload("rug.jpg", 0.7)], "alt_text", "", Captioner(), {}, made_by=GRACE
    )
    [compared] = compare_providers(
        studio, [upload("mat.jpg", 0.8)], "alt_text", "", [Captioner(), Captioner("openai-compat")], made_by=ADA
    )
    assert caption_row(studio, mine.caption_id).made_by == ADA
    assert caption_row(studio, nobody.caption_id).made_by is None
    assert caption_row(studio, again.caption_id).made_by == GRACE
    assert caption_row(studio, batch.caption_id).made_by == GRACE
    assert [caption_row(studio, o.caption_id).made_by for o in compared.outcomes] == [ADA, ADA]
    _total, rows = captions.history(studio, captions.CaptionFilter(), limit=10)
    assert {r.caption_id: r.made_by for r in rows}[mine.caption_id] == ADA


def test_video_sets_image_sets_storyboards_and_explore_record_their_maker_on_every_variation(studio):
    video = create.create_generation(studio, PARTS, create.VideoSettings(variations=2), made_by=ADA)
    plain = create.create_generation(studio, PARTS, create.VideoSettings())
    still_settings = create.VideoSettings(aspect="1:1", variations=2, kind=MediaKind.IMAGE)
    stills = image_sets.create_image_set(studio, PARTS, still_settings, made_by=GRACE)
    draft = storyboard.blank(studio)
    draft = storyboard.StoryboardDraft(storyboard.edit_card(draft.board, 0, prompt="a fox in snow"), draft.settings)
    board_set, _variation = storyboard.generate(studio, draft, made_by=ADA)
    example = explore.make_example(studio, explore.examples()[0], made_by=GRACE)
    assert made_by_of_set(studio, video) == (ADA, [ADA, ADA])
    assert made_by_of_set(studio, plain) == (None, [None])
    assert made_by_of_set(studio, stills) == (GRACE, [GRACE, GRACE])
    assert made_by_of_set(studio, board_set) == (ADA, [ADA])
    assert made_by_of_set(studio, example) == (GRACE, [GRACE])
    assert videos.generation(studio, video).made_by == ADA


def test_an_edit_records_who_asked_for_it_not_who_made_the_set(studio):
    source_set = finished_set(studio, made_by=ADA)
    source = videos.generation(studio, source_set).variations[0].id
    loop = edits.queue_loop(studio, source, 0.5, 1.5, made_by=GRACE)
    remix = edits.queue_remix(studio, source, "make it snow", made_by=GRACE)
    extend = edits.queue_extend(studio, source, "the fox runs on", 2, made_by=GRACE)
    recut = edits.queue_recut(studio, source, [(source, 0.0, 1.0)], made_by=GRACE)
    unsigned = edits.queue_loop(studio, source, 0.5, 1.5)
    with studio.db.session() as session:
        assert {i: session.get(Variation, i).made_by for i in (loop, remix, extend, recut, unsigned)} == {
            loop: GRACE,
            remix: GRACE,
            extend: GRACE,
            recut: GRACE,
            unsigned: None,
        }
    view = videos.generation(studio, source_set)
    assert [v.made_by for v in view.variations] == [ADA, GRACE, GRACE, GRACE, GRACE, None]
    assert view.made_by == ADA  # the set stays its maker's


def test_an_import_records_who_imported_it(studio, tmp_path):
    clip = make_mp4(tmp_path / "clip.mp4", seconds=1).read_bytes()
    mine = imports.import_video(studio, "clip.mp4", clip, made_by=ADA)
    other = make_mp4(tmp_path / "other.mp4", width=320, height=180, seconds=1).read_bytes()
    nobody = imports.import_video(studio, "other.mp4", other)
    assert made_by_of_set(studio, mine) == (ADA, [ADA])
    assert made_by_of_set(studio, nobody) == (None, [None])


def test_the_library_and_history_filter_by_person_and_list_only_the_people_recorded(studio):
    assert people.set_makers(studio) == [] and people.caption_makers(studio) == []  # nobody signed in: no filter shown
    ada_set, grace_set, nobody_set = finished_set(studio, ADA), finished_set(studio, GRACE), finished_set(studio)
    ada_caption = captions.caption_image(studio, upload(), "alt_text", "", Captioner(), made_by=ADA)
    captions.caption_image(studio, upload("dog.jpg", 0.5), "alt_text", "", Captioner())
    assert people.set_makers(studio) == [ADA, GRACE]
    assert people.caption_makers(studio) == [ADA]

    def sets(*who):
        return sorted(v.id for v in videos.library(studio, videos.GenerationFilter(made_by=who), limit=50)[1])

    assert sets(GRACE) == [grace_set]
    assert sets(ADA, GRACE) == [ada_set, grace_set]
    assert sets() == [ada_set, grace_set, nobody_set]
    assert bulk.matching_ids(studio, videos.GenerationFilter(made_by=(ADA,))) == [ada_set]
    total, rows = captions.history(studio, captions.CaptionFilter(made_by=(ADA,)))
    assert total == 1 and [r.caption_id for r in rows] == [ada_caption.caption_id]
    assert captions.matching_caption_ids(studio, captions.CaptionFilter(made_by=(GRACE,))) == []
    with studio.db.session() as session:  # a set in the Trash no longer lists its maker
        session.get(Generation, grace_set).deleted_at = session.get(Generation, grace_set).created_at
    assert people.set_makers(studio) == [ADA]


def read_csv(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def test_the_csvs_carry_who_made_each_row_and_a_formula_stays_text(studio):
    finished_set(studio, ADA, prompt="a fox")
    finished_set(studio, prompt="a boat")
    captions.caption_image(studio, upload(), "alt_text", "", Captioner(), made_by="=cmd|' /C calc'!A0")
    captions.caption_image(studio, upload("dog.jpg", 0.5), "alt_text", "", Captioner())
    sets = read_csv(videos.export_generations_csv(studio, videos.GenerationFilter()))
    assert list(sets[0])[-1] == "made_by"
    assert {row["prompt"]: row["made_by"] for row in sets} == {"a fox": ADA, "a boat": ""}
    rows = read_csv(captions.export_captions_csv(studio, captions.CaptionFilter()))
    assert list(rows[0])[-1] == "made_by"  # the last column: older readers' columns keep their places
    assert sorted(row["made_by"] for row in rows) == ["", "'=cmd|' /C calc'!A0"]


def test_the_zip_sidecars_say_who_made_each_file_only_when_someone_did(studio, tmp_path):
    signed = captions.caption_image(studio, upload(), "alt_text", "", Captioner(), made_by=ADA)
    unsigned = captions.caption_image(studio, upload("dog.jpg", 0.5), "alt_text", "", Captioner())
    target = tmp_path / "captions.zip"
    with open(target, "wb") as out:
        export_captions_zip(studio, [signed.caption_id, unsigned.caption_id], out)
    with zipfile.ZipFile(target) as archive:
        records = [json.loads(line) for line in archive.read("metadata.jsonl").decode().splitlines()]
    assert {r["caption_id"]: r.get("made_by") for r in records} == {signed.caption_id: ADA, unsigned.caption_id: None}
    assert "made_by" not in next(r for r in records if r["caption_id"] == unsigned.caption_id)

    clip = make_mp4(tmp_path / "clip.mp4", seconds=1).read_bytes()
    imported = imports.import_video(studio, "clip.mp4", clip, made_by=GRACE)
    target = tmp_path / "sets.zip"
    with open(target, "wb") as out:
        export_sets_zip(studio, [imported], out)
    with zipfile.ZipFile(target) as archive:
        [sidecar] = [n for n in archive.namelist() if n.endswith(".json")]
        assert json.loads(archive.read(sidecar))["made_by"] == GRACE
        assert "made_by" in archive.read("metadata.csv").decode("utf-8-sig").splitlines()[0]
