"""Who made what, for the "Made by" filters: the signed-in people recorded on captions and sets
(``made_by``; ``core.access.person`` says who someone is). Empty without sign-in, so the filters
stay hidden on a studio only one person uses."""

from __future__ import annotations

from core.studio import Studio
from db import people as queries


def caption_makers(studio: Studio) -> list[str]:
    """The people recorded on live captions (History's Captions), alphabetically."""
    with studio.db.session() as session:
        return queries.caption_people(session)


def set_makers(studio: Studio) -> list[str]:
    """The people recorded on live sets (the Library and History's Generations), alphabetically."""
    with studio.db.session() as session:
        return queries.generation_people(session)
