"""A variation's title and alt text ("Describe this video"): storing them, and the library search
that finds a set by its variations' words as well as by its tags and prompt."""

from __future__ import annotations

from typing import Any

from sqlalchemy import CompoundSelect, Select, func, or_, select, union
from sqlalchemy.orm import Session

from db.models import Variation
from db.search import like_words, lowered
from db.tags import tagged_like


def described_like(search: str) -> Select[Any] | None:
    """Sets with a live variation whose title and alt text together hold every word of the search."""
    words = like_words(search)
    if not words:
        return None
    text = lowered(func.coalesce(Variation.title, "") + " " + func.coalesce(Variation.alt_text, ""))
    described = or_(Variation.title.is_not(None), Variation.alt_text.is_not(None))  # as models.DESCRIBED
    statement = select(Variation.generation_id).where(Variation.deleted_at.is_(None), described)
    for word in words:
        statement = statement.where(text.contains(word, autoescape=True))
    return statement.distinct()


def tagged_or_described(search: str) -> CompoundSelect[Any] | None:
    """Sets found by their tags or by their variations' titles and alt text (beside full-text search)."""
    tagged, described = tagged_like(search), described_like(search)
    if tagged is None or described is None:
        return None
    # One list of ids (a union), so that both databases look the few matches up by id; an OR of two
    # IN tests made PostgreSQL walk every set testing each.
    return union(tagged, described)


def set_variation_text(session: Session, variation_id: int, title: str, alt_text: str) -> bool:
    """False when the variation no longer exists (or is in the Trash)."""
    found = session.get(Variation, variation_id)
    if found is None or found.deleted_at is not None:
        return False
    found.title, found.alt_text = title, alt_text
    return True
