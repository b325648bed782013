"""Compare, in core: two to four finished variations (of one set or of several) side by side, each
with its own prompt, how it was made, its duration and size, and whether it is its set's cover.

The page plays them in sync and "Keep this one" calls ``library.set_cover``; this module only says
what there is to compare and what could be added.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

from core.errors import StudioError
from core.studio import Studio
from core.videos import edits, library
from core.videos.kinds import MediaKind, Operation, VariationStatus
from db import videos as queries

MIN_COMPARED = 2
MAX_COMPARED = 4
RECENT_CHOICES = 24  # the user's other recent ready variations offered beside the compared sets'


@dataclass(frozen=True)
class CompareItem:
    variation_id: int
    generation_id: int
    position: int
    video_sha256: str
    prompt: str  # its own: a remix's prompt, else its set's
    operation: Operation
    made: str  # how it was made, with what changed (``edits.describe``)
    duration_s: float
    width: int
    height: int
    bytes: int | None
    is_cover: bool  # what its set's card shows

    @property
    def label(self) -> str:
        return f"Set #{self.generation_id} · variation {self.position + 1}"


def check_count(count: int) -> None:
    """Compare shows two to four videos; anything else is refused in one sentence."""
    if count < MIN_COMPARED:
        raise StudioError("Pick at least two variations to compare (up to four).")
    if count > MAX_COMPARED:
        raise StudioError("Compare shows at most four variations at a time: remove one first.")


def compare_items(studio: Studio, variation_ids: Sequence[int]) -> list[CompareItem]:
    """The ready variations among ``variation_ids``, in that order, once each; a variation that is
    not finished, or is in the Trash (itself or its set), is left out."""
    wanted = list(dict.fromkeys(variation_ids))
    found: list[tuple[int, int, int, str, str, float, int, int, int | None]] = []
    with studio.db.session() as session:
        for variation_id in wanted:
            variation = queries.get_variation(session, variation_id)
            if variation is None or variation.deleted_at is not None or variation.generation.deleted_at is not None:
                continue
            if variation.status != VariationStatus.COMPLETED or not variation.video_sha256:
                continue
            if variation.generation.media_kind == MediaKind.IMAGE:  # Compare plays videos; a still is left out
                continue
            generation = variation.generation
            found.append(
                (
                    variation.id,
                    generation.id,
                    variation.position,
                    variation.video_sha256,
                    generation.prompt,
                    float(variation.duration_s or generation.seconds),
                    generation.width,
                    generation.height,
                    variation.bytes,
                )
            )
    covers = {gid: _cover_id(studio, gid) for gid in {row[1] for row in found}}
    items = []
    for vid, gid, position, digest, prompt, duration, width, height, size in found:
        made = edits.lineage(studio, vid)
        items.append(
            CompareItem(
                vid,
                gid,
                position,
                digest,
                made.prompt if made and made.prompt else prompt,
                made.operation if made else Operation.GENERATE,
                made.summary if made else Operation.GENERATE.label,
                duration,
                width,
                height,
                size,
                covers[gid] == vid,
            )
        )
    return items


def _cover_id(studio: Studio, generation_id: int) -> int | None:
    view = library.generation(studio, generation_id)
    cover = view.cover if view else None
    return cover.id if cover else None


def compare_choices(studio: Studio, variation_ids: Sequence[int], recent: int = RECENT_CHOICES) -> dict[int, str]:
    """What the picker offers, labelled: the compared variations first (in their order), then the
    other ready variations of their sets, then the user's other recent ready variations."""
    chosen = [item.variation_id for item in compare_items(studio, variation_ids)]
    rows: dict[int, tuple[int, int, str]] = {}  # variation id → (set id, position, prompt)
    with studio.db.session() as session:
        sets = dict.fromkeys(v.generation_id for i in chosen if (v := queries.get_variation(session, i)))
        for generation_id in sets:
            generation = queries.get_generation(session, generation_id)
            if generation is None:
                continue
            for variation in generation.variations:
                if variation.status == VariationStatus.COMPLETED:
                    rows[variation.id] = (generation_id, variation.position, generation.prompt)
        for vid, gid, position, prompt in queries.completed_variations(session, recent):
            rows.setdefault(vid, (gid, position, prompt))
    order = chosen + [vid for vid in rows if vid not in chosen]
    return {vid: choice_label(*rows[vid]) for vid in order if vid in rows}


def choice_label(generation_id: int, position: int, prompt: str) -> str:
    """One line for a picker: which variation, and the start of its set's prompt."""
    short = textwrap.shorten(" ".join(prompt.split()), 44, placeholder="…")
    return f"Set #{generation_id} · variation {position + 1} · {short}"
