"""The remote steps of a variation the Videos API makes: submit (or adopt), poll, download.

``remote_id`` is committed as soon as the API returns it, and a submit that may have reached the
service before a crash is reconciled against ``videos.list`` before anything is sent again: a
restart resumes, it never submits twice. A download is checked (a real, whole video) before it is
kept: a damaged one is the service's transient fault, downloaded again until the link expires.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from core.errors import NoLongerExists, StudioError, UnsupportedVideo
from core.videos import operations as ops
from core.videos.backends.base import RemoteJob, RemoteVideoBackend, Variant, VideoServiceError
from core.videos.jobs.job import Job, Stopped
from core.videos.kinds import RemoteState, VariationStatus
from db import videos as queries
from db.models import utcnow

if TYPE_CHECKING:
    from core.videos.av.read import VideoInfo
    from core.videos.jobs.runner import JobRunner

log = logging.getLogger(__name__)

DEFAULT_POLL_S = 2.0
PREVIEW_VARIANTS: tuple[Variant, ...] = ("thumbnail", "spritesheet")


def advance(runner: JobRunner, job: Job) -> None:
    """Take the variation one step further at the service, by the state it is in."""
    backend = runner.backend_for(job.backend)
    if not isinstance(backend, RemoteVideoBackend):
        raise StudioError(f"The back-end {job.backend!r} cannot make videos remotely.")
    if job.status == VariationStatus.SUBMITTING:
        submit(runner, job, backend)
    elif job.status == VariationStatus.IN_PROGRESS:
        assert job.remote_id is not None  # stored before the state moved on
        apply(runner, job, backend.poll(job.remote_id))
    elif job.status == VariationStatus.DOWNLOADING:
        download(runner, job, backend)


def submit(runner: JobRunner, job: Job, backend: RemoteVideoBackend) -> None:
    remote_id = job.remote_id or (reconcile(runner, job, backend) if job.attempts else None)
    if remote_id is None:
        # Counted before the call: if we die during it, the next runner reconciles first.
        deadline = job.deadline_at or utcnow() + runner.deadline
        if not runner.update(job.id, attempts=job.attempts + 1, deadline_at=deadline):
            raise Stopped()  # another runner holds the row now: never send its create too
        if isinstance(job.params, ops.Remix):
            if not job.parent_remote_id:
                raise StudioError("The source video has no remote id at the service, so it cannot be remixed there.")
            remote = backend.remix(job.parent_remote_id, job.request.prompt)
        elif isinstance(job.params, ops.Extend):
            remote = backend.extend(extend_source(runner, job), job.params.prompt, job.params.seconds)
        else:
            remote = backend.submit(job.request)
        runner.update(job.id, remote_id=remote.remote_id)
        apply(runner, job, remote)
    else:
        runner.update(
            job.id,
            remote_id=remote_id,
            status=VariationStatus.IN_PROGRESS,
            deadline_at=job.deadline_at or utcnow() + runner.deadline,
            error=None,
        )


def extend_source(runner: JobRunner, job: Job) -> str | Path:
    """What an extension continues: the source's id at the service, else its file, uploaded."""
    if job.parent_remote_id:
        return job.parent_remote_id
    path = runner.studio.media.video_path(job.parent_video) if job.parent_video else None
    if path is None or not path.exists():
        raise NoLongerExists("The video to extend no longer exists.")
    return path


def sent_prompt(job: Job) -> str:
    """The prompt the service was sent for this job (an extension's is its own)."""
    return job.params.prompt if isinstance(job.params, ops.Extend) else job.request.prompt


def reconcile(
    runner: JobRunner, job: Job, backend: RemoteVideoBackend, prompt: str | None = None, also_taken: Iterable[str] = ()
) -> str | None:
    """Find the service's job for a submit whose answer we never stored (sent with ``prompt``)."""
    lister = getattr(backend, "list_remote", None)
    if lister is None:
        return None
    with runner.studio.db.session() as session:
        taken = queries.assigned_remote_ids(session) | set(also_taken)
    since = (job.started_at or utcnow()) - timedelta(minutes=2)
    for video in lister(limit=50):
        created = getattr(video, "created_at", None)
        if (
            video.remote_id not in taken
            and getattr(video, "prompt", None) == (prompt or sent_prompt(job))
            and getattr(video, "size", job.request.size) == job.request.size
            and (created is None or created >= since)
        ):
            log.info("Variation %s adopts remote job %s submitted before a restart", job.id, video.remote_id)
            return str(video.remote_id)
    return None


def apply(runner: JobRunner, job: Job, remote: RemoteJob) -> None:
    """Record what the service says of the job; download it as soon as it is done."""
    if remote.state == RemoteState.FAILED:
        runner.finish_failed(job.id, remote.error or "The video service reported a failure without a reason.")
    elif remote.state == RemoteState.COMPLETED:
        # The download gets its own window, up to the link's expiry: the render's time is not a fault's.
        deadline = utcnow() + runner.deadline
        if remote.expires_at is not None:
            deadline = min(deadline, remote.expires_at)
        runner.update(job.id, status=VariationStatus.DOWNLOADING, progress=100.0, deadline_at=deadline, error=None)
        backend = runner.backend_for(job.backend)
        assert isinstance(backend, RemoteVideoBackend)
        download(runner, job, backend, remote.remote_id)
    else:
        wait = remote.poll_after_s if remote.poll_after_s is not None else DEFAULT_POLL_S
        runner.update(
            job.id,
            status=VariationStatus.IN_PROGRESS,
            progress=min(99.0, max(0.0, remote.progress)),
            next_attempt_at=utcnow() + timedelta(seconds=wait),
            error=None,
        )


def download(runner: JobRunner, job: Job, backend: RemoteVideoBackend, remote_id: str | None = None) -> None:
    remote_id = remote_id or job.remote_id
    assert remote_id is not None  # a job is downloaded only once the service has named it
    video = runner.scratch(job.id, "video.mp4")
    backend.download(remote_id, "video", video)
    info: VideoInfo | None = checked(video)
    runner.check_stop()
    extras: dict[str, Path] = {}
    for variant in PREVIEW_VARIANTS:
        target = runner.scratch(job.id, f"{variant}.jpg")
        try:
            backend.download(remote_id, variant, target)
            extras[variant] = target
        except VideoServiceError as exc:  # the video is what matters; previews are made here
            log.warning("Variation %s: no %s from the service (%s)", job.id, variant, exc.message)
    if job.local_crop:
        video, info = crop(runner, job, video), None
        extras.pop("thumbnail", None)
    runner.store(job, video, extras.get("thumbnail"), cost=job.price_per_second * billed_seconds(job), info=info)


def billed_seconds(job: Job) -> float:
    """The seconds the service made for this job: an extension's added ones, a storyboard's whole length."""
    if isinstance(job.params, ops.Extend):
        return job.params.seconds
    if isinstance(job.params, ops.Storyboard):
        return job.params.total_s
    return job.request.seconds


def checked(video: Path) -> VideoInfo:
    """The downloaded file's facts, or the service's transient fault when it is not a whole video
    (a body cut off without a length to tell, a page saved as a video)."""
    from core.videos.av.read import validate_video

    try:
        return validate_video(video, "the downloaded video")
    except UnsupportedVideo as exc:
        log.warning("Downloaded video rejected: %s", exc.message)
        raise VideoServiceError(
            "The video service sent a video file that is damaged or cut short.", transient=True, code="bad_download"
        ) from None


def crop(runner: JobRunner, job: Job, source: Path) -> Path:
    """The API has no square size: crop the centre of what it made to the set's size."""
    from core.videos.av.previews import centre_crop_video

    target = runner.scratch(job.id, "cropped.mp4")
    centre_crop_video(source, target, job.width, job.height)
    return target
