"""Counting as far as a page needs: ``count_up_to`` stops reading after ``cap + 1`` rows, so a
library of 100,000 sets counts as fast as one of 10,000 (``core.tally``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session


def count_up_to(session: Session, statement: Select[Any], cap: int | None = None) -> int:
    """How many rows ``statement`` gives; with ``cap``, no more than ``cap + 1`` (more than ``cap``)."""
    statement = statement.order_by(None)
    limited = (statement if cap is None else statement.limit(cap + 1)).subquery()
    return int(session.scalar(select(func.count()).select_from(limited)) or 0)
