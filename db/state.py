"""Small pieces of UI state kept across sessions and restarts, one JSON value per key (``app_state``).

The Create video draft lives here, so moving to another page, a browser refresh or a server
restart never loses what the user was writing.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.orm import Session

from db.models import AppState, utcnow


def get_value(session: Session, key: str) -> Any | None:
    """The value stored under ``key``, decoded from JSON, or None when there is none (or it is unreadable)."""
    row = session.get(AppState, key)
    if row is None:
        return None
    try:
        return json.loads(row.value)
    except ValueError:  # written by something else, or damaged: treat it as absent
        return None


def put_value(session: Session, key: str, value: Any) -> None:
    """Store ``value`` (anything ``json.dumps`` takes) under ``key``, replacing what was there."""
    text = json.dumps(value, sort_keys=True)
    row = session.get(AppState, key)
    if row is None:
        session.add(AppState(key=key, value=text, updated_at=utcnow()))
    else:
        row.value, row.updated_at = text, utcnow()
    session.flush()


def delete_value(session: Session, key: str) -> None:
    row = session.get(AppState, key)
    if row is not None:
        session.delete(row)
        session.flush()
