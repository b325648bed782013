"""The job runner with the offline renderer: rows first, then real MP4s moved into the store,
previews beside them, variations that differ, nothing left in the scratch folder."""

import json

import av
import pytest

from core.videos import library as videos
from core.videos.jobs.runner import JobRunner
from core.videos.prompt import VideoPrompt
from db import videos as queries
from tests.conftest import snapshot


def _queue(studio, n=2, size=(320, 180), seconds=2, parts=None):
    parts = parts or {
        "scene": "a lighthouse on a cliff at dusk",
        "visual": "golden light, teal sea",
        "motion": "slow pan right",
        "extra": "",
    }
    with studio.db.session() as session:
        g = queries.add_generation(
            session,
            variations=n,
            source="generate",
            backend="offline",
            model="offline-animatic",
            prompt=VideoPrompt(**parts).compose(),
            prompt_parts=json.dumps(parts),
            style_preset="None",
            aspect_ratio="16:9",
            resolution="180p",
            request_size=f"{size[0]}x{size[1]}",
            width=size[0],
            height=size[1],
            local_crop=False,
            seconds=seconds,
            estimated_cost_usd=0.0,
        )
        return g.id


def test_an_offline_generation_becomes_playable_videos_with_previews(studio):
    generation_id = _queue(studio)
    runner = JobRunner(studio, max_running=2)
    runner.run_until_idle(timeout=120)
    view = videos.generation(studio, generation_id)
    assert [v.status for v in view.variations] == ["completed", "completed"]
    digests = {v.video_sha256 for v in view.variations}
    assert len(digests) == 2  # the two variations are different videos
    for digest in digests:
        path = videos.video_path(studio, digest)
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            assert (stream.codec_context.name, stream.codec_context.pix_fmt) == ("h264", "yuv420p")
            assert (stream.codec_context.width, stream.codec_context.height) == (320, 180)
        assert videos.poster_url(studio, digest).startswith("data:image/jpeg;base64,")
        assert videos.sprite_url(studio, digest).startswith("data:image/jpeg;base64,")
    assert list(studio.media.scratch().iterdir()) == []


def test_at_most_max_running_variations_run_at_once(studio):
    _queue(studio, n=4)
    runner = JobRunner(studio, max_running=2)
    seen = []
    original = runner._render

    def spying(job, backend):
        with studio.db.session() as session:
            seen.append(queries.running_count(session))
        original(job, backend)

    runner._render = spying
    runner.run_until_idle(timeout=180)
    assert seen and max(seen) <= 2


def test_deleting_a_set_removes_its_files_after_the_rows(studio):
    generation_id = _queue(studio, n=1)
    JobRunner(studio).run_until_idle(timeout=120)
    assert snapshot(studio)[2]
    videos.delete_generation(studio, generation_id)
    assert videos.generation(studio, generation_id) is None
    assert [f for f in snapshot(studio)[2] if not f.startswith("tmp")] == []


def test_a_set_still_being_made_cannot_be_deleted(studio):
    generation_id = _queue(studio, n=1)
    with pytest.raises(Exception, match="still being made"):
        videos.delete_generation(studio, generation_id)
