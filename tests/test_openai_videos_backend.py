"""The OpenAI Videos back-end, driven through the real openai SDK against a fake ``/v1/videos``.

Guarantees: a submit is one multipart request whose fields are strings ("4", not 4) and whose
reference is a JPEG file part of exactly the requested size; polling reads progress and the
``openai-poll-after-ms`` hint; all three assets download as real files; a remix remembers its
source; the SDK never retries on its own (the runner does), so each failure is one request and
one ``VideoServiceError`` sentence that says whether to retry and when; the key never appears in
an error or a log line; the SDK's deprecation warning is silenced for our calls only.
"""

from __future__ import annotations

import io
import json
import logging
import urllib.error
import urllib.request
import warnings

import av
import pytest
from PIL import Image

from core.config import Settings
from core.videos.backends import build_video_backend
from core.videos.backends import openai_videos as ov
from core.videos.backends.base import RemoteVideoBackend, VideoRequest, VideoServiceError
from tests.fakes.videos_server import FakeVideos, fake_mp4


def settings_for(server: FakeVideos, **overrides: str) -> Settings:
    return Settings.load(environ=server.client_settings(**overrides), secrets={})


def backend_for(server: FakeVideos, **overrides: str) -> ov.OpenAIVideosBackend:
    return ov.OpenAIVideosBackend(settings_for(server, **overrides))


def jpeg(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 120, 40)).save(buffer, "JPEG")
    return buffer.getvalue()


def request(
    prompt: str = "A paper boat drifting down a rain-soaked street at dusk",
    size: str = "1280x720",
    seconds: int = 4,
    model: str = "sora-2",
    reference: bytes | None = None,
) -> VideoRequest:
    return VideoRequest(prompt=prompt, size=size, seconds=seconds, model=model, reference_jpeg=reference)


def run_to_completion(backend, remote_id: str, limit: int = 20):
    seen = []
    for _ in range(limit):
        job = backend.poll(remote_id)
        seen.append(job)
        if job.state in ("completed", "failed"):
            return seen
    raise AssertionError(f"still {seen[-1].state} after {limit} polls")


def completed_video(server: FakeVideos, backend, **kwargs) -> str:
    job = backend.submit(request(**kwargs))
    server.complete(job.remote_id)
    return job.remote_id


@pytest.fixture(autouse=True)
def fresh_clients():
    ov.clear_clients()
    yield
    ov.clear_clients()


# --- the happy path ------------------------------------------------------------------------------------
def test_submit_is_one_multipart_request_whose_fields_are_strings(videos_server):
    backend = build_video_backend("openai-videos", settings_for(videos_server))
    assert isinstance(backend, RemoteVideoBackend)

    job = backend.submit(request(seconds=8))

    assert job.state == "queued" and job.progress == 0 and job.remote_id.startswith("video_")
    [create] = videos_server.requests_for("create")
    assert create.headers["content-type"].startswith("multipart/form-data; boundary=")
    assert create.headers["authorization"] == f"Bearer {videos_server.api_key}"
    [form] = videos_server.create_forms
    assert form.encoding == "multipart" and form.files == {}
    assert form.fields == {"prompt": request().prompt, "model": "sora-2", "size": "1280x720", "seconds": "8"}


def test_a_reference_image_travels_as_a_jpeg_file_part_of_the_exact_size(videos_server):
    backend = backend_for(videos_server)

    backend.submit(request(size="720x1280", seconds=12, reference=jpeg(720, 1280)))

    [form] = videos_server.create_forms
    assert form.fields["seconds"] == "12" and form.fields["size"] == "720x1280"
    part = form.files["input_reference"]
    assert (part.filename, part.content_type) == ("reference.jpg", "image/jpeg")
    with Image.open(io.BytesIO(part.data)) as image:
        assert image.format == "JPEG" and image.size == (720, 1280)


def test_polling_reports_rising_progress_until_completed_and_reads_the_poll_after_hint(videos_server):
    videos_server.poll_after_ms = 1500
    backend = backend_for(videos_server)
    job = backend.submit(request())
    assert job.poll_after_s == 1.5

    seen = run_to_completion(backend, job.remote_id)

    assert [j.state for j in seen] == ["queued", "in_progress", "in_progress", "completed"]
    progress = [j.progress for j in seen]
    assert progress == sorted(progress) and progress[0] == 0 and progress[-1] == 100
    assert len(set(progress)) == len(progress)
    assert all(j.poll_after_s == 1.5 for j in seen[:-1])


def test_the_video_thumbnail_and_spritesheet_download_as_real_files(videos_server, tmp_path):
    backend = backend_for(videos_server)
    remote_id = completed_video(videos_server, backend, size="720x1280")

    for variant in ("video", "thumbnail", "spritesheet"):
        backend.download(remote_id, variant, tmp_path / variant)

    with av.open(str(tmp_path / "video")) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264" and (stream.width, stream.height) == (720, 1280)
        assert stream.codec_context.pix_fmt == "yuv420p" and container.streams.audio
        assert container.duration is not None and abs(container.duration / av.time_base - 4) < 0.5
        assert sum(1 for _ in container.decode(stream)) >= 4
    with Image.open(tmp_path / "thumbnail") as thumbnail:
        assert thumbnail.format == "JPEG" and thumbnail.size == (720, 1280)
    with Image.open(tmp_path / "spritesheet") as sheet:
        sheet.load()
        assert sheet.format == "JPEG" and sheet.width > sheet.height
    variants = [r.query["variant"] for r in videos_server.requests_for("content")]
    assert variants == [["video"], ["thumbnail"], ["spritesheet"]]


def test_a_remix_is_a_new_job_that_remembers_its_source(videos_server):
    backend = backend_for(videos_server)
    source = completed_video(videos_server, backend)

    remix = backend.remix(source, "The same street, now in snow")

    assert remix.remote_id != source and remix.state == "queued" and remix.remixed_from == source
    [sent] = videos_server.requests_for("remix")
    assert sent.json() == {"prompt": "The same street, now in snow"}
    assert backend.poll(remix.remote_id).remixed_from == source


def test_list_remote_gives_the_newest_videos_with_what_reconciling_needs(videos_server):
    backend = backend_for(videos_server)
    first = backend.submit(request(prompt="first")).remote_id
    second = backend.submit(request(prompt="second", size="720x1280")).remote_id

    videos = backend.list_remote(limit=1)

    assert [v.remote_id for v in videos] == [second]
    [listed] = videos
    assert (listed.prompt, listed.size, listed.seconds, listed.model, listed.state) == (
        "second",
        "720x1280",
        4,
        "sora-2",
        "queued",
    )
    assert listed.created_at is not None and listed.created_at.tzinfo is None
    assert videos_server.requests_for("list")[0].query == {"limit": ["1"], "order": ["desc"]}
    assert {v.remote_id for v in backend.list_remote()} == {first, second}


def test_delete_removes_the_video_and_deleting_it_again_is_not_an_error(videos_server):
    backend = backend_for(videos_server)
    remote_id = completed_video(videos_server, backend)

    backend.delete(remote_id)
    backend.delete(remote_id)

    assert remote_id not in videos_server.videos
    assert [r.method for r in videos_server.requests_for("delete")] == ["DELETE", "DELETE"]


def test_a_pro_size_is_sent_for_sora_2_pro(videos_server):
    backend = backend_for(videos_server, OPENAI_VIDEO_MODEL="sora-2-pro")

    job = backend.submit(request(size="1792x1024", model=""))  # no model on the request: the setting's

    assert job.state == "queued" and videos_server.create_forms[0].fields["model"] == "sora-2-pro"


# --- failures: one request, one sentence, the right retry advice ----------------------------------------
@pytest.mark.parametrize(
    "kwargs, words",
    [
        ({"size": "1792x1024"}, ["refused the request (HTTP 400)", "Invalid value: '1792x1024'", "sora-2"]),
        ({"reference": jpeg(1024, 1024)}, ["HTTP 400", "Inpaint image must match the requested width and height"]),
    ],
    ids=["pro-size-on-sora-2", "reference-size-mismatch"],
)
def test_validation_errors_are_final_and_quote_the_service(videos_server, kwargs, words):
    backend = backend_for(videos_server)

    with pytest.raises(VideoServiceError) as caught:
        backend.submit(request(**kwargs))

    error = caught.value
    assert not error.transient and error.status == 400 and error.code == "invalid_value"
    assert all(word in error.message for word in words), error.message
    assert len(videos_server.requests_for("create")) == 1


def test_moderation_refusal_is_final_and_says_so(videos_server):
    videos_server.blocked_words = ("celebrity",)

    with pytest.raises(VideoServiceError) as caught:
        backend_for(videos_server).submit(request(prompt="A famous celebrity dancing"))

    assert not caught.value.transient and caught.value.code == "moderation_blocked"
    assert "blocked by our moderation system" in caught.value.message


def test_a_rejected_key_is_final_and_never_shown_or_logged(videos_server, caplog):
    caplog.set_level(logging.DEBUG)
    for name in ("openai", "httpx2", "httpcore2", "core"):
        caplog.set_level(logging.DEBUG, logger=name)
    wrong_key = "sk-" + "proj-WRONGkey0123456789abcdefSECRET"  # built, so no key-shaped literal is committed
    backend = backend_for(videos_server, OPENAI_API_KEY=wrong_key)

    with pytest.raises(VideoServiceError) as caught:
        backend.submit(request())  # the fake quotes the key it was sent back in full

    error = caught.value
    assert not error.transient and error.status == 401
    assert "rejected the API key (HTTP 401)" in error.message and "OPENAI_API_KEY" in error.message
    assert "Incorrect API key provided" in error.message
    assert wrong_key not in error.message and "WRONGkey" not in error.message
    assert wrong_key not in str(error) and wrong_key not in repr(backend.config)
    assert caplog.records and not any(wrong_key in r.getMessage() for r in caplog.records)
    assert wrong_key not in caplog.text


def test_a_scripted_401_or_403_is_a_key_problem(videos_server):
    videos_server.fail_next(403, endpoint="retrieve", message="You are not allowed to use this model.")
    backend = backend_for(videos_server)
    job = backend.submit(request())

    with pytest.raises(VideoServiceError) as caught:
        backend.poll(job.remote_id)

    assert "rejected the API key (HTTP 403): You are not allowed to use this model" in caught.value.message


def test_polling_a_video_that_is_gone_says_it_no_longer_exists(videos_server):
    with pytest.raises(VideoServiceError) as caught:
        backend_for(videos_server).poll("video_missing")

    error = caught.value
    assert not error.transient and error.status == 404
    assert "video_missing no longer exists" in error.message and "not found" in error.message


@pytest.mark.parametrize(
    "headers, wait",
    [({"retry-after": "7"}, 7.0), ({"retry-after-ms": "250"}, 0.25), ({}, None)],
    ids=["retry-after", "retry-after-ms", "no-header"],
)
def test_rate_limiting_is_transient_and_carries_the_services_wait(videos_server, headers, wait):
    videos_server.fail_next(429, endpoint="create", headers=headers)

    with pytest.raises(VideoServiceError) as caught:
        backend_for(videos_server).submit(request())

    error = caught.value
    assert error.transient and error.status == 429 and error.retry_after_s == wait
    assert "rate-limiting requests (HTTP 429): Rate limit reached" in error.message
    assert len(videos_server.requests_for("create")) == 1  # the SDK did not retry by itself


@pytest.mark.parametrize("status", [500, 503])
def test_server_errors_are_transient_and_not_retried_by_the_sdk(videos_server, status):
    backend = backend_for(videos_server)
    job = backend.submit(request())
    videos_server.fail_next(status, endpoint="retrieve")

    with pytest.raises(VideoServiceError) as caught:
        backend.poll(job.remote_id)

    assert caught.value.transient and caught.value.status == status
    assert f"server error (HTTP {status})" in caught.value.message
    assert len(videos_server.requests_for("retrieve")) == 1
    assert backend.poll(job.remote_id).state == "queued"  # the next attempt goes through


def test_a_timeout_is_transient_and_bounded_by_the_setting(videos_server):
    backend = backend_for(videos_server, OPENAI_VIDEO_TIMEOUT="0.3")
    videos_server.script_delay("/v1/videos", 3.0)

    with pytest.raises(VideoServiceError) as caught:
        backend.submit(request())

    assert caught.value.transient and "did not answer within 0.3 s" in caught.value.message


def test_an_unreachable_service_is_transient():
    with FakeVideos() as server:
        settings = settings_for(server)
    with pytest.raises(VideoServiceError) as caught:
        ov.OpenAIVideosBackend(settings).poll("video_123")

    assert caught.value.transient and "Cannot reach the video service" in caught.value.message


def test_a_failed_job_carries_the_services_own_words(videos_server):
    videos_server.polls_to_complete = 2
    videos_server.fail_next_job(code="moderation_blocked", message="The generated video did not pass moderation.")
    backend = backend_for(videos_server)

    seen = run_to_completion(backend, backend.submit(request()).remote_id)

    assert seen[-1].state == "failed" and seen[-1].error == "The generated video did not pass moderation."


def test_an_expired_download_says_downloads_expire_and_leaves_no_file(videos_server, tmp_path):
    backend = backend_for(videos_server)
    remote_id = completed_video(videos_server, backend)
    videos_server.expire(remote_id)

    with pytest.raises(VideoServiceError) as caught:
        backend.download(remote_id, "video", tmp_path / "video.mp4")

    error = caught.value
    assert not error.transient and error.status == 404 and error.code == "expired"
    assert error.message == "The video is no longer available (downloads expire an hour after completion)."
    assert not (tmp_path / "video.mp4").exists()


def test_a_download_cut_off_halfway_is_transient_and_leaves_no_file(videos_server, tmp_path):
    backend = backend_for(videos_server)
    remote_id = completed_video(videos_server, backend)
    videos_server.truncate_downloads = 1

    with pytest.raises(VideoServiceError) as caught:
        backend.download(remote_id, "video", tmp_path / "video.mp4")

    assert caught.value.transient and "broke off during the download" in caught.value.message
    assert not (tmp_path / "video.mp4").exists()
    backend.download(remote_id, "video", tmp_path / "video.mp4")  # the retry gets the whole file
    assert (tmp_path / "video.mp4").stat().st_size == len(fake_mp4("1280x720", 4))


MALFORMED = {"invalid_json": "JSON that cannot be read", "html": "a web page", "no_id": "a video object without an id"}
CALLS = {
    "create": ("the request to make the video", lambda backend, remote_id: backend.submit(request())),
    "retrieve": ("a status check", lambda backend, remote_id: backend.poll(remote_id)),
    "list": ("the request for its list of videos", lambda backend, remote_id: backend.list_remote()),
}


@pytest.mark.parametrize("endpoint", CALLS)
@pytest.mark.parametrize("fault", MALFORMED)
def test_a_malformed_200_is_the_services_transient_fault_told_without_its_body(videos_server, fault, endpoint):
    backend = backend_for(videos_server)
    remote_id = backend.submit(request()).remote_id
    videos_server.break_next(fault, endpoint=endpoint)
    what, call = CALLS[endpoint]

    with pytest.raises(VideoServiceError) as caught:
        call(backend, remote_id)

    error = caught.value
    assert error.transient and error.code == "malformed_answer"
    assert error.message == f"The video service at {videos_server.v1_url} answered {what} with {MALFORMED[fault]}."
    assert "<" not in error.message and "{" not in error.message  # the body is never quoted
    call(backend, remote_id)  # the next answer is read as usual


def test_a_web_page_in_place_of_the_video_is_transient_and_leaves_no_file(videos_server, tmp_path):
    backend = backend_for(videos_server)
    remote_id = completed_video(videos_server, backend)
    videos_server.break_next("html", endpoint="content")

    with pytest.raises(VideoServiceError) as caught:
        backend.download(remote_id, "video", tmp_path / "video.mp4")

    assert caught.value.transient and caught.value.message == (
        f"The video service at {videos_server.v1_url} sent a web page or an error document instead of the video file."
    )
    assert not (tmp_path / "video.mp4").exists()


def test_prompts_that_cannot_succeed_are_refused_before_any_request(videos_server):
    backend = backend_for(videos_server)

    with pytest.raises(VideoServiceError, match="keep it under 32,000"):
        backend.submit(request(prompt="x" * (ov.PROMPT_MAX_CHARS + 1)))
    with pytest.raises(VideoServiceError, match="prompt is empty"):
        backend.remix("video_123", "   ")

    assert videos_server.requests == []


# --- configuration, client and warnings -------------------------------------------------------------------
def test_status_says_what_is_configured():
    def status(**values):
        return ov.openai_videos_status(Settings.load(environ=values, secrets={}))

    assert not status().configured and "OPENAI_BASE_URL" in status().reason
    gateway = status(OPENAI_BASE_URL="https://gateway.example/v1/")
    assert gateway.configured and gateway.reason.startswith("sora-2 at https://gateway.example/v1")
    assert "no OPENAI_API_KEY" in gateway.reason
    official = status(OPENAI_API_KEY="sk-test-abcdef")
    assert official.configured and "shut that API down on 2026-09-24" in official.reason
    assert "sk-test-abcdef" not in official.reason
    assert (
        status(OPENAI_API_KEY="sk-x", OPENAI_VIDEO_TIMEOUT="soon").configured,
        status(OPENAI_BASE_URL="gateway.example").configured,
    ) == (False, False)
    assert (gateway.key, gateway.label) == ("openai-videos", "OpenAI Videos API (Sora-compatible)")


def test_the_client_is_cached_per_config_and_never_retries(videos_server):
    settings = settings_for(videos_server, OPENAI_VIDEO_TIMEOUT="12")
    one, two = ov.OpenAIVideosBackend(settings), ov.OpenAIVideosBackend(settings)

    client = ov._clients.get(one.config)

    assert client is ov._clients.get(two.config)
    assert client.max_retries == 0 and client.timeout == 12.0
    assert str(client.base_url).rstrip("/") == videos_server.v1_url
    ov.clear_clients()
    assert ov._clients.get(one.config) is not client


def test_the_sdk_deprecation_warning_is_silenced_for_our_calls_only(videos_server):
    backend = backend_for(videos_server)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        filters_before = list(warnings.filters)
        job = backend.submit(request())
        backend.poll(job.remote_id)
        assert warnings.filters == filters_before
        with pytest.deprecated_call():  # a direct SDK call still warns
            ov._clients.get(backend.config).videos.retrieve(job.remote_id)
    assert not [w for w in caught if issubclass(w.category, DeprecationWarning)]


def test_the_fake_refuses_an_integer_seconds_and_an_empty_prompt_like_the_api(videos_server):
    def post(body: dict) -> dict:
        call = urllib.request.Request(
            videos_server.v1_url + "/videos",
            data=json.dumps(body).encode(),
            method="POST",
            headers={"Authorization": f"Bearer {videos_server.api_key}", "Content-Type": "application/json"},
        )
        with pytest.raises(urllib.error.HTTPError) as caught:
            urllib.request.urlopen(call, timeout=5)
        assert caught.value.code == 400
        return json.loads(caught.value.read())["error"]

    assert post({"prompt": "a boat", "seconds": 4})["param"] == "seconds"
    assert post({"prompt": "", "seconds": "4"})["param"] == "prompt"
