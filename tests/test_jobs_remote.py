"""Generations through the OpenAI Videos API (the real SDK against a fake /v1/videos) driven by
the job runner: rows before requests, polling to completion, the three downloads, failures that
end in a clear state, and restarts that resume without submitting anything twice."""

import io

import av
import pytest
from PIL import Image
from sqlalchemy import func, select

from core.videos import create
from core.videos import library as videos
from core.videos.backends import openai_videos
from core.videos.jobs import remote
from db.models import Generation, Variation
from tests.helpers.corpus import encode, photo
from tests.helpers.studio import create_api_generation, fast_runner

pytestmark = pytest.mark.both_databases  # the studio's database: SQLite, then PostgreSQL


def _counts(studio):
    with studio.db.session() as session:
        return (
            session.scalar(select(func.count()).select_from(Generation)),
            session.scalar(select(func.count()).select_from(Variation)),
        )


def test_two_variations_are_two_jobs_polled_downloaded_and_priced(api_studio, videos_server):
    generation_id = create_api_generation(api_studio, n=2)
    assert _counts(api_studio) == (1, 2)  # rows exist before any request
    assert videos_server.requests_for("create") == []
    fast_runner(api_studio).run_until_idle(timeout=60)
    view = videos.generation(api_studio, generation_id)
    assert [v.status for v in view.variations] == ["completed", "completed"]
    assert len({v.remote_id for v in view.variations}) == 2
    [form_a, _form_b] = videos_server.create_forms
    assert form_a.encoding == "multipart" and form_a.fields["seconds"] == "4" and form_a.fields["size"] == "1280x720"
    for v in view.variations:
        with av.open(str(videos.video_path(api_studio, v.video_sha256))) as container:
            ctx = container.streams.video[0].codec_context
            assert (ctx.name, ctx.width, ctx.height) == ("h264", 1280, 720)
        assert videos.poster_path(api_studio, v.video_sha256).is_file()
        assert videos.sprite_path(api_studio, v.video_sha256).is_file()
    variants = sorted(
        r.query.get("variant", ["video"])[0] if hasattr(r, "query") else r.path
        for r in videos_server.requests_for("content")
    )
    assert len(variants) == 6  # video, thumbnail and spritesheet for each, fetched at once
    assert create.spend_so_far(api_studio) == pytest.approx(2 * 4 * 0.10)
    assert list(api_studio.media.scratch().iterdir()) == []


def test_a_reference_image_is_sent_as_a_file_of_exactly_the_requested_size(api_studio, videos_server):
    create_api_generation(api_studio, reference=("portrait.png", encode(photo("astronaut"), "PNG")))
    fast_runner(api_studio).run_until_idle(timeout=60)
    [form] = videos_server.create_forms
    upload = form.files["input_reference"]
    assert Image.open(io.BytesIO(upload.data)).size == (1280, 720)


def test_square_is_made_locally_by_cropping_the_nearest_api_size(api_studio, videos_server):
    generation_id = create_api_generation(api_studio, aspect="1:1")
    fast_runner(api_studio).run_until_idle(timeout=60)
    assert videos_server.create_forms[0].fields["size"] == "1280x720"
    view = videos.generation(api_studio, generation_id)
    assert view.local_crop and (view.width, view.height) == (720, 720)
    with av.open(str(videos.video_path(api_studio, view.variations[0].video_sha256))) as container:
        ctx = container.streams.video[0].codec_context
        assert (ctx.width, ctx.height, ctx.pix_fmt) == (720, 720, "yuv420p")


def test_a_429_is_retried_after_its_retry_after_and_submits_once(api_studio, videos_server):
    videos_server.fail_next(429, endpoint="create", headers={"retry-after": "1"})
    generation_id = create_api_generation(api_studio)
    fast_runner(api_studio).run_until_idle(timeout=60)
    assert videos.generation(api_studio, generation_id).variations[0].status == "completed"
    assert len(videos_server.videos) == 1


def test_a_500_while_polling_is_retried(api_studio, videos_server):
    generation_id = create_api_generation(api_studio)
    videos_server.fail_next(500, count=2, endpoint="retrieve")
    fast_runner(api_studio, backoff_s=0.1).run_until_idle(timeout=60)
    assert videos.generation(api_studio, generation_id).variations[0].status == "completed"


def test_one_failed_variation_keeps_the_services_words_and_does_not_sink_the_others(api_studio, videos_server):
    videos_server.fail_next_job("moderation_blocked", "Your request was blocked by our moderation system.")
    generation_id = create_api_generation(api_studio, n=2)
    fast_runner(api_studio).run_until_idle(timeout=60)
    states = {str(v.status): v for v in videos.generation(api_studio, generation_id).variations}
    assert set(states) == {"failed", "completed"}
    assert "blocked by our moderation system" in states["failed"].error


def test_a_rejected_key_fails_the_job_with_a_clear_message(api_studio, videos_server):
    videos_server.fail_next(401, count=5, endpoint="create")
    generation_id = create_api_generation(api_studio)
    fast_runner(api_studio).run_until_idle(timeout=60)
    variation = videos.generation(api_studio, generation_id).variations[0]
    assert variation.status == "failed" and "API key" in variation.error
    assert videos_server.api_key not in variation.error


def test_an_expired_download_fails_with_the_services_reason(api_studio, videos_server, monkeypatch):
    generation_id = create_api_generation(api_studio)
    runner = fast_runner(api_studio)
    original = remote.download

    def expire_first(runner, job, backend, remote_id=None):
        videos_server.expire(remote_id or job.remote_id)
        original(runner, job, backend, remote_id)

    monkeypatch.setattr(remote, "download", expire_first)
    runner.run_until_idle(timeout=60)
    variation = videos.generation(api_studio, generation_id).variations[0]
    assert variation.status == "failed" and "no longer available" in variation.error
    assert list(api_studio.media.scratch().iterdir()) == []


def test_a_restart_mid_job_resumes_from_the_stored_remote_id(api_studio, videos_server):
    videos_server.polls_to_complete = 50  # still rendering when the first runner stops
    generation_id = create_api_generation(api_studio, n=2)
    first = fast_runner(api_studio, lease_s=0.5)
    first.tick()
    first.stop(wait=True)  # as if the server process went away after submitting
    mid = videos.generation(api_studio, generation_id)
    assert all(v.remote_id for v in mid.variations) and len(videos_server.videos) == 2
    for video_id in list(videos_server.videos):
        videos_server.complete(video_id)
    fast_runner(api_studio, lease_s=0.5).run_until_idle(timeout=60)
    done = videos.generation(api_studio, generation_id)
    assert [v.status for v in done.variations] == ["completed", "completed"]
    assert len(videos_server.create_forms) == 2  # nothing submitted twice
    assert _counts(api_studio) == (1, 2)
    stored = {p.stem for p in api_studio.media.files() if "/videos/" in str(p)}
    assert stored == {v.video_sha256 for v in done.variations}  # one file per distinct video, no strays
    assert list(api_studio.media.scratch().iterdir()) == []


def test_a_submit_whose_answer_was_lost_is_adopted_not_sent_again(api_studio, videos_server):
    generation_id = create_api_generation(api_studio)
    backend = openai_videos.OpenAIVideosBackend(api_studio.settings)
    view = videos.generation(api_studio, generation_id)
    # The process died after the service accepted the job but before remote_id was stored:
    with api_studio.db.session() as session:
        variation = session.get(Variation, view.variations[0].id)
        variation.status, variation.attempts = "submitting", 1
        from db.models import utcnow

        variation.started_at = utcnow()
    from core.videos.backends.base import VideoRequest

    backend.submit(VideoRequest(prompt=view.prompt, size="1280x720", seconds=4, model="sora-2"))
    fast_runner(api_studio).run_until_idle(timeout=60)
    assert len(videos_server.create_forms) == 1
    assert videos.generation(api_studio, generation_id).variations[0].status == "completed"
