"""History's side of captions: the page of rows (counted as far as a page needs, ``core.tally``),
the filters' choices, the CSV export, and the ids "Select all" takes."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from typing import IO

from core import downloads
from core.captions.styles import STYLES
from core.errors import StudioError
from core.exports import Progress, csv_header, write_csv
from core.studio import Studio
from core.tally import CAP, SEARCH_CAP, Tally
from db import captions as queries
from db import csv_export
from db.errors import StorageRefused
from db.media import THUMBS


@dataclass(frozen=True)
class HistoryRow:
    caption_id: int
    thumbnail: str | None  # a URL on the file route, for st.dataframe's ImageColumn
    image_name: str
    text: str
    style: str
    prompt: str
    provider: str
    model: str
    created_at: datetime
    edited: bool
    latency_ms: float | None
    confidence: float | None
    made_by: str | None = None  # who was signed in; None without sign-in


def _thumb_url(studio: Studio, digest: str) -> str | None:
    """The thumbnail through the file route (``core.routes``): the page sends a short URL, and the
    browser fetches each image once, instead of a ``data:`` URL resent on every rerun."""
    path = studio.media.path_for(digest, THUMBS, ".jpg")
    return downloads.link(studio.home, path) if path.is_file() else None


def history(
    studio: Studio, flt: queries.CaptionFilter, limit: int = 50, offset: int = 0
) -> tuple[int, list[HistoryRow]]:
    """Every caption that matches, counted exactly, and one page of them (History counts with
    ``history_count``, capped, and reads with ``history_page``)."""
    with studio.db.session() as session:
        total = queries.count_captions(session, flt)
    return total, history_page(studio, flt, limit, offset)


def history_count(studio: Studio, flt: queries.CaptionFilter) -> Tally:
    """How many captions match, counted up to ``core.tally.CAP`` (a search, up to ``SEARCH_CAP``)."""
    cap = SEARCH_CAP if flt.search.strip() else CAP
    with studio.db.session() as session:
        return Tally.of(queries.count_captions(session, flt, cap=cap), cap)


def history_page(
    studio: Studio, flt: queries.CaptionFilter, limit: int = 50, offset: int = 0, total: Tally | None = None
) -> list[HistoryRow]:
    """One page of captions, newest first; ``total``, the page's ``history_count``, tells the database
    how to read a search (``db.search.driven_by_index``)."""
    matches = total.exact if total else None
    with studio.db.session() as session:
        pairs = queries.list_captions(session, flt, limit=limit, offset=offset, matches=matches)
        return [
            HistoryRow(
                caption_id=c.id,
                thumbnail=_thumb_url(studio, a.sha256),
                image_name=a.display_name,
                text=c.text,
                style=STYLES[c.style].label,
                prompt=c.prompt,
                provider=c.provider,
                model=c.model,
                created_at=c.created_at,
                edited=c.edited_at is not None,
                latency_ms=c.latency_ms,
                confidence=c.confidence,
                made_by=c.made_by,
            )
            for c, a in pairs
        ]


def facets(studio: Studio) -> tuple[list[str], list[str]]:
    with studio.db.session() as session:
        return queries.caption_facets(session)


def export_captions_csv(studio: Studio, flt: queries.CaptionFilter, all_versions: bool = False) -> bytes:
    """The History CSV: the newest caption of each image (every version when ``all_versions``)."""
    buffer = io.BytesIO()
    write_captions_csv(studio, flt, buffer, all_versions)
    return buffer.getvalue()


def write_captions_csv(
    studio: Studio,
    flt: queries.CaptionFilter,
    target: IO[bytes],
    all_versions: bool = False,
    progress: Progress | None = None,
    total: int | None = None,
    native: bool = True,
) -> int:
    """The History CSV written to ``target`` as the rows stream from the database; returns the row count.

    The database engine writes the rows itself where it can (``db/csv_export.py``: PostgreSQL's COPY,
    the ``sqlite3`` command line), else Python's csv module does; the text is formula-safe either way,
    because the query neutralises it."""
    labels = {key: style.label for key, style in STYLES.items()}
    if native and csv_export.native_writer(studio.db.engine):
        target.write(csv_header(queries.EXPORT_COLUMNS))
        statement = queries.export_statement(flt, all_versions, labels)
        try:
            count = csv_export.write_native_csv(studio.db.engine, statement, target)
        except StorageRefused as exc:
            raise StudioError(exc.message) from exc
        if progress:
            progress(count, count)
        return count
    with studio.db.session() as session:
        rows = queries.iter_export_rows(session, flt, all_versions=all_versions, style_labels=labels)
        return write_csv(target, queries.EXPORT_COLUMNS, rows, already_safe=True, progress=progress, total=total)


CaptionFilter = queries.CaptionFilter


def matching_caption_ids(studio: Studio, flt: queries.CaptionFilter) -> list[int]:
    with studio.db.session() as session:
        return queries.matching_caption_ids(session, flt)
