"""The Trash: deleting a caption, a set or one variation moves it here (soft delete) so it can be
restored; emptying the Trash, or items older than 30 days at start-up, removes them for good.

A purge is crash-safe, in three steps: (1) every file the purged rows alone use is renamed into
the media store's staging folder, (2) the rows are deleted in one transaction, (3) the staged
files are unlinked. A crash before (2) commits leaves rows whose files are staged; a crash after
leaves staged files no row uses. ``recover_interrupted_purge`` (run at start-up) settles both: a
staged file goes back when some row, live or trashed, still names its digest, and is removed
otherwise. So no restart ever finds an orphan file or a row pointing at a missing file.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path

from core.errors import NoLongerExists, StudioError, must_exist
from core.studio import Studio
from core.videos.kinds import ACTIVE
from db import Session
from db import trash as queries
from db import videos as video_queries
from db.models import utcnow

log = logging.getLogger(__name__)

KEEP_FOR = timedelta(days=30)

# The points a purge passes, in order; ``on_step`` hears each (tests crash the process there).
STAGED, COMMITTED, FINISHED = "staged", "committed", "finished"


class TrashKind(StrEnum):
    SET = "set"
    VARIATION = "variation"
    CAPTION = "caption"


@dataclass(frozen=True)
class TrashItem:
    kind: TrashKind
    id: int
    label: str
    deleted_at: datetime


# --- moving things to the Trash ------------------------------------------------------------------


def _refuse_if_busy(session: Session, variation_ids: list[int], what: str) -> None:
    """A job still making (or made from) these variations would lose its files: refuse, in one sentence."""
    for variation_id in variation_ids:
        found = video_queries.get_variation(session, variation_id)
        busy = [found] if found is not None else []
        busy += video_queries.made_from(session, variation_id)
        if any(v.status in ACTIVE and v.deleted_at is None for v in busy):
            raise StudioError(f"{what} is still being made; delete it when it has finished.")


def trash_set(studio: Studio, generation_id: int) -> TrashItem:
    """Move a whole set to the Trash; returns what Undo restores."""
    with studio.db.session() as session:
        found = must_exist(video_queries.get_generation(session, generation_id))
        _refuse_if_busy(session, [v.id for v in found.variations], "This video")
        now = utcnow()
        queries.trash_generation(session, generation_id, now)
        return TrashItem(TrashKind.SET, generation_id, _set_label(generation_id, found.prompt), now)


def trash_variation(studio: Studio, variation_id: int) -> TrashItem:
    """Move one variation to the Trash (its set too when it was the last one left); returns what Undo restores."""
    with studio.db.session() as session:
        found = video_queries.get_variation(session, variation_id)
        if found is None or found.deleted_at is not None or found.generation.deleted_at is not None:
            raise NoLongerExists("That variation no longer exists.")
        _refuse_if_busy(session, [variation_id], "This variation")
        now = utcnow()
        queries.trash_variation(session, found, now)
        label = f"Variation {found.position + 1} of set #{found.generation_id}"
        return TrashItem(TrashKind.VARIATION, variation_id, label, now)


def trash_sets(studio: Studio, generation_ids: list[int]) -> tuple[list[TrashItem], int]:
    """Move many sets to the Trash in one transaction; sets still being made stay where they are.
    Returns what Undo restores and how many were left because they are busy."""
    moved: list[TrashItem] = []
    busy = 0
    with studio.db.session() as session:
        now = utcnow()
        for generation_id in generation_ids:
            found = video_queries.get_generation(session, generation_id)
            if found is None:
                continue
            try:
                _refuse_if_busy(session, [v.id for v in found.variations], "This video")
            except StudioError:
                busy += 1
                continue
            queries.trash_generation(session, generation_id, now)
            moved.append(TrashItem(TrashKind.SET, generation_id, _set_label(generation_id, found.prompt), now))
    return moved, busy


def trash_captions(studio: Studio, caption_ids: list[int]) -> list[TrashItem]:
    """Move many captions to the Trash in one transaction."""
    with studio.db.session() as session:
        now = utcnow()
        return [
            TrashItem(TrashKind.CAPTION, caption_id, f"Caption #{caption_id}", now)
            for caption_id in caption_ids
            if queries.trash_caption(session, caption_id, now)
        ]


def restore_all(studio: Studio, items: list[TrashItem]) -> int:
    """Undo of a bulk move: restore each item still in the Trash, in one transaction; returns how many."""
    restore_one = {
        TrashKind.SET: queries.restore_generation,
        TrashKind.VARIATION: queries.restore_variation,
        TrashKind.CAPTION: queries.restore_caption,
    }
    with studio.db.session() as session:
        return sum(bool(restore_one[item.kind](session, item.id)) for item in items)


def trash_caption(studio: Studio, caption_id: int) -> TrashItem:
    with studio.db.session() as session:
        now = utcnow()
        if not queries.trash_caption(session, caption_id, now):
            raise NoLongerExists("That caption no longer exists.")
        return TrashItem(TrashKind.CAPTION, caption_id, f"Caption #{caption_id}", now)


def restore(studio: Studio, item: TrashItem) -> None:
    """Take an item out of the Trash, with its files as they were."""
    restore_one = {
        TrashKind.SET: queries.restore_generation,
        TrashKind.VARIATION: queries.restore_variation,
        TrashKind.CAPTION: queries.restore_caption,
    }[item.kind]
    with studio.db.session() as session:
        if not restore_one(session, item.id):
            raise NoLongerExists("That item is no longer in the Trash.")


# --- what the Trash holds ------------------------------------------------------------------------


def _set_label(generation_id: int, prompt: str, variations: int | None = None) -> str:
    count = f" ({variations} variation{'s' if variations != 1 else ''})" if variations is not None else ""
    return f"Set #{generation_id}{count}: {_short(prompt)}"


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def trash_items(studio: Studio) -> list[TrashItem]:
    """Everything in the Trash, most recently deleted first."""
    with studio.db.session() as session:
        items = [
            TrashItem(TrashKind.SET, g, _set_label(g, prompt, n), when)
            for g, prompt, n, when in queries.trashed_generations(session)
        ]
        items += [
            TrashItem(TrashKind.VARIATION, v, f"Variation {pos + 1} of set #{g}: {_short(prompt)}", when)
            for v, g, pos, prompt, when in queries.trashed_variations(session)
        ]
        items += [
            TrashItem(TrashKind.CAPTION, c, f"Caption of “{name}”: {_short(text)}", when)
            for c, name, text, when in queries.trashed_captions(session)
        ]
    return sorted(items, key=lambda i: (i.deleted_at, i.id), reverse=True)


# --- removing for good ---------------------------------------------------------------------------


def _purge(
    studio: Studio,
    trashed_before: datetime | None,
    on_step: Callable[[str], None] | None,
    generation_ids: list[int] | None = None,
    caption_ids: list[int] | None = None,
) -> int:
    """Stage the files, commit the row deletes, then remove the files; returns how many items went."""
    staged: list[tuple[Path, str, str, str]] = []
    try:
        with studio.db.session() as session:
            plan = queries.plan_purge(session, trashed_before, generation_ids=generation_ids, caption_ids=caption_ids)
            if plan.empty:
                return 0
            for file in plan.files:
                path = studio.media.stage(file.digest, file.kind, file.extension)
                if path is not None:
                    staged.append((path, file.digest, file.kind, file.extension))
            if on_step:
                on_step(STAGED)
            queries.delete_purged_rows(session, plan)
        if on_step:
            on_step(COMMITTED)
    finally:
        _settle(studio, staged)  # after a rollback every staged file goes back; after the commit, away
    if on_step:
        on_step(FINISHED)
    return len(plan.generation_ids) + len(plan.variation_ids) + len(plan.caption_ids)


def _settle(studio: Studio, staged: list[tuple[Path, str, str, str]]) -> None:
    """Put back each staged file some row still names (a restore may have raced the purge); remove the rest."""
    if not staged:
        return
    with studio.db.session() as session:
        keep = [queries.digest_in_use(session, kind, digest) for _, digest, kind, _ in staged]
    for (path, digest, kind, extension), in_use in zip(staged, keep):
        if in_use:
            studio.media.unstage(path, digest, kind, extension)
        else:
            path.unlink(missing_ok=True)


def empty_trash(studio: Studio, *, on_step: Callable[[str], None] | None = None) -> int:
    """Remove everything in the Trash for good; returns how many items went."""
    return _purge(studio, None, on_step)


def purge_expired(
    studio: Studio, older_than: timedelta = KEEP_FOR, *, on_step: Callable[[str], None] | None = None
) -> int:
    """Remove what has been in the Trash longer than ``older_than`` (run at start-up)."""
    return _purge(studio, utcnow() - older_than, on_step)


def delete_set_now(studio: Studio, generation_id: int, *, on_step: Callable[[str], None] | None = None) -> None:
    """Remove a set for good, past the Trash, in the purge's crash-safe order (rows first, files after)."""
    trash_set(studio, generation_id)
    _purge(studio, None, on_step, generation_ids=[generation_id])


def delete_caption_now(studio: Studio, caption_id: int, *, on_step: Callable[[str], None] | None = None) -> None:
    """Remove a caption for good, past the Trash; its image's files go too when no caption uses them."""
    trash_caption(studio, caption_id)
    _purge(studio, None, on_step, caption_ids=[caption_id])


def recover_interrupted_purge(studio: Studio) -> int:
    """Settle files a crashed purge left staged; returns how many there were."""
    staged = studio.media.staged()
    if staged:
        log.info("Settling %d file(s) left by an interrupted purge", len(staged))
    _settle(studio, staged)
    return len(staged)
