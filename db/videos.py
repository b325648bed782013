"""Queries about generations and variations: the library, the job runner's claims, prices (presets: ``db.presets``)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, Result, func, or_, select, update
from sqlalchemy.orm import Session

from core.videos.kinds import ACTIVE, RUNNING, MediaKind, Operation, Source, VariationStatus
from db.library import LIVE_VARIATIONS as LIVE_VARIATIONS  # the Library's queries, importable from here
from db.library import GenerationFilter as GenerationFilter
from db.library import count_generations as count_generations
from db.library import filtered as filtered
from db.library import list_generations as list_generations
from db.models import Generation, ModelPrice, Variation, utcnow
from db.paging import count_up_to, distinct_values


def add_generation(
    session: Session,
    *,
    variations: int,
    made_with: tuple[str, str] | None = None,
    made_by: str | None = None,
    **fields: Any,
) -> Generation:
    """The generation and its variation rows, written before any network call; ``made_with``: the
    variations' (operation, operation_params) when they are not plain generations; ``made_by``: who."""
    made = dict(zip(("operation", "operation_params"), made_with or (Operation.GENERATE, "{}")))
    generation = Generation(created_at=utcnow(), n_variations=variations, made_by=made_by, **fields)
    generation.variations = [
        Variation(position=i, status=VariationStatus.QUEUED, progress=0.0, created_at=utcnow(), made_by=made_by, **made)
        for i in range(variations)
    ]
    session.add(generation)
    session.flush()
    return generation


def add_imported_generation(
    session: Session, *, video_sha256: str, duration_s: float, fps: float, size: int, params: str, **fields: Any
) -> Generation:
    """A set of one finished variation: a video made elsewhere, already in the media store (by ``made_by``)."""
    now = utcnow()
    generation = Generation(created_at=now, source=Source.IMPORT, n_variations=1, **fields)
    generation.variations = [
        Variation(
            position=0,
            status=VariationStatus.COMPLETED,
            progress=100.0,
            video_sha256=video_sha256,
            has_thumbnail=True,
            has_spritesheet=True,
            duration_s=duration_s,
            fps=fps,
            bytes=size,
            operation=Operation.IMPORT,
            operation_params=params,
            created_at=now,
            completed_at=now,
            made_by=fields.get("made_by"),
        )
    ]
    session.add(generation)
    session.flush()
    return generation


def find_import(session: Session, sha256: str) -> int | None:
    """The set that already holds this file: imported from the same bytes, or stored as exactly them."""
    live = Generation.deleted_at.is_(None)  # a file whose set is in the Trash may be imported again
    found = session.scalar(select(Generation.id).where(Generation.source_sha256 == sha256, live).limit(1))
    if found is None:
        found = session.scalar(
            select(Variation.generation_id)
            .join(Generation, Generation.id == Variation.generation_id)
            .where(Variation.video_sha256 == sha256, Generation.source == Source.IMPORT, live)
            .where(Variation.deleted_at.is_(None))
            .limit(1)
        )
    return found


def add_variation(
    session: Session,
    source: Variation,
    operation: Operation,
    params: str,
    partner: Variation | None = None,
    made_by: str | None = None,
) -> int:
    """A queued variation made from ``source`` (and ``partner``), last in its set, asked for by ``made_by``."""
    last = session.scalar(select(func.max(Variation.position)).where(Variation.generation_id == source.generation_id))
    variation = Variation(
        generation_id=source.generation_id,
        position=(last if last is not None else -1) + 1,
        status=VariationStatus.QUEUED,
        progress=0.0,
        parent_id=source.id,
        partner_id=partner.id if partner else None,
        operation=operation,
        operation_params=params,
        created_at=utcnow(),
        made_by=made_by,
    )
    session.add(variation)
    session.flush()
    return variation.id


def made_from(session: Session, variation_id: int) -> list[Variation]:
    """The variations made from this one (as source or as blend partner), oldest first."""
    statement = select(Variation).where(or_(Variation.parent_id == variation_id, Variation.partner_id == variation_id))
    return list(session.scalars(statement.order_by(Variation.id)))


def set_favourite(session: Session, generation_id: int, favourite: bool) -> bool:
    """False when the set no longer exists."""
    found = session.get(Generation, generation_id)
    if found is not None:
        found.favourite = favourite
    return found is not None


def set_cover(session: Session, generation_id: int, variation_id: int) -> bool:
    """False when the set or that ready variation of it no longer exists."""
    found = session.get(Generation, generation_id)
    variation = session.get(Variation, variation_id)
    if (
        found is None
        or found.deleted_at is not None
        or variation is None
        or variation.generation_id != generation_id
        or variation.deleted_at is not None
        or variation.status != VariationStatus.COMPLETED
    ):
        return False
    found.cover_variation_id = variation_id
    return True


def set_folder(session: Session, generation_id: int, folder: str | None) -> bool:
    """False when the set no longer exists."""
    found = session.get(Generation, generation_id)
    if found is not None:
        found.folder = folder
    return found is not None


def get_generation(session: Session, generation_id: int) -> Generation | None:
    """The set and its live variations; None when it does not exist or is in the Trash."""
    statement = select(Generation).where(Generation.id == generation_id, Generation.deleted_at.is_(None))
    return session.scalar(statement.options(LIVE_VARIATIONS).execution_options(populate_existing=True))


def get_variation(session: Session, variation_id: int) -> Variation | None:
    return session.get(Variation, variation_id)


def folders(session: Session) -> list[str]:
    return distinct_values(session, Generation.folder, Generation.deleted_at.is_(None))


def active_variations(session: Session, generation_ids: Sequence[int] | None = None) -> list[Variation]:
    # Sorted here, not in SQL: an ORDER BY id makes SQLite walk every row in id order, not the status index.
    statement = select(Variation).where(Variation.status.in_(ACTIVE))
    if generation_ids is not None:
        statement = statement.where(Variation.generation_id.in_(list(generation_ids)))
    return sorted(session.scalars(statement), key=lambda v: v.id)


def spend_so_far(session: Session) -> float:
    return float(session.scalar(select(func.coalesce(func.sum(Variation.cost_usd), 0.0))) or 0.0)


def prices(session: Session) -> dict[str, float]:
    return {p.model: p.usd_per_second for p in session.scalars(select(ModelPrice))}


def set_price(session: Session, model: str, usd_per_second: float) -> None:
    price = session.get(ModelPrice, model)
    if price is None:
        session.add(ModelPrice(model=model, usd_per_second=usd_per_second))
    else:
        price.usd_per_second = usd_per_second


def files_still_used(session: Session, sha256: str, excluding_generation: int) -> bool:
    """Whether another set uses the video; trashed rows count (they can be restored)."""
    others = select(Variation.id).where(
        Variation.video_sha256 == sha256, Variation.generation_id != excluding_generation
    )
    return count_up_to(session, others, cap=0) > 0


# --- the job runner's side --------------------------------------------------------------------


def running_count(session: Session) -> int:
    return session.scalar(select(func.count(Variation.id)).where(Variation.status.in_(RUNNING))) or 0


def due_variations(session: Session, now: datetime, limit: int = 20) -> list[tuple[int, str, str, str]]:
    """Active variations whose next step is due and nobody holds: (id, status, back-end, operation), oldest first."""
    statement = (
        select(Variation.id, Variation.status, Generation.backend, Variation.operation)
        .join(Generation, Generation.id == Variation.generation_id)
        .where(Variation.status.in_(ACTIVE))
        .where(or_(Variation.next_attempt_at.is_(None), Variation.next_attempt_at <= now))
        .where(or_(Variation.lease_until.is_(None), Variation.lease_until < now))
        .order_by(Variation.id)
        .limit(limit)
    )
    return [(row[0], row[1], row[2], row[3]) for row in session.execute(statement)]


def claim(
    session: Session, variation_id: int, owner: str, now: datetime, lease: timedelta, start_as: str | None = None
) -> bool:
    """Take the variation for ``lease`` if nobody else holds it (atomic in one UPDATE).

    ``start_as`` moves a queued variation into its first running state in the same statement,
    so the running count the next look sees already includes it.
    """
    values: dict[str, Any] = {"lease_owner": owner, "lease_until": now + lease}
    condition = [
        Variation.id == variation_id,
        Variation.status.in_(ACTIVE),
        or_(Variation.lease_until.is_(None), Variation.lease_until < now, Variation.lease_owner == owner),
    ]
    if start_as:
        values.update(status=start_as, started_at=now)
        condition.append(Variation.status == VariationStatus.QUEUED)
    return changed_rows(session.execute(update(Variation).where(*condition).values(**values))) == 1


def requeue_failed(session: Session, generation_id: int) -> int:
    """Put a set's failed (live) variations back in the queue as new jobs; return how many."""
    statement = (
        update(Variation)
        .where(
            Variation.generation_id == generation_id,
            Variation.status == VariationStatus.FAILED,
            Variation.deleted_at.is_(None),
        )
        .values(
            status=VariationStatus.QUEUED,
            progress=0.0,
            error=None,
            attempts=0,
            remote_id=None,
            chain_step=0,
            chain_remote_ids="[]",
            next_attempt_at=None,
            deadline_at=None,
            started_at=None,
            completed_at=None,
        )
    )
    return changed_rows(session.execute(statement))


def update_leased(session: Session, variation_id: int, owner: str, **values: Any) -> bool:
    """Write ``values`` to the variation only while ``owner`` holds its lease; False if it does not."""
    statement = update(Variation).where(Variation.id == variation_id, Variation.lease_owner == owner)
    return changed_rows(session.execute(statement.values(**values))) == 1


def changed_rows(result: Result[Any]) -> int:
    """How many rows an UPDATE changed."""
    return int(cast(CursorResult[Any], result).rowcount)


def release(session: Session, variation_id: int, owner: str) -> None:
    session.execute(
        update(Variation)
        .where(Variation.id == variation_id, Variation.lease_owner == owner)
        .values(lease_owner=None, lease_until=None)
    )


def assigned_remote_ids(session: Session) -> set[str]:
    return set(session.scalars(select(Variation.remote_id).where(Variation.remote_id.is_not(None))))


def prompt_parts(generation: Generation) -> dict[str, str]:
    try:
        parts = json.loads(generation.prompt_parts or "{}")
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in parts.items()} if isinstance(parts, dict) else {}


def completed_variations(session: Session, limit: int = 50) -> list[tuple[int, int, int, str]]:
    """Recent finished videos (never an image set's stills) for pickers: (variation id, set id, position, prompt)."""
    statement = (
        select(Variation.id, Variation.generation_id, Variation.position, Generation.prompt)
        .join(Generation, Generation.id == Variation.generation_id)
        .where(Variation.status == VariationStatus.COMPLETED, Generation.media_kind == MediaKind.VIDEO)
        .where(Variation.deleted_at.is_(None), Generation.deleted_at.is_(None))
        .order_by(Variation.id.desc())
        .limit(limit)
    )
    return [(row[0], row[1], row[2], row[3]) for row in session.execute(statement)]


def most_remixed(session: Session, limit: int = 6) -> list[tuple[Generation, int]]:
    """Sets with at least one remix variation (not in the Trash), the most remixed first: (set, remixes)."""
    remixes = func.count(Variation.id)
    statement = (
        select(Generation, remixes)
        .join(Variation, Variation.generation_id == Generation.id)
        .where(Variation.operation == Operation.REMIX, Variation.deleted_at.is_(None), Generation.deleted_at.is_(None))
        .group_by(Generation.id)
        .order_by(remixes.desc(), Generation.id.desc())
        .options(LIVE_VARIATIONS)
        .limit(limit)
    )
    return [(row[0], int(row[1])) for row in session.execute(statement)]
