"""The remote video back-end: any service that speaks OpenAI's ``/v1/videos`` wire format.

OpenAI shut down Sora 2 and its Videos API on 2026-09-24, but gateways still serve the same
format, so this is the real ``openai`` SDK (``client.videos``, deprecated but present) with a
configurable ``OPENAI_BASE_URL`` and ``OPENAI_VIDEO_MODEL``. The SDK never retries
(``max_retries=0``): the job runner owns retries, backoff and the deadline, and this module only
says whether an error is worth retrying (``VideoServiceError.transient``) and how long the service
asked us to wait. Each request is bounded by ``OPENAI_VIDEO_TIMEOUT`` (default 60 s). Answers
are read defensively (``openai_answers.py``): a 200 that is not a video object, or a web page in
place of a file, is a transient fault of the service, not a bug.

The SDK's DeprecationWarning for ``videos`` is silenced around each call, never process-wide.
"""

from __future__ import annotations

import json
import logging
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.clients import ClientCache
from core.config import Settings
from core.errors import BackendUnavailable, translated
from core.redact import display_url
from core.status import ServiceStatus
from core.videos.backends import openai_answers as answers
from core.videos.backends.base import RemoteJob, Variant, VideoRequest, VideoServiceError
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
EXTEND_SECONDS = (4, 8, 12, 16, 20)  # what one extension may add (the SDK's type lists only 4, 8, 12)
# The Videos API's own limit (1 to 32,000 characters), checked before sending: a paid 400 saved.
PROMPT_MAX_CHARS = MAX_PROMPT_CHARS

RemoteVideo = answers.RemoteVideo
_SORA_DEPRECATION = r"The Sora API"


@dataclass(frozen=True)
class OpenAIVideosConfig:
    base_url: str
    model: str
    timeout_s: float
    base_url_is_default: bool = False
    api_key: str | None = field(default=None, repr=False)


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
            f"{config.model} at {display_url(config.base_url)}, but OpenAI shut that API down on {SHUTDOWN_DATE}: "
            "set OPENAI_BASE_URL to a gateway that serves /v1/videos."
        )
    else:
        key_note = "" if config.api_key else " (no OPENAI_API_KEY: fine for gateways that need none)"
        reason = f"{config.model} at {display_url(config.base_url)}{key_note}"
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
        return answers.remote_job(video, headers)

    def poll(self, remote_id: str) -> RemoteJob:
        video, headers = self._call("poll", remote_id, lambda: self._videos.with_raw_response.retrieve(remote_id))
        return answers.remote_job(video, headers)

    def download(self, remote_id: str, variant: Variant, destination: Path) -> None:
        """Stream one asset to ``destination``; the MP4 can be tens of megabytes."""

        def fetch() -> int:
            written = 0
            with (
                self._videos.with_streaming_response.download_content(remote_id, variant=variant) as response,
                open(destination, "wb") as out,
            ):
                for chunk in response.iter_bytes(1 << 16):
                    if not written:
                        answers.check_media(self._where, variant, response.headers.get("content-type", ""), chunk)
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
            raise answers.bad_file(self._where, variant, "an empty body")

    def remix(self, remote_id: str, prompt: str) -> RemoteJob:
        _check_prompt(prompt)
        video, headers = self._call(
            "remix", remote_id, lambda: self._videos.with_raw_response.remix(remote_id, prompt=prompt)
        )
        return answers.remote_job(video, headers)

    def extend(self, source: str | Path, prompt: str, seconds: int) -> RemoteJob:
        """``POST /videos/extensions``: ``seconds`` is the length added (the new video holds the
        source's and these). SDK 3.57 refuses ``video={"id": …}`` before sending, so a reference
        goes as ``extra_body`` (the multipart field ``video[id]``); a file is uploaded as it is."""
        import openai

        _check_prompt(prompt)
        if seconds not in EXTEND_SECONDS:
            raise VideoServiceError(
                f"An extension adds {', '.join(map(str, EXTEND_SECONDS))} seconds, not {seconds}.", code="invalid_value"
            )
        params: dict[str, Any] = {"prompt": prompt, "seconds": str(seconds)}
        if isinstance(source, Path):
            params["video"] = (source.name, source.read_bytes(), "video/mp4")
        else:
            params.update(video=openai.omit, extra_body={"video": {"id": source}})
        remote_id = source if isinstance(source, str) else None
        video, headers = self._call("extend", remote_id, lambda: self._videos.with_raw_response.extend(**params))
        return answers.remote_job(video, headers)

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

        def fetch() -> Any:
            raw = self._videos.with_raw_response.list(limit=limit, order="desc")
            if not raw.headers.get("content-type", "").startswith("application/json"):  # the SDK's parse would crash
                raise answers.malformed(self._where, "list", "a web page" if raw.text.lstrip()[:1] == "<" else "text")
            return raw.parse()

        page = self._call("list", None, fetch, raw=False)
        return [answers.remote_video(video) for video in answers.listed_videos(page, self._where)]

    # --- plumbing -----------------------------------------------------------------------------------
    @property
    def _where(self) -> str:
        return f"The video service at {display_url(self.config.base_url)}"

    def _call(self, action: str, remote_id: str | None, fn: Callable[[], Any], *, raw: bool = True) -> Any:
        """Run one SDK call; ``raw`` calls return (the video object, response headers)."""
        with translated(lambda exc: self._translate(exc, action, remote_id)), _videos_api():
            result = fn()
            if not raw:
                return result
            return answers.video_object(result.parse(), self._where, action), result.headers

    def _translate(self, exc: Exception, action: str, remote_id: str | None) -> Exception:
        """One clear sentence per failure; anything unrecognised is a bug and goes up unchanged."""
        import httpx2
        import openai

        cfg = self.config
        where = self._where
        if isinstance(exc, json.JSONDecodeError):  # a 200 whose body is not the JSON it claims to be
            return answers.unreadable_json(where, action, exc)
        if isinstance(exc, openai.APITimeoutError):  # before APIConnectionError: it is a subclass
            log.warning("Video service timed out after %ss (%s)", cfg.timeout_s, action)
            return VideoServiceError(
                f"{where} did not answer within {cfg.timeout_s:g} s.",
                transient=True,
                code="timeout",
            )
        if isinstance(exc, openai.APIConnectionError):
            log.warning("Video service unreachable at %s (%s)", display_url(cfg.base_url), action)
            return VideoServiceError(
                f"Cannot reach the video service at {cfg.base_url}; check OPENAI_BASE_URL and your connection.",
                transient=True,
                code="connection_error",
            )
        if isinstance(exc, httpx2.TransportError):  # the SDK wraps these only until the body starts
            log.warning("Video service connection broke during %s (%s)", action, type(exc).__name__)
            return VideoServiceError(
                f"The connection to the video service at {cfg.base_url} broke off during the {action}.",
                transient=True,
                code="connection_error",
            )
        if not isinstance(exc, openai.APIStatusError):
            return exc
        status = exc.status_code
        code = exc.code
        log.warning("Video service answered HTTP %s to %s (%s)", status, action, code or type(exc).__name__)
        said = answers.service_message(exc, cfg.api_key)
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
            wait = answers.retry_after_s(exc.response.headers)
            return error(f"{where} is rate-limiting requests (HTTP 429){detail}.", transient=True, retry_after_s=wait)
        if status >= 500 or status == 408:
            return error(f"{where} had a server error (HTTP {status}){detail}.", transient=True)
        return error(f"{where} refused the request (HTTP {status}){detail or ': no reason given'}.")


def _check_prompt(prompt: str) -> None:
    if not prompt or not prompt.strip():
        raise VideoServiceError("The prompt is empty; describe the video to make.", code="empty_prompt")
    if len(prompt) > PROMPT_MAX_CHARS:
        raise VideoServiceError(
            f"The prompt is {len(prompt):,} characters long; keep it under {PROMPT_MAX_CHARS:,}.",
            code="prompt_too_long",
        )
