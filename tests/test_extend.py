"""Extend: a longer variation in the same set, the source then what happens next. On the Videos API
it is one ``POST /videos/extensions`` of the source (by its id, or its file when the service never
had it); offline, a continuation rendered from the last frame and cut onto the clip. Lineage
records the source, the words and the seconds added."""

import pytest
from sqlalchemy import func, select

from core.errors import StudioError
from core.videos import create, edits
from core.videos import library as videos
from core.videos.jobs.runner import JobRunner
from core.videos.operations import Extend
from db.models import Variation
from tests.helpers.studio import create_api_generation, fast_runner, queue_offline
from tests.helpers.video import decode, mean_abs_diff


def _variation(studio, generation_id, variation_id):
    return next(v for v in videos.generation(studio, generation_id).variations if v.id == variation_id)


def _count(studio):
    with studio.db.session() as session:
        return session.scalar(select(func.count()).select_from(Variation))


@pytest.fixture
def api_made(api_studio, videos_server):
    videos_server.polls_to_complete = 2
    generation_id = create_api_generation(api_studio)
    fast_runner(api_studio).run_until_idle(timeout=60)
    return generation_id, videos.generation(api_studio, generation_id).variations[0]


def test_an_api_video_is_extended_by_id_with_the_words_and_the_seconds_added(api_studio, videos_server, api_made):
    generation_id, source = api_made
    new_id = edits.queue_extend(api_studio, source.id, "  the fox leaps   over a frozen stream ", 8)
    fast_runner(api_studio).run_until_idle(timeout=60)
    [form] = videos_server.extend_forms
    assert form.fields == {
        "prompt": "the fox leaps over a frozen stream",
        "seconds": "8",
        "video[id]": source.remote_id,
    }
    extended = _variation(api_studio, generation_id, new_id)
    assert extended.status == "completed", extended.error
    assert extended.duration_s == pytest.approx(12.0, abs=0.3)  # the source's 4 s and the 8 added
    assert videos_server.extended_from[extended.remote_id] == source.remote_id
    assert len(videos_server.create_forms) == 1  # an extension, not a fresh generation
    assert create.spend_so_far(api_studio) == pytest.approx((4 + 8) * 0.10)  # billed for the seconds added
    found = edits.lineage(api_studio, new_id)
    assert found.operation == "extend" and isinstance(found.params, Extend)
    assert [p.variation_id for p in found.parents] == [source.id]
    assert found.summary == "extended by 8 s: “the fox leaps over a frozen stream”"
    assert found.operation.label == "extended"


def test_a_video_the_service_never_had_is_uploaded_to_be_extended(api_studio, videos_server, api_made):
    generation_id, source = api_made
    with api_studio.db.session() as session:  # e.g. a loop made here, in a set the API made
        session.get(Variation, source.id).remote_id = None
    new_id = edits.queue_extend(api_studio, source.id, "the fox looks back", 4)
    fast_runner(api_studio).run_until_idle(timeout=60)
    [form] = videos_server.extend_forms
    assert "video[id]" not in form.fields and form.files["video"].content_type == "video/mp4"
    assert form.files["video"].data == videos.video_path(api_studio, source.video_sha256).read_bytes()
    assert _variation(api_studio, generation_id, new_id).status == "completed"


@pytest.mark.parametrize(
    "prompt, seconds, words", [("   ", 4, "what happens next"), ("the fox runs", 5, "extends by 4, 8, 12, 16, 20")]
)
def test_bad_api_extensions_are_refused_before_anything_is_saved(api_studio, api_made, prompt, seconds, words):
    _, source = api_made
    before = _count(api_studio)
    with pytest.raises(StudioError, match=words):
        edits.queue_extend(api_studio, source.id, prompt, seconds)
    assert _count(api_studio) == before


def test_an_offline_clip_is_continued_from_its_last_frame_and_cut_onto_it(studio):
    generation_id = queue_offline(studio, n=1, size=(160, 90), seconds=2)
    JobRunner(studio).run_until_idle(timeout=120)
    source = videos.generation(studio, generation_id).variations[0]
    new_id = edits.queue_extend(studio, source.id, "the lamp flares and a storm rolls in, slow dolly in", 2)
    JobRunner(studio).run_until_idle(timeout=120)
    extended = _variation(studio, generation_id, new_id)
    assert extended.status == "completed", extended.error
    assert extended.duration_s == pytest.approx(4.0, abs=0.1)
    before = decode(videos.video_path(studio, source.video_sha256)).frames
    after = decode(videos.video_path(studio, extended.video_sha256))
    assert (after.codec, after.pix_fmt, after.width, after.height) == ("h264", "yuv420p", 160, 90)
    assert len(after.frames) == 2 * len(before)
    assert max(mean_abs_diff(a, b) for a, b in zip(before, after.frames)) < 4  # the source, as it was
    assert mean_abs_diff(after.frames[len(before)], before[-1]) < 6  # the continuation starts on its last frame
    found = edits.lineage(studio, new_id)
    assert [p.variation_id for p in found.parents] == [source.id] and found.summary.startswith("extended by 2 s")
