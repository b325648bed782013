"""Exports that travel: a ZIP a dataset loader, a CMS or a photo tool takes as it is.

Each item is one media file under a readable, collision-free name from a naming template, with a
``.txt`` sidecar (its caption, any trigger word first) and a ``.json`` sidecar (everything else
the studio knows of it); ``metadata.jsonl`` and ``metadata.csv`` list every file in the layout
dataset loaders read (``file_name``, ``text``, then the rest). Captions can be written into the
exported copies of images (``core.captions.embed``); the library's originals are never changed.

The archive is written straight to a file, one item at a time: memory stays flat however large the
export, and ``progress`` is told after each item.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from core.errors import StudioError, UnsupportedImage
from core.exports import BOM, neutralise

PLACEHOLDERS = ("{name}", "{set}", "{variation}", "{date}", "{id}")
MAX_STEM = 100
STORED = (".mp4", ".mov", ".webm", ".jpg", ".jpeg", ".png", ".webp")  # compressed already: stored, not deflated


@dataclass(frozen=True)
class BundleOptions:
    """How the export is laid out: the naming template, a trigger word, sidecars, embedded captions."""

    template: str = "{name}"
    prefix: str = ""  # put first in every caption (a LoRA trigger word, say)
    sidecars: bool = True
    embed_captions: bool = False  # write each caption into the exported copy of its image

    def check(self) -> None:
        if not any(p in self.template for p in PLACEHOLDERS):
            raise StudioError(f"The naming template needs at least one of {', '.join(PLACEHOLDERS)}.")
        unknown = set(re.findall(r"\{[^}]*\}", self.template)) - set(PLACEHOLDERS)
        if unknown:
            raise StudioError(f"The naming template has {', '.join(sorted(unknown))}; use {', '.join(PLACEHOLDERS)}.")


@dataclass(frozen=True)
class BundleItem:
    """One file of the export and what is said of it."""

    source: Path
    extension: str  # with its dot, from the stored format (never from a user's file name)
    text: str  # the caption, or for a video its alt text or prompt
    name: str  # the file's own name (an image's upload name, a set's prompt)
    created_at: datetime
    id: int
    set_id: int | None = None
    variation: int | None = None
    metadata: dict[str, Any] = field(default_factory=dict)


def readable_stem(text: str, limit: int = MAX_STEM) -> str:
    """``text`` as a file name anyone can type: letters, digits, ``-`` and ``_``; no path, no dots first."""
    text = unicodedata.normalize("NFKC", text)
    text = text.rsplit(".", 1)[0] if re.search(r"\.\w{2,5}$", text) else text
    words = re.sub(r"[^\w\-]+", "-", text, flags=re.UNICODE).strip("-_.")
    return re.sub(r"-{2,}", "-", words)[:limit].strip("-_") or "item"


def file_stem(item: BundleItem, template: str) -> str:
    values = {
        "{name}": readable_stem(item.name, 60),
        "{set}": f"set-{item.set_id:05d}" if item.set_id is not None else "set",
        "{variation}": f"v{item.variation}" if item.variation is not None else "v1",
        "{date}": item.created_at.strftime("%Y%m%d-%H%M%S"),
        "{id}": str(item.id),
    }
    stem = template
    for placeholder, value in values.items():
        stem = stem.replace(placeholder, value)
    return readable_stem(stem)


def with_prefix(text: str, prefix: str) -> str:
    """The caption with the trigger word first, once (a caption that starts with it already keeps one)."""
    prefix = " ".join(prefix.split())
    if not prefix or text.startswith(prefix):
        return text
    return f"{prefix}, {text}" if text else prefix


def write_bundle(
    items: Iterable[BundleItem],
    target: IO[bytes],
    options: BundleOptions,
    total: int | None = None,
    progress: Callable[[int, int | None], None] | None = None,
) -> int:
    """Write the ZIP of ``items`` to ``target`` (a file); return how many files it holds."""
    options.check()
    used: set[str] = set()
    lines: list[dict[str, Any]] = []
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        for done, item in enumerate(items, start=1):
            if not item.source.is_file():
                continue  # purged since it was chosen: the rest still goes out
            stem = unique_name(file_stem(item, options.template), used)
            name = stem + item.extension
            text = with_prefix(item.text, options.prefix)
            compress = zipfile.ZIP_STORED if item.extension.lower() in STORED else zipfile.ZIP_DEFLATED
            if options.embed_captions and text and item.extension.lower() in (".jpg", ".jpeg", ".png", ".webp", ".tif"):
                archive.writestr(name, _embedded(item.source, text), compress_type=compress)
            else:
                archive.write(item.source, name, compress_type=compress)  # streamed from disk
            record = {"file_name": name, "text": text, **item.metadata}
            if options.sidecars:
                archive.writestr(f"{stem}.txt", text + "\n")
                archive.writestr(f"{stem}.json", json.dumps(record, ensure_ascii=False, indent=2, default=str) + "\n")
            lines.append(record)
            if progress:
                progress(done, total)
        archive.writestr(
            "metadata.jsonl", "".join(json.dumps(r, ensure_ascii=False, default=str) + "\n" for r in lines)
        )
        archive.writestr("metadata.csv", metadata_csv(lines))
    return len(lines)


def _embedded(source: Path, text: str) -> bytes:
    from core.captions.embed import with_caption

    data = source.read_bytes()
    try:
        return with_caption(data, text)
    except UnsupportedImage:
        return data  # a file the writer cannot carry a caption in still goes out, with its sidecar


def unique_name(stem: str, used: set[str]) -> str:
    """``stem``, or ``stem-2``, ``stem-3``… when a name differing only in case is taken already."""
    candidate, n = stem, 1
    while candidate.lower() in used:
        n += 1
        candidate = f"{stem}-{n}"
    used.add(candidate.lower())
    return candidate


def metadata_csv(records: Sequence[dict[str, Any]]) -> str:
    """``file_name``, ``text``, then every other key in first-seen order; spreadsheet-safe text."""
    columns: list[str] = ["file_name", "text"]
    for record in records:
        columns += [k for k in record if k not in columns]
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for record in records:
        writer.writerow([_csv_cell(record.get(c)) for c in columns])
    return out.getvalue()


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return neutralise(", ".join(str(v) for v in value))
    if isinstance(value, dict):
        return neutralise(json.dumps(value, ensure_ascii=False))
    return neutralise(value)


EXPORTS = "exports"  # under the data folder: finished ZIPs waiting to be downloaded
KEEP_EXPORTS_S = 24 * 3600


def export_to_file(home: Path, file_name: str, write: Callable[[IO[bytes]], int]) -> tuple[Path, int]:
    """Run ``write`` into a new file under ``<home>/exports/`` (a partial file never keeps the final
    name: it is written beside it and renamed when whole); return its path and what ``write`` said.
    Exports older than a day are removed first."""
    folder = home / EXPORTS
    folder.mkdir(parents=True, exist_ok=True)
    _forget_old(folder)
    final = folder / file_name
    partial = folder / f".{file_name}.part"
    try:
        with partial.open("wb") as target:
            count = write(target)
        partial.replace(final)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return final, count


def _forget_old(folder: Path) -> None:
    import time

    cutoff = time.time() - KEEP_EXPORTS_S
    for old in folder.iterdir():
        try:
            if old.is_file() and old.stat().st_mtime < cutoff:
                old.unlink()
        except OSError:
            continue  # another process removed it first
