"""Caption provider for any OpenAI-compatible vision server (Ollama, vLLM, LM Studio, OpenAI itself).

Uses the real ``openai`` SDK with a configurable ``base_url``; the image travels as a JPEG data
URL inside the user message, the format every one of these servers accepts. Local servers need
no key, so ``OPENAI_BASE_URL`` alone makes the provider usable.

Time is bounded: ``OPENAI_TIMEOUT`` (default 120 s, because a local model may load on the first
call) per attempt and one retry, against the SDK's 10 minutes and two retries.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from core.captions.providers.base import CaptionRequest, CaptionResult, text_message, vision_message
from core.clients import ClientCache
from core.config import Settings
from core.errors import BackendUnavailable, ProviderError, translated
from core.redact import display_url, redact
from core.status import ServiceStatus

log = logging.getLogger(__name__)

KEY = "openai"
LABEL = "OpenAI-compatible vision (Ollama, vLLM…)"
DEFAULT_MODEL = "llama3.2-vision"
MAX_LONG_SIDE = 1120
DEFAULT_TIMEOUT_S = 120.0
MAX_RETRIES = 1
NO_KEY = "not-needed"  # local servers ignore the key, but the SDK insists on having one
MAX_TOKENS = 600
TEMPERATURE = 0.2


@dataclass(frozen=True)
class OpenAICompatConfig:
    base_url: str
    model: str
    timeout_s: float
    api_key: str | None = field(default=None, repr=False)

    def secrets(self) -> tuple[str, ...]:
        return (self.api_key,) if self.api_key else ()


def load_config(settings: Settings) -> OpenAICompatConfig:
    """Read the OPENAI_* settings, or raise ``BackendUnavailable`` naming what is missing."""
    base_url = (settings.get("OPENAI_BASE_URL") or "").strip().rstrip("/")
    if not base_url:
        raise BackendUnavailable("Set OPENAI_BASE_URL (e.g. http://localhost:11434/v1 for Ollama).")
    if not base_url.startswith(("http://", "https://")):
        raise BackendUnavailable("OPENAI_BASE_URL must start with http:// or https://.")
    timeout_s = settings.seconds("OPENAI_TIMEOUT", DEFAULT_TIMEOUT_S)
    return OpenAICompatConfig(
        base_url=base_url,
        model=settings.get("OPENAI_VISION_MODEL") or DEFAULT_MODEL,
        timeout_s=timeout_s,
        api_key=settings.get("OPENAI_API_KEY") or None,
    )


def openai_status(settings: Settings) -> ServiceStatus:
    try:
        config = load_config(settings)
    except BackendUnavailable as exc:
        return ServiceStatus(KEY, LABEL, False, exc.message)
    key_note = "" if config.api_key else " (no OPENAI_API_KEY: fine for local servers)"
    return ServiceStatus(KEY, LABEL, True, f"{config.model} at {display_url(config.base_url)}{key_note}")


def _build_client(config: OpenAICompatConfig) -> Any:
    from openai import OpenAI

    return OpenAI(
        base_url=config.base_url,
        api_key=config.api_key or NO_KEY,
        timeout=config.timeout_s,
        max_retries=MAX_RETRIES,
    )


_clients: ClientCache[OpenAICompatConfig, Any] = ClientCache(_build_client)


def clear_clients() -> None:
    """Forget every built client (tests, or after the settings change)."""
    _clients.clear()


class OpenAICompatibleCaptioner:
    key = KEY
    label = LABEL
    max_long_side = MAX_LONG_SIDE
    follows_instructions = True

    def __init__(self, settings: Settings):
        self.config = load_config(settings)
        self.model = self.config.model

    def caption(self, request: CaptionRequest) -> CaptionResult:
        return self._chat([vision_message(request)])

    def rewrite(self, instruction: str) -> str:
        """A text-only chat with the same model (vision models write text too)."""
        return self._chat([text_message(instruction)]).text

    def _chat(self, messages: list[dict[str, Any]]) -> CaptionResult:
        with translated(self._translate):
            completion = _clients.get(self.config).chat.completions.create(
                model=self.config.model, messages=messages, max_tokens=MAX_TOKENS, temperature=TEMPERATURE
            )
        if not completion.choices:
            raise ProviderError(f"The vision server at {display_url(self.config.base_url)} answered without a caption.")
        text = (completion.choices[0].message.content or "").strip()
        if not text:
            raise ProviderError("The vision server returned an empty caption; check that the model accepts images.")
        usage = completion.usage
        return CaptionResult(
            text=text,
            model=completion.model or self.config.model,
            prompt_tokens=usage.prompt_tokens if usage else None,
            completion_tokens=usage.completion_tokens if usage else None,
        )

    def _translate(self, exc: Exception) -> Exception:
        """One clear sentence per failure; anything unrecognised is a bug and goes up unchanged."""
        import openai

        cfg = self.config
        where = f"The vision server at {display_url(cfg.base_url)}"
        if isinstance(exc, openai.APITimeoutError):  # before APIConnectionError: it is a subclass
            log.warning("OpenAI-compatible server timed out after %ss", cfg.timeout_s)
            return ProviderError(
                f"{where} did not answer within {cfg.timeout_s:g} s; try again, or raise OPENAI_TIMEOUT."
            )
        if isinstance(exc, openai.APIConnectionError):
            log.warning("OpenAI-compatible server unreachable at %s", display_url(cfg.base_url))
            return ProviderError(
                f"Cannot reach the vision server at {display_url(cfg.base_url)}; "
                "check OPENAI_BASE_URL and that the server is running."
            )
        if not isinstance(exc, openai.APIStatusError):
            return exc
        status = exc.status_code
        log.warning("OpenAI-compatible server answered HTTP %s (%s)", status, exc.code or type(exc).__name__)
        # The server's own words only where they help and cannot hold the key (401 texts quote it).
        message = exc.body.get("message") if isinstance(exc.body, dict) else None
        detail = redact(str(message), cfg.secrets())[:200] if message else "no details given"
        if isinstance(exc, (openai.AuthenticationError, openai.PermissionDeniedError)):
            return ProviderError(f"{where} rejected the API key (HTTP {status}); check OPENAI_API_KEY.")
        if isinstance(exc, openai.RateLimitError):
            return ProviderError(f"{where} is rate-limiting requests (HTTP 429); try again later.")
        if status >= 500:
            return ProviderError(f"{where} had a server error (HTTP {status}); try again later.")
        if isinstance(exc, openai.NotFoundError):
            return ProviderError(
                f"{where} has no model {cfg.model} or no chat endpoint (HTTP 404); check OPENAI_VISION_MODEL "
                "and that OPENAI_BASE_URL ends in /v1."
            )
        return ProviderError(f"{where} refused the request (HTTP {status}): {detail}")
