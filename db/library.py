"""The Library's queries: what a filter matches, counted and paged.

A search reads its matches from the full-text index, newest first (``db.search.driven_by_index``),
and adds the sets found by their tags or their variations' descriptions (``db.described``); a page
or a capped count then reads as many matches as it needs, so a search stays as fast at 100,000 sets
as at 100 (docs/performance.md). Without a search, the partial index over live sets, newest first
(migration 0011), gives the page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from core.videos.kinds import ACTIVE, SetStatus
from db.captions import AnySelect, search_and_dates
from db.described import tagged_or_described
from db.models import Generation, GenerationTag, Variation
from db.paging import count_up_to
from db.people import made_by_any
from db.search import driven_by_index, search_words

# A set's views show only its variations that are not in the Trash.
LIVE_VARIATIONS = selectinload(Generation.variations.and_(Variation.deleted_at.is_(None)))


@dataclass(frozen=True)
class GenerationFilter:
    search: str = ""
    statuses: Sequence[SetStatus] = field(default_factory=tuple)  # completed, failed, active
    backends: Sequence[str] = field(default_factory=tuple)
    date_from: date | None = None
    date_to: date | None = None
    favourites_only: bool = False
    folder: str | None = None
    tag: str | None = None
    media_kinds: Sequence[str] = field(default_factory=tuple)  # "video", "image" (the Library's Type)
    made_by: Sequence[str] = field(default_factory=tuple)  # the people who made the sets


def filtered(statement: AnySelect, flt: GenerationFilter) -> AnySelect:
    statement = statement.where(Generation.deleted_at.is_(None))
    statement = search_and_dates(
        statement,
        Generation.id,
        "generations",
        flt.search,
        Generation.created_at,
        flt.date_from,
        flt.date_to,
        also=tagged_or_described(flt.search),
    )
    if flt.tag:
        statement = statement.where(
            Generation.id.in_(select(GenerationTag.generation_id).where(GenerationTag.tag == flt.tag))
        )
    statement = made_by_any(statement, Generation.made_by, flt.made_by)
    for column, values in ((Generation.backend, flt.backends), (Generation.media_kind, flt.media_kinds)):
        if values:
            statement = statement.where(column.in_(list(values)))
    if flt.favourites_only:
        statement = statement.where(Generation.favourite.is_(True))
    if flt.folder:
        statement = statement.where(Generation.folder == flt.folder)
    if flt.statuses:
        wanted = set(flt.statuses)
        states = [str(s) for s in (SetStatus.COMPLETED, SetStatus.FAILED) if s in wanted]
        if SetStatus.ACTIVE in wanted:
            states += [str(s) for s in ACTIVE]
        having = select(Variation.generation_id).where(Variation.status.in_(states), Variation.deleted_at.is_(None))
        statement = statement.where(Generation.id.in_(having))
    return statement


def count_generations(session: Session, flt: GenerationFilter = GenerationFilter(), cap: int | None = None) -> int:
    """Sets that match; with ``cap``, counting stops after ``cap + 1`` (``db.paging``)."""
    if cap is None or not search_words(flt.search):
        return count_up_to(session, filtered(select(Generation.id), flt), cap)
    by_text, by_words = _searches(session, flt)
    described = set(session.scalars(by_words.limit(cap + 1))) if by_words is not None else set()
    if not described:
        return count_up_to(session, by_text, cap)
    return min(cap + 1, len(described | set(session.scalars(by_text.limit(cap + 1)))))


def list_generations(
    session: Session,
    flt: GenerationFilter = GenerationFilter(),
    limit: int = 24,
    offset: int = 0,
    matches: int | None = None,
) -> list[Generation]:
    """A page of the sets that match, newest first; ``matches``, the page's capped count when it has
    one, helps PostgreSQL read a search (``db.search.driven_by_index``)."""
    if search_words(flt.search):
        ids = _found_ids(session, flt, offset + limit, matches)[offset:]
        statement = select(Generation).where(Generation.id.in_(ids)).order_by(Generation.id.desc())
    else:
        statement = filtered(select(Generation), flt).order_by(Generation.created_at.desc(), Generation.id.desc())
        statement = statement.limit(limit).offset(offset)
    return list(session.scalars(statement.options(LIVE_VARIATIONS)))


def _found_ids(session: Session, flt: GenerationFilter, wanted: int, matches: int | None) -> list[int]:
    """The ids of the first ``wanted`` sets the search finds (by text, tags or descriptions), newest
    first: the first ``wanted`` of each way, merged."""
    by_text, by_words = _searches(session, flt, matches)
    found = set(session.scalars(by_text.limit(wanted)))
    if by_words is not None:
        found |= set(session.scalars(by_words.limit(wanted)))
    return sorted(found, reverse=True)[:wanted]


def _searches(
    session: Session, flt: GenerationFilter, matches: int | None = None
) -> tuple[Select[Any], Select[Any] | None]:
    """The ids of the sets ``flt`` finds by the full-text index, and by their tags or descriptions
    (None when the search has nothing to look for there); each newest first, with the other filters."""
    others = filtered(select(Generation.id), replace(flt, search=""))
    dialect = session.get_bind().dialect.name
    by_text = driven_by_index(others, Generation.id, "generations", flt.search, dialect, matches)
    assert by_text is not None, "only called for a search that holds a word"
    also = tagged_or_described(flt.search)
    by_words = others.where(Generation.id.in_(also)).order_by(Generation.id.desc()) if also is not None else None
    return by_text, by_words
