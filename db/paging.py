"""Reading as little as a page needs: ``count_up_to`` stops counting after ``cap + 1`` rows, so a
library of 100,000 sets counts as fast as one of 10,000 (``core.tally``); ``distinct_values`` lists a
filter's choices by skipping along an index, not by reading every row."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session


def count_up_to(session: Session, statement: Select[Any], cap: int | None = None) -> int:
    """How many rows ``statement`` gives; with ``cap``, no more than ``cap + 1`` (more than ``cap``)."""
    statement = statement.order_by(None)
    limited = (statement if cap is None else statement.limit(cap + 1)).subquery()
    return int(session.scalar(select(func.count()).select_from(limited)) or 0)


def distinct_values(
    session: Session, column: InstrumentedAttribute[Any], *conditions: ColumnElement[bool]
) -> list[Any]:
    """The distinct non-NULL values of ``column`` among the rows meeting ``conditions``, in order.

    Read by skipping along the column's index from one value to the next (a "loose index scan", as
    a recursive query): one index probe a value, however many rows share it. A plain DISTINCT reads
    every row on PostgreSQL (40 ms for History's styles and providers at 100,000 captions), and
    SQLite skips only along some indexes. The conditions must be those of the column's partial
    index, if it has one, for SQLite to use it."""

    def first(after: ColumnElement[Any] | None) -> ColumnElement[Any]:
        beyond = [column > after] if after is not None else []
        wanted = select(column).where(*conditions, column.is_not(None), *beyond)
        return wanted.order_by(column).limit(1).scalar_subquery()

    start = select(first(None).label("value")).cte("found", recursive=True)
    found = start.union_all(select(first(start.c.value)).where(start.c.value.is_not(None)))
    return list(session.scalars(select(found.c.value).where(found.c.value.is_not(None))))
