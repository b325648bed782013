"""The job runner with the offline renderer: rows first, then real MP4s moved into the store,
previews beside them, variations that differ, nothing left in the scratch folder."""

import av
import pytest

from core.videos import library as videos
from core.videos.jobs import local
from core.videos.jobs.runner import STEPS, JobRunner
from core.videos.operations import Step
from db import videos as queries
from tests.helpers.studio import queue_offline, snapshot

pytestmark = pytest.mark.both_databases  # the studio's database: SQLite, then PostgreSQL


def test_an_offline_generation_becomes_playable_videos_with_previews(studio):
    generation_id = queue_offline(studio)
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
        assert videos.poster_path(studio, digest).read_bytes()[:3] == b"\xff\xd8\xff"  # a JPEG
        assert videos.sprite_path(studio, digest).read_bytes()[:3] == b"\xff\xd8\xff"
    assert list(studio.media.scratch().iterdir()) == []


def test_at_most_max_running_variations_run_at_once(studio, monkeypatch):
    queue_offline(studio, n=4)
    runner = JobRunner(studio, max_running=2)
    seen = []

    def spying(runner, job):
        with studio.db.session() as session:
            seen.append(queries.running_count(session))
        local.render(runner, job)

    monkeypatch.setitem(STEPS, Step.RENDER, spying)
    runner.run_until_idle(timeout=180)
    assert seen and max(seen) <= 2


def test_deleting_a_set_removes_its_files_after_the_rows(studio):
    generation_id = queue_offline(studio, n=1)
    JobRunner(studio).run_until_idle(timeout=120)
    assert snapshot(studio)[2]
    videos.delete_generation(studio, generation_id)
    assert videos.generation(studio, generation_id) is None
    assert [f for f in snapshot(studio)[2] if not f.startswith("tmp")] == []


def test_a_set_still_being_made_cannot_be_deleted(studio):
    generation_id = queue_offline(studio, n=1)
    with pytest.raises(Exception, match="still being made"):
        videos.delete_generation(studio, generation_id)


def test_a_users_own_preset_makes_videos_with_its_words(studio):
    """Guards issue #8: a custom preset made every variation fail with KeyError: 'Neon noir'."""
    from core.videos import create
    from core.videos.prompt import VideoPrompt

    create.save_preset(studio, "Neon noir", "neon magenta and cyan light, rain-soaked streets")
    generation_id = create.create_generation(
        studio,
        VideoPrompt(scene="A street at night", visual="wet asphalt", motion="slow push in"),
        create.VideoSettings(aspect="1:1", preset="Neon noir"),
    )
    JobRunner(studio).run_until_idle(timeout=180)
    view = videos.generation(studio, generation_id)
    assert [(v.status, v.error) for v in view.variations] == [("completed", None)]
    assert view.style_preset == "Neon noir" and view.prompt.endswith(
        "Style: neon magenta and cyan light, rain-soaked streets"
    )


def test_retry_queues_a_failed_set_again_and_it_is_made(studio):
    """Issue #8: a failed set had no Retry."""
    from core.errors import StudioError
    from tests.helpers.library import RefusingBackend

    generation_id = queue_offline(studio, n=1)
    JobRunner(studio, backend_for=lambda key: RefusingBackend()).run_until_idle(timeout=60)
    assert [v.status for v in videos.generation(studio, generation_id).variations] == ["failed"]
    assert videos.retry_failed(studio, generation_id) == 1
    JobRunner(studio).run_until_idle(timeout=120)
    [variation] = videos.generation(studio, generation_id).variations
    assert (variation.status, variation.error, variation.video_sha256 is not None) == ("completed", None, True)
    with pytest.raises(StudioError, match="nothing to retry"):
        videos.retry_failed(studio, generation_id)
