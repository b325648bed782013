"""The job runner: scheduling and state; the only code that moves a variation between states.

    queued ─► submitting ─► in_progress ─► downloading ─► completed
       │          (remote: the API)  (local: rendering)        └► failed (with the service's words)

One runner per server process, on a background thread; pages only read the rows it writes, so
nothing blocks the page and a refresh loses nothing. Each step first takes a short *lease* on
the row (one atomic UPDATE), renewed by a heartbeat (``lease.py``) for as long as the step runs,
so two processes never work on the same variation however long a call takes, and a crashed
process's work is picked up within one lease. Transient service faults are tried again on the
schedule in ``retry.py`` until the job's deadline. What a step does is decided by the
variation's operation (``core.videos.operations.Step``) through ``STEPS``: the remote steps
live in ``remote.py``, the local ones in ``local.py``. Files are written under the media
folder's ``tmp/`` and moved into place after they are complete; the row says it is completed only
after the files are in place.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.errors import StudioError
from core.redact import scrub
from core.studio import Studio
from core.videos import operations as ops
from core.videos.backends import build_video_backend
from core.videos.backends.base import VideoBackend, VideoRequest, VideoServiceError
from core.videos.jobs import chain, images, local, remote
from core.videos.jobs.job import Job, Stopped
from core.videos.jobs.lease import Heartbeat
from core.videos.jobs.retry import RetryPolicy, gave_up
from core.videos.kinds import VariationStatus
from core.videos.prompt import STYLE_PRESETS
from db import presets
from db import videos as queries
from db.media import REFERENCES
from db.models import utcnow

if TYPE_CHECKING:
    from core.videos.av.read import VideoInfo

log = logging.getLogger(__name__)

STEPS: dict[ops.Step, Callable[[JobRunner, Job], None]] = {
    ops.Step.RENDER: local.render,
    ops.Step.EDIT: local.edit,
    ops.Step.REMOTE: remote.advance,
    ops.Step.IMAGE: images.make,
    ops.Step.CHAIN: chain.advance,
}
FIRST_STATE = {  # local steps start as in_progress
    ops.Step.REMOTE: VariationStatus.SUBMITTING,
    ops.Step.CHAIN: VariationStatus.SUBMITTING,
}


class JobRunner:
    def __init__(
        self,
        studio: Studio,
        backend_for: Callable[[str], VideoBackend] | None = None,
        *,
        max_running: int = 2,
        lease_s: float = 30.0,
        tick_s: float = 0.5,
        deadline_s: float = 3600.0,
        backoff_s: float = 2.0,
        max_retry_after_s: float = 600.0,
        owner: str | None = None,
    ):
        self.studio = studio
        self.backend_for = backend_for or (lambda key: build_video_backend(key, studio.settings))
        self.max_running = max_running
        self.lease = timedelta(seconds=lease_s)
        self.tick_s = tick_s
        self.deadline = timedelta(seconds=deadline_s)
        self.retry = RetryPolicy(deadline_s=deadline_s, backoff_s=backoff_s, max_retry_after_s=max_retry_after_s)
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

    @property
    def in_flight(self) -> int:
        """Steps this runner is running now."""
        with self._lock:
            return len(self._in_flight)

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
            if status == VariationStatus.QUEUED:
                if running >= self.max_running:
                    continue
                start_as = FIRST_STATE.get(ops.step_for(operation, backend), VariationStatus.IN_PROGRESS)
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
        job = None
        try:
            with Heartbeat(lambda: self._renew(variation_id), self.lease.total_seconds() / 3, f"lease-{variation_id}"):
                job = self._load(variation_id)
                if job is not None:
                    STEPS[job.step](self, job)
        except Stopped:
            log.info("Variation %s left for the next runner", variation_id)
        except VideoServiceError as exc:
            self.service_error(variation_id, exc, job.attempts if job else None)
        except StudioError as exc:
            self.finish_failed(variation_id, exc.message)
        except Exception:
            log.exception("Variation %s failed unexpectedly", variation_id)
            self.finish_failed(
                variation_id, "Something went wrong on this computer while making the video; see the log."
            )
        finally:
            self._remove_scratch(variation_id)
            with self.studio.db.session() as session:
                queries.release(session, variation_id, self.owner)
            with self._lock:
                self._in_flight.discard(variation_id)

    def _load(self, variation_id: int) -> Job | None:
        with self.studio.db.session() as session:
            variation = queries.get_variation(session, variation_id)
            if variation is None or variation.lease_owner != self.owner:
                return None
            generation = variation.generation
            reference = None
            if generation.reference_sha256:
                reference = self.studio.media.read(generation.reference_sha256, REFERENCES, ".jpg")
            params = ops.from_json(variation.operation, variation.operation_params)
            parts = queries.prompt_parts(generation)
            prompt = generation.prompt
            extra = [parts.get("extra", "")]
            if generation.style_preset not in STYLE_PRESETS:  # a user's preset: its words, for the renderer
                extra.append(presets.preset_suffix(session, generation.style_preset) or "")
            if isinstance(params, ops.Remix):
                prompt = params.prompt or prompt
                extra.append(params.change)
            parts = {**parts, "extra": " ".join(filter(None, extra))}
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
            return Job(
                variation.id,
                VariationStatus(variation.status),
                variation.remote_id,
                variation.attempts,
                variation.started_at,
                variation.deadline_at,
                generation.backend,
                request,
                generation.width,
                generation.height,
                generation.local_crop,
                queries.prices(session).get(generation.model, 0.0),
                params,
                parent_video=parent.video_sha256 if parent else None,
                parent_remote_id=parent.remote_id if parent else None,
                partner_video=partner.video_sha256 if partner else None,
                media_kind=generation.media_kind,
                chain_step=variation.chain_step,
                chain_remote_ids=chain.stored_ids(variation.chain_remote_ids),
            )

    def _renew(self, variation_id: int) -> bool:
        return self.update(variation_id, lease_until=utcnow() + self.lease)

    # --- row updates (only the runner and its steps write a variation's state) -----------------
    def update(self, variation_id: int, **values: Any) -> bool:
        """Write to the row while this runner holds its lease; False (nothing written) when it does not.
        A message is stored only after the redaction layer has taken out any secret it quotes."""
        if values.get("error"):
            values["error"] = scrub(values["error"])
        with self.studio.db.session() as session:
            return queries.update_leased(session, variation_id, self.owner, **values)

    def finish_failed(self, variation_id: int, message: str, **values: Any) -> None:
        self.update(
            variation_id,
            status=VariationStatus.FAILED,
            error=message,
            completed_at=utcnow(),
            next_attempt_at=None,
            **values,
        )

    def service_error(self, variation_id: int, exc: VideoServiceError, attempts_before: int | None = None) -> None:
        """A final fault ends the job; a transient one is tried again until the deadline, its
        reason kept in ``error`` meanwhile (the progress panel shows it with the time of the next try).

        ``attempts_before`` is the count the step started with: a try the step already counted
        (a submit counts itself before sending) is not counted again.
        """
        if not exc.transient:
            self.finish_failed(variation_id, exc.message)
            return
        with self.studio.db.session() as session:
            variation = queries.get_variation(session, variation_id)
            if variation is None:
                return
            attempts, deadline, started = variation.attempts, variation.deadline_at, variation.started_at
        if attempts_before is None or attempts <= attempts_before:
            attempts += 1
        now = utcnow()
        deadline = deadline or now + self.deadline
        if now >= deadline:
            elapsed = (now - (started or now)).total_seconds()
            self.finish_failed(variation_id, gave_up(elapsed, exc.message), attempts=attempts)
            return
        retry_at = self.retry.next_try(now, deadline, attempts, exc.retry_after_s)
        log.warning(
            "Variation %s: %s; trying again in %.1f s", variation_id, exc.message, (retry_at - now).total_seconds()
        )
        self.update(variation_id, attempts=attempts, next_attempt_at=retry_at, deadline_at=deadline, error=exc.message)

    def check_stop(self) -> None:
        if self._stop.is_set():
            raise Stopped()

    def progress(self, variation_id: int) -> Callable[[float], None]:
        """A callback for 0–100 progress: checks for a stop, and writes at most every half second."""
        last = [0.0]

        def report(percent: float) -> None:
            self.check_stop()
            now = time.monotonic()
            if now - last[0] >= 0.5 or percent >= 100:
                last[0] = now
                self.update(variation_id, progress=min(99.0, percent))

        return report

    def store(self, job: Job, video: Path, thumbnail: Path | None, cost: float, info: VideoInfo | None = None) -> None:
        """Validate the MP4 (unless ``info`` says it was), make its previews, move everything into
        the store, then mark it done."""
        from core.videos.av.previews import make_previews
        from core.videos.av.read import validate_video

        if info is None:
            info = validate_video(video)
        poster, sprite = make_previews(
            video, self.scratch(job.id, "poster.jpg"), self.scratch(job.id, "sprite.jpg"), thumbnail
        )
        self.check_stop()
        size = video.stat().st_size
        digest, _ = self.studio.media.add_video(video, poster, sprite)
        self.update(
            job.id,
            status=VariationStatus.COMPLETED,
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
    def scratch(self, variation_id: int, name: str) -> Path:
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
