"""Who made what: the ``made_by`` column of captions, sets and variations (the signed-in person,
NULL without sign-in): the people recorded, for the "Made by" filters, and the sets' filter by them
(History's captions filter by them in ``db.captions``, which this module builds on)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import QueryableAttribute, Session

from db.captions import AnySelect
from db.models import Caption, Generation


def made_by_any(statement: AnySelect, column: QueryableAttribute[str | None], people: Sequence[str]) -> AnySelect:
    """``statement`` narrowed to rows made by one of ``people``; unchanged when ``people`` is empty."""
    return statement.where(column.in_(list(people))) if people else statement


def caption_people(session: Session) -> list[str]:
    """The people recorded on live captions (History's Captions filter)."""
    statement = select(Caption.made_by).where(Caption.made_by.is_not(None), Caption.deleted_at.is_(None))
    return list(session.scalars(statement.distinct().order_by(Caption.made_by)))


def generation_people(session: Session) -> list[str]:
    """The people recorded on live sets (the Library's and History's Generations filter)."""
    statement = select(Generation.made_by).where(Generation.made_by.is_not(None), Generation.deleted_at.is_(None))
    return list(session.scalars(statement.distinct().order_by(Generation.made_by)))
