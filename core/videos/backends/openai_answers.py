"""What the Videos API answers, read defensively: video objects, lists, headers and error bodies.

A gateway can answer 200 with something that is not a video object — a proxy's web page, JSON cut
off in transit, an object without an ``id`` — or send a web page where the MP4 should be. Each is
a *malformed answer*: a transient fault of the service (it is tried again until the job's
deadline), told in one sentence that blames the service and never quotes the body.
"""

from __future__ import annotations

import email.utils
import json
import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from core.redact import redact
from core.videos.backends.base import RemoteJob, VideoServiceError
from core.videos.kinds import RemoteState

log = logging.getLogger(__name__)

MALFORMED = "malformed_answer"
# The service's statuses as the runner's states; cancelled/canceled/expired are gateways' extra end states.
STATES: dict[str, RemoteState] = {state.value: state for state in RemoteState} | dict.fromkeys(
    ("cancelled", "canceled", "expired"), RemoteState.FAILED
)
NOT_MEDIA_TYPES = ("text/", "application/json", "application/problem+json", "application/xml")
ACTION_WORDS = {
    "submit": "the request to make the video",
    "poll": "a status check",
    "remix": "the remix request",
    "list": "the request for its list of videos",
}


@dataclass(frozen=True)
class RemoteVideo:
    """One video the service lists: what the runner needs to adopt a job it lost track of."""

    remote_id: str
    state: str
    progress: float
    prompt: str | None
    size: str
    seconds: int | None
    model: str
    created_at: datetime | None  # naive UTC, like the database's timestamps
    remixed_from: str | None = None
    error: str | None = None


def malformed(where: str, action: str, what: str) -> VideoServiceError:
    """``where`` is "The video service at <url>"; ``what`` says what came instead of an answer."""
    log.warning("%s sent a malformed answer to the %s (%s)", where, action, what)
    words = ACTION_WORDS.get(action, f"the {action}")
    return VideoServiceError(f"{where} answered {words} with {what}.", transient=True, code=MALFORMED)


def bad_file(where: str, variant: str, what: str) -> VideoServiceError:
    log.warning("%s sent %s as the %s file", where, what, variant)
    return VideoServiceError(f"{where} sent {what} instead of the {variant} file.", transient=True, code=MALFORMED)


def unreadable_json(where: str, action: str, error: json.JSONDecodeError) -> VideoServiceError:
    """The SDK could not decode a body sent as JSON (a web page labelled JSON, or JSON cut short)."""
    looks_like_html = error.doc.lstrip()[:1] == "<"
    return malformed(where, action, "a web page instead of JSON" if looks_like_html else "JSON that cannot be read")


def video_object(parsed: Any, where: str, action: str) -> Any:
    """``parsed`` when it is a video object with an id, else a malformed-answer error."""
    if isinstance(parsed, str):  # the SDK hands back the text of a non-JSON body
        what = "a web page" if parsed.lstrip()[:1] == "<" else "text instead of JSON"
        raise malformed(where, action, what)
    remote_id = getattr(parsed, "id", None)
    if not hasattr(parsed, "status"):
        raise malformed(where, action, "JSON that is not a video object")
    if not isinstance(remote_id, str) or not remote_id.strip():
        raise malformed(where, action, "a video object without an id")
    return parsed


def check_media(where: str, variant: str, content_type: str, first_bytes: bytes) -> None:
    """A download must be the file itself: a web page or an error document in its place is the service's fault."""
    head = first_bytes.lstrip()[:1]
    if content_type.split(";")[0].strip().lower().startswith(NOT_MEDIA_TYPES) or head in (b"<", b"{"):
        raise bad_file(where, variant, "a web page or an error document")


def remote_job(video: Any, headers: Any) -> RemoteJob:
    state = state_of(video)
    expires = getattr(video, "expires_at", None)
    return RemoteJob(
        remote_id=video.id,
        state=state,
        progress=_percent(getattr(video, "progress", None)),
        error=failure_text(video) if state == RemoteState.FAILED else None,
        poll_after_s=poll_after_s(headers),
        remixed_from=getattr(video, "remixed_from_video_id", None),
        expires_at=_timestamp(expires),
    )


def remote_video(video: Any) -> RemoteVideo:
    state = state_of(video)
    try:
        seconds = int(video.seconds)
    except (TypeError, ValueError, AttributeError):
        seconds = None
    return RemoteVideo(
        remote_id=video.id,
        state=state,
        progress=_percent(getattr(video, "progress", None)),
        prompt=getattr(video, "prompt", None),
        size=str(getattr(video, "size", "")),
        seconds=seconds,
        model=str(getattr(video, "model", "")),
        created_at=_timestamp(getattr(video, "created_at", None)),
        remixed_from=getattr(video, "remixed_from_video_id", None),
        error=failure_text(video) if state == RemoteState.FAILED else None,
    )


def listed_videos(page: Any, where: str) -> list[Any]:
    """The video objects of one ``videos.list`` page. A page with an entry we cannot read is malformed
    as a whole: reconciling on part of it could miss the job it looks for and pay for it twice."""
    data = getattr(page, "data", None)
    if not isinstance(data, list):
        raise malformed(where, "list", "something that is not a list of videos")
    for video in data:
        video_object(video, where, "list")
    return data


def state_of(video: Any) -> RemoteState:
    status = str(getattr(video, "status", None))
    state = STATES.get(status)
    if state is None:
        log.warning("Video %s has an unknown status %r; treating it as in progress", video.id, status)
        return RemoteState.IN_PROGRESS
    return state


def failure_text(video: Any) -> str:
    error = getattr(video, "error", None)
    message = getattr(error, "message", None) if error is not None else None
    if message:
        return str(message).strip()
    if getattr(video, "status", None) != RemoteState.FAILED:
        return f"The video service ended the job as {video.status}."
    return "The video service reported the job failed without saying why."


def service_message(exc: Any, api_key: str | None) -> str | None:
    """The service's own words, trimmed, with anything key-like removed (401 texts quote the key)."""
    body = exc.body
    message = body.get("message") if isinstance(body, dict) else None
    if not message or not isinstance(message, str):
        return None
    message = redact(message, (api_key,), key_like=True)
    return " ".join(message.split())[:300].rstrip(". ") or None


def poll_after_s(headers: Any) -> float | None:
    raw = headers.get("openai-poll-after-ms") if headers is not None else None
    try:
        value = float(raw) / 1000 if raw else None
    except ValueError:
        return None
    return value if value is not None and value >= 0 else None


def retry_after_s(headers: Any) -> float | None:
    """``retry-after-ms`` (OpenAI's), else ``retry-after`` as seconds or as an HTTP date."""
    raw_ms = headers.get("retry-after-ms")
    if raw_ms:
        try:
            return max(0.0, float(raw_ms) / 1000)
        except ValueError:
            pass
    raw = headers.get("retry-after")
    if not raw:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _percent(value: Any) -> float:
    try:
        return min(100.0, max(0.0, float(value or 0)))
    except (TypeError, ValueError):
        return 0.0


def _timestamp(value: Any) -> datetime | None:
    """A Unix time as naive UTC (the database's timestamps), or None when absent or unreadable."""
    try:
        return datetime.fromtimestamp(float(value), UTC).replace(tzinfo=None) if value else None
    except (TypeError, ValueError, OverflowError, OSError):
        return None
