"""Job workers' heartbeats (one ``app_state`` row per worker, key ``worker:<id>``) and the queue's
counts, for the worker health panel. Every web server and worker shares them through the database."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.videos.kinds import ACTIVE, RUNNING, VariationStatus
from db.models import AppState, Variation
from db.state import delete_value, put_value

PREFIX = "worker:"


def beat(session: Session, worker_id: str, info: dict[str, Any]) -> None:
    """Record that ``worker_id`` is alive now, with what it says about itself."""
    put_value(session, PREFIX + worker_id, info)


def forget(session: Session, worker_id: str) -> None:
    delete_value(session, PREFIX + worker_id)


def heartbeats(session: Session) -> list[tuple[str, datetime, dict[str, Any]]]:
    """Every worker that ever beat and was not forgotten: (id, last beat, what it said), newest first."""
    rows = session.scalars(
        select(AppState).where(AppState.key.startswith(PREFIX, autoescape=True)).order_by(AppState.updated_at.desc())
    )
    found = []
    for row in rows:
        try:
            info = json.loads(row.value)
        except ValueError:
            info = {}
        found.append((row.key.removeprefix(PREFIX), row.updated_at, info if isinstance(info, dict) else {}))
    return found


def queue_counts(session: Session) -> tuple[int, int]:
    """(queued, running) variations across the studio."""
    counts = dict(
        session.execute(
            select(Variation.status, func.count(Variation.id))
            .where(Variation.status.in_(ACTIVE))
            .group_by(Variation.status)
        ).all()
    )
    queued = int(counts.get(VariationStatus.QUEUED, 0))
    return queued, sum(int(counts.get(status, 0)) for status in RUNNING)
