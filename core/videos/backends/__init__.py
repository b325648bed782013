"""The video back-ends by key: which can be used now, the default, and building one."""

from __future__ import annotations

from core.captions.providers.base import ProviderStatus
from core.config import Settings
from core.videos.backends import offline

BACKEND_KEYS = ("offline", "openai-videos")


def offline_status() -> ProviderStatus:
    return ProviderStatus(
        offline.KEY,
        offline.LABEL,
        True,
        "An animatic of your prompt rendered on this computer: a preview, not an AI video model.",
    )


def backend_statuses(settings: Settings) -> list[ProviderStatus]:
    from core.videos.backends.openai_videos import openai_videos_status

    return [offline_status(), openai_videos_status(settings)]


def default_backend_key(settings: Settings) -> str:
    from core.videos.backends.openai_videos import openai_videos_status

    return "openai-videos" if openai_videos_status(settings).configured else "offline"


def build_video_backend(key: str, settings: Settings):
    if key == offline.KEY:
        return offline.OfflineRenderer()
    if key == "openai-videos":
        from core.videos.backends.openai_videos import OpenAIVideosBackend

        return OpenAIVideosBackend(settings)
    raise ValueError(f"Unknown video back-end {key!r}")
