"""Queries of the Trash: soft delete (``deleted_at``) of captions, sets and variations, restore,
what the Trash holds, and the purge — which rows go and which stored files they alone used.

A set is in the Trash when its own ``deleted_at`` is set; trashing its last live variation trashes
it too, so the library never shows an empty set. Trashed rows still own their files (they can be
restored): only a purge frees a file, and only when no other row, live or trashed, uses its digest.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from db.media import EXTENSIONS, IMAGES, ORIGINALS, POSTERS, REFERENCES, SPRITES, THUMBS, VIDEO_FILES, VIDEOS
from db.models import Caption, Generation, ImageAsset, Variation

# Which column names the digest a stored file of each kind belongs to.
_OWNER_COLUMN: dict[str, InstrumentedAttribute[str] | InstrumentedAttribute[str | None]] = {
    ORIGINALS: ImageAsset.sha256,
    THUMBS: ImageAsset.sha256,
    VIDEOS: Variation.video_sha256,
    POSTERS: Variation.video_sha256,
    SPRITES: Variation.video_sha256,
    IMAGES: Variation.video_sha256,  # an image set's still (``video_sha256`` is the media digest)
    REFERENCES: Generation.reference_sha256,
}


@dataclass(frozen=True)
class StoredFile:
    """One file of the media store, as ``MediaStore.path_for`` names it."""

    digest: str
    kind: str
    extension: str


@dataclass(frozen=True)
class PurgePlan:
    """The trashed rows a purge deletes, and the files no remaining row uses afterwards."""

    generation_ids: tuple[int, ...] = ()
    variation_ids: tuple[int, ...] = ()  # trashed one by one, in sets that stay
    caption_ids: tuple[int, ...] = ()
    files: tuple[StoredFile, ...] = field(default_factory=tuple)

    @property
    def empty(self) -> bool:
        return not (self.generation_ids or self.variation_ids or self.caption_ids)


# --- moving in and out of the Trash --------------------------------------------------------------


def trash_generation(session: Session, generation_id: int, now: datetime) -> bool:
    """False when the set does not exist or is already in the Trash."""
    found = session.get(Generation, generation_id)
    if found is None or found.deleted_at is not None:
        return False
    found.deleted_at = now
    return True


def live_variation_count(session: Session, generation_id: int) -> int:
    statement = select(func.count(Variation.id)).where(
        Variation.generation_id == generation_id, Variation.deleted_at.is_(None)
    )
    return session.scalar(statement) or 0


def trash_variation(session: Session, variation: Variation, now: datetime) -> bool:
    """Trash one variation; when it was its set's last live one, the set goes too (returns True)."""
    variation.deleted_at = now
    session.flush()
    if live_variation_count(session, variation.generation_id) == 0:
        variation.generation.deleted_at = now
        return True
    return False


def trash_caption(session: Session, caption_id: int, now: datetime) -> bool:
    found = session.get(Caption, caption_id)
    if found is None or found.deleted_at is not None:
        return False
    found.deleted_at = now
    return True


def restore_generation(session: Session, generation_id: int) -> bool:
    """Take the set out of the Trash; when none of its variations is live, bring back those that went with it."""
    found = session.get(Generation, generation_id)
    if found is None or found.deleted_at is None:
        return False
    if live_variation_count(session, generation_id) == 0:
        with_it = [v for v in found.variations if v.deleted_at == found.deleted_at] or found.variations
        for variation in with_it:
            variation.deleted_at = None
    found.deleted_at = None
    return True


def restore_variation(session: Session, variation_id: int) -> bool:
    """Take the variation out of the Trash, and its set with it if the set had gone too."""
    found = session.get(Variation, variation_id)
    if found is None or found.deleted_at is None:
        return False
    found.deleted_at = None
    found.generation.deleted_at = None
    return True


def restore_caption(session: Session, caption_id: int) -> bool:
    found = session.get(Caption, caption_id)
    if found is None or found.deleted_at is None:
        return False
    found.deleted_at = None
    return True


# --- what the Trash holds ------------------------------------------------------------------------


def trashed_generations(session: Session) -> list[tuple[int, str, int, datetime]]:
    """(set id, prompt, variation count, deleted at), most recently trashed first."""
    count = select(func.count(Variation.id)).where(Variation.generation_id == Generation.id).scalar_subquery()
    statement = (
        select(Generation.id, Generation.prompt, count, Generation.deleted_at)
        .where(Generation.deleted_at.is_not(None))
        .order_by(Generation.deleted_at.desc(), Generation.id.desc())
    )
    return [(row[0], row[1], row[2], row[3]) for row in session.execute(statement)]


def trashed_variations(session: Session) -> list[tuple[int, int, int, str, datetime]]:
    """(variation id, set id, position, prompt, deleted at) of variations trashed from sets still live."""
    statement = (
        select(Variation.id, Variation.generation_id, Variation.position, Generation.prompt, Variation.deleted_at)
        .join(Generation, Generation.id == Variation.generation_id)
        .where(Variation.deleted_at.is_not(None), Generation.deleted_at.is_(None))
        .order_by(Variation.deleted_at.desc(), Variation.id.desc())
    )
    return [(row[0], row[1], row[2], row[3], _stamp(row[4])) for row in session.execute(statement)]


def trashed_captions(session: Session) -> list[tuple[int, str, str, datetime]]:
    """(caption id, image name, caption text, deleted at)."""
    statement = (
        select(Caption.id, ImageAsset.display_name, Caption.text, Caption.deleted_at)
        .join(ImageAsset, ImageAsset.id == Caption.asset_id)
        .where(Caption.deleted_at.is_not(None))
        .order_by(Caption.deleted_at.desc(), Caption.id.desc())
    )
    return [(row[0], row[1], row[2], _stamp(row[3])) for row in session.execute(statement)]


def _stamp(deleted_at: datetime | None) -> datetime:
    return deleted_at or datetime.min  # never None: the queries ask for trashed rows only


# --- the purge -----------------------------------------------------------------------------------


def plan_purge(
    session: Session,
    trashed_before: datetime | None = None,
    *,
    generation_ids: Collection[int] | None = None,
    variation_ids: Collection[int] | None = None,
    caption_ids: Collection[int] | None = None,
) -> PurgePlan:
    """What purging the Trash (items trashed before ``trashed_before``, or all) deletes and frees.

    Passing ids limits the purge to those trashed items (a permanent delete of one thing).
    """
    limited = any(ids is not None for ids in (generation_ids, variation_ids, caption_ids))

    def chosen(
        column: InstrumentedAttribute[int], when: InstrumentedAttribute[datetime | None], ids: Collection[int] | None
    ) -> list[int]:
        if limited and ids is None:
            return []
        statement = select(column).where(when.is_not(None))
        if trashed_before is not None:
            statement = statement.where(when < trashed_before)
        if ids is not None:
            statement = statement.where(column.in_(list(ids)))
        return list(session.scalars(statement.order_by(column)))

    sets = chosen(Generation.id, Generation.deleted_at, generation_ids)
    in_live_sets = (
        select(Variation.id)
        .join(Generation, Generation.id == Variation.generation_id)
        .where(Variation.id.in_(chosen(Variation.id, Variation.deleted_at, variation_ids)))
        .where(Generation.deleted_at.is_(None))
    )
    singles = list(session.scalars(in_live_sets.order_by(Variation.id)))
    captions = chosen(Caption.id, Caption.deleted_at, caption_ids)
    gone_variations = singles + list(session.scalars(select(Variation.id).where(Variation.generation_id.in_(sets))))
    files = [
        *_freed_videos(session, gone_variations),
        *_freed_references(session, sets),
        *_freed_images(session, captions),
    ]
    return PurgePlan(tuple(sets), tuple(singles), tuple(captions), tuple(files))


def _freed_videos(session: Session, gone: Sequence[int]) -> list[StoredFile]:
    digests = set(session.scalars(select(Variation.video_sha256).where(Variation.id.in_(gone))))
    still_used = set(
        session.scalars(
            select(Variation.video_sha256).where(Variation.video_sha256.in_(digests), Variation.id.not_in(gone))
        )
    )
    return [StoredFile(d, kind, ext) for d in sorted(x for x in digests - still_used if x) for kind, ext in VIDEO_FILES]


def _freed_references(session: Session, gone: Sequence[int]) -> list[StoredFile]:
    digests = set(session.scalars(select(Generation.reference_sha256).where(Generation.id.in_(gone))))
    still_used = set(
        session.scalars(
            select(Generation.reference_sha256).where(
                Generation.reference_sha256.in_(digests), Generation.id.not_in(gone)
            )
        )
    )
    return [StoredFile(d, REFERENCES, ".jpg") for d in sorted(x for x in digests - still_used if x)]


def _orphaned_assets(session: Session, gone: Sequence[int]) -> list[ImageAsset]:
    """The images whose every caption is among ``gone``."""
    assets = select(Caption.asset_id).where(Caption.id.in_(gone))
    kept = select(Caption.asset_id).where(Caption.id.not_in(gone))
    statement = select(ImageAsset).where(ImageAsset.id.in_(assets), ImageAsset.id.not_in(kept))
    return list(session.scalars(statement.order_by(ImageAsset.id)))


def _freed_images(session: Session, gone: Sequence[int]) -> list[StoredFile]:
    files = []
    for asset in _orphaned_assets(session, gone):
        files += [
            StoredFile(asset.sha256, ORIGINALS, EXTENSIONS.get(asset.format, "")),
            StoredFile(asset.sha256, THUMBS, ".jpg"),
        ]
    return files


def delete_purged_rows(session: Session, plan: PurgePlan) -> None:
    """Delete the plan's rows (still trashed ones only), and the images no caption uses any more."""
    assets = list(session.scalars(select(Caption.asset_id).where(Caption.id.in_(plan.caption_ids)).distinct()))
    session.execute(delete(Caption).where(Caption.id.in_(plan.caption_ids), Caption.deleted_at.is_not(None)))
    unused = list(session.scalars(select(ImageAsset.id).where(ImageAsset.id.in_(assets), ~ImageAsset.captions.any())))
    session.execute(delete(ImageAsset).where(ImageAsset.id.in_(unused)))
    session.execute(delete(Variation).where(Variation.id.in_(plan.variation_ids), Variation.deleted_at.is_not(None)))
    trashed_sets = select(Generation.id).where(
        Generation.id.in_(plan.generation_ids), Generation.deleted_at.is_not(None)
    )
    gone = list(session.scalars(trashed_sets))
    session.execute(delete(Variation).where(Variation.generation_id.in_(gone)))
    session.execute(delete(Generation).where(Generation.id.in_(gone)))


def used_digests(session: Session) -> dict[str, set[str]]:
    """Per kind of stored file, every digest some row (live or trashed) owns."""
    used: dict[str, set[str]] = {}
    for kind, column in _OWNER_COLUMN.items():
        used[kind] = set(session.scalars(select(column).where(column.is_not(None)).distinct()))
    return used


def digest_in_use(session: Session, kind: str, digest: str) -> bool:
    """Whether any row, live or trashed, owns the stored file of this kind and digest."""
    column = _OWNER_COLUMN.get(kind)
    if column is None:
        return True  # a folder the purge never stages: keep what is there
    return bool(session.scalar(select(func.count()).where(column == digest)))
