"""Explore: the shipped examples are complete Create video forms, the filters find them, the
preview worker renders one to a playable file off the page's thread, and "Use this prompt" /
"Make it" / "From your library" do what the page promises."""

from __future__ import annotations

import time

from core.videos import create, edits, explore
from core.videos import library as videos
from core.videos.av.read import open_video, video_stream
from core.videos.plan import ASPECT_RATIOS
from core.videos.prompt import STYLE_PRESETS
from db import videos as queries
from tests.helpers.studio import digest_of, finished_set


def test_at_least_24_examples_ship_covering_every_built_in_preset_and_aspect():
    examples = explore.examples()
    assert len(examples) >= 24
    assert {e.preset for e in examples} == set(STYLE_PRESETS)
    assert {e.aspect for e in examples} == set(ASPECT_RATIOS)
    assert len({e.subject for e in examples}) >= 6
    assert len({e.id for e in examples}) == len(examples)


def test_every_example_composes_a_valid_prompt_with_scene_visual_and_motion(studio):
    for item in explore.examples():
        assert item.scene and item.visual and item.motion, item.id
        text = create.compose_prompt(studio, item.prompt, item.preset)
        assert text.startswith(f"Scene: {item.scene}") and "Motion:" in text
        create.plan(create.VideoSettings(aspect=item.aspect, seconds=item.seconds, preset=item.preset))


def test_filters_combine_and_search_needs_every_word():
    noir = explore.find_examples(preset="Film Noir")
    assert noir and all(e.preset == "Film Noir" for e in noir)
    square_food = explore.find_examples(aspect="1:1", subject="food")
    assert square_food and all(e.aspect == "1:1" and e.subject == "food" for e in square_food)
    assert [e.id for e in explore.find_examples(search="FOX snow")] == ["fox-snow"]
    assert explore.find_examples(search="fox balloon") == []
    assert len(explore.find_examples()) == len(explore.examples())


def test_a_preview_file_name_changes_when_the_example_changes(studio):
    item = explore.examples()[0]
    edited = explore.Example(**{**item.__dict__, "motion": "orbit"})
    assert explore.preview_files(studio, item).video != explore.preview_files(studio, edited).video


def test_the_worker_renders_a_playable_preview_in_the_background(studio):
    item = explore.find_examples(aspect="9:16")[0]
    worker = explore.PreviewWorker(studio).start()
    assert worker.status(item) == explore.PreviewStatus.PREPARING  # nothing made before it is asked
    worker.request([item])
    deadline = time.monotonic() + 60
    while worker.status(item) == explore.PreviewStatus.PREPARING and time.monotonic() < deadline:
        time.sleep(0.1)
    assert worker.status(item) == explore.PreviewStatus.READY
    files = explore.preview_files(studio, item)
    assert files.poster.is_file() and files.sprite.is_file()
    with open_video(files.video, files.video.name) as container:
        stream = video_stream(container, files.video.name)
        assert (stream.codec_context.name, stream.codec_context.width, stream.codec_context.height) == (
            "h264",
            *explore.PREVIEW_SIZES["9:16"],
        )
    assert [p.name for p in files.video.parent.iterdir() if ".part-" in p.name] == []  # no half-written file left


def test_use_this_prompt_makes_the_example_the_create_video_draft(studio):
    create.save_draft(studio, create.Draft(settings=create.VideoSettings(resolution="1080p", variations=2)))
    item = explore.find_examples(preset="Balloon World", aspect="9:16")[0]
    explore.use_example(studio, item)
    draft = create.load_draft(studio)
    assert draft is not None
    assert draft.parts == item.prompt and draft.prompt_text is None and draft.reference is None
    assert (draft.settings.preset, draft.settings.aspect, draft.settings.seconds) == (
        item.preset,
        item.aspect,
        item.seconds,
    )
    assert (draft.settings.resolution, draft.settings.variations) == ("1080p", 2)  # the user's own choices stay


def test_make_it_queues_one_video_of_the_example(studio):
    item = explore.find_examples(preset="Archival")[0]
    generation_id = explore.make_example(studio, item)
    view = videos.generation(studio, generation_id)
    assert view is not None and len(view.variations) == 1
    assert view.variations[0].status == "queued"
    assert (view.aspect_ratio, view.seconds, view.backend) == (item.aspect, item.seconds, "offline")
    assert view.prompt.startswith(f"Scene: {item.scene}")


def test_from_your_library_lists_favourites_and_the_most_remixed_sets_first(studio):
    once = finished_set(studio, "a quiet harbour", [digest_of("a")])
    twice = finished_set(studio, "a windy hill", [digest_of("b")])
    starred = finished_set(studio, "a red kite", [digest_of("c")])
    videos.set_favourite(studio, starred, True)
    for generation_id, count in ((once, 1), (twice, 2)):
        source = videos.generation(studio, generation_id)
        assert source is not None
        for n in range(count):
            edits.queue_remix(studio, source.variations[0].id, f"change {n}")
    row = explore.library_row(studio)
    assert [v.id for v in row.favourites] == [starred]
    assert [(v.id, count) for v, count in row.most_remixed] == [(twice, 2), (once, 1)]


def test_most_remixed_leaves_out_sets_without_remixes_and_honours_the_limit(studio):
    limit = 1
    plain = finished_set(studio, "a plain set", [digest_of("d")])
    with studio.db.session() as session:
        assert queries.most_remixed(session, limit) == []
    source = videos.generation(studio, plain)
    assert source is not None
    edits.queue_remix(studio, source.variations[0].id, "snow")
    with studio.db.session() as session:
        assert [(g.id, n) for g, n in queries.most_remixed(session, limit)] == [(plain, 1)]


def test_make_it_falls_back_to_a_usable_back_end_when_the_draft_names_one_no_longer_set_up(studio):
    create.save_draft(studio, create.Draft(settings=create.VideoSettings(backend="openai", model="sora-2")))
    view = videos.generation(studio, explore.make_example(studio, explore.examples()[0]))
    assert view is not None and (view.backend, view.model) == ("offline", "offline-animatic")


def test_a_half_written_preview_left_by_a_killed_process_is_removed_when_the_worker_starts(studio):
    folder = studio.home / explore.PREVIEW_FOLDER
    folder.mkdir(parents=True)
    (folder / "fox-snow-0123456789ab.part-1-2.mp4").write_bytes(b"half")
    explore.PreviewWorker(studio).start()
    assert list(folder.iterdir()) == []
