"""A storyboard on the Videos API: one job made of a chain of service jobs, ``videos.create`` for
the first card (an image card's picture as its ``input_reference``), then ``videos.extend`` of the
previous result for each later card (its prompt, the seconds up to the next card), with one
progress bar over the whole chain and one download at the end.

The row holds the chain: ``chain_step`` is the card being made and ``remote_id`` its service job,
``chain_remote_ids`` the jobs already finished. Each id is committed as soon as the service names
it, and a finished card hands over to the next in one write, so a restart resumes at the card it
was on; a submit whose answer was lost is found again with ``remote.reconcile`` before anything
is sent again. Never twice: a card's request is sent only after its attempt is counted.
"""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from datetime import timedelta
from typing import TYPE_CHECKING

from core.errors import NoLongerExists, StudioError
from core.videos import operations as ops
from core.videos.backends.base import RemoteJob, RemoteVideoBackend
from core.videos.jobs import remote
from core.videos.jobs.job import Job, Stopped
from core.videos.kinds import RemoteState, VariationStatus
from core.videos.timeline import CARD_IMAGES, Card, CardKind
from db.models import utcnow

if TYPE_CHECKING:
    from core.videos.jobs.runner import JobRunner

log = logging.getLogger(__name__)


def stored_ids(text: str | None) -> tuple[str, ...]:
    """The finished jobs' ids as stored (a JSON list)."""
    try:
        ids = json.loads(text or "[]")
    except ValueError:
        return ()
    return tuple(str(i) for i in ids) if isinstance(ids, list) else ()


def advance(runner: JobRunner, job: Job) -> None:
    """Take the chain one step further, by the state it is in."""
    backend = runner.backend_for(job.backend)
    if not isinstance(backend, RemoteVideoBackend):
        raise StudioError(f"The back-end {job.backend!r} cannot make videos remotely.")
    if not isinstance(job.params, ops.Storyboard) or not 0 <= job.chain_step < len(job.params.cards):
        raise StudioError("This storyboard has no card left to make.")
    board = job.params
    if job.status == VariationStatus.SUBMITTING:
        submit(runner, job, backend, board)
    elif job.status == VariationStatus.IN_PROGRESS:
        assert job.remote_id is not None  # stored before the state moved on
        apply(runner, job, board, backend.poll(job.remote_id))
    elif job.status == VariationStatus.DOWNLOADING:
        remote.download(runner, job, backend)


def submit(runner: JobRunner, job: Job, backend: RemoteVideoBackend, board: ops.Storyboard) -> None:
    """Send the current card (a create, or an extension of the last finished job) unless it was sent."""
    card = board.cards[job.chain_step]
    remote_id = job.remote_id
    if remote_id is None and job.attempts:
        remote_id = remote.reconcile(runner, job, backend, card.prompt, job.chain_remote_ids)
    if remote_id is not None:
        runner.update(
            job.id,
            remote_id=remote_id,
            status=VariationStatus.IN_PROGRESS,
            deadline_at=job.deadline_at or utcnow() + runner.deadline,
            error=None,
        )
        return
    # Counted before the call: if we die during it, the next runner reconciles first.
    deadline = job.deadline_at or utcnow() + runner.deadline
    if not runner.update(job.id, attempts=job.attempts + 1, deadline_at=deadline):
        raise Stopped()  # another runner holds the row now: never send its request too
    seconds = round(board.lengths[job.chain_step])
    if job.chain_step == 0:
        request = replace(
            job.request, prompt=card.prompt, seconds=seconds, reference_jpeg=first_frame(runner, job, card)
        )
        answer = backend.submit(request)
    else:
        answer = backend.extend(job.chain_remote_ids[-1], card.prompt, seconds)
    runner.update(job.id, remote_id=answer.remote_id)
    apply(runner, replace(job, remote_id=answer.remote_id), board, answer)


def apply(runner: JobRunner, job: Job, board: ops.Storyboard, answer: RemoteJob) -> None:
    """Record what the service says of the current card: wait, hand over to the next card, or download."""
    step, count = job.chain_step, len(board.cards)
    if answer.state == RemoteState.FAILED:
        reason = answer.error or "The video service reported a failure without a reason."
        runner.finish_failed(job.id, f"Card {step + 1} of {count}: {reason}")
    elif answer.state == RemoteState.COMPLETED and step + 1 < count:
        log.info("Variation %s: card %d of %d made (%s)", job.id, step + 1, count, answer.remote_id)
        runner.update(
            job.id,
            status=VariationStatus.SUBMITTING,
            remote_id=None,
            chain_step=step + 1,
            chain_remote_ids=json.dumps([*job.chain_remote_ids, answer.remote_id]),
            attempts=0,
            progress=overall(board, step + 1, 0.0),
            deadline_at=utcnow() + runner.deadline,  # each card gets its own window
            next_attempt_at=None,
            error=None,
        )
    elif answer.state == RemoteState.COMPLETED:
        remote.apply(runner, job, answer)  # the last card: its video holds them all
    else:
        wait = answer.poll_after_s if answer.poll_after_s is not None else remote.DEFAULT_POLL_S
        runner.update(
            job.id,
            status=VariationStatus.IN_PROGRESS,
            progress=overall(board, step, answer.progress),
            next_attempt_at=utcnow() + timedelta(seconds=wait),
            error=None,
        )


def overall(board: ops.Storyboard, step: int, percent: float) -> float:
    """One progress bar for the chain: the cards made, and the current card's share, by their seconds."""
    spans = board.lengths
    done = sum(spans[:step]) + (spans[step] if step < len(spans) else 0.0) * min(100.0, max(0.0, percent)) / 100
    return min(99.0, 100.0 * done / (sum(spans) or 1.0))


def first_frame(runner: JobRunner, job: Job, card: Card) -> bytes | None:
    """An image card's picture fitted to the requested size exactly (the API's rule), as JPEG."""
    if card.kind is not CardKind.IMAGE or not card.image_sha256:
        return None
    from core.images import cover_crop, encode_jpeg, validate_image

    try:
        data = runner.studio.media.read(card.image_sha256, CARD_IMAGES, ".jpg")
    except (FileNotFoundError, ValueError):
        raise NoLongerExists("The storyboard's first image no longer exists.") from None
    width, height = (int(v) for v in job.request.size.split("x"))
    return encode_jpeg(cover_crop(validate_image(data, "the first card").image, width, height), quality=92)
