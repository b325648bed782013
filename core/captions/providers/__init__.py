"""The caption providers, by key: which can be used now, which to pick by default, and building one.

Every provider module imports its SDK or model lazily, so listing statuses stays cheap.
"""

from __future__ import annotations

from core.captions.providers.base import CaptionProvider
from core.captions.providers.openai_compat import OpenAICompatibleCaptioner, openai_status
from core.captions.providers.watsonx import WatsonxCaptioner, watsonx_status
from core.config import Settings
from core.status import ServiceStatus

PROVIDER_KEYS = ("offline", "watsonx", "openai")
OFFLINE_LABEL = "Offline captioner (on this computer)"  # as OfflineCaptioner.label


def offline_status() -> ServiceStatus:
    return ServiceStatus("offline", OFFLINE_LABEL, True, "Runs on this computer; no account needed")


def provider_statuses(settings: Settings) -> list[ServiceStatus]:
    """One status per key of ``PROVIDER_KEYS``, in that order."""
    return [offline_status(), watsonx_status(settings), openai_status(settings)]


def default_provider_key(settings: Settings) -> str:
    """watsonx when it is configured, else the OpenAI-compatible server, else offline."""
    if watsonx_status(settings).configured:
        return "watsonx"
    if openai_status(settings).configured:
        return "openai"
    return "offline"


def build_provider(key: str, settings: Settings) -> CaptionProvider:
    """Build the provider for ``key``; raises ``BackendUnavailable`` if its settings are incomplete."""
    if key == "watsonx":
        return WatsonxCaptioner(settings)
    if key == "openai":
        return OpenAICompatibleCaptioner(settings)
    if key == "offline":
        from core.captions.providers.offline import OfflineCaptioner  # loads an ONNX model: only when asked

        return OfflineCaptioner()
    raise ValueError(f"Unknown caption provider {key!r}; expected one of {', '.join(PROVIDER_KEYS)}")
