"""Text a browser can send but UTF-8 cannot hold (a lone surrogate, from an emoji cut in half) or
PostgreSQL refuses (NUL) is cleaned where each service takes user text: never a UnicodeEncodeError,
and what is stored reads back with U+FFFD in its place. Guards issue #8 point 9."""

from __future__ import annotations

import pytest

from core.captions import service as captions
from core.text import REPLACEMENT, clean
from core.videos import create, edits, imports
from core.videos import library as videos
from core.videos.jobs.runner import JobRunner
from core.videos.operations import Remix
from core.videos.prompt import VideoPrompt
from tests.helpers.corpus import encode, photo
from tests.helpers.studio import queue_offline
from tests.helpers.video import make_mp4

pytestmark = pytest.mark.both_databases  # the studio's database: SQLite, then PostgreSQL

BROKEN = "half an emoji \ud83d and a NUL \x00 here"


def test_clean_replaces_lone_surrogates_and_drops_nul():
    assert clean(BROKEN) == f"half an emoji {REPLACEMENT} and a NUL  here"
    assert clean("a whole one 😀") == "a whole one 😀"


def test_a_prompt_preset_folder_and_remix_with_a_lone_surrogate_are_stored(studio):
    create.save_preset(studio, f"Neon {BROKEN}", f"magenta {BROKEN}")
    assert f"Neon half an emoji {REPLACEMENT} and a NUL  here" in create.user_presets(studio)
    generation_id = create.create_generation(
        studio, VideoPrompt(scene=BROKEN, visual="v", motion="m"), create.VideoSettings(aspect="1:1")
    )
    view = videos.generation(studio, generation_id)
    assert REPLACEMENT in view.prompt and "\x00" not in view.prompt
    videos.set_folder(studio, generation_id, BROKEN)
    assert videos.generation(studio, generation_id).folder == clean(BROKEN).strip()

    made = queue_offline(studio, n=1)
    JobRunner(studio).run_until_idle(timeout=120)
    remix = edits.queue_remix(studio, videos.generation(studio, made).variations[0].id, BROKEN)
    params = edits.lineage(studio, remix).params
    assert isinstance(params, Remix) and params.change == clean(BROKEN).strip()


def test_a_caption_run_and_a_caption_edit_with_a_lone_surrogate_are_stored(studio, offline_captioner):
    upload = captions.Upload(f"cat {BROKEN}.jpg", encode(photo("chelsea")))
    [outcome] = captions.caption_batch(studio, [upload], "alt_text", BROKEN, offline_captioner)
    assert outcome.ok and REPLACEMENT in outcome.name
    captions.edit_caption(studio, outcome.caption_id, f"A cat {BROKEN}")
    _, [row] = captions.history(studio, captions.CaptionFilter())
    assert row.text == clean(f"A cat {BROKEN}") and REPLACEMENT in row.image_name and REPLACEMENT in row.prompt


def test_an_import_named_with_a_lone_surrogate_is_stored(studio, tmp_path):
    generation_id = imports.import_video(studio, f"clip {BROKEN}.mp4", make_mp4(tmp_path / "a.mp4").read_bytes())
    assert REPLACEMENT in videos.generation(studio, generation_id).prompt
