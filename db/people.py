"""Who made what: the ``made_by`` column of captions, sets and variations (the signed-in person,
NULL without sign-in): the people recorded, for the "Made by" filters, and the sets' filter by them
(History's captions filter by them in ``db.captions``, which this module builds on)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import QueryableAttribute, Session

from db.captions import AnySelect
from db.models import Caption, Generation
from db.paging import distinct_values


def made_by_any(statement: AnySelect, column: QueryableAttribute[str | None], people: Sequence[str]) -> AnySelect:
    """``statement`` narrowed to rows made by one of ``people``; unchanged when ``people`` is empty."""
    return statement.where(column.in_(list(people))) if people else statement


def caption_people(session: Session) -> list[str]:
    """The people recorded on live captions (History's Captions filter)."""
    return distinct_values(session, Caption.made_by, Caption.deleted_at.is_(None))


def generation_people(session: Session) -> list[str]:
    """The people recorded on live sets (the Library's and History's Generations filter)."""
    return distinct_values(session, Generation.made_by, Generation.deleted_at.is_(None))
