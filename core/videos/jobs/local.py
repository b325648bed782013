"""The local steps: render a variation with the offline animatic (a storyboard's too), or edit
finished videos (loop, blend, recut, extend) on this computer. Sources are only read; the result is a new file."""

from __future__ import annotations

import io
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from core.errors import NoLongerExists, StudioError
from core.videos import operations as ops
from core.videos.backends.base import LocalVideoBackend
from core.videos.jobs.job import Job
from core.videos.kinds import BackendKey
from core.videos.timeline import CARD_IMAGES
from db import videos as queries

if TYPE_CHECKING:
    from core.videos.jobs.runner import JobRunner


def render(runner: JobRunner, job: Job) -> None:
    """Draw the variation with the offline renderer (for offline sets, imports and their remixes)."""
    if isinstance(job.params, ops.Storyboard):
        storyboard(runner, job, job.params)
        return
    backend = runner.backend_for(BackendKey.OFFLINE)
    if not isinstance(backend, LocalVideoBackend):
        raise StudioError("The offline renderer is not available.")
    video = runner.scratch(job.id, "video.mp4")
    backend.render(job.request, video, runner.progress(job.id))
    runner.store(job, video, None, cost=0.0)


def edit(runner: JobRunner, job: Job) -> None:
    """Loop, blend or recut; dispatched on the type of the variation's parameters."""
    source = _source(runner, job.parent_video, "The source video")
    target = runner.scratch(job.id, "edit.mp4")
    report = runner.progress(job.id)

    def progress(fraction: float) -> None:
        report(fraction * 100)

    params = job.params
    if isinstance(params, ops.Loop):
        from core.videos.ops.loop import loop_video

        loop_video(source, target, params.start_s, params.end_s, params.length, params.mode, progress=progress)
    elif isinstance(params, ops.Blend):
        from core.videos.ops.blend import blend_videos

        partner = _source(runner, job.partner_video, "The blend partner")
        curve = list(params.curve) if params.curve else None
        blend_videos(
            source,
            partner,
            target,
            params.mode,
            at_s=params.at_s,
            weight=params.weight,
            curve=curve,
            progress=progress,
        )
    elif isinstance(params, ops.Recut):
        from core.videos.ops.recut import recut_video

        with runner.studio.db.session() as session:
            segments = []
            for segment in params.segments:
                found = queries.get_variation(session, segment.variation_id)
                if found is None or not found.video_sha256:
                    raise NoLongerExists("A clip in the storyboard no longer exists.")
                clip = _source(runner, found.video_sha256, "A storyboard clip")
                segments.append((clip, segment.start_s, segment.end_s))
        recut_video(segments, target, progress=progress)
    elif isinstance(params, ops.Extend):
        from core.videos.backends.offline.storyboard import render_extension

        scratch = partial(runner.scratch, job.id)
        preset = job.request.style_preset
        render_extension(source, params.prompt, params.seconds, target, scratch, preset, job.request.seed, progress)
    else:
        raise StudioError(f"{params.operation.label.capitalize()} is not an edit made on this computer.")
    runner.store(job, target, None, cost=0.0)


def storyboard(runner: JobRunner, job: Job, board: ops.Storyboard) -> None:
    """The storyboard's offline animatic: a segment per card, joined by cuts and dissolves."""
    from PIL import Image

    from core.videos.backends.offline.storyboard import render_storyboard

    def image_for(digest: str) -> Image.Image:
        try:
            data = runner.studio.media.read(digest, CARD_IMAGES, ".jpg")
        except (FileNotFoundError, ValueError):
            raise NoLongerExists("An image of the storyboard no longer exists.") from None
        return Image.open(io.BytesIO(data)).convert("RGB")

    def clip_for(variation_id: int) -> Path:
        with runner.studio.db.session() as session:
            found = queries.get_variation(session, variation_id)
            digest = found.video_sha256 if found is not None else None
        return _source(runner, digest, "A clip of the storyboard")

    report = runner.progress(job.id)
    target = runner.scratch(job.id, "storyboard.mp4")
    render_storyboard(
        board,
        job.width,
        job.height,
        target,
        partial(runner.scratch, job.id),
        image_for,
        clip_for,
        job.request.style_preset,
        job.request.seed,
        progress=lambda fraction: report(fraction * 100),
    )
    runner.store(job, target, None, cost=0.0)


def _source(runner: JobRunner, digest: str | None, what: str) -> Path:
    path = runner.studio.media.video_path(digest) if digest else None
    if path is None or not path.exists():
        raise NoLongerExists(f"{what} no longer exists.")
    return path
