"""IBM watsonx.ai caption provider: Llama 4 Maverick through the real ``ibm-watsonx-ai`` SDK.

The SDK makes more calls than a caption needs unless told otherwise; the client built here
makes only the IAM token call (skipped when a token is given) and ``POST /ml/v1/text/chat``:
``scope_validation=False`` skips the project lookup, ``validate=False`` the model-spec listing,
and ``platform_url`` keeps a non-standard URL from being probed as an on-prem cluster.

Time is bounded on purpose: the SDK's default timeout is 30 minutes and two retry layers stack
(its transport retries 401/5xx three times, about 2 s of back-off; the chat layer retries
429/503/504/520). We set the timeout (``WATSONX_TIMEOUT``, default 60 s) and keep the chat
layer to one retry. A timeout is never retried by either layer, so it costs one timeout.

Secrets (``WATSONX_APIKEY``, ``WATSONX_TOKEN``) never reach a message or a log line.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.captions.providers.base import CaptionRequest, CaptionResult, text_message, vision_message
from core.clients import ClientCache
from core.config import Settings
from core.errors import BackendUnavailable, ProviderError, translated
from core.redact import redact
from core.status import ServiceStatus

log = logging.getLogger(__name__)

KEY = "watsonx"
LABEL = "IBM watsonx — Llama 4 Maverick"
DEFAULT_MODEL_ID = "meta-llama/llama-4-maverick-17b-128e-instruct-fp8"
MAX_LONG_SIDE = 1120
DEFAULT_TIMEOUT_S = 60.0
CONNECT_TIMEOUT_S = 10.0
CHAT_MAX_RETRIES = 1  # the chat layer's retries on 429/503/504/520 (the SDK default is 10)
CHAT_RETRY_DELAY_S = 0.5
MAX_TOKENS = 600  # room for the "detailed" style's two paragraphs
TEMPERATURE = 0.2
# The SDK records the TLS choice in this process-wide variable; we put the old value back.
_SDK_VERIFY_ENV = "WX_CLIENT_VERIFY_REQUESTS"


@dataclass(frozen=True)
class WatsonxConfig:
    """Everything the client depends on; hashable, so one client is built per distinct config."""

    url: str
    project_id: str | None
    space_id: str | None
    model_id: str
    verify: bool | str  # True, False or a CA bundle path
    timeout_s: float
    auth_url: str | None = None
    platform_url: str | None = None
    api_key: str | None = field(default=None, repr=False)
    token: str | None = field(default=None, repr=False)

    def secrets(self) -> tuple[str, ...]:
        return tuple(s for s in (self.api_key, self.token) if s)


def _parse_verify(raw: str | None) -> bool | str:
    if raw is None or raw.strip().lower() in ("", "true", "1", "yes", "on"):
        return True
    if raw.strip().lower() in ("false", "0", "no", "off"):
        return False
    path = Path(raw).expanduser()
    if not path.exists():
        raise BackendUnavailable(
            f"WATSONX_VERIFY points to {path}, which does not exist: give a CA bundle path, true or false."
        )
    return str(path)


def load_config(settings: Settings) -> WatsonxConfig:
    """Read the WATSONX_* settings, or raise ``BackendUnavailable`` naming exactly what is missing."""
    url = (settings.get("WATSONX_URL") or "").strip().rstrip("/")
    if not url:
        raise BackendUnavailable("Set WATSONX_URL (e.g. https://us-south.ml.cloud.ibm.com).")
    if not url.startswith("https://"):
        raise BackendUnavailable("WATSONX_URL must start with https://.")
    api_key, token = settings.get("WATSONX_APIKEY"), settings.get("WATSONX_TOKEN")
    if not api_key and not token:
        raise BackendUnavailable("Set WATSONX_APIKEY or WATSONX_TOKEN.")
    project_id, space_id = settings.get("WATSONX_PROJECT_ID"), settings.get("WATSONX_SPACE_ID")
    if not project_id and not space_id:
        raise BackendUnavailable("Set WATSONX_PROJECT_ID or WATSONX_SPACE_ID.")
    if project_id and space_id:
        raise BackendUnavailable("Set only one of WATSONX_PROJECT_ID and WATSONX_SPACE_ID, not both.")
    timeout_s = settings.seconds("WATSONX_TIMEOUT", DEFAULT_TIMEOUT_S)
    return WatsonxConfig(
        url=url,
        project_id=project_id,
        space_id=space_id,
        model_id=settings.get("WATSONX_MODEL_ID") or DEFAULT_MODEL_ID,
        verify=_parse_verify(settings.get("WATSONX_VERIFY")),
        timeout_s=timeout_s,
        auth_url=settings.get("WATSONX_AUTH_URL") or None,
        platform_url=settings.get("WATSONX_PLATFORM_URL") or None,
        api_key=api_key or None,
        token=None if api_key else token,  # an API key wins: IAM tokens it mints are refreshed
    )


def watsonx_status(settings: Settings) -> ServiceStatus:
    try:
        config = load_config(settings)
    except BackendUnavailable as exc:
        return ServiceStatus(KEY, LABEL, False, exc.message)
    model = "Llama 4 Maverick" if config.model_id == DEFAULT_MODEL_ID else config.model_id
    return ServiceStatus(KEY, LABEL, True, f"{model} on {config.url}")


_build_lock = threading.Lock()


def _build_model_inference(config: WatsonxConfig) -> Any:
    """One SDK client per config. Building it fetches the IAM token (one call) when an API key is used."""
    import httpx
    from ibm_watsonx_ai import APIClient, Credentials
    from ibm_watsonx_ai.foundation_models import ModelInference
    from ibm_watsonx_ai.utils.utils import HttpClientConfig

    http = HttpClientConfig(timeout=httpx.Timeout(config.timeout_s, connect=min(config.timeout_s, CONNECT_TIMEOUT_S)))
    credentials = Credentials(
        url=config.url,
        api_key=config.api_key,
        token=config.token,
        auth_url=config.auth_url,
        platform_url=config.platform_url,
        verify=config.verify,  # set explicitly: unset, a TLS failure silently falls back to no verification
    )
    with _build_lock:
        previous = os.environ.get(_SDK_VERIFY_ENV)
        try:
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", message=r"(?s).*scope_validation")
                client = APIClient(
                    credentials,
                    project_id=config.project_id,
                    space_id=config.space_id,
                    httpx_client=http,
                    async_httpx_client=http,
                    scope_validation=False,
                )
        finally:
            if previous is None:
                os.environ.pop(_SDK_VERIFY_ENV, None)
            else:
                os.environ[_SDK_VERIFY_ENV] = previous
    return ModelInference(
        model_id=config.model_id,
        api_client=client,
        validate=False,
        max_retries=CHAT_MAX_RETRIES,
        delay_time=CHAT_RETRY_DELAY_S,
    )


_model_inference: ClientCache[WatsonxConfig, Any] = ClientCache(_build_model_inference)


def clear_clients() -> None:
    """Forget every built client (tests, or after the settings change)."""
    _model_inference.clear()


class WatsonxCaptioner:
    key = KEY
    label = LABEL
    max_long_side = MAX_LONG_SIDE
    follows_instructions = True

    def __init__(self, settings: Settings):
        self.config = load_config(settings)  # raises BackendUnavailable before any network call
        self.model = self.config.model_id

    def caption(self, request: CaptionRequest) -> CaptionResult:
        messages = [vision_message(request)]
        with translated(self._translate):
            model = _model_inference.get(self.config)
            response = model.chat(messages=messages, params={"max_tokens": MAX_TOKENS, "temperature": TEMPERATURE})
        return self._result(response)

    def rewrite(self, instruction: str) -> str:
        """A text-only chat with the same model (Llama 4 Maverick writes text as well as it reads images)."""
        with translated(self._translate):
            model = _model_inference.get(self.config)
            response = model.chat(
                messages=[text_message(instruction)], params={"max_tokens": MAX_TOKENS, "temperature": TEMPERATURE}
            )
        return self._result(response).text

    def _result(self, response: dict[str, Any]) -> CaptionResult:
        try:
            text = response["choices"][0]["message"]["content"]
        except (KeyError, IndexError, TypeError):
            raise ProviderError("watsonx answered without a caption (no choices in the response).") from None
        if isinstance(text, list):  # content parts, as some chat servers answer
            text = "".join(part.get("text", "") for part in text if isinstance(part, dict))
        text = (text or "").strip()
        if not text:
            raise ProviderError("watsonx returned an empty caption; try again or change the prompt.")
        usage = response.get("usage") or {}
        return CaptionResult(
            text=text,
            model=response.get("model_id") or self.config.model_id,
            prompt_tokens=usage.get("prompt_tokens"),
            completion_tokens=usage.get("completion_tokens"),
        )

    def _translate(self, exc: Exception) -> Exception:
        """One clear sentence per failure; anything unrecognised is a bug and goes up unchanged."""
        import httpx
        from ibm_watsonx_ai.wml_client_error import (
            ApiRequestFailure,
            AuthenticationError,
            InvalidCredentialsError,
            WMLClientError,
        )

        cfg = self.config
        if isinstance(exc, httpx.TimeoutException) and not isinstance(exc, httpx.ConnectTimeout):
            log.warning("watsonx timed out after %ss (%s)", cfg.timeout_s, type(exc).__name__)
            return ProviderError(
                f"watsonx did not answer within {cfg.timeout_s:g} s; try again, or raise WATSONX_TIMEOUT."
            )
        if isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout, httpx.ProxyError, ExceptionGroup)):
            log.warning("watsonx unreachable at %s (%s)", cfg.url, type(exc).__name__)
            return ProviderError(f"Cannot reach watsonx at {cfg.url}; check WATSONX_URL and the network connection.")
        if isinstance(exc, InvalidCredentialsError):  # IAM refused the API key (HTTP 4xx from the token service)
            log.warning("watsonx IAM token request rejected")
            return ProviderError("watsonx rejected the credentials; check WATSONX_APIKEY (or WATSONX_TOKEN).")
        if isinstance(exc, AuthenticationError) and getattr(exc, "response", None) is not None:
            status = exc.response.status_code  # IAM itself failed (5xx): not the key's fault
            log.warning("watsonx IAM token request failed with HTTP %s", status)
            return ProviderError(f"The IBM Cloud sign-in service failed (HTTP {status}); try again later.")
        if isinstance(exc, ApiRequestFailure) and getattr(exc, "response", None) is not None:
            return self._from_status(exc.response.status_code, exc.response)
        if isinstance(exc, OSError) and "CA_BUNDLE" in str(exc):
            log.warning("watsonx TLS certificate not verified for %s", cfg.url)
            return ProviderError(
                f"The TLS certificate of {cfg.url} could not be verified; set WATSONX_VERIFY to its CA bundle path."
            )
        if isinstance(exc, WMLClientError) and str(getattr(exc, "error_msg", "")).startswith(_NOT_JSON):
            # The SDK quotes the whole body in its message; a proxy's HTML page or a cut answer is not ours to show.
            log.warning("watsonx answered HTTP 200 with a body that is not JSON")
            return ProviderError(
                "watsonx sent a reply that is not a valid answer (HTTP 200, not JSON); try again later."
            )
        if isinstance(exc, json.JSONDecodeError):  # only the SDK's IAM token call parses JSON itself
            log.warning("the IBM Cloud sign-in service answered with a body that is not JSON")
            return ProviderError(
                "The IBM Cloud sign-in service sent a reply that is not a valid answer (HTTP 200, not JSON); "
                "try again later."
            )
        if isinstance(exc, WMLClientError) and "Cloud Pak for Data" in str(exc):
            # The SDK treats any URL outside its IBM Cloud list as an on-prem cluster.
            return ProviderError(
                f"{cfg.url} is not a known IBM Cloud watsonx URL; use a regional one such as "
                "https://us-south.ml.cloud.ibm.com, or also set WATSONX_PLATFORM_URL."
            )
        if isinstance(exc, WMLClientError):
            detail = redact(str(getattr(exc, "error_msg", exc)).splitlines()[0], cfg.secrets())[:200]
            log.warning("watsonx client error: %s", detail)
            return ProviderError(f"The watsonx client failed: {detail}")
        return exc

    def _from_status(self, status: int, response: Any) -> ProviderError:
        code, server_message = _error_detail(response)
        log.warning("watsonx answered HTTP %s (%s)", status, code or "no error code")
        if status in (401, 403):
            return ProviderError(
                f"watsonx rejected the credentials (HTTP {status}); check WATSONX_APIKEY or WATSONX_TOKEN "
                "and that it may use the project or space."
            )
        if status == 429:
            return ProviderError("watsonx is rate-limiting requests (HTTP 429); try again later.")
        if status >= 500:
            return ProviderError(f"watsonx had a service error (HTTP {status}); try again later.")
        detail = redact(server_message, self.config.secrets())[:200] if server_message else "no details given"
        if status == 404:
            return ProviderError(
                f"watsonx could not find model {self.config.model_id} or the project/space (HTTP 404): {detail}"
            )
        return ProviderError(f"watsonx refused the request (HTTP {status}): {detail}")


_NOT_JSON = "Failure during parsing json response"  # ibm_watsonx_ai.wml_resource, on a 2xx answer


def _error_detail(response: Any) -> tuple[str | None, str | None]:
    """``errors[0].code`` and ``.message`` from watsonx's error body, when it has one."""
    try:
        body = json.loads(response.text)
        first = body["errors"][0]
        return first.get("code"), first.get("message")
    except (ValueError, KeyError, IndexError, TypeError, AttributeError):
        return None, None
