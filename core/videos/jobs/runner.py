"""The job runner: the only code that moves a variation between states.

    queued ─► submitting ─► in_progress ─► downloading ─► completed
       │          (remote: the API)  (local: rendering)        └► failed (with the service's words)

One runner per server process, on a background thread; pages only read the rows it writes, so
nothing blocks the page and a refresh loses nothing. Each step first takes a short *lease* on
the row (one atomic UPDATE), so two processes never work on the same variation, and a crashed
process's work is picked up when its lease runs out. ``remote_id`` is committed as soon as the
API returns it, and a submit that may have reached the service before a crash is reconciled
against ``videos.list`` before anything is sent again: a restart resumes, it never submits twice.
Files are written under the media folder's ``tmp/`` and moved into place by one rename after
they are complete; the row says "completed" only after the files are in place.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import update

from core.errors import StudioError
from core.studio import Studio
from core.videos.backends import build_video_backend
from core.videos.backends.base import LocalVideoBackend, RemoteJob, VideoRequest, VideoServiceError
from db import videos as queries
from db.models import Variation, utcnow

log = logging.getLogger(__name__)

VIDEOS, POSTERS, SPRITES, REFERENCES = "videos", "posters", "sprites", "references"
LOCAL_EDITS = ("loop", "blend", "recut")


def runs_locally(backend: str, operation: str) -> bool:
    """Edits always run here; a remix goes to the API only for a set the API made."""
    return backend == "offline" or operation in LOCAL_EDITS or (operation == "remix" and backend != "openai-videos")


class _Stopped(Exception):
    """The runner is stopping: leave the row as it is for the next runner."""


@dataclass(frozen=True)
class _Job:
    id: int
    status: str
    remote_id: str | None
    attempts: int
    started_at: datetime | None
    deadline_at: datetime | None
    backend: str
    request: VideoRequest
    width: int
    height: int
    local_crop: bool
    price_per_second: float
    operation: str = "generate"
    params: dict | None = None
    parent_video: str | None = None  # digest of the source variation's video
    parent_remote_id: str | None = None
    partner_video: str | None = None


class JobRunner:
    def __init__(
        self,
        studio: Studio,
        backend_for: Callable[[str], object] | None = None,
        *,
        max_running: int = 2,
        lease_s: float = 30.0,
        tick_s: float = 0.5,
        deadline_s: float = 3600.0,
        owner: str | None = None,
    ):
        self.studio = studio
        self.backend_for = backend_for or (lambda key: build_video_backend(key, studio.settings))
        self.max_running = max_running
        self.lease = timedelta(seconds=lease_s)
        self.tick_s = tick_s
        self.deadline = timedelta(seconds=deadline_s)
        self.owner = owner or uuid.uuid4().hex[:16]
        self._pool = ThreadPoolExecutor(max_workers=max_running + 2, thread_name_prefix="video-job")
        self._in_flight: set[int] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # --- life cycle -------------------------------------------------------------------------
    def start(self) -> JobRunner:
        self._sweep_scratch()
        self._thread = threading.Thread(target=self._loop, name="video-job-runner", daemon=True)
        self._thread.start()
        return self

    def stop(self, wait: bool = True) -> None:
        """Stop taking work; steps in flight end at their next checkpoint and release their rows."""
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=10)
        self._pool.shutdown(wait=wait, cancel_futures=True)

    @property
    def alive(self) -> bool:
        return bool(self._thread and self._thread.is_alive())

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.tick()
            except Exception:  # a bug: keep the runner alive, but say so
                log.exception("Job runner tick failed")
            self._stop.wait(self.tick_s)

    def run_until_idle(self, timeout: float = 60.0) -> None:
        """Drive the runner in the calling thread until no work is left (tests and scripts)."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            self.tick()
            with self._lock:
                busy = bool(self._in_flight)
            with self.studio.db.session() as session:
                active = queries.active_variations(session)
            if not busy and not active:
                return
            time.sleep(0.05)
        raise TimeoutError("the job runner still had work after the timeout")

    # --- scheduling -------------------------------------------------------------------------
    def tick(self) -> int:
        """Claim every variation whose next step is due, within the running limit; return how many."""
        if self._stop.is_set():
            return 0
        now = utcnow()
        with self.studio.db.session() as session:
            due = queries.due_variations(session, now)
            running = queries.running_count(session)
        started = 0
        for variation_id, status, backend, operation in due:
            with self._lock:
                if variation_id in self._in_flight:
                    continue
            start_as = None
            if status == "queued":
                if running >= self.max_running:
                    continue
                start_as = "in_progress" if runs_locally(backend, operation) else "submitting"
            with self.studio.db.session() as session:
                if not queries.claim(session, variation_id, self.owner, now, self.lease, start_as):
                    continue
            running += start_as is not None
            with self._lock:
                self._in_flight.add(variation_id)
            self._pool.submit(self._run_step, variation_id)
            started += 1
        return started

    def _run_step(self, variation_id: int) -> None:
        try:
            job = self._load(variation_id)
            if job is not None:
                self._step(job)
        except _Stopped:
            log.info("Variation %s left for the next runner", variation_id)
        except VideoServiceError as exc:
            self._service_error(variation_id, exc)
        except StudioError as exc:
            self._finish_failed(variation_id, exc.message)
        except Exception:
            log.exception("Variation %s failed unexpectedly", variation_id)
            self._finish_failed(
                variation_id, "Something went wrong on this computer while making the video; see the log."
            )
        finally:
            self._remove_scratch(variation_id)
            with self.studio.db.session() as session:
                queries.release(session, variation_id, self.owner)
            with self._lock:
                self._in_flight.discard(variation_id)

    def _load(self, variation_id: int) -> _Job | None:
        with self.studio.db.session() as session:
            variation = queries.get_variation(session, variation_id)
            if variation is None or variation.lease_owner != self.owner:
                return None
            generation = variation.generation
            reference = None
            if generation.reference_sha256:
                reference = self.studio.media.read(generation.reference_sha256, REFERENCES, ".jpg")
            price = queries.prices(session).get(generation.model, 0.0)
            params = json.loads(variation.operation_params or "{}")
            parts = queries.prompt_parts(generation)
            prompt = generation.prompt
            if variation.operation == "remix":
                prompt = params.get("prompt", prompt)
                parts = {**parts, "extra": " ".join(filter(None, [parts.get("extra", ""), params.get("change", "")]))}
            request = VideoRequest(
                prompt=prompt,
                size=generation.request_size,
                seconds=generation.seconds,
                model=generation.model,
                reference_jpeg=reference,
                seed=variation.position,
                style_preset=generation.style_preset,
                parts=parts,
            )
            parent = queries.get_variation(session, variation.parent_id) if variation.parent_id else None
            partner = queries.get_variation(session, variation.partner_id) if variation.partner_id else None
            return _Job(
                variation.id,
                variation.status,
                variation.remote_id,
                variation.attempts,
                variation.started_at,
                variation.deadline_at,
                generation.backend,
                request,
                generation.width,
                generation.height,
                generation.local_crop,
                price,
                operation=variation.operation,
                params=params,
                parent_video=parent.video_sha256 if parent else None,
                parent_remote_id=parent.remote_id if parent else None,
                partner_video=partner.video_sha256 if partner else None,
            )

    def _step(self, job: _Job) -> None:
        if job.operation in LOCAL_EDITS:
            self._edit(job)
            return
        backend = self.backend_for(job.backend if job.backend != "import" else "offline")
        if isinstance(backend, LocalVideoBackend) or runs_locally(job.backend, job.operation):
            if not isinstance(backend, LocalVideoBackend):
                backend = self.backend_for("offline")
            self._render(job, backend)
        elif job.status == "submitting":
            self._submit(job, backend)
        elif job.status == "in_progress":
            self._poll(job, backend)
        elif job.status == "downloading":
            self._download(job, backend)

    # --- row updates (only this module writes a variation's state) ---------------------------
    def _update(self, variation_id: int, **values) -> None:
        with self.studio.db.session() as session:
            session.execute(
                update(Variation)
                .where(Variation.id == variation_id, Variation.lease_owner == self.owner)
                .values(**values)
            )

    def _finish_failed(self, variation_id: int, message: str) -> None:
        self._update(variation_id, status="failed", error=message, completed_at=utcnow(), next_attempt_at=None)

    def _service_error(self, variation_id: int, exc: VideoServiceError) -> None:
        if not exc.transient:
            self._finish_failed(variation_id, exc.message)
            return
        with self.studio.db.session() as session:
            variation = queries.get_variation(session, variation_id)
            attempts, deadline = variation.attempts + 1, variation.deadline_at
        now = utcnow()
        if deadline and now >= deadline:
            minutes = self.deadline.total_seconds() / 60
            self._finish_failed(variation_id, f"Gave up after {minutes:.0f} minutes: {exc.message}")
            return
        wait = exc.retry_after_s if exc.retry_after_s is not None else min(60.0, 2.0**attempts)
        log.warning("Variation %s: %s; trying again in %.1f s", variation_id, exc.message, wait)
        self._update(variation_id, attempts=attempts, next_attempt_at=now + timedelta(seconds=wait), error=None)

    def _check_stop(self) -> None:
        if self._stop.is_set():
            raise _Stopped()

    # --- remote steps ------------------------------------------------------------------------
    def _submit(self, job: _Job, backend) -> None:
        remote_id = job.remote_id or (self._reconcile(job, backend) if job.attempts else None)
        if remote_id is None:
            now = utcnow()
            # Counted before the call: if we die during it, the next runner reconciles first.
            self._update(job.id, attempts=job.attempts + 1, deadline_at=job.deadline_at or now + self.deadline)
            if job.operation == "remix":
                if not job.parent_remote_id:
                    raise StudioError(
                        "The source video has no remote id at the service, so it cannot be remixed there."
                    )
                remote = backend.remix(job.parent_remote_id, job.request.prompt)
            else:
                remote = backend.submit(job.request)
            remote_id = remote.remote_id
            self._update(job.id, remote_id=remote_id)
            self._apply(job, remote)
        else:
            self._update(
                job.id,
                remote_id=remote_id,
                status="in_progress",
                deadline_at=job.deadline_at or utcnow() + self.deadline,
            )

    def _reconcile(self, job: _Job, backend) -> str | None:
        """Find the service's job for a submit whose answer we never stored."""
        lister = getattr(backend, "list_remote", None)
        if lister is None:
            return None
        with self.studio.db.session() as session:
            taken = queries.assigned_remote_ids(session)
        since = (job.started_at or utcnow()) - timedelta(minutes=2)
        for video in lister(limit=50):
            created = getattr(video, "created_at", None)
            if (
                video.remote_id not in taken
                and getattr(video, "prompt", None) == job.request.prompt
                and getattr(video, "size", job.request.size) == job.request.size
                and (created is None or created >= since)
            ):
                log.info("Variation %s adopts remote job %s submitted before a restart", job.id, video.remote_id)
                return video.remote_id
        return None

    def _poll(self, job: _Job, backend) -> None:
        self._apply(job, backend.poll(job.remote_id))

    def _apply(self, job: _Job, remote: RemoteJob) -> None:
        if remote.state == "failed":
            self._finish_failed(job.id, remote.error or "The video service reported a failure without a reason.")
        elif remote.state == "completed":
            self._update(job.id, status="downloading", progress=100.0)
            self._download(job, self.backend_for(job.backend), remote.remote_id)
        else:
            wait = remote.poll_after_s if remote.poll_after_s is not None else 2.0
            self._update(
                job.id,
                status="in_progress",
                progress=min(99.0, max(0.0, remote.progress)),
                next_attempt_at=utcnow() + timedelta(seconds=wait),
                error=None,
            )

    def _download(self, job: _Job, backend, remote_id: str | None = None) -> None:
        remote_id = remote_id or job.remote_id
        video = self._scratch(job.id, "video.mp4")
        backend.download(remote_id, "video", video)
        self._check_stop()
        extras = {}
        for variant in ("thumbnail", "spritesheet"):
            target = self._scratch(job.id, f"{variant}.jpg")
            try:
                backend.download(remote_id, variant, target)
                extras[variant] = target
            except VideoServiceError as exc:  # the video is what matters; previews are made here
                log.warning("Variation %s: no %s from the service (%s)", job.id, variant, exc.message)
        if job.local_crop:
            video = self._crop(job, video)
            extras.pop("thumbnail", None)
        self._store(job, video, extras.get("thumbnail"), cost=job.price_per_second * job.request.seconds)

    # --- local steps ---------------------------------------------------------------------------
    def _render(self, job: _Job, backend: LocalVideoBackend) -> None:
        video = self._scratch(job.id, "video.mp4")
        last = [0.0]

        def progress(percent: float) -> None:
            self._check_stop()
            now = time.monotonic()
            if now - last[0] >= 0.5 or percent >= 100:
                last[0] = now
                self._update(job.id, progress=min(99.0, percent), lease_until=utcnow() + self.lease)

        backend.render(job.request, video, progress)
        self._store(job, video, None, cost=0.0)

    def _edit(self, job: _Job) -> None:
        """Loop, blend or recut on this computer; the sources are only read."""
        from core.videos.ops import edits

        params = job.params or {}
        source = self._source(job.parent_video, "The source video")
        target = self._scratch(job.id, "edit.mp4")
        last = [0.0]

        def progress(fraction: float) -> None:
            self._check_stop()
            now = time.monotonic()
            if now - last[0] >= 0.5:
                last[0] = now
                self._update(job.id, progress=min(99.0, fraction * 100), lease_until=utcnow() + self.lease)

        if job.operation == "loop":
            edits.loop_video(
                source,
                target,
                params["start_s"],
                params["end_s"],
                params.get("length", "normal"),
                params.get("mode", "crossfade"),
                progress=progress,
            )
        elif job.operation == "blend":
            partner = self._source(job.partner_video, "The blend partner")
            curve = [tuple(p) for p in params["curve"]] if params.get("curve") else None
            edits.blend_videos(
                source,
                partner,
                target,
                params.get("mode", "transition"),
                at_s=params.get("at_s"),
                weight=params.get("weight", 0.5),
                curve=curve,
                progress=progress,
            )
        else:
            with self.studio.db.session() as session:
                segments = []
                for segment in params["segments"]:
                    found = queries.get_variation(session, segment["variation_id"])
                    if found is None or not found.video_sha256:
                        raise StudioError("A clip in the storyboard no longer exists.")
                    segments.append(
                        (self._source(found.video_sha256, "A storyboard clip"), segment["start_s"], segment["end_s"])
                    )
            edits.recut_video(segments, target, progress=progress)
        self._store(job, target, None, cost=0.0)

    def _source(self, digest: str | None, what: str) -> Path:
        path = self.studio.media.path_for(digest, VIDEOS, ".mp4") if digest else None
        if path is None or not path.exists():
            raise StudioError(f"{what} no longer exists.")
        return path

    # --- finishing -----------------------------------------------------------------------------
    def _crop(self, job: _Job, source: Path) -> Path:
        from core.videos.av.previews import centre_crop_video

        target = self._scratch(job.id, "cropped.mp4")
        centre_crop_video(source, target, job.width, job.height)
        return target

    def _store(self, job: _Job, video: Path, thumbnail: Path | None, cost: float) -> None:
        """Validate the MP4, make its previews, move everything into the store, then mark it done."""
        from core.videos.av.media import validate_video
        from core.videos.av.previews import make_previews

        info = validate_video(video)
        poster, sprite = make_previews(
            video, self._scratch(job.id, "poster.jpg"), self._scratch(job.id, "sprite.jpg"), thumbnail
        )
        self._check_stop()
        media = self.studio.media
        size = video.stat().st_size
        digest, _, _ = media.put_file(video, VIDEOS, ".mp4")
        _put_as(media, poster, digest, POSTERS)
        _put_as(media, sprite, digest, SPRITES)
        self._update(
            job.id,
            status="completed",
            progress=100.0,
            video_sha256=digest,
            has_thumbnail=True,
            has_spritesheet=True,
            duration_s=info.duration,
            fps=info.fps,
            bytes=size,
            cost_usd=cost,
            completed_at=utcnow(),
            error=None,
            next_attempt_at=None,
        )

    # --- scratch files ---------------------------------------------------------------------------
    def _scratch(self, variation_id: int, name: str) -> Path:
        return self.studio.media.scratch() / f"{self.owner}-{variation_id}-{name}"

    def _remove_scratch(self, variation_id: int) -> None:
        for path in self.studio.media.scratch().glob(f"{self.owner}-{variation_id}-*"):
            path.unlink(missing_ok=True)

    def _sweep_scratch(self) -> None:
        """Remove work files that no live runner can own (older than two leases)."""
        cutoff = time.time() - 2 * self.lease.total_seconds()
        for path in self.studio.media.scratch().glob("*"):
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)


def _put_as(media, source: Path, video_digest: str, kind: str) -> None:
    """Previews are stored under the video's digest, so one hash finds all three files."""
    import os

    target = media.path_for(video_digest, kind, ".jpg")
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(source, target)
