"""The Settings page's service: each back-end's settings, where they come from, and "Test connection".

"Test connection" makes one real, cheap call through the back-end's own code path, so success means
what a real job needs works and a failure reads as the same one sentence a job would show:
- watsonx and the OpenAI-compatible server caption an 8×8 grey image, asked to answer "OK" (the IAM
  token and one chat call; it also proves the model accepts images);
- the Videos API lists one video (``GET /v1/videos?limit=1``), which costs nothing;
- the Images API reads the configured model's record (``GET /v1/models/{model}``), which costs nothing.

Saved settings go to the secrets file only (``core.secrets_file``); ``apply_saved_settings`` then
re-reads them into the running studio and forgets every cached client built from the old ones.
"""

from __future__ import annotations

import base64
import io
import logging
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from core.captions.providers import build_provider, openai_compat, watsonx
from core.captions.providers.base import CaptionRequest, PreparedImage
from core.captions.styles import CUSTOM
from core.config import PREFIXES, Settings, read_secrets_file, secrets_paths
from core.errors import StudioError
from core.redact import display_url, scrub
from core.secrets_file import mask, save_settings
from core.status import ServiceStatus
from core.studio import Studio
from core.videos.backends import openai_images, openai_videos

log = logging.getLogger(__name__)

PROBE_INSTRUCTION = "Reply with the single word OK."


@dataclass(frozen=True)
class Field:
    name: str  # the setting, e.g. "WATSONX_APIKEY"
    label: str
    secret: bool = False
    url: bool = False
    help: str = ""


@dataclass(frozen=True)
class Backend:
    key: str
    label: str
    fields: tuple[Field, ...]


BACKENDS: tuple[Backend, ...] = (
    Backend(
        watsonx.KEY,
        watsonx.LABEL,
        (
            Field("WATSONX_URL", "Endpoint URL", url=True, help="e.g. https://us-south.ml.cloud.ibm.com"),
            Field("WATSONX_APIKEY", "IBM Cloud API key", secret=True),
            Field("WATSONX_PROJECT_ID", "Project ID"),
            Field("WATSONX_MODEL_ID", "Model ID", help=f"Default: {watsonx.DEFAULT_MODEL_ID}"),
        ),
    ),
    Backend(
        openai_compat.KEY,
        openai_compat.LABEL,
        (
            Field("OPENAI_BASE_URL", "Base URL", url=True, help="e.g. http://127.0.0.1:11434/v1 for Ollama"),
            Field("OPENAI_API_KEY", "API key", secret=True, help="Optional for local servers"),
            Field("OPENAI_VISION_MODEL", "Vision model", help=f"Default: {openai_compat.DEFAULT_MODEL}"),
        ),
    ),
    Backend(
        openai_videos.KEY,
        openai_videos.LABEL,
        (
            Field(
                "OPENAI_VIDEO_BASE_URL",
                "Gateway URL",
                url=True,
                help="Falls back to OPENAI_BASE_URL",
            ),
            Field("OPENAI_VIDEO_API_KEY", "API key", secret=True, help="Falls back to OPENAI_API_KEY"),
            Field("OPENAI_VIDEO_MODEL", "Model", help=f"Default: {openai_videos.DEFAULT_MODEL}"),
        ),
    ),
    Backend(
        openai_images.KEY,
        openai_images.LABEL,
        (
            Field("OPENAI_IMAGE_BASE_URL", "Base URL", url=True, help="Falls back to OPENAI_BASE_URL, then OpenAI"),
            Field("OPENAI_IMAGE_API_KEY", "API key", secret=True, help="Falls back to OPENAI_API_KEY"),
            Field("OPENAI_IMAGE_MODEL", "Model", help=f"Default: {openai_images.DEFAULT_MODEL}"),
        ),
    ),
)


def backend(key: str) -> Backend:
    for found in BACKENDS:
        if found.key == key:
            return found
    raise ValueError(f"Unknown back-end {key!r}")


# --- where each setting comes from -------------------------------------------------------------------


@dataclass(frozen=True)
class FieldView:
    field: Field
    shown: str  # the value as it may be shown (masked key, URL without credentials), or ""
    source: str  # "environment", "secrets file" or "not set"
    source_path: Path | None = None  # the secrets file it comes from

    @property
    def from_environment(self) -> bool:
        return self.source == "environment"


def source_of(
    name: str, environ: Mapping[str, str] | None = None, paths: list[Path] | None = None
) -> tuple[str, Path | None]:
    """Where ``Settings.load`` takes ``name`` from (the environment beats the secrets files), and which file."""
    env = os.environ if environ is None else environ
    if name.startswith(PREFIXES) and env.get(name):
        return "environment", None
    for path in paths if paths is not None else secrets_paths():
        if read_secrets_file([path]).get(name):
            return "secrets file", path
    return "not set", None


def field_views(key: str, settings: Settings) -> list[FieldView]:
    views = []
    for field in backend(key).fields:
        value = settings.get(field.name) or ""
        shown = mask(value) if field.secret else display_url(value) if field.url else scrub(value)
        views.append(FieldView(field, shown, *source_of(field.name)))
    return views


def status(key: str, settings: Settings) -> ServiceStatus:
    """Whether ``key`` is configured, in the back-end's own words."""
    if key == watsonx.KEY:
        return watsonx.watsonx_status(settings)
    if key == openai_compat.KEY:
        return openai_compat.openai_status(settings)
    if key == openai_images.KEY:
        return openai_images.openai_images_status(settings)
    return openai_videos.openai_videos_status(settings)


# --- saving ------------------------------------------------------------------------------------------


def save(values: Mapping[str, str | None]) -> Path:
    """Write these settings to the secrets file (never the database); empty values are left unchanged.

    Raises ``core.secrets_file.SecretsFileError`` with one sentence when the file cannot be written."""
    known = {f.name for b in BACKENDS for f in b.fields}
    unknown = set(values) - known
    if unknown:
        raise ValueError(f"Not a setting the Settings page edits: {', '.join(sorted(unknown))}")
    changed = {name: value for name, value in values.items() if value is not None and value.strip()}
    return save_settings(changed)


def clear(names: list[str]) -> Path:
    """Remove these settings from the secrets file."""
    return save_settings(dict.fromkeys(names))


def apply_saved_settings(studio: Studio) -> Settings:
    """Re-read the settings into the running studio (the job runner and the pages read
    ``studio.settings`` on each use) and forget every client built from the old ones."""
    studio.settings = Settings.load()
    watsonx.clear_clients()
    openai_compat.clear_clients()
    openai_videos.clear_clients()
    openai_images.clear_clients()
    return studio.settings


# --- Test connection -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConnectionResult:
    ok: bool
    sentence: str  # one sentence for the page: what answered, or the service's own reason


def check_connection(key: str, settings: Settings) -> ConnectionResult:
    """One real, cheap call to back-end ``key`` with these settings."""
    started = time.monotonic()
    try:
        if key == openai_videos.KEY:
            videos = openai_videos.OpenAIVideosBackend(settings)
            videos.list_remote(limit=1)
            where = f"the video service at {display_url(videos.config.base_url)}"
        elif key == openai_images.KEY:
            images = openai_images.OpenAIImagesBackend(settings)
            images.check()
            where = f"{images.model} at the image service at {display_url(images.config.base_url)}"
        else:
            provider = build_provider(key, settings)
            provider.caption(_probe_request())
            where = f"{provider.model} at {_address(key, settings)}"
    except StudioError as exc:
        return ConnectionResult(False, scrub(exc.message))
    except Exception as exc:  # a bug, not the service: the traceback goes to the log (scrubbed there)
        log.exception("Test connection to %s failed unexpectedly", key)
        return ConnectionResult(False, f"The test failed unexpectedly ({type(exc).__name__}); see the server log.")
    return ConnectionResult(True, f"Connected: {where} answered in {time.monotonic() - started:.1f} s.")


def _address(key: str, settings: Settings) -> str:
    raw = settings.get("WATSONX_URL" if key == watsonx.KEY else "OPENAI_BASE_URL") or ""
    return display_url(raw.strip().rstrip("/"))


def _probe_request() -> CaptionRequest:
    from PIL import Image

    image = Image.new("RGB", (8, 8), (128, 128, 128))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)
    jpeg = buffer.getvalue()
    url = "data:image/jpeg;base64," + base64.b64encode(jpeg).decode("ascii")
    return CaptionRequest(PreparedImage(image, jpeg, url), PROBE_INSTRUCTION, CUSTOM, PROBE_INSTRUCTION)
