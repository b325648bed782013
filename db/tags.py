"""Tags on sets: the one query the library's filters need (search finds a set by its tags).
The rest (adding, removing, listing tags) lives with the bulk actions in ``db.bulk``."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select

from db.models import GenerationTag
from db.search import like_words, lowered


def tagged_like(search: str) -> Select[Any] | None:
    """Sets whose tags hold every word of the search (so searching "beach" finds a set tagged "beach")."""
    words = like_words(search)
    if not words:
        return None
    statement = select(GenerationTag.generation_id)
    for word in words:
        tagged = select(GenerationTag.generation_id).where(lowered(GenerationTag.tag).contains(word, autoescape=True))
        statement = statement.where(GenerationTag.generation_id.in_(tagged))
    return statement.distinct()
