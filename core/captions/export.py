"""Captions leaving the studio as a dataset or for a CMS: a ZIP of the chosen captions' images, each
once, with the newest chosen caption beside it and inside it (``core.bundle``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import IO, Any

from core.bundle import BundleItem, BundleOptions, write_bundle
from core.captions.styles import STYLES
from core.studio import Studio
from db import captions as queries
from db.media import EXTENSIONS, ORIGINALS

CAPTION_TEMPLATE = "{name}"


def style_label(style: str) -> str:
    return STYLES[style].label if style in STYLES else style


def export_captions_zip(
    studio: Studio,
    caption_ids: Sequence[int],
    target: IO[bytes],
    options: BundleOptions | None = None,
    progress: Callable[[int, int | None], None] | None = None,
) -> int:
    """Write a ZIP of the chosen captions to ``target`` (a file): each image once, under a readable,
    collision-free name, with its newest chosen caption (``.txt``), everything else known of it
    (``.json``), and ``metadata.jsonl`` / ``metadata.csv``. Returns how many images it holds."""
    with studio.db.session() as session:
        newest: dict[str, BundleItem] = {}  # image digest → its newest chosen caption
        pairs = queries.captions_with_images(session, caption_ids)  # oldest first
        pairs.sort(key=lambda pair: pair[0].kept_at is not None)  # a kept caption comes last: it wins
        for caption, asset in pairs:
            extension = EXTENSIONS.get(asset.format, ".img")
            metadata: dict[str, Any] = {
                "caption_id": caption.id,
                "style": style_label(caption.style),
                "prompt": caption.prompt or None,
                "provider": caption.provider,
                "model": caption.model,
                "image_name": asset.display_name,
                "image_sha256": asset.sha256,
                "width": asset.width,
                "height": asset.height,
                "created_at": caption.created_at.strftime("%Y-%m-%d %H:%M:%S"),
                "edited_at": caption.edited_at.strftime("%Y-%m-%d %H:%M:%S") if caption.edited_at else None,
                "latency_s": round(caption.latency_ms / 1000, 2) if caption.latency_ms is not None else None,
                "prompt_tokens": caption.prompt_tokens,
                "completion_tokens": caption.completion_tokens,
            }
            if caption.made_by:  # who was signed in; nothing without sign-in
                metadata["made_by"] = caption.made_by
            newest[asset.sha256] = BundleItem(
                source=studio.media.path_for(asset.sha256, ORIGINALS, extension),
                extension=extension,
                text=caption.text,
                name=asset.display_name,
                created_at=caption.created_at,
                id=caption.id,
                metadata=metadata,
            )
    items = sorted(newest.values(), key=lambda item: item.id)
    return write_bundle(items, target, options or BundleOptions(CAPTION_TEMPLATE), len(items), progress)
