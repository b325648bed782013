"""Queries over many sets at once: select all that match, bulk favourite and folder, tags, and the
sets a ZIP download holds. What a selection means is the caller's; here only rows change."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from db.models import Generation, GenerationTag
from db.videos import LIVE_VARIATIONS, GenerationFilter, changed_rows, filtered


def matching_ids(session: Session, flt: GenerationFilter) -> list[int]:
    """Every set the filters match, newest first (for "select all that match")."""
    statement = filtered(select(Generation.id), flt).order_by(Generation.created_at.desc(), Generation.id.desc())
    return list(session.scalars(statement))


def live_ids(session: Session, generation_ids: Collection[int]) -> list[int]:
    """Those of these sets that still exist outside the Trash, newest first."""
    statement = select(Generation.id).where(Generation.id.in_(list(generation_ids)), Generation.deleted_at.is_(None))
    return list(session.scalars(statement.order_by(Generation.created_at.desc(), Generation.id.desc())))


def set_favourite_many(session: Session, generation_ids: Collection[int], favourite: bool) -> int:
    statement = update(Generation).where(Generation.id.in_(list(generation_ids)), Generation.deleted_at.is_(None))
    return changed_rows(session.execute(statement.values(favourite=favourite)))


def set_folder_many(session: Session, generation_ids: Collection[int], folder: str | None) -> int:
    statement = update(Generation).where(Generation.id.in_(list(generation_ids)), Generation.deleted_at.is_(None))
    return changed_rows(session.execute(statement.values(folder=folder)))


def add_tags(session: Session, generation_ids: Collection[int], tags: Collection[str]) -> int:
    """Tag every live set with every tag (a tag a set already has is kept once); returns the sets tagged."""
    live = live_ids(session, generation_ids)
    if not live or not tags:
        return 0
    statement = select(GenerationTag.generation_id, GenerationTag.tag).where(
        GenerationTag.generation_id.in_(live), GenerationTag.tag.in_(list(tags))
    )
    have = {(g, t) for g, t in session.execute(statement)}
    session.add_all(
        GenerationTag(generation_id=g, tag=t) for g in live for t in sorted(set(tags)) if (g, t) not in have
    )
    return len(live)


def remove_tag(session: Session, generation_ids: Collection[int], tag: str) -> int:
    statement = delete(GenerationTag).where(
        GenerationTag.generation_id.in_(list(generation_ids)), GenerationTag.tag == tag
    )
    return changed_rows(session.execute(statement))


def tags(session: Session, generation_ids: Collection[int] | None = None) -> list[tuple[str, int]]:
    """Every tag on a live set (or on these sets) with how many sets carry it, by name."""
    statement = (
        select(GenerationTag.tag, func.count(GenerationTag.generation_id))
        .join(Generation, Generation.id == GenerationTag.generation_id)
        .where(Generation.deleted_at.is_(None))
        .group_by(GenerationTag.tag)
        .order_by(GenerationTag.tag)
    )
    if generation_ids is not None:
        statement = statement.where(GenerationTag.generation_id.in_(list(generation_ids)))
    return [(tag, count) for tag, count in session.execute(statement)]


def sets_with_files(session: Session, generation_ids: Collection[int]) -> list[Generation]:
    """These live sets with their live variations, newest first (what a ZIP of them holds)."""
    statement = select(Generation).where(Generation.id.in_(list(generation_ids)), Generation.deleted_at.is_(None))
    statement = statement.options(LIVE_VARIATIONS).order_by(Generation.created_at.desc(), Generation.id.desc())
    return list(session.scalars(statement))
