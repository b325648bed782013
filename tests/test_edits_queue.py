"""The edit toolbar's requests: checked before anything is written, each a new variation in the
same set that remembers where it came from; Remix goes to /videos/{id}/remix for API videos."""

import json

import pytest
from sqlalchemy import func, select

from core.errors import StudioError
from core.videos import edits
from core.videos import library as videos
from core.videos.jobs.runner import JobRunner
from core.videos.operations import Blend
from db.models import Variation
from tests.helpers.studio import create_api_generation, fast_runner, queue_offline


@pytest.fixture
def made(studio):
    generation_id = queue_offline(studio, n=2, size=(320, 180), seconds=2)
    JobRunner(studio).run_until_idle(timeout=120)
    return videos.generation(studio, generation_id)


def _variation_count(studio):
    with studio.db.session() as session:
        return session.scalar(select(func.count()).select_from(Variation))


@pytest.mark.parametrize(
    "call, words",
    [
        (lambda s, a, b: edits.queue_loop(s, a, 1.5, 0.5), "reversed"),
        (lambda s, a, b: edits.queue_loop(s, a, 1.0, 1.0), "empty"),
        (lambda s, a, b: edits.queue_loop(s, a, 0.0, 9.0), "outside the clip"),
        (lambda s, a, b: edits.queue_blend(s, a, 999_999), "no longer exists"),
        (lambda s, a, b: edits.queue_blend(s, a, b, "mix", weight=1.5), "weight"),
        (lambda s, a, b: edits.queue_blend(s, a, b, "custom", curve=[(0.0, 0.2)]), "two control points"),
        (lambda s, a, b: edits.queue_recut(s, a, []), "storyboard is empty"),
        (lambda s, a, b: edits.queue_recut(s, a, [(a, 1.0, 0.5)]), "reversed"),
        (lambda s, a, b: edits.queue_remix(s, a, "   "), "Describe the change"),
        (lambda s, a, b: edits.queue_loop(s, 999_999, 0.0, 1.0), "no longer exists"),
    ],
)
def test_bad_edit_requests_are_refused_and_nothing_is_saved(studio, made, call, words):
    before = _variation_count(studio)
    a, b = (v.id for v in made.variations)
    with pytest.raises(StudioError, match=words):
        call(studio, a, b)
    assert _variation_count(studio) == before


def test_an_edit_joins_the_same_set_and_records_its_parents_and_parameters(studio, made):
    a, b = (v.id for v in made.variations)
    new_id = edits.queue_blend(studio, a, b, "mix", weight=0.25)
    view = videos.generation(studio, made.id)
    assert [v.position for v in view.variations] == [0, 1, 2]
    found = edits.lineage(studio, new_id)
    assert found.operation == "blend" and isinstance(found.params, Blend) and found.params.weight == 0.25
    assert [p.variation_id for p in found.parents] == [a, b]
    assert [c.variation_id for c in edits.lineage(studio, a).children] == [new_id]
    assert [c.variation_id for c in edits.lineage(studio, b).children] == [new_id]


def test_recall_gives_back_the_prompt_parts_and_settings(studio, made):
    recalled = edits.recall(studio, made.variations[0].id)
    assert recalled["scene"] == "a lighthouse on a cliff at dusk"
    assert recalled["motion"] == "slow pan right" and recalled["seconds"] == 2


def test_remix_wording_follows_the_strength():
    assert edits.remix_prompt("A fox.", "make it snow", "Subtle").startswith("A fox.\nRemix: Keep the scene")
    assert edits.remix_prompt("A fox.", "make it snow", "Custom") == "make it snow"
    with pytest.raises(StudioError):
        edits.remix_prompt("A fox.", "make it snow", "Extreme")


def test_an_offline_remix_renders_again_from_the_changed_prompt(studio, made):
    new_id = edits.queue_remix(studio, made.variations[0].id, "make it snow", "Strong")
    JobRunner(studio).run_until_idle(timeout=120)
    view = videos.generation(studio, made.id)
    remix = next(v for v in view.variations if v.id == new_id)
    assert remix.status == "completed" and remix.parent_id == made.variations[0].id
    assert remix.video_sha256 not in {v.video_sha256 for v in made.variations}


def test_remix_of_an_api_video_calls_the_remix_endpoint_and_links_the_result(api_studio, videos_server):
    generation_id = create_api_generation(api_studio)
    fast_runner(api_studio).run_until_idle(timeout=60)
    source = videos.generation(api_studio, generation_id).variations[0]
    new_id = edits.queue_remix(api_studio, source.id, "turn day into night", "Mild")
    fast_runner(api_studio).run_until_idle(timeout=60)
    [remix_call] = videos_server.requests_for("remix")
    assert remix_call.path.endswith(f"/videos/{source.remote_id}/remix")
    assert "turn day into night" in json.loads(remix_call.body)["prompt"]
    remix = next(v for v in videos.generation(api_studio, generation_id).variations if v.id == new_id)
    assert remix.status == "completed" and remix.parent_id == source.id
    assert videos_server.videos[remix.remote_id].remixed_from_video_id == source.remote_id
    assert len(videos_server.create_forms) == 1  # the remix was not a fresh generation


def test_loop_blend_and_recut_run_as_jobs_and_leave_the_sources_untouched(studio, made):
    import hashlib

    import av

    a, b = made.variations
    source_hashes = {
        v.video_sha256: hashlib.sha256(videos.video_path(studio, v.video_sha256).read_bytes()).hexdigest()
        for v in (a, b)
    }
    queued = [
        edits.queue_loop(studio, a.id, 0.5, 1.5, "short", "crossfade"),
        edits.queue_blend(studio, a.id, b.id, "transition", at_s=1.0),
        edits.queue_blend(studio, a.id, b.id, "mix", weight=0.5),
        edits.queue_recut(studio, a.id, [(b.id, 1.0, 2.0), (a.id, 0.0, 1.0)]),
    ]
    JobRunner(studio).run_until_idle(timeout=180)
    view = videos.generation(studio, made.id)
    done = {v.id: v for v in view.variations}
    for new_id in queued:
        assert done[new_id].status == "completed", done[new_id].error
        with av.open(str(videos.video_path(studio, done[new_id].video_sha256))) as container:
            ctx = container.streams.video[0].codec_context
            assert (ctx.name, ctx.pix_fmt, ctx.width, ctx.height) == ("h264", "yuv420p", 320, 180)
    assert done[queued[3]].duration_s == pytest.approx(2.0, abs=0.1)
    for digest, sha in source_hashes.items():
        assert hashlib.sha256(videos.video_path(studio, digest).read_bytes()).hexdigest() == sha


def test_an_edit_whose_partner_vanished_before_it_ran_fails_clearly(studio, made):
    a, b = made.variations
    new_id = edits.queue_blend(studio, a.id, b.id, "mix")
    videos.video_path(studio, b.video_sha256).unlink()
    JobRunner(studio).run_until_idle(timeout=60)
    failed = next(v for v in videos.generation(studio, made.id).variations if v.id == new_id)
    assert failed.status == "failed" and "no longer exists" in failed.error


def test_each_edit_says_what_changed_and_a_recut_names_every_clip(studio, made):
    """Guards issue #8: recut lineage omitted appended clips; remix lineage omitted the change and strength."""
    a, b = (v.id for v in made.variations)
    other = queue_offline(studio, n=1, size=(320, 180), seconds=2)
    JobRunner(studio).run_until_idle(timeout=120)
    appended = videos.generation(studio, other).variations[0].id
    recut = edits.lineage(studio, edits.queue_recut(studio, a, [(a, 0.0, 1.0), (appended, 0.5, 1.5)]))
    assert [p.variation_id for p in recut.parents] == [a, appended]
    assert (
        recut.summary
        == f"recut of 2 segments: set #{made.id} variation 1 0.00–1.00 s, set #{other} variation 1 0.50–1.50 s"
    )
    remix = edits.lineage(studio, edits.queue_remix(studio, b, "make it snow", "Strong"))
    assert remix.summary == "remix (Strong): “make it snow”"
    assert remix.prompt.endswith("keeping only its core idea: make it snow")  # its own prompt, not the set's
    loop = edits.lineage(studio, edits.queue_loop(studio, a, 0.5, 1.5, "long", "pingpong"))
    assert loop.summary == "loop of 0.50–1.50 s, long length, pingpong seam" and loop.prompt is None
    blend = edits.lineage(studio, edits.queue_blend(studio, a, b, "transition", at_s=1.0))
    assert blend.summary == "blend (transition at 1.0 s)"
