"""Many sets at once, for select mode in My Videos and History: tags (many per set; a filter; found
by search), select all that match, favourite, folder, and a ZIP of the chosen sets' videos."""

from __future__ import annotations

from collections.abc import Collection

from core.errors import StudioError
from core.studio import Studio
from core.text import clean
from core.videos.library import MAX_FOLDER_CHARS, view_of
from db import bulk as bulk_queries
from db.videos import GenerationFilter

MAX_TAG_CHARS = 50


def parse_tags(text: str) -> list[str]:
    """Tags typed as "beach, golden hour #sunset": split on commas and '#', trimmed, lower-case,
    each once. An over-long tag is refused in one sentence; nothing is saved."""
    found: list[str] = []
    for part in clean(text).replace("#", ",").split(","):
        tag = " ".join(part.split()).lower()
        if not tag:
            continue
        if len(tag) > MAX_TAG_CHARS:
            raise StudioError(f"Tags are at most {MAX_TAG_CHARS} characters (“{tag[:20]}…” is longer).")
        if tag not in found:
            found.append(tag)
    return found


def tags(studio: Studio, generation_ids: Collection[int] | None = None) -> list[tuple[str, int]]:
    """(tag, how many sets carry it) over the library, or over these sets."""
    with studio.db.session() as session:
        return bulk_queries.tags(session, generation_ids)


def add_tags(studio: Studio, generation_ids: Collection[int], text: str) -> tuple[list[str], int]:
    """Tag the sets; returns the tags and how many sets got them."""
    wanted = parse_tags(text)
    if not wanted:
        raise StudioError("Type one or more tags, separated by commas.")
    with studio.db.session() as session:
        return wanted, bulk_queries.add_tags(session, generation_ids, wanted)


def remove_tag(studio: Studio, generation_ids: Collection[int], tag: str) -> int:
    with studio.db.session() as session:
        return bulk_queries.remove_tag(session, generation_ids, tag)


def matching_ids(studio: Studio, flt: GenerationFilter) -> list[int]:
    """Every set the filters match (every page), for "select all that match"."""
    with studio.db.session() as session:
        return bulk_queries.matching_ids(session, flt)


def still_there(studio: Studio, generation_ids: Collection[int]) -> list[int]:
    """The chosen sets that still exist (another tab may have trashed some)."""
    with studio.db.session() as session:
        return bulk_queries.live_ids(session, generation_ids)


def covers(studio: Studio, generation_ids: Collection[int]) -> list[int]:
    """The cover variation of each chosen set that has one ready (what Compare plays for a set)."""
    with studio.db.session() as session:
        views = [view_of(g) for g in bulk_queries.sets_with_files(session, generation_ids)]
    order = {g: i for i, g in enumerate(generation_ids)}
    return [v.cover.id for v in sorted(views, key=lambda v: order.get(v.id, 0)) if v.cover is not None]


def favourite_many(studio: Studio, generation_ids: Collection[int], favourite: bool) -> int:
    with studio.db.session() as session:
        return bulk_queries.set_favourite_many(session, generation_ids, favourite)


def move_many_to_folder(studio: Studio, generation_ids: Collection[int], folder: str | None) -> int:
    folder = clean(folder or "").strip() or None
    if folder and len(folder) > MAX_FOLDER_CHARS:
        raise StudioError(f"Folder names are at most {MAX_FOLDER_CHARS} characters.")
    with studio.db.session() as session:
        return bulk_queries.set_folder_many(session, generation_ids, folder)
