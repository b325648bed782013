"""Image sets, in core: the composer's "Type: Image" (sizes, back-ends, models, prices, queuing a set),
and what the Library does with a finished still (Animate, Caption, Remix, its file).

An image set is a generation with ``media_kind = "image"``: its variations are stills made by the
job runner's IMAGE step (``core.videos.jobs.images``), each stored under ``variations.video_sha256``
(the media digest column) with a poster and no sprite. For an image set ``seconds`` is the length
Animate starts from. The Images API takes 1024×1024, 1536×1024 and 1024×1536 on every GPT image
model: 16:9 and 9:16 are asked as 3:2 and 2:3 and cropped to the exact aspect here.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from core.errors import StudioError, must_exist
from core.status import ServiceStatus
from core.studio import Studio
from core.text import clean
from core.videos import operations as ops
from core.videos.backends import openai_images
from core.videos.backends.offline import still
from core.videos.create import VideoSettings, compose_prompt, keep_reference
from core.videos.kinds import BackendKey, MediaKind, Operation, Source, VariationStatus
from core.videos.plan import DURATIONS, OutputPlan
from core.videos.prompt import MAX_PROMPT_CHARS, VideoPrompt, validate_prompt
from db import images as image_queries
from db import videos as queries

IMAGE_COUNTS = (1, 2, 4)
QUALITIES = openai_images.QUALITIES
FORMATS = openai_images.FORMATS
DEFAULT_FORMAT = "png"
OFFLINE_SIZES = {"16:9": (1536, 864), "9:16": (864, 1536), "1:1": (1024, 1024)}
MIMES = {".png": "image/png", ".jpg": "image/jpeg", ".webp": "image/webp"}
OFFLINE_LABEL = still.LABEL


def plan(aspect: str, backend: str) -> OutputPlan:
    """What is asked for and what the library keeps, with a sentence when they differ."""
    if aspect not in OFFLINE_SIZES:
        raise StudioError(f"Images come in {', '.join(OFFLINE_SIZES)}, not {aspect}.")
    width, height = OFFLINE_SIZES[aspect]
    if backend != BackendKey.OPENAI_IMAGES:
        return OutputPlan(f"{width}x{height}", width, height, False, "an offline still, drawn on this computer.")
    size = openai_images.SIZES[aspect]
    if size == f"{width}x{height}":
        return OutputPlan(size, width, height, False, "")
    asked = size.replace("x", "×")
    return OutputPlan(
        size, width, height, True, f"The Images API makes {asked}; the studio crops the centre to {aspect} here."
    )


def backend_statuses(studio: Studio) -> list[ServiceStatus]:
    """Every image back-end: the offline still always, the Images API when configured."""
    offline = ServiceStatus(
        BackendKey.OFFLINE.value, still.LABEL, True, "A still of the offline animatic: a drawing, not an AI image."
    )
    return [offline, openai_images.openai_images_status(studio.settings)]


def default_backend(studio: Studio) -> str:
    configured = openai_images.openai_images_status(studio.settings).configured
    return (BackendKey.OPENAI_IMAGES if configured else BackendKey.OFFLINE).value


def model_choices(studio: Studio, backend: str) -> list[str]:
    if backend != BackendKey.OPENAI_IMAGES:
        return [still.MODEL]
    return openai_images.model_choices(studio.settings)


def image_prices(studio: Studio) -> dict[str, float]:
    with studio.db.session() as session:
        return image_queries.image_prices(session)


def set_image_price(studio: Studio, model: str, usd_per_image: float) -> None:
    if usd_per_image < 0:
        raise StudioError("A price cannot be negative.")
    with studio.db.session() as session:
        image_queries.set_image_price(session, model, usd_per_image)


def estimate_cost(price_per_image: float, count: int) -> float:
    return round(price_per_image * count, 4)


def create_image_set(
    studio: Studio,
    parts: VideoPrompt,
    settings: VideoSettings,
    prompt_text: str | None = None,
    quality: str = "auto",
    output_format: str = DEFAULT_FORMAT,
    made_by: str | None = None,
) -> int:
    """Validate, then write the image set and its queued variations (one still each), recording who
    made it (``made_by``: the signed-in person, None without sign-in); return its id."""
    parts = VideoPrompt(**{k: clean(v) for k, v in asdict(parts).items()})
    text = clean(prompt_text) if prompt_text is not None else compose_prompt(studio, parts, settings.preset)
    prompt = validate_prompt(text, MAX_PROMPT_CHARS)
    if settings.variations not in IMAGE_COUNTS:
        raise StudioError(f"Make {', '.join(map(str, IMAGE_COUNTS))} images at a time.")
    if quality not in QUALITIES or output_format not in FORMATS:
        raise StudioError(f"Quality is one of {', '.join(QUALITIES)}; the format one of {', '.join(FORMATS)}.")
    if settings.backend not in (BackendKey.OFFLINE, BackendKey.OPENAI_IMAGES):
        raise StudioError("Pick an image back-end: the offline still or the Images API.")
    offline = settings.backend == BackendKey.OFFLINE
    output = plan(settings.aspect, settings.backend)
    model = still.MODEL if offline else settings.model
    params = ops.Generate(quality="auto" if offline else quality, output_format="png" if offline else output_format)
    price = 0.0 if offline else image_prices(studio).get(model, 0.0)
    with studio.db.session() as session:
        generation = queries.add_generation(
            session,
            variations=settings.variations,
            made_with=(Operation.GENERATE, ops.to_json(params)),
            made_by=made_by,
            source=Source.GENERATE,
            media_kind=MediaKind.IMAGE,
            backend=settings.backend,
            model=model,
            prompt=prompt,
            prompt_parts=json.dumps(asdict(parts)),
            style_preset=settings.preset,
            aspect_ratio=settings.aspect,
            resolution=settings.resolution,
            request_size=output.request_size,
            width=output.width,
            height=output.height,
            local_crop=output.local_crop,
            seconds=settings.seconds if settings.seconds in DURATIONS else DURATIONS[0],  # what Animate starts from
            estimated_cost_usd=estimate_cost(price, settings.variations),
        )
        return generation.id


# --- a finished still -------------------------------------------------------------------------------


def image_path(studio: Studio, digest: str) -> Path | None:
    """The stored still of this digest, in the format it was made in; None when it is gone."""
    return studio.media.image_path(digest)


def mime_of(path: Path) -> str:
    return MIMES.get(path.suffix, "application/octet-stream")


def _still(studio: Studio, variation_id: int) -> tuple[Any, Path]:
    """The finished still's set (a row) and file, or one sentence when either is gone."""
    with studio.db.session() as session:
        variation = must_exist(queries.get_variation(session, variation_id), "That image")
        if variation.status != VariationStatus.COMPLETED or not variation.video_sha256:
            raise StudioError("That image is not finished yet.")
        generation = variation.generation
        path = must_exist(studio.media.image_path(variation.video_sha256), "That image's file")
        parts = queries.prompt_parts(generation) or {"scene": generation.prompt}
        return {**parts, "aspect": generation.aspect_ratio, "seconds": generation.seconds, "id": generation.id}, path


def animate(studio: Studio, variation_id: int, video_backend: str, video_model: str) -> dict[str, Any]:
    """What Create video needs to animate this still: the set's words and aspect, its length, and
    the image kept with the draft as the reference (the first frame)."""
    found, path = _still(studio, variation_id)
    reference = keep_reference(studio, f"image of set {found['id']}{path.suffix}", path.read_bytes())
    return {
        **{k: found.get(k, "") for k in ("scene", "visual", "motion", "extra")},
        "kind": MediaKind.VIDEO.value,  # plain strings: they go into widget state
        "aspect": found["aspect"],
        "seconds": found["seconds"],
        "variations": 1,
        "backend": str(video_backend),
        "model": str(video_model),
        "reference_sha256": reference.sha256,
        "reference_name": reference.name,
    }


def caption_handoff(studio: Studio, variation_id: int) -> tuple[str, bytes]:
    """The still as Caption Studio takes an upload: a file name and its bytes."""
    found, path = _still(studio, variation_id)
    return f"image of set {found['id']}{path.suffix}", path.read_bytes()


def queue_remix(studio: Studio, variation_id: int, change: str, made_by: str | None = None) -> int:
    """A new still in the same set: the Images API's edit of this one with the change in words (an
    offline still is drawn again with the change added to its words)."""
    from core.videos import edits

    _still(studio, variation_id)
    return edits.queue_remix(studio, variation_id, change, ops.RemixStrength.CUSTOM, made_by=made_by)


def usage(studio: Studio, variation_id: int) -> dict[str, int]:
    """The token usage the image service reported for this still (empty when none)."""
    with studio.db.session() as session:
        variation = queries.get_variation(session, variation_id)
        return ops.usage_of(variation.operation_params) if variation else {}
