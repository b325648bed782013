"""The Trash: deleting moves a caption, a set or one variation aside with its files, restore brings
it back whole, and the purge (Empty trash, or 30 days at start-up) removes rows and the files no
other row uses — in an order that a crash at any point cannot turn into an orphan file or a row
pointing at a missing file."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from datetime import timedelta

import pytest
from sqlalchemy import update

from core import trash
from core.captions import service as captions
from core.errors import StudioError
from core.videos import library as videos
from db import videos as video_queries
from db.media import ORIGINALS, POSTERS, VIDEO_FILES
from db.models import Caption, Generation, utcnow
from tests.helpers.studio import add_generation_row, assert_rows_and_files_agree
from tests.helpers.studio import digest_of as _digest
from tests.helpers.studio import finished_set as _finished_set
from tests.helpers.studio import stored_caption as _caption
from tests.helpers.studio import stored_files as _files

pytestmark = pytest.mark.both_databases  # the studio's database: SQLite, then PostgreSQL


def _library_ids(studio, **filters):
    return sorted(v.id for v in videos.library(studio, videos.GenerationFilter(**filters), limit=100)[1])


def _caption_ids(studio, **filters):
    return sorted(r.caption_id for r in captions.history(studio, captions.CaptionFilter(**filters), limit=100)[1])


def test_a_trashed_set_leaves_the_library_and_comes_back_with_its_files(studio):
    kept = _finished_set(studio, "A lighthouse at dusk", [_digest("a")])
    gone = _finished_set(studio, "A red fox in snow", [_digest("b"), _digest("c")])
    before = _files(studio)
    item = trash.trash_set(studio, gone)
    assert _library_ids(studio) == [kept]
    assert _library_ids(studio, search="fox") == []
    assert videos.generation(studio, gone) is None
    assert [(i.kind, i.id) for i in trash.trash_items(studio)] == [("set", gone)]
    assert _files(studio) == before  # a trashed set keeps its files: it can come back
    trash.restore(studio, item)
    assert _library_ids(studio) == [kept, gone]
    assert [v.video_sha256 for v in videos.generation(studio, gone).variations] == [_digest("b"), _digest("c")]
    assert trash.trash_items(studio) == []
    assert_rows_and_files_agree(studio)


def test_one_variation_goes_to_the_trash_without_its_set(studio):
    made = _finished_set(studio, "Waves on rocks", [_digest("a"), _digest("b"), _digest("c")])
    middle = videos.generation(studio, made).variations[1].id
    item = trash.trash_variation(studio, middle)
    assert [v.video_sha256 for v in videos.generation(studio, made).variations] == [_digest("a"), _digest("c")]
    assert _library_ids(studio) == [made]
    with studio.db.session() as session:
        picked = {row[0] for row in video_queries.completed_variations(session)}
    assert middle not in picked and len(picked) == 2  # the pickers of Remix and Blend skip it too
    assert [(i.kind, i.id) for i in trash.trash_items(studio)] == [("variation", middle)]
    trash.restore(studio, item)
    assert len(videos.generation(studio, made).variations) == 3


def test_trashing_the_last_variation_trashes_the_set_and_undo_brings_both_back(studio):
    made = _finished_set(studio, "A kite over dunes", [_digest("a")])
    only = videos.generation(studio, made).variations[0].id
    item = trash.trash_variation(studio, only)
    assert _library_ids(studio) == [] and videos.generation(studio, made) is None
    trash.restore(studio, item)
    assert _library_ids(studio) == [made] and len(videos.generation(studio, made).variations) == 1


def test_a_set_still_being_made_cannot_go_to_the_trash(studio):
    queued = add_generation_row(studio, "Still rendering").id
    with pytest.raises(StudioError, match="still being made"):
        trash.trash_set(studio, queued)
    assert _library_ids(studio) == [queued]


def test_trashed_captions_vanish_from_history_search_facets_and_export(studio):
    cat = _caption(studio, "A ginger cat asleep", _digest("1"))
    dog = _caption(studio, "A dog on a beach", _digest("2"), name="dog.jpg")
    with studio.db.session() as session:
        session.execute(update(Caption).where(Caption.id == dog).values(provider="watsonx", style="social"))
    item = trash.trash_caption(studio, dog)
    assert _caption_ids(studio) == [cat]
    assert _caption_ids(studio, search="beach") == []
    assert captions.facets(studio) == (["offline"], ["alt_text"])
    exported = captions.export_captions_csv(studio, captions.CaptionFilter()).decode()
    assert "ginger" in exported and "beach" not in exported
    trash.restore(studio, item)
    assert _caption_ids(studio, search="beach") == [dog]
    assert "beach" in captions.export_captions_csv(studio, captions.CaptionFilter()).decode()


def test_trashed_sets_leave_the_generations_export_and_folders(studio):
    made = _finished_set(studio, "Neon city", [_digest("a")])
    videos.set_folder(studio, made, "City")
    trash.trash_set(studio, made)
    assert videos.generation_rows(studio, videos.GenerationFilter()) == []
    assert videos.folders(studio) == []


def test_empty_trash_removes_rows_and_files_but_keeps_a_file_another_row_uses(studio):
    shared, own = _digest("a"), _digest("b")
    kept = _finished_set(studio, "Kept set", [shared])
    gone = _finished_set(studio, "Gone set", [shared, own])
    kept_caption = _caption(studio, "kept caption", _digest("1"))
    gone_caption = _caption(studio, "same image, gone caption", _digest("1"))
    lonely_caption = _caption(studio, "lonely caption", _digest("2"), name="lonely.jpg")
    trash.trash_set(studio, gone)
    trash.trash_caption(studio, gone_caption)
    trash.trash_caption(studio, lonely_caption)
    assert trash.empty_trash(studio) == 3
    assert trash.trash_items(studio) == []
    media = studio.media
    assert media.path_for(shared, POSTERS, ".jpg").exists()  # the kept set still shows it
    assert not any(media.path_for(own, kind, ext).exists() for kind, ext in VIDEO_FILES)
    assert media.path_for(_digest("1"), ORIGINALS, ".jpg").exists()  # the kept caption's image
    assert not media.path_for(_digest("2"), ORIGINALS, ".jpg").exists()
    assert _library_ids(studio) == [kept] and _caption_ids(studio) == [kept_caption]
    with studio.db.session() as session:
        assert session.get(Generation, gone) is None
    assert_rows_and_files_agree(studio)


def test_purge_expired_takes_only_what_has_been_in_the_trash_thirty_days(studio):
    old = _finished_set(studio, "Old", [_digest("a")])
    recent = _finished_set(studio, "Recent", [_digest("b")])
    old_caption = _caption(studio, "old caption", _digest("1"))
    for generation_id in (old, recent):
        trash.trash_set(studio, generation_id)
    trash.trash_caption(studio, old_caption)
    with studio.db.session() as session:
        month_ago = utcnow() - timedelta(days=31)
        session.execute(update(Generation).where(Generation.id == old).values(deleted_at=month_ago))
        session.execute(update(Caption).where(Caption.id == old_caption).values(deleted_at=month_ago))
    assert trash.purge_expired(studio) == 2
    assert [(i.kind, i.id) for i in trash.trash_items(studio)] == [("set", recent)]
    assert not studio.media.video_path(_digest("a")).exists() and studio.media.video_path(_digest("b")).exists()
    assert_rows_and_files_agree(studio)


CRASHING_PURGE = textwrap.dedent(
    """
    import os, sys
    from core.config import Settings
    from core.studio import open_studio
    from core import trash

    environ = {"MEDIA_STUDIO_HOME": sys.argv[1], "DATABASE_URL": sys.argv[3]}
    studio = open_studio(Settings.load(environ=environ, secrets={}))

    def crash(step):
        if step == sys.argv[2]:
            os._exit(9)

    trash.empty_trash(studio, on_step=crash)
    """
)


@pytest.mark.parametrize(
    ("crash_at", "purged"), [(trash.STAGED, False), (trash.COMMITTED, True)], ids=["before-commit", "after-commit"]
)
def test_a_purge_killed_at_any_step_leaves_no_orphan_file_and_no_missing_file(studio, crash_at, purged):
    shared = _digest("a")
    kept = _finished_set(studio, "Kept", [shared])
    gone = _finished_set(studio, "Gone", [shared, _digest("b")])
    gone_caption = _caption(studio, "gone caption", _digest("1"))
    trash.trash_set(studio, gone)
    trash.trash_caption(studio, gone_caption)
    studio.db.dispose()

    died = subprocess.run(
        [sys.executable, "-c", CRASHING_PURGE, str(studio.home), crash_at, studio.settings.get("DATABASE_URL")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert died.returncode == 9, died.stderr
    assert studio.media.staged(), "the crash came after the files were staged"

    assert trash.recover_interrupted_purge(studio) > 0  # what start-up runs
    assert studio.media.staged() == []
    assert_rows_and_files_agree(studio)
    assert _library_ids(studio) == [kept]
    left = {(i.kind, i.id) for i in trash.trash_items(studio)}
    assert left == (set() if purged else {("set", gone), ("caption", gone_caption)})
    if not purged:  # the interrupted purge is simply done again, whole
        assert trash.empty_trash(studio) == 2
        assert_rows_and_files_agree(studio)
    assert studio.media.path_for(shared, POSTERS, ".jpg").exists()
