"""Sets leaving the studio: a ZIP of the chosen sets' ready videos (and stills), each with a
``.txt`` (its alt text from "Describe this video" when it has one, else its prompt) and a ``.json``
(prompt, title, alt text, settings, lineage, back-end, model, cost, dates) beside it,
and ``metadata.jsonl`` / ``metadata.csv`` (``core.bundle``)."""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterator
from pathlib import Path
from typing import IO, Any

from core.bundle import BundleItem, BundleOptions, file_stem, unique_name, write_bundle
from core.studio import Studio
from core.videos.kinds import MediaKind, Operation, VariationStatus
from db import bulk as bulk_queries
from db.models import Generation, Variation

SET_TEMPLATE = "{set}-{variation}-{name}"


def export_sets_zip(
    studio: Studio,
    generation_ids: Collection[int],
    target: IO[bytes],
    options: BundleOptions | None = None,
    progress: Callable[[int, int | None], None] | None = None,
) -> int:
    """Write a ZIP of the sets' ready variations to ``target`` (a file: each video is streamed from
    disk); returns how many files it holds."""
    with studio.db.session() as session:
        items = list(_items(studio, bulk_queries.sets_with_files(session, generation_ids)))
    return write_bundle(items, target, options or BundleOptions(SET_TEMPLATE), len(items), progress)


def zip_names(studio: Studio, generation: Generation) -> list[str]:
    """The names this set's ready files get in an export ZIP with the default template (for the CSV)."""
    used: set[str] = set()
    return [unique_name(file_stem(item, SET_TEMPLATE), used) + item.extension for item in _items(studio, [generation])]


def _items(studio: Studio, generations: list[Generation]) -> Iterator[BundleItem]:
    for generation in generations:
        for variation in generation.variations:
            if variation.status != VariationStatus.COMPLETED or not variation.video_sha256:
                continue
            source = _file_of(studio, generation, variation.video_sha256)
            if source is None:
                continue
            yield BundleItem(
                source=source,
                extension=source.suffix,
                text=variation.alt_text or _own_prompt(generation, variation),
                name=generation.prompt,
                created_at=variation.completed_at or generation.created_at,
                id=variation.id,
                set_id=generation.id,
                variation=variation.position + 1,
                metadata=_metadata(generation, variation),
            )


def _file_of(studio: Studio, generation: Generation, digest: str) -> Path | None:
    if generation.media_kind == MediaKind.IMAGE:
        return studio.media.image_path(digest)
    path = studio.media.video_path(digest)
    return path if path.is_file() else None


def _own_prompt(generation: Generation, variation: Variation) -> str:
    """A remix's own words where it has them, else its set's prompt."""
    try:
        params: dict[str, Any] = json.loads(variation.operation_params or "{}")
    except ValueError:
        params = {}
    own = params.get("prompt") if variation.operation in (Operation.REMIX, Operation.EXTEND) else None
    return str(own or generation.prompt)


def _metadata(generation: Generation, variation: Variation) -> dict[str, Any]:
    try:
        parts = json.loads(generation.prompt_parts or "{}")
    except ValueError:
        parts = {}
    made_by = variation.made_by or generation.made_by  # who asked for this variation; nothing without sign-in
    return {
        "set": generation.id,
        "variation": variation.position + 1,
        "variation_id": variation.id,
        "type": generation.media_kind,
        "operation": Operation(variation.operation).label,
        "made_from_variation_id": variation.parent_id,
        "blended_with_variation_id": variation.partner_id,
        "edit": json.loads(variation.operation_params or "{}") if variation.operation != Operation.GENERATE else None,
        "prompt": generation.prompt,
        "title": variation.title,
        "alt_text": variation.alt_text,
        "scene": parts.get("scene") or None,
        "visual_details": parts.get("visual") or None,
        "motion": parts.get("motion") or None,
        "style_preset": generation.style_preset,
        "aspect_ratio": generation.aspect_ratio,
        "size": f"{generation.width}x{generation.height}",
        "duration_s": round(variation.duration_s, 2) if variation.duration_s else None,
        "backend": generation.backend,
        "model": generation.model,
        "cost_usd": round(variation.cost_usd, 4),
        "tags": [t.tag for t in generation.tags],
        "folder": generation.folder,
        "favourite": generation.favourite,
        "created_at": generation.created_at.strftime("%Y-%m-%d %H:%M:%S"),
        "completed_at": variation.completed_at.strftime("%Y-%m-%d %H:%M:%S") if variation.completed_at else None,
        **({"made_by": made_by} if made_by else {}),
    }
