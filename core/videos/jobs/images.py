"""The image step: one still of an image set, made in one call and stored.

The Images API answers while the request waits, so there is nothing to poll: the step asks the
service (``images.generate``, or ``images.edit`` with the source image for a remix) or draws an
offline still, crops to the set's exact aspect where the service's size differs (16:9 from
1536×1024), and stores the image and a poster. The row's ``video_sha256`` names the image (the
media digest column). The cost is the model's price per image; the token usage is kept in the
variation's parameters.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING

from core.errors import NoLongerExists
from core.videos import operations as ops
from core.videos.backends.base import VideoServiceError
from core.videos.kinds import BackendKey, VariationStatus
from db import images as image_queries
from db import videos as queries
from db.models import utcnow

if TYPE_CHECKING:
    from core.videos.jobs.job import Job
    from core.videos.jobs.runner import JobRunner

EXTENSIONS = {"png": ".png", "jpeg": ".jpg", "webp": ".webp"}
PIL_FORMATS = {"png": "PNG", "jpeg": "JPEG", "webp": "WEBP"}
POSTER_LONG_SIDE = 768


def make(runner: JobRunner, job: Job) -> None:
    quality, output_format = options(runner, job)
    runner.update(job.id, progress=10.0)
    usage: dict[str, int] = {}
    cost = 0.0
    if job.backend == BackendKey.OPENAI_IMAGES:
        from core.videos.backends.openai_images import ImageRequest, OpenAIImagesBackend

        backend = OpenAIImagesBackend(runner.studio.settings)
        request = ImageRequest(job.request.prompt, job.request.size, job.request.model, quality, output_format)
        if isinstance(job.params, ops.Remix):
            source = _source(runner, job.parent_video)
            made = backend.edit(request, source.read_bytes(), f"source{source.suffix}")
        else:
            made = backend.generate(request)
        data, usage = made.data, made.usage
        with runner.studio.db.session() as session:
            cost = image_queries.image_prices(session).get(job.request.model, 0.0)
    else:
        from core.videos.backends.offline.still import render_still

        width, height = (int(v) for v in job.request.size.split("x"))
        words = job.request
        scratch = runner.scratch(job.id, "still.mp4")
        data = render_still(words.parts, words.prompt, words.style_preset, width, height, words.seed, scratch)
        output_format = "png"
    runner.check_stop()
    store(runner, job, data, output_format, cost, usage)


def options(runner: JobRunner, job: Job) -> tuple[str, str]:
    """The quality and format of the set (a remix takes those its set was made with)."""
    params = job.params
    if not isinstance(params, ops.Generate):
        with runner.studio.db.session() as session:
            variation = queries.get_variation(session, job.id)
            first = variation.generation.variations[0] if variation and variation.generation.variations else None
            params = ops.from_json(first.operation, first.operation_params) if first else params
    if isinstance(params, ops.Generate) and params.quality:
        return params.quality, params.output_format or "png"
    return "auto", "png"


def store(runner: JobRunner, job: Job, data: bytes, output_format: str, cost: float, usage: dict[str, int]) -> None:
    """Check the image, crop it to the set's size, write it and its poster, then mark the row done."""
    from PIL import Image, UnidentifiedImageError

    from core.images import cover_crop, downscale, encode_jpeg

    try:
        image: Image.Image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError, ValueError):
        raise VideoServiceError(
            "The image service sent data that is not an image.", transient=True, code="malformed_answer"
        ) from None
    extension = EXTENSIONS.get(output_format, ".png")
    target = runner.scratch(job.id, f"image{extension}")
    if image.size != (job.width, job.height):  # the service's size differs from the set's aspect: crop here
        image = cover_crop(image, job.width, job.height)
        buffer = io.BytesIO()
        image.save(buffer, PIL_FORMATS.get(output_format, "PNG"))
        data = buffer.getvalue()
    target.write_bytes(data)
    poster = runner.scratch(job.id, "poster.jpg")
    poster.write_bytes(encode_jpeg(downscale(image.convert("RGB"), POSTER_LONG_SIDE), quality=85))
    digest, _ = runner.studio.media.add_image(target, extension, poster)
    runner.update(
        job.id,
        status=VariationStatus.COMPLETED,
        progress=100.0,
        video_sha256=digest,
        has_thumbnail=True,
        has_spritesheet=False,
        bytes=len(data),
        cost_usd=cost,
        operation_params=ops.with_usage(ops.to_json(job.params), usage) if usage else ops.to_json(job.params),
        completed_at=utcnow(),
        error=None,
        next_attempt_at=None,
    )


def _source(runner: JobRunner, digest: str | None) -> Path:
    path = runner.studio.media.image_path(digest) if digest else None
    if path is None:
        raise NoLongerExists("The source image no longer exists.")
    return path
