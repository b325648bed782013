"""The remote video back-end: any service that speaks OpenAI's ``/v1/videos`` wire format.

OpenAI shut down Sora 2 and its Videos API on 2026-09-24, but gateways still serve the same
format, so this is the real ``openai`` SDK (``client.videos``, deprecated but present) with a
configurable ``OPENAI_BASE_URL`` and ``OPENAI_VIDEO_MODEL``. The SDK never retries
(``max_retries=0``): the job runner owns retries, backoff and the deadline, and this module only
says whether an error is worth retrying (``VideoServiceError.transient``) and how long the service
asked us to wait. Each request is bounded by ``OPENAI_VIDEO_TIMEOUT`` (default 60 s).

The SDK's DeprecationWarning for ``videos`` is silenced around each call, never process-wide.
"""

from __future__ import annotations

import email.utils
import logging
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from core.clients import ClientCache
from core.config import Settings
from core.errors import BackendUnavailable, translated
from core.redact import redact
from core.status import ServiceStatus
from core.videos.backends.base import RemoteJob, Variant, VideoRequest, VideoServiceError
from core.videos.kinds import RemoteState
from core.videos.prompt import MAX_PROMPT_CHARS

log = logging.getLogger(__name__)

KEY = "openai-videos"
LABEL = "OpenAI Videos API (Sora-compatible)"
DEFAULT_MODEL = "sora-2"
DEFAULT_BASE_URL = "https://api.openai.com/v1"  # the SDK's own default; the API behind it is gone
SHUTDOWN_DATE = "2026-09-24"
DEFAULT_TIMEOUT_S = 60.0
NO_KEY = "not-needed"  # some gateways need no key, but the SDK insists on having one

SIZES = ("720x1280", "1280x720", "1024x1792", "1792x1024")
PRO_ONLY_SIZES = ("1024x1792", "1792x1024")  # sora-2-pro only; the service, not us, enforces it
SECONDS = (4, 8, 12)  # sent as the strings "4", "8", "12": an integer is a 400
# The Videos API's own limit (1 to 32,000 characters), checked before sending: a paid 400 saved.
PROMPT_MAX_CHARS = MAX_PROMPT_CHARS

# The service's statuses as the runner's states; cancelled/canceled/expired are gateways' extra end states.
_STATES: dict[str, RemoteState] = {state.value: state for state in RemoteState} | dict.fromkeys(
    ("cancelled", "canceled", "expired"), RemoteState.FAILED
)
_SORA_DEPRECATION = r"The Sora API"


@dataclass(frozen=True)
class OpenAIVideosConfig:
    base_url: str
    model: str
    timeout_s: float
    base_url_is_default: bool = False
    api_key: str | None = field(default=None, repr=False)


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


def load_config(settings: Settings) -> OpenAIVideosConfig:
    """Read the OPENAI_* settings, or raise ``BackendUnavailable`` naming what is missing."""
    # OPENAI_VIDEO_* override the shared OPENAI_* (captions may use a local Ollama, videos a gateway).
    base_url = (settings.get("OPENAI_VIDEO_BASE_URL") or settings.get("OPENAI_BASE_URL") or "").strip().rstrip("/")
    api_key = (settings.get("OPENAI_VIDEO_API_KEY") or settings.get("OPENAI_API_KEY") or "").strip() or None
    if not base_url and not api_key:
        raise BackendUnavailable(
            "Set OPENAI_BASE_URL to a gateway that serves the Videos API (/v1/videos), "
            "and OPENAI_API_KEY if it needs one."
        )
    if base_url and not base_url.startswith(("http://", "https://")):
        raise BackendUnavailable("OPENAI_BASE_URL must start with http:// or https://.")
    timeout_s = settings.seconds("OPENAI_VIDEO_TIMEOUT", DEFAULT_TIMEOUT_S)
    return OpenAIVideosConfig(
        base_url=base_url or DEFAULT_BASE_URL,
        model=(settings.get("OPENAI_VIDEO_MODEL") or DEFAULT_MODEL).strip(),
        timeout_s=timeout_s,
        base_url_is_default=not base_url,
        api_key=api_key,
    )


def openai_videos_status(settings: Settings) -> ServiceStatus:
    try:
        config = load_config(settings)
    except BackendUnavailable as exc:
        return ServiceStatus(KEY, LABEL, False, exc.message)
    if config.base_url_is_default:
        reason = (
            f"{config.model} at {config.base_url}, but OpenAI shut that API down on {SHUTDOWN_DATE}: "
            "set OPENAI_BASE_URL to a gateway that serves /v1/videos."
        )
    else:
        key_note = "" if config.api_key else " (no OPENAI_API_KEY: fine for gateways that need none)"
        reason = f"{config.model} at {config.base_url}{key_note}"
    return ServiceStatus(KEY, LABEL, True, reason)


def _build_client(config: OpenAIVideosConfig) -> Any:
    from openai import OpenAI

    return OpenAI(base_url=config.base_url, api_key=config.api_key or NO_KEY, timeout=config.timeout_s, max_retries=0)


_clients: ClientCache[OpenAIVideosConfig, Any] = ClientCache(_build_client)


def clear_clients() -> None:
    """Forget every built client (tests, or after the settings change)."""
    _clients.clear()


@contextmanager
def _videos_api() -> Iterator[None]:
    # catch_warnings is process-wide on 3.11: concurrent calls can at worst leave this narrow filter in place.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=_SORA_DEPRECATION, category=DeprecationWarning)
        yield


class OpenAIVideosBackend:
    """Submit, poll, download, remix, list and delete through ``client.videos``."""

    key = KEY
    label = LABEL

    def __init__(self, settings: Settings):
        self.config = load_config(settings)
        self.model = self.config.model

    @property
    def _videos(self) -> Any:
        return _clients.get(self.config).videos

    # --- the protocol ---------------------------------------------------------------------------
    def submit(self, request: VideoRequest) -> RemoteJob:
        _check_prompt(request.prompt)
        if request.seconds not in SECONDS:
            raise VideoServiceError(
                f"Videos can be 4, 8 or 12 seconds long, not {request.seconds}.", code="invalid_value"
            )
        params: dict[str, Any] = {
            "prompt": request.prompt,
            "model": request.model or self.model,
            "size": request.size,
            "seconds": str(request.seconds),
        }
        if request.reference_jpeg:
            params["input_reference"] = ("reference.jpg", request.reference_jpeg, "image/jpeg")
        video, headers = self._call("submit", None, lambda: self._videos.with_raw_response.create(**params))
        return _remote_job(video, headers)

    def poll(self, remote_id: str) -> RemoteJob:
        video, headers = self._call("poll", remote_id, lambda: self._videos.with_raw_response.retrieve(remote_id))
        return _remote_job(video, headers)

    def download(self, remote_id: str, variant: Variant, destination: Path) -> None:
        """Stream one asset to ``destination``; the MP4 can be tens of megabytes."""

        def fetch() -> int:
            written = 0
            with (
                self._videos.with_streaming_response.download_content(remote_id, variant=variant) as response,
                open(destination, "wb") as out,
            ):
                for chunk in response.iter_bytes(1 << 16):
                    out.write(chunk)
                    written += len(chunk)
            return written

        try:
            written = self._call("download", remote_id, fetch, raw=False)
        except BaseException:
            destination.unlink(missing_ok=True)  # never leave half a file for the runner to find
            raise
        if written == 0:
            destination.unlink(missing_ok=True)
            raise VideoServiceError(
                f"The video service sent an empty {variant} file; it will be tried again.", transient=True
            )

    def remix(self, remote_id: str, prompt: str) -> RemoteJob:
        _check_prompt(prompt)
        video, headers = self._call(
            "remix", remote_id, lambda: self._videos.with_raw_response.remix(remote_id, prompt=prompt)
        )
        return _remote_job(video, headers)

    def delete(self, remote_id: str) -> None:
        """Delete the service's copy; one that is already gone counts as deleted."""
        try:
            self._call("delete", remote_id, lambda: self._videos.delete(remote_id), raw=False)
        except VideoServiceError as exc:
            if exc.status != 404:
                raise
            log.info("Remote video %s was already gone", remote_id)

    # --- beyond the protocol ----------------------------------------------------------------------
    def list_remote(self, limit: int = 20) -> list[RemoteVideo]:
        """The newest ``limit`` videos (one page, newest first)."""
        page = self._call("list", None, lambda: self._videos.list(limit=limit, order="desc"), raw=False)
        return [_remote_video(video) for video in page.data]

    # --- plumbing -----------------------------------------------------------------------------------
    def _call(self, action: str, remote_id: str | None, fn: Callable[[], Any], *, raw: bool = True) -> Any:
        """Run one SDK call; ``raw`` calls return (parsed object, response headers)."""
        with translated(lambda exc: self._translate(exc, action, remote_id)), _videos_api():
            result = fn()
            return (result.parse(), result.headers) if raw else result

    def _translate(self, exc: Exception, action: str, remote_id: str | None) -> Exception:
        """One clear sentence per failure; anything unrecognised is a bug and goes up unchanged."""
        import httpx2
        import openai

        cfg = self.config
        where = f"The video service at {cfg.base_url}"
        if isinstance(exc, openai.APITimeoutError):  # before APIConnectionError: it is a subclass
            log.warning("Video service timed out after %ss (%s)", cfg.timeout_s, action)
            return VideoServiceError(
                f"{where} did not answer within {cfg.timeout_s:g} s; it will be tried again.",
                transient=True,
                code="timeout",
            )
        if isinstance(exc, openai.APIConnectionError):
            log.warning("Video service unreachable at %s (%s)", cfg.base_url, action)
            return VideoServiceError(
                f"Cannot reach the video service at {cfg.base_url}; check OPENAI_BASE_URL and your connection.",
                transient=True,
                code="connection_error",
            )
        if isinstance(exc, httpx2.TransportError):  # the SDK wraps these only until the body starts
            log.warning("Video service connection broke during %s (%s)", action, type(exc).__name__)
            return VideoServiceError(
                f"The connection to the video service at {cfg.base_url} broke off during "
                f"the {action}; it will be tried again.",
                transient=True,
                code="connection_error",
            )
        if not isinstance(exc, openai.APIStatusError):
            return exc
        status = exc.status_code
        code = exc.code
        log.warning("Video service answered HTTP %s to %s (%s)", status, action, code or type(exc).__name__)
        said = _service_message(exc, cfg.api_key)
        detail = f": {said}" if said else ""

        def error(message: str, **kw: Any) -> VideoServiceError:
            return VideoServiceError(message, status=status, code=kw.pop("code", code), **kw)

        if status in (401, 403):
            return error(f"{where} rejected the API key (HTTP {status}){detail}; check OPENAI_API_KEY.")
        if status == 404 and action == "download":
            return error(
                "The video is no longer available (downloads expire an hour after completion).", code="expired"
            )
        if status == 404 and remote_id is not None:
            return error(
                f"The video {remote_id} no longer exists on the video service (HTTP 404){detail}.",
                code=code or "not_found",
            )
        if status == 404:
            return error(
                f"{where} has no Videos API (HTTP 404){detail}; check that OPENAI_BASE_URL points "
                "at a gateway that serves /v1/videos."
            )
        if status == 429:
            wait = _retry_after_s(exc.response.headers)
            return error(f"{where} is rate-limiting requests (HTTP 429){detail}.", transient=True, retry_after_s=wait)
        if status >= 500 or status == 408:
            return error(f"{where} had a server error (HTTP {status}){detail}; it will be tried again.", transient=True)
        return error(f"{where} refused the request (HTTP {status}){detail or ': no reason given'}.")


def _check_prompt(prompt: str) -> None:
    if not prompt or not prompt.strip():
        raise VideoServiceError("The prompt is empty; describe the video to make.", code="empty_prompt")
    if len(prompt) > PROMPT_MAX_CHARS:
        raise VideoServiceError(
            f"The prompt is {len(prompt):,} characters long; keep it under {PROMPT_MAX_CHARS:,}.",
            code="prompt_too_long",
        )


def _remote_job(video: Any, headers: Any) -> RemoteJob:
    state = _state(video)
    return RemoteJob(
        remote_id=video.id,
        state=state,
        progress=float(video.progress or 0),
        error=_failure_text(video) if state == RemoteState.FAILED else None,
        poll_after_s=_poll_after_s(headers),
        remixed_from=getattr(video, "remixed_from_video_id", None),
    )


def _remote_video(video: Any) -> RemoteVideo:
    state = _state(video)
    created = getattr(video, "created_at", None)
    try:
        seconds = int(video.seconds)
    except (TypeError, ValueError):
        seconds = None
    return RemoteVideo(
        remote_id=video.id,
        state=state,
        progress=float(video.progress or 0),
        prompt=video.prompt,
        size=str(video.size),
        seconds=seconds,
        model=str(video.model),
        created_at=datetime.fromtimestamp(created, UTC).replace(tzinfo=None) if created else None,
        remixed_from=getattr(video, "remixed_from_video_id", None),
        error=_failure_text(video) if state == RemoteState.FAILED else None,
    )


def _state(video: Any) -> RemoteState:
    status = str(video.status)
    state = _STATES.get(status)
    if state is None:
        log.warning("Video %s has an unknown status %r; treating it as in progress", video.id, status)
        return RemoteState.IN_PROGRESS
    return state


def _failure_text(video: Any) -> str:
    error = getattr(video, "error", None)
    message = getattr(error, "message", None) if error is not None else None
    if message:
        return str(message).strip()
    if getattr(video, "status", None) != RemoteState.FAILED:
        return f"The video service ended the job as {video.status}."
    return "The video service reported the job failed without saying why."


def _service_message(exc: Any, api_key: str | None) -> str | None:
    """The service's own words, trimmed, with anything key-like removed (401 texts quote the key)."""
    body = exc.body
    message = body.get("message") if isinstance(body, dict) else None
    if not message or not isinstance(message, str):
        return None
    message = redact(message, (api_key,), key_like=True)
    return " ".join(message.split())[:300].rstrip(". ") or None


def _poll_after_s(headers: Any) -> float | None:
    raw = headers.get("openai-poll-after-ms") if headers is not None else None
    try:
        value = float(raw) / 1000 if raw else None
    except ValueError:
        return None
    return value if value is not None and value >= 0 else None


def _retry_after_s(headers: Any) -> float | None:
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
