"""The video back-ends by key: which can be used now, the default, their models, and building one.

Adding a back-end: implement ``RemoteVideoBackend`` or ``LocalVideoBackend`` (``base.py``) in a
module of this package, give it a ``BackendKey``, and add it to the functions below.
"""

from __future__ import annotations

from core.config import Settings
from core.status import ServiceStatus
from core.videos.backends import offline
from core.videos.backends.base import VideoBackend
from core.videos.kinds import BackendKey
from core.videos.plan import PRO_MODELS

BACKEND_KEYS = (BackendKey.OFFLINE, BackendKey.OPENAI_VIDEOS)
IMPORTED_LABEL = "Imported file"


def offline_status() -> ServiceStatus:
    return ServiceStatus(
        offline.KEY,
        offline.LABEL,
        True,
        "An animatic of your prompt rendered on this computer: a preview, not an AI video model.",
    )


def backend_statuses(settings: Settings) -> list[ServiceStatus]:
    from core.videos.backends.openai_videos import openai_videos_status

    return [offline_status(), openai_videos_status(settings)]


def backend_label(key: str, settings: Settings) -> str:
    """What the UI calls a back-end (imports included)."""
    labels = {s.key: s.label for s in backend_statuses(settings)}
    labels[BackendKey.IMPORT] = IMPORTED_LABEL
    labels[BackendKey.OPENAI_IMAGES] = "OpenAI Images API (GPT image)"  # image sets (core.videos.image_sets)
    return labels.get(key, key)


def default_backend_key(settings: Settings) -> BackendKey:
    from core.videos.backends.openai_videos import openai_videos_status

    return BackendKey.OPENAI_VIDEOS if openai_videos_status(settings).configured else BackendKey.OFFLINE


def model_choices(key: str, settings: Settings) -> list[str]:
    """The models a back-end offers, the configured one first."""
    if key != BackendKey.OPENAI_VIDEOS:
        return [offline.MODEL]
    from core.videos.backends.openai_videos import DEFAULT_MODEL

    configured = settings.get("OPENAI_VIDEO_MODEL") or DEFAULT_MODEL
    return list(dict.fromkeys([configured, DEFAULT_MODEL, *PRO_MODELS]))


def build_video_backend(key: str, settings: Settings) -> VideoBackend:
    if key == BackendKey.OFFLINE:
        return offline.OfflineRenderer()
    if key == BackendKey.OPENAI_VIDEOS:
        from core.videos.backends.openai_videos import OpenAIVideosBackend

        return OpenAIVideosBackend(settings)
    raise ValueError(f"Unknown video back-end {key!r}")
