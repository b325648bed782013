"""A fake of OpenAI's Videos API (``/v1/videos``), the wire format Sora gateways still serve.

Plain HTTP on 127.0.0.1, following the public spec and what the ``openai`` SDK sends:

- ``POST /v1/videos`` takes multipart/form-data (``prompt``, ``model``, ``size``, ``seconds`` and an
  optional ``input_reference`` file) or JSON. ``seconds`` must be the string "4", "8" or "12" (an
  integer in JSON is a 400), ``size`` one of four, the tall/wide 1024×1792 sizes only for
  ``sora-2-pro``; a reference image must decode and match ``size`` exactly ("Inpaint image must
  match the requested width and height"); an empty prompt is a 400.
- ``GET /v1/videos/{id}`` answers the video object and moves it queued → in_progress (progress
  rising) → completed over ``polls_to_complete`` polls, with an ``openai-poll-after-ms`` header.
- ``GET /v1/videos/{id}/content?variant=video|thumbnail|spritesheet``: a real H.264 MP4 of the
  requested size and duration with AAC sound (4 fps, made once per shape with PyAV), a real JPEG
  thumbnail and a real JPEG sprite sheet; 404 "The video is no longer available" after
  ``expires_at`` (an hour after completion, or at once after ``expire(id)``).
- ``POST /v1/videos/{id}/remix`` (JSON ``prompt``) makes a new video with ``remixed_from_video_id``.
- ``POST /v1/videos/extensions`` (multipart ``prompt``, ``seconds`` — the length *added*: "4", "8",
  "12", "16" or "20" — and ``video``: an uploaded MP4 or the field ``video[id]`` naming a completed
  video) makes a new video holding the source and the extension, its ``seconds`` the sum. As in the
  real API, the video object does not name its source; ``extended_from[id]`` does, for tests.
- ``GET /v1/videos`` lists (``after``, ``limit``, ``order``); ``DELETE /v1/videos/{id}`` deletes.

Errors use OpenAI's shape ``{"error": {"message", "type", "param", "code"}}``. Script failures with
``fail_next(status, endpoint=...)``, a job that ends ``failed`` with ``fail_next_job(...)`` or
``fail(id, ...)``, expired downloads with ``expire(id)``, a body cut off halfway with
``truncate_downloads = N``; ``create_forms`` gives every create request's parsed fields and files.
``api_key=None`` accepts any bearer token; a wrong one gets a 401 that quotes it back in full.

Faults of a real gateway, per test: ``delay_next(seconds, endpoint=...)`` makes the service take
that long before it does the work (a slow create's video exists only once it answers), and
``break_next(fault, endpoint=...)`` does the work but mangles the 200 on the way back — one of
``FAULTS``: ``invalid_json`` (JSON cut off), ``html`` (a proxy's web page), ``no_id`` (a video
object without its id), ``cut_without_length`` (half the body and no Content-Length, so only the
file itself can tell). ``downloads(variant)`` counts the content requests for one variant.
"""

from __future__ import annotations

import email.parser
import email.policy
import functools
import io
import itertools
import json
import re
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from tests.fakes.loopback import LoopbackServer, RecordedRequest, Reply, current_handler

VIDEOS_PATH = "/v1/videos"
SIZES = ("720x1280", "1280x720", "1024x1792", "1792x1024")
PRO_ONLY_SIZES = ("1024x1792", "1792x1024")
SECONDS = ("4", "8", "12")
MODELS = ("sora-2", "sora-2-pro", "sora-2-2025-10-06", "sora-2-pro-2025-10-06", "sora-2-2025-12-08")
VARIANTS = ("video", "thumbnail", "spritesheet")
DOWNLOAD_LIFETIME_S = 3600
FAKE_FPS = 4  # a real, playable H.264 file, but few frames: the fake must stay quick
GONE = "The video is no longer available"
ENDPOINTS = ("create", "retrieve", "content", "remix", "list", "delete", "extend")
EXTEND_SECONDS = ("4", "8", "12", "16", "20")
FAULTS = ("invalid_json", "html", "no_id", "cut_without_length")
HTML_PAGE = (
    b"<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>"
    b"<body><h1>Bad Gateway</h1><p>The upstream server sent an invalid response.</p></body></html>\n"
)

_ID = r"(?P<id>[^/]+)"
_ROUTES = (
    ("POST", re.compile(rf"^{VIDEOS_PATH}/extensions$"), "extend"),
    ("POST", re.compile(rf"^{VIDEOS_PATH}$"), "create"),
    ("GET", re.compile(rf"^{VIDEOS_PATH}$"), "list"),
    ("GET", re.compile(rf"^{VIDEOS_PATH}/{_ID}$"), "retrieve"),
    ("DELETE", re.compile(rf"^{VIDEOS_PATH}/{_ID}$"), "delete"),
    ("GET", re.compile(rf"^{VIDEOS_PATH}/{_ID}/content$"), "content"),
    ("POST", re.compile(rf"^{VIDEOS_PATH}/{_ID}/remix$"), "remix"),
)
ERROR_TYPES = {
    400: "invalid_request_error",
    401: "invalid_request_error",
    403: "invalid_request_error",
    404: "invalid_request_error",
    409: "invalid_request_error",
    429: "requests",
}


def openai_error(status: int, message: str, *, param: str | None = None, code: str | None = None) -> dict:
    return {
        "error": {"message": message, "type": ERROR_TYPES.get(status, "server_error"), "param": param, "code": code}
    }


class _Refused(Exception):
    def __init__(self, status: int, message: str, *, param: str | None = None, code: str | None = None):
        super().__init__(message)
        self.reply = Reply(status, openai_error(status, message, param=param, code=code))


# --- request bodies --------------------------------------------------------------------------------
@dataclass(frozen=True)
class UploadedFile:
    filename: str | None
    content_type: str
    data: bytes


@dataclass(frozen=True)
class CreateForm:
    """One ``POST /v1/videos`` as received: text fields exactly as sent, and file parts."""

    encoding: str  # "multipart" or "json"
    fields: dict  # multipart: str values only; JSON: whatever types were sent
    files: dict[str, UploadedFile] = field(default_factory=dict)


def parse_multipart(request: RecordedRequest) -> CreateForm:
    content_type = request.headers.get("content-type", "")
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode("latin-1") + request.body
    )
    if not message.is_multipart():
        raise _Refused(400, "Expected a multipart/form-data body.")
    fields: dict[str, str] = {}
    files: dict[str, UploadedFile] = {}
    for part in message.iter_parts():
        name = str(part.get_param("name", header="content-disposition"))
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        filename = part.get_filename()
        if filename is not None:
            files[name] = UploadedFile(filename, part.get_content_type(), data)
        else:
            fields[name] = data.decode("utf-8")
    return CreateForm("multipart", fields, files)


def parse_create(request: RecordedRequest) -> CreateForm:
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        return parse_multipart(request)
    try:
        body = request.json()
    except ValueError:
        raise _Refused(400, "We could not parse the JSON body of your request.") from None
    if not isinstance(body, dict):
        raise _Refused(400, "The request body must be a JSON object.")
    return CreateForm("json", body)


# --- real media, made once per shape (Sora's MP4s carry sound, so these do too) ------------------------
@functools.lru_cache(maxsize=16)
def fake_mp4(size: str, seconds: int) -> bytes:
    """A real H.264 + AAC MP4 of the requested size and duration, at FAKE_FPS to stay quick."""
    from tests.helpers.video import make_mp4

    width, height = (int(n) for n in size.split("x"))
    with tempfile.TemporaryDirectory() as folder:
        path = make_mp4(Path(folder) / "fake.mp4", width, height, seconds, fps=FAKE_FPS, audio=True)
        return path.read_bytes()


def _jpeg(pixels) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


@functools.lru_cache(maxsize=16)
def fake_thumbnail(size: str) -> bytes:
    from tests.helpers.video import moving_frames

    width, height = (int(n) for n in size.split("x"))
    return _jpeg(moving_frames(width, height, 1)[0])


@functools.lru_cache(maxsize=16)
def fake_spritesheet(size: str, columns: int = 4, rows: int = 2, tile_width: int = 160) -> bytes:
    import numpy as np

    from tests.helpers.video import moving_frames

    width, height = (int(n) for n in size.split("x"))
    tiles = moving_frames(tile_width, round(tile_width * height / width), columns * rows)
    return _jpeg(np.vstack([np.hstack(tiles[row * columns : (row + 1) * columns]) for row in range(rows)]))


# --- the service -------------------------------------------------------------------------------------
@dataclass
class FakeVideo:
    id: str
    model: str
    prompt: str
    size: str
    seconds: str
    created_at: int
    order: int
    polls_to_complete: int
    remixed_from_video_id: str | None = None
    status: str = "queued"
    progress: int = 0
    polls: int = 0
    completed_at: int | None = None
    expires_at: int | None = None
    error: dict | None = None
    planned_error: dict | None = None  # ends ``failed`` with this instead of completing

    def as_json(self) -> dict:
        return {
            "id": self.id,
            "object": "video",
            "model": self.model,
            "status": self.status,
            "progress": self.progress,
            "created_at": self.created_at,
            "completed_at": self.completed_at,
            "expires_at": self.expires_at,
            "prompt": self.prompt,
            "size": self.size,
            "seconds": self.seconds,
            "remixed_from_video_id": self.remixed_from_video_id,
            "error": self.error,
        }

    def advance(self) -> None:
        """One poll's worth of work: the first poll still finds it queued."""
        if self.status in ("completed", "failed"):
            return
        self.polls += 1
        if self.polls >= self.polls_to_complete:
            self.finish()
        elif self.polls > 1:
            self.status = "in_progress"
            self.progress = max(self.progress + 1, 100 * (self.polls - 1) // (self.polls_to_complete - 1))

    def finish(self) -> None:
        now = int(time.time())
        self.completed_at = now
        if self.planned_error is not None:
            self.status, self.error = "failed", self.planned_error
        else:
            self.status, self.progress, self.expires_at = "completed", 100, now + DOWNLOAD_LIFETIME_S


@dataclass
class _Planned:
    """What the next ``remaining`` calls to ``endpoint`` get: a failure Reply, a delay or a fault."""

    endpoint: str
    remaining: int
    value: object


class FakeVideos(LoopbackServer):
    """Scripting: ``fail_next``, ``fail_next_job``, ``fail``, ``complete``, ``expire``; reading:
    ``videos``, ``create_forms``, ``requests_for(endpoint)``."""

    scheme_name = "videos"

    def __init__(
        self,
        api_key: str | None = "fake-videos-key-9f8e7d6c5b4a",
        *,
        polls_to_complete: int = 4,
        poll_after_ms: int | None = 20,
        models: tuple[str, ...] = MODELS,
    ):
        super().__init__(tls=None)
        self.api_key = api_key
        self.polls_to_complete = polls_to_complete  # GETs until completed: queued, in_progress…, completed
        self.poll_after_ms = poll_after_ms
        self.models = models
        self.blocked_words: tuple[str, ...] = ()  # prompts containing these are refused by "moderation"
        self.truncate_downloads = 0  # the next N downloads break off halfway through the body
        self.videos: dict[str, FakeVideo] = {}
        self.create_forms: list[CreateForm] = []
        self.extend_forms: list[CreateForm] = []  # every extension request, in the order received
        self.extended_from: dict[str, str | None] = {}  # an extension's id → its source's id (None: uploaded)
        self._failures: list[_Planned] = []
        self._delays: list[_Planned] = []
        self._faults: list[_Planned] = []
        self._closing = threading.Event()
        self._planned_job_errors: list[dict] = []
        self._order = itertools.count()
        self._state = threading.Lock()

    @property
    def v1_url(self) -> str:
        return self.base_url + "/v1"

    def client_settings(self, **overrides: str) -> dict[str, str]:
        """``OPENAI_*`` settings that point a client at this fake."""
        values = {"OPENAI_BASE_URL": self.v1_url, "OPENAI_API_KEY": self.api_key}
        values.update(overrides)
        return {k: v for k, v in values.items() if v is not None}

    # --- scripting -----------------------------------------------------------------------------------
    def fail_next(
        self,
        status: int,
        count: int = 1,
        *,
        endpoint: str = "any",
        message: str | None = None,
        code: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        """The next ``count`` calls to ``endpoint`` (one of ENDPOINTS, or "any") answer ``status``.

        A 429 carries ``retry-after: 1`` unless ``headers`` say otherwise."""
        assert endpoint == "any" or endpoint in ENDPOINTS, endpoint
        if headers is None:
            headers = {"retry-after": "1"} if status == 429 else {}
        default = {
            401: "Incorrect API key provided.",
            429: "Rate limit reached for requests.",
            500: "The server had an error while processing your request.",
        }
        codes = {401: "invalid_api_key", 429: "rate_limit_exceeded"}
        body = openai_error(
            status, message or default.get(status, f"Fake error {status}"), code=code or codes.get(status)
        )
        with self._state:
            self._failures.append(_Planned(endpoint, count, Reply(status, body, headers)))

    def delay_next(self, seconds: float, count: int = 1, *, endpoint: str = "any") -> None:
        """The next ``count`` calls to ``endpoint`` take ``seconds`` before the service does the work."""
        assert endpoint == "any" or endpoint in ENDPOINTS, endpoint
        with self._state:
            self._delays.append(_Planned(endpoint, count, seconds))

    def break_next(self, fault: str, count: int = 1, *, endpoint: str = "any") -> None:
        """The next ``count`` successful answers from ``endpoint`` arrive mangled by ``fault`` (see FAULTS)."""
        assert endpoint == "any" or endpoint in ENDPOINTS, endpoint
        assert fault in FAULTS, fault
        with self._state:
            self._faults.append(_Planned(endpoint, count, fault))

    def downloads(self, variant: str = "video") -> list[RecordedRequest]:
        """The content requests for one variant (the video unless named)."""
        return [r for r in self.requests_for("content") if (r.query.get("variant") or ["video"])[-1] == variant]

    def stop(self) -> None:
        self._closing.set()  # wakes requests that are being delayed on purpose
        super().stop()

    def fail_next_job(
        self, code: str = "moderation_blocked", message: str = "Your request was blocked by our moderation system."
    ) -> None:
        """The next video created ends ``failed`` with this error instead of completing."""
        with self._state:
            self._planned_job_errors.append({"code": code, "message": message})

    def fail(self, video_id: str, code: str, message: str) -> None:
        with self._state:
            video = self.videos[video_id]
            video.planned_error = {"code": code, "message": message}
            video.finish()

    def complete(self, video_id: str) -> None:
        with self._state:
            self.videos[video_id].finish()

    def expire(self, video_id: str) -> None:
        """Its downloads are gone, as an hour after completion."""
        with self._state:
            self.videos[video_id].expires_at = int(time.time()) - 1

    def requests_for(self, endpoint: str) -> list[RecordedRequest]:
        return [r for r in self.requests if _route(r)[0] == endpoint]

    # --- the API ---------------------------------------------------------------------------------------
    def handle(self, request: RecordedRequest) -> Reply | None:
        endpoint, video_id = _route(request)
        if endpoint is None:
            return Reply(404, openai_error(404, f"Invalid URL ({request.method} {request.path})", code="unknown_url"))
        with self._state:
            failure = _take(self._failures, endpoint)
            delay = _take(self._delays, endpoint) if failure is None else None
            fault = _take(self._faults, endpoint) if failure is None else None
        if isinstance(failure, Reply):
            return failure
        if isinstance(delay, float | int) and self._closing.wait(delay):
            return None  # shutting down: the client sees the connection close
        if self.api_key is not None and request.headers.get("authorization") != f"Bearer {self.api_key}":
            given = request.headers.get("authorization", "").removeprefix("Bearer ")
            # Like some gateways, quote the key back in full: clients must not echo it.
            return Reply(401, openai_error(401, f"Incorrect API key provided: {given}.", code="invalid_api_key"))
        try:
            with self._state:
                if endpoint == "create":
                    return _mangled(self._create(request), fault)
                if endpoint == "list":
                    return _mangled(self._list(request), fault)
                if endpoint == "extend":
                    return _mangled(self._extend(request), fault)
                video = self.videos.get(video_id) if video_id is not None else None
                if video is None:
                    raise _Refused(
                        404, f"Video with id '{video_id}' not found.", param="video_id", code="video_not_found"
                    )
                if endpoint == "retrieve":
                    video.advance()
                    return _mangled(self._video_reply(video), fault)
                if endpoint == "delete":
                    return _mangled(self._delete(video), fault)
                if endpoint == "remix":
                    return _mangled(self._remix(video, request), fault)
                reply = self._content(video, request)
                truncate = self.truncate_downloads > 0
                self.truncate_downloads -= truncate
            _send_binary(*reply, truncate=truncate, fault=fault if isinstance(fault, str) else None)
            return None
        except _Refused as refused:
            return refused.reply

    def _video_reply(self, video: FakeVideo) -> Reply:
        headers = {}
        if self.poll_after_ms is not None and video.status in ("queued", "in_progress"):
            headers["openai-poll-after-ms"] = str(self.poll_after_ms)
        return Reply(200, video.as_json(), headers)

    def _new_video(self, model: str, prompt: str, size: str, seconds: str, remixed_from: str | None) -> FakeVideo:
        video = FakeVideo(
            id=f"video_{uuid.uuid4().hex}",
            model=model,
            prompt=prompt,
            size=size,
            seconds=seconds,
            created_at=int(time.time()),
            order=next(self._order),
            polls_to_complete=self.polls_to_complete,
            remixed_from_video_id=remixed_from,
            planned_error=self._planned_job_errors.pop(0) if self._planned_job_errors else None,
        )
        self.videos[video.id] = video
        return video

    def _check_prompt(self, prompt) -> str:
        if prompt is None:
            raise _Refused(
                400, "Missing required parameter: 'prompt'.", param="prompt", code="missing_required_parameter"
            )
        if not isinstance(prompt, str):
            raise _Refused(400, "Invalid type for 'prompt': expected a string.", param="prompt", code="invalid_type")
        if not prompt.strip():
            raise _Refused(
                400,
                "Invalid 'prompt': empty string. Expected a string with minimum length 1, but got "
                "an empty string instead.",
                param="prompt",
                code="empty_string",
            )
        if any(word.lower() in prompt.lower() for word in self.blocked_words):
            raise _Refused(
                400, "Your request was blocked by our moderation system.", param="prompt", code="moderation_blocked"
            )
        return prompt

    def _create(self, request: RecordedRequest) -> Reply:
        form = parse_create(request)
        self.create_forms.append(form)
        values = form.fields
        prompt = self._check_prompt(values.get("prompt"))
        model = values.get("model", "sora-2")
        if model not in self.models:
            raise _Refused(
                400,
                f"Invalid value: '{model}'. Supported values are: {_quoted(self.models)}.",
                param="model",
                code="invalid_value",
            )
        seconds = values.get("seconds", "4")
        if not isinstance(seconds, str):
            raise _Refused(
                400,
                f"Invalid type for 'seconds': expected one of {_quoted(SECONDS, 'or')}, but got "
                f"{type(seconds).__name__} instead.",
                param="seconds",
                code="invalid_type",
            )
        if seconds not in SECONDS:
            raise _Refused(
                400,
                f"Invalid value: '{seconds}'. Supported values are: {_quoted(SECONDS)}.",
                param="seconds",
                code="invalid_value",
            )
        size = values.get("size", "720x1280")
        allowed = SIZES if model.startswith("sora-2-pro") else tuple(s for s in SIZES if s not in PRO_ONLY_SIZES)
        if size not in allowed:
            raise _Refused(
                400,
                f"Invalid value: '{size}'. Supported values for {model} are: {_quoted(allowed)}.",
                param="size",
                code="invalid_value",
            )
        reference = form.files.get("input_reference")
        if reference is None and "input_reference" in values:
            raise _Refused(
                400, "input_reference must be an uploaded image file.", param="input_reference", code="invalid_type"
            )
        if reference is not None:
            _check_reference(reference, size)
        return self._video_reply(self._new_video(model, prompt, size, seconds, None))

    def _remix(self, source: FakeVideo, request: RecordedRequest) -> Reply:
        try:
            body = request.json()
        except ValueError:
            raise _Refused(400, "We could not parse the JSON body of your request.") from None
        prompt = self._check_prompt(body.get("prompt") if isinstance(body, dict) else None)
        if source.status != "completed":
            raise _Refused(
                400,
                f"Video '{source.id}' must be completed before it can be remixed.",
                param="video_id",
                code="invalid_video_state",
            )
        video = self._new_video(source.model, prompt, source.size, source.seconds, source.id)
        return self._video_reply(video)

    def _extend(self, request: RecordedRequest) -> Reply:
        form = parse_multipart(request)
        self.extend_forms.append(form)
        prompt = self._check_prompt(form.fields.get("prompt"))
        seconds = form.fields.get("seconds")
        if seconds not in EXTEND_SECONDS:
            raise _Refused(
                400,
                f"Invalid value: '{seconds}'. Supported values are: {_quoted(EXTEND_SECONDS)}.",
                param="seconds",
                code="invalid_value",
            )
        upload, source_id = form.files.get("video"), form.fields.get("video[id]")
        if upload is not None:
            size, source_seconds, model = _probe_upload(upload)
        elif source_id:
            source = self.videos.get(source_id)
            if source is None:
                raise _Refused(404, f"Video with id '{source_id}' not found.", param="video", code="video_not_found")
            if source.status != "completed":
                raise _Refused(
                    400,
                    f"Video '{source.id}' must be completed before it can be extended.",
                    param="video",
                    code="invalid_video_state",
                )
            size, source_seconds, model = source.size, int(source.seconds), source.model
        else:
            raise _Refused(
                400, "Missing required parameter: 'video'.", param="video", code="missing_required_parameter"
            )
        video = self._new_video(model, prompt, size, str(source_seconds + int(seconds)), None)
        self.extended_from[video.id] = source_id if upload is None else None
        return self._video_reply(video)

    def _delete(self, video: FakeVideo) -> Reply:
        if video.status not in ("completed", "failed"):
            raise _Refused(
                400,
                f"Video '{video.id}' is still {video.status} and cannot be deleted yet.",
                param="video_id",
                code="invalid_video_state",
            )
        del self.videos[video.id]
        return Reply(200, {"id": video.id, "object": "video.deleted", "deleted": True})

    def _list(self, request: RecordedRequest) -> Reply:
        query = {k: v[-1] for k, v in request.query.items()}
        order = query.get("order", "desc")
        if order not in ("asc", "desc"):
            raise _Refused(
                400,
                f"Invalid value: '{order}'. Supported values are: 'asc' and 'desc'.",
                param="order",
                code="invalid_value",
            )
        try:
            limit = int(query.get("limit", "20"))
        except ValueError:
            limit = 0
        if not 1 <= limit <= 100:
            raise _Refused(
                400, "Invalid 'limit': expected an integer between 1 and 100.", param="limit", code="invalid_value"
            )
        videos = sorted(self.videos.values(), key=lambda v: (v.created_at, v.order), reverse=order == "desc")
        after = query.get("after")
        if after:
            ids = [v.id for v in videos]
            if after not in ids:
                raise _Refused(400, f"Invalid 'after': no video '{after}'.", param="after", code="invalid_value")
            videos = videos[ids.index(after) + 1 :]
        page = videos[:limit]
        return Reply(
            200,
            {
                "object": "list",
                "data": [v.as_json() for v in page],
                "first_id": page[0].id if page else None,
                "last_id": page[-1].id if page else None,
                "has_more": len(videos) > limit,
            },
        )

    def _content(self, video: FakeVideo, request: RecordedRequest) -> tuple[int, bytes, str]:
        variant = (request.query.get("variant") or ["video"])[-1]
        if variant not in VARIANTS:
            raise _Refused(
                400,
                f"Invalid value: '{variant}'. Supported values are: {_quoted(VARIANTS)}.",
                param="variant",
                code="invalid_value",
            )
        if video.status != "completed":
            raise _Refused(
                400,
                f"Video '{video.id}' is not ready: its status is {video.status}.",
                param="video_id",
                code="invalid_video_state",
            )
        if video.expires_at is not None and time.time() > video.expires_at:
            raise _Refused(404, GONE, param="video_id", code="video_expired")
        if variant == "video":
            return 200, fake_mp4(video.size, int(video.seconds)), "video/mp4"
        if variant == "thumbnail":
            return 200, fake_thumbnail(video.size), "image/jpeg"
        return 200, fake_spritesheet(video.size), "image/jpeg"


def _take(planned: list[_Planned], endpoint: str) -> object | None:
    for item in planned:
        if item.endpoint in ("any", endpoint):
            item.remaining -= 1
            if item.remaining <= 0:
                planned.remove(item)
            return item.value
    return None


def _mangled(reply: Reply, fault: object | None) -> Reply | None:
    """A 200 answer as ``fault`` mangles it on the way back (written here; None tells the handler so)."""
    if not isinstance(fault, str) or reply.status != 200:
        return reply
    if fault == "no_id":
        body = {k: v for k, v in reply.body.items() if k != "id"}
        if isinstance(body.get("data"), list):  # a list: its videos lose their ids
            body["data"] = [{k: v for k, v in item.items() if k != "id"} for item in body["data"]]
        _send_binary(200, json.dumps(body).encode(), "application/json", headers=reply.headers)
    else:
        _send_binary(200, json.dumps(reply.body).encode(), "application/json", fault=fault, headers=reply.headers)
    return None


def _route(request: RecordedRequest) -> tuple[str | None, str | None]:
    for method, pattern, endpoint in _ROUTES:
        match = pattern.match(request.path)
        if match and request.method == method:
            return endpoint, match.groupdict().get("id")
    return None, None


def _quoted(values, last: str = "and") -> str:
    quoted = [f"'{v}'" for v in values]
    if len(quoted) == 1:
        return quoted[0]
    return ", ".join(quoted[:-1]) + ("," if len(quoted) > 2 else "") + f" {last} {quoted[-1]}"


def _probe_upload(upload: UploadedFile) -> tuple[str, int, str]:
    """An uploaded source video's size and whole seconds, or a 400 when it is not a video."""
    import av

    try:
        with av.open(io.BytesIO(upload.data), mode="r") as container:
            stream = container.streams.video[0]
            seconds = float(stream.duration * stream.time_base) if stream.duration else float(container.duration) / 1e6
            return f"{stream.codec_context.width}x{stream.codec_context.height}", max(1, round(seconds)), "sora-2"
    except (av.error.FFmpegError, IndexError, TypeError):
        raise _Refused(400, "The video file is not a video we can read.", param="video", code="invalid_video") from None


def _check_reference(reference: UploadedFile, size: str) -> None:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(reference.data)) as image:
            image.load()
            actual = image.size
    except (UnidentifiedImageError, OSError):
        raise _Refused(
            400, "The input_reference file is not an image we can read.", param="input_reference", code="invalid_image"
        ) from None
    if f"{actual[0]}x{actual[1]}" != size:
        raise _Refused(
            400,
            "Inpaint image must match the requested width and height",
            param="input_reference",
            code="invalid_value",
        )


# --- binary replies: the shared handler writes JSON, so this request's handler writes them itself ----
def _send_binary(
    status: int,
    payload: bytes,
    content_type: str,
    truncate: bool = False,
    *,
    fault: str | None = None,
    headers: dict[str, str] | None = None,
) -> None:
    """Write the response now; the caller returns None, which tells the shared handler it was sent.

    ``truncate`` sends half the body under the full Content-Length (the client notices); the
    faults send a web page, or JSON cut in half, or half the body with no length at all."""
    length: int | None = len(payload)
    if fault == "html":
        payload, content_type, length = HTML_PAGE, "text/html; charset=utf-8", len(HTML_PAGE)
    elif fault == "invalid_json":
        payload = payload[: len(payload) // 2]
        length = len(payload)
    elif fault == "cut_without_length":
        payload, length = payload[: len(payload) // 2], None
    handler = current_handler()
    try:
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        if length is not None:
            handler.send_header("Content-Length", str(length))
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(payload[: len(payload) // 2] if truncate else payload)
    except (BrokenPipeError, ConnectionResetError):
        pass


__all__ = [
    "CreateForm",
    "FakeVideo",
    "FakeVideos",
    "UploadedFile",
    "fake_mp4",
    "fake_spritesheet",
    "fake_thumbnail",
    "parse_multipart",
]
