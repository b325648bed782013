"""The image back-end: any service that speaks OpenAI's Images API (``/v1/images/generations`` and
``/v1/images/edits``), through the real ``openai`` SDK (``client.images.generate`` and ``edit``).

OpenAI still serves this API. GPT image models always answer base64 (``b64_json``) with token
``usage``; ``response_format`` is refused for them, so it is never sent. ``gpt-image-1`` was shut
down on 2026-10-23 and ``dall-e-2``/``dall-e-3`` retired on 2026-05-12: the default is a current
GPT image model, and a retired one is named as such in the failure. The settings are
``OPENAI_IMAGE_BASE_URL``, ``OPENAI_IMAGE_API_KEY`` and ``OPENAI_IMAGE_MODEL``, each falling back to
the shared ``OPENAI_*`` one. The SDK never retries (``max_retries=0``): the job runner does, on the
same schedule as videos; errors become one sentence with the service's words (``openai_videos``).
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from core.clients import ClientCache
from core.config import Settings
from core.errors import BackendUnavailable, translated
from core.redact import display_url
from core.status import ServiceStatus
from core.videos.backends import openai_answers as answers
from core.videos.backends.base import VideoServiceError

log = logging.getLogger(__name__)

KEY = "openai-images"
LABEL = "OpenAI Images API (GPT image)"
DEFAULT_MODEL = "gpt-image-2.5-flare"
MODELS = ("gpt-image-2.5-flare", "gpt-image-2.5-sunburst", "gpt-image-2")
RETIRED = {
    "gpt-image-1": "was shut down on 2026-10-23",
    "dall-e-2": "was retired on 2026-05-12",
    "dall-e-3": "was retired on 2026-05-12",
}
DEFAULT_BASE_URL = "https://api.openai.com/v1"
DEFAULT_TIMEOUT_S = 120.0  # an image is made while the request waits
NO_KEY = "not-needed"
QUALITIES = ("auto", "low", "medium", "high")
FORMATS = ("png", "jpeg", "webp")
# Sizes every GPT image model takes; the studio crops to the exact aspect on this computer.
SIZES = {"1:1": "1024x1024", "16:9": "1536x1024", "9:16": "1024x1536"}


@dataclass(frozen=True)
class OpenAIImagesConfig:
    base_url: str
    model: str
    timeout_s: float
    base_url_is_default: bool = False
    api_key: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class ImageRequest:
    prompt: str
    size: str  # "1024x1024", "1536x1024", "1024x1536"
    model: str
    quality: str = "auto"
    output_format: str = "png"


@dataclass(frozen=True)
class MadeImage:
    """One image the service made, decoded, with the request's token usage."""

    data: bytes
    revised_prompt: str | None
    usage: dict[str, int]


def load_config(settings: Settings) -> OpenAIImagesConfig:
    """Read the OPENAI_IMAGE_* settings (falling back to OPENAI_*), or raise ``BackendUnavailable``."""
    base_url = (settings.get("OPENAI_IMAGE_BASE_URL") or settings.get("OPENAI_BASE_URL") or "").strip().rstrip("/")
    api_key = (settings.get("OPENAI_IMAGE_API_KEY") or settings.get("OPENAI_API_KEY") or "").strip() or None
    if not base_url and not api_key:
        raise BackendUnavailable(
            "Set OPENAI_IMAGE_API_KEY (or OPENAI_API_KEY) for OpenAI, or OPENAI_IMAGE_BASE_URL for another "
            "server that speaks the Images API."
        )
    if base_url and not base_url.startswith(("http://", "https://")):
        raise BackendUnavailable("OPENAI_IMAGE_BASE_URL must start with http:// or https://.")
    return OpenAIImagesConfig(
        base_url=base_url or DEFAULT_BASE_URL,
        model=(settings.get("OPENAI_IMAGE_MODEL") or DEFAULT_MODEL).strip(),
        timeout_s=settings.seconds("OPENAI_IMAGE_TIMEOUT", DEFAULT_TIMEOUT_S),
        base_url_is_default=not base_url,
        api_key=api_key,
    )


def openai_images_status(settings: Settings) -> ServiceStatus:
    try:
        config = load_config(settings)
    except BackendUnavailable as exc:
        return ServiceStatus(KEY, LABEL, False, exc.message)
    retired = RETIRED.get(config.model)
    note = f" — but {config.model} {retired}: set OPENAI_IMAGE_MODEL to {DEFAULT_MODEL}" if retired else ""
    key_note = "" if config.api_key else " (no API key: fine for servers that need none)"
    return ServiceStatus(KEY, LABEL, True, f"{config.model} at {display_url(config.base_url)}{key_note}{note}")


def model_choices(settings: Settings) -> list[str]:
    """The image models offered, the configured one first."""
    configured = (settings.get("OPENAI_IMAGE_MODEL") or DEFAULT_MODEL).strip()
    return list(dict.fromkeys([configured, *MODELS]))


def _build_client(config: OpenAIImagesConfig) -> Any:
    from openai import OpenAI

    return OpenAI(base_url=config.base_url, api_key=config.api_key or NO_KEY, timeout=config.timeout_s, max_retries=0)


_clients: ClientCache[OpenAIImagesConfig, Any] = ClientCache(_build_client)


def clear_clients() -> None:
    _clients.clear()


class OpenAIImagesBackend:
    """Generate and edit through ``client.images``; one image per call (``n=1``), so each variation
    of a set is its own job: one refused image never loses the others, and each is retried alone."""

    key = KEY
    label = LABEL

    def __init__(self, settings: Settings):
        self.config = load_config(settings)
        self.model = self.config.model

    @property
    def _client(self) -> Any:
        return _clients.get(self.config)

    def generate(self, request: ImageRequest) -> MadeImage:
        _check(request)
        made: MadeImage = self._call(
            "generate",
            request.model,
            lambda: self._client.images.generate(
                prompt=request.prompt,
                model=request.model or self.model,
                n=1,
                size=request.size,
                quality=request.quality,
                output_format=request.output_format,
            ),
        )
        return made

    def edit(self, request: ImageRequest, source: bytes, source_name: str) -> MadeImage:
        """The source image changed as ``request.prompt`` says; sent as a named file (a proper mimetype)."""
        _check(request)
        mime = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "webp": "image/webp"}
        kind = mime.get(source_name.rsplit(".", 1)[-1].lower(), "image/png")
        made: MadeImage = self._call(
            "edit",
            request.model,
            lambda: self._client.images.edit(
                image=(source_name, source, kind),
                prompt=request.prompt,
                model=request.model or self.model,
                n=1,
                size=request.size,
                quality=request.quality,
                output_format=request.output_format,
            ),
        )
        return made

    def check(self) -> None:
        """One cheap call for Test connection: the configured model's record (``GET /models/{id}``)."""
        self._call("check", self.model, lambda: self._client.models.retrieve(self.model), read=False)

    # --- plumbing ----------------------------------------------------------------------------------
    @property
    def _where(self) -> str:
        return f"The image service at {display_url(self.config.base_url)}"

    def _call(self, action: str, model: str, fn: Callable[[], Any], *, read: bool = True) -> Any:
        with translated(lambda exc: self._translate(exc, action, model or self.model)):
            result = fn()
        return self._made(result) if read else result

    def _made(self, response: Any) -> MadeImage:
        data = getattr(response, "data", None)
        first = data[0] if isinstance(data, list) and data else None
        encoded = getattr(first, "b64_json", None)
        if not isinstance(encoded, str) or not encoded:
            raise answers.malformed(self._where, "image request", "no image (no b64_json in data)")
        try:
            image = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            raise answers.malformed(self._where, "image request", "an image that is not base64") from None
        usage = getattr(response, "usage", None)
        counts = {name: int(getattr(usage, name, 0) or 0) for name in ("input_tokens", "output_tokens", "total_tokens")}
        return MadeImage(image, getattr(first, "revised_prompt", None), counts if usage is not None else {})

    def _translate(self, exc: Exception, action: str, model: str) -> Exception:
        """One clear sentence per failure, with the service's own words; anything else is a bug."""
        import httpx2
        import openai

        cfg = self.config
        where = self._where
        if isinstance(exc, json.JSONDecodeError):  # a 200 whose body is not the JSON it claims to be
            return answers.unreadable_json(where, "image request", exc)
        if isinstance(exc, openai.APITimeoutError):
            return VideoServiceError(f"{where} did not answer within {cfg.timeout_s:g} s.", transient=True)
        if isinstance(exc, openai.APIConnectionError | httpx2.TransportError):
            return VideoServiceError(
                f"Cannot reach the image service at {display_url(cfg.base_url)}; check OPENAI_IMAGE_BASE_URL "
                "and your connection.",
                transient=True,
                code="connection_error",
            )
        if not isinstance(exc, openai.APIStatusError):
            return exc
        status, code = exc.status_code, exc.code
        log.warning("Image service answered HTTP %s to %s (%s)", status, action, code or type(exc).__name__)
        said = answers.service_message(exc, cfg.api_key)
        detail = f": {said}" if said else ""

        def error(message: str, **kw: Any) -> VideoServiceError:
            return VideoServiceError(message, status=status, code=code, **kw)

        if status in (401, 403):
            return error(f"{where} rejected the API key (HTTP {status}){detail}; check OPENAI_IMAGE_API_KEY.")
        if code == "model_not_found" or (status in (400, 404) and model in RETIRED):
            retired = f" ({model} {RETIRED[model]}; use {DEFAULT_MODEL})" if model in RETIRED else ""
            return error(f"{where} does not offer the model {model} (HTTP {status}){detail}{retired}.")
        if code == "moderation_blocked":
            return error(f"{where} refused the prompt under its content policy{detail}.")
        if status == 429:
            wait = answers.retry_after_s(exc.response.headers)
            return error(f"{where} is rate-limiting requests (HTTP 429){detail}.", transient=True, retry_after_s=wait)
        if status >= 500 or status == 408:
            return error(f"{where} had a server error (HTTP {status}){detail}.", transient=True)
        return error(f"{where} refused the request (HTTP {status}){detail or ': no reason given'}.")


def _check(request: ImageRequest) -> None:
    if not request.prompt.strip():
        raise VideoServiceError("The prompt is empty; describe the image to make.", code="empty_prompt")
    if request.quality not in QUALITIES or request.output_format not in FORMATS:
        raise VideoServiceError(
            f"Quality is one of {', '.join(QUALITIES)} and the format one of {', '.join(FORMATS)}.",
            code="invalid_value",
        )
