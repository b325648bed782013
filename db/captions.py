"""Queries about captions and the images they describe: what the pages and exports need."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Integer,
    Select,
    String,
    case,
    cast,
    func,
    literal,
    or_,
    select,
    type_coerce,
    update,
)
from sqlalchemy.orm import QueryableAttribute, Session, aliased

from db.csv_export import rounded
from db.models import Caption, ImageAsset, utcnow
from db.paging import count_up_to, distinct_values
from db.search import driven_by_index, full_text_match

# A cell starting with one of these runs as a formula in a spreadsheet (CSV injection); core.exports uses it too.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

AnySelect = TypeVar("AnySelect", bound=Select[*tuple[Any, ...]])

EXPORT_COLUMNS = (
    "caption_id",
    "created_at",
    "edited_at",
    "image_name",
    "image_sha256",
    "format",
    "width",
    "height",
    "style",
    "prompt",
    "provider",
    "model",
    "caption",
    "latency_ms",
    "prompt_tokens",
    "completion_tokens",
    "confidence",
    "made_by",  # who was signed in; empty without sign-in
)


@dataclass(frozen=True)
class CaptionFilter:
    """What the History page filters by; empty fields filter nothing."""

    search: str = ""
    providers: Sequence[str] = field(default_factory=tuple)
    styles: Sequence[str] = field(default_factory=tuple)
    date_from: date | None = None
    date_to: date | None = None  # inclusive
    made_by: Sequence[str] = field(default_factory=tuple)  # the people who made the captions


def search_and_dates(
    statement: AnySelect,
    id_column: QueryableAttribute[int],
    table: str,
    search: str,
    created_column: QueryableAttribute[datetime],
    date_from: date | None,
    date_to: date | None,
    also: Select[Any] | CompoundSelect[Any] | None = None,
) -> AnySelect:
    """The filters captions and generations share: full-text search over ``table`` (where ``also``,
    ids matched another way, count as found too), and an inclusive date range."""
    found = full_text_match(id_column, table, search)
    if found is not None:
        statement = statement.where(or_(found, id_column.in_(also)) if also is not None else found)
    if date_from:
        statement = statement.where(created_column >= datetime.combine(date_from, time.min))
    if date_to:
        statement = statement.where(created_column < datetime.combine(date_to + timedelta(days=1), time.min))
    return statement


def _filtered(statement: AnySelect, flt: CaptionFilter) -> AnySelect:
    statement = statement.where(Caption.deleted_at.is_(None))  # the Trash is not history
    statement = search_and_dates(
        statement, Caption.id, "captions", flt.search, Caption.created_at, flt.date_from, flt.date_to
    )
    if flt.providers:
        statement = statement.where(Caption.provider.in_(list(flt.providers)))
    if flt.styles:
        statement = statement.where(Caption.style.in_(list(flt.styles)))
    if flt.made_by:
        statement = statement.where(Caption.made_by.in_(list(flt.made_by)))
    return statement


DISPLAY_NAME_CHARS = 255  # ImageAsset.display_name's column


def fit_name(name: str, limit: int) -> str:
    """``name`` shortened to ``limit`` characters in its middle, so that its extension survives."""
    if len(name) <= limit:
        return name
    stem, dot, extension = name.rpartition(".")
    if not stem or len(extension) > 10 or not extension.isalnum():
        return name[: limit - 1] + "…"
    return stem[: limit - len(extension) - 2] + "…" + dot + extension


def find_asset(session: Session, sha256: str) -> ImageAsset | None:
    return session.scalar(select(ImageAsset).where(ImageAsset.sha256 == sha256))


def add_asset(
    session: Session, *, sha256: str, display_name: str, format: str, width: int, height: int, size: int
) -> ImageAsset:
    asset = find_asset(session, sha256)
    if asset is None:
        asset = ImageAsset(
            sha256=sha256,
            display_name=fit_name(display_name, DISPLAY_NAME_CHARS),
            format=format,
            width=width,
            height=height,
            bytes=size,
            created_at=utcnow(),
        )
        session.add(asset)
        session.flush()
    return asset


def add_caption(session: Session, asset: ImageAsset, **fields: Any) -> Caption:
    caption = Caption(asset_id=asset.id, created_at=utcnow(), **fields)
    session.add(caption)
    session.flush()
    return caption


def get_caption(session: Session, caption_id: int) -> Caption | None:
    return session.get(Caption, caption_id)


def update_caption_text(session: Session, caption_id: int, new_text: str) -> Caption | None:
    caption = session.get(Caption, caption_id)
    if caption is not None and caption.text != new_text:
        caption.text = new_text
        caption.edited_at = utcnow()
    return caption


def count_captions(session: Session, flt: CaptionFilter = CaptionFilter(), cap: int | None = None) -> int:
    """Captions that match; with ``cap``, counting stops after ``cap + 1`` (``db.paging``), and a
    search is read from the full-text index (``db.search.driven_by_index``)."""
    searched = _searched(session, select(Caption.id), flt) if cap is not None else None
    return count_up_to(session, searched if searched is not None else _filtered(select(Caption.id), flt), cap)


def _searched(
    session: Session, statement: AnySelect, flt: CaptionFilter, matches: int | None = None
) -> AnySelect | None:
    """``statement`` filtered by ``flt``, its search read from the index, newest first; None without one."""
    others, dialect = _filtered(statement, replace(flt, search="")), session.get_bind().dialect.name
    return driven_by_index(others, Caption.id, "captions", flt.search, dialect, matches)


def list_captions(
    session: Session,
    flt: CaptionFilter = CaptionFilter(),
    limit: int = 100,
    offset: int = 0,
    matches: int | None = None,
) -> list[tuple[Caption, ImageAsset]]:
    """A page of captions, newest first; ``matches`` as ``db.library.list_generations`` takes it."""
    statement = select(Caption, ImageAsset).join(ImageAsset, Caption.asset_id == ImageAsset.id)
    searched = _searched(session, statement, flt, matches)
    if searched is None:
        searched = _filtered(statement, flt).order_by(Caption.created_at.desc(), Caption.id.desc())
    return [(c, a) for c, a in session.execute(searched.limit(limit).offset(offset)).all()]


def matching_caption_ids(session: Session, flt: CaptionFilter) -> list[int]:
    """Every caption the filters match, newest first (for "select all that match")."""
    statement = _filtered(select(Caption.id), flt).order_by(Caption.created_at.desc(), Caption.id.desc())
    return list(session.scalars(statement))


def captions_with_images(session: Session, caption_ids: Sequence[int]) -> list[tuple[Caption, ImageAsset]]:
    """These live captions with their images, oldest first (what a ZIP of them holds)."""
    statement = (
        select(Caption, ImageAsset)
        .join(ImageAsset, Caption.asset_id == ImageAsset.id)
        .where(Caption.id.in_(list(caption_ids)), Caption.deleted_at.is_(None))
        .order_by(Caption.created_at, Caption.id)
    )
    return [(c, a) for c, a in session.execute(statement)]


def caption_facets(session: Session) -> tuple[list[str], list[str]]:
    """The providers and styles that occur, for the filter widgets."""
    live = Caption.deleted_at.is_(None)
    return distinct_values(session, Caption.provider, live), distinct_values(session, Caption.style, live)


def formula_safe(column: QueryableAttribute[str] | QueryableAttribute[str | None]) -> ColumnElement[str]:
    """The column's text with an apostrophe before a leading =, +, -, @, tab or CR (CSV injection).

    Done in SQL so a 100,000-row export needs no Python pass over every cell.
    """
    text_value = type_coerce(column, String)
    first = func.substr(text_value, 1, 1)
    return case((first.in_(list(FORMULA_TRIGGERS)), literal("'") + text_value), else_=text_value)


def current_version(caption: type[Caption]) -> ColumnElement[int]:
    """The id of the caption that stands for its image: the one kept in a comparison, else the newest."""
    other = aliased(Caption)
    return (
        select(other.id)
        .where(other.asset_id == caption.asset_id, other.deleted_at.is_(None))
        .order_by(other.kept_at.is_(None), other.kept_at.desc(), other.id.desc())
        .limit(1)
        .correlate(caption)
        .scalar_subquery()
    )


def keep_caption(session: Session, caption_id: int) -> Caption | None:
    """Make this live caption the one that stands for its image; its other versions stay."""
    caption = session.get(Caption, caption_id)
    if caption is None or caption.deleted_at is not None:
        return None
    session.execute(
        update(Caption).where(Caption.asset_id == caption.asset_id, Caption.id != caption_id).values(kept_at=None)
    )
    caption.kept_at = utcnow()
    session.flush()
    return caption


def export_statement(
    flt: CaptionFilter = CaptionFilter(),
    all_versions: bool = False,
    style_labels: Mapping[str, str] | None = None,
) -> Select[*tuple[Any, ...]]:
    """The export's query: rows in EXPORT_COLUMNS order, text already formula-safe.

    Only the newest matching caption of each image unless ``all_versions``; styles as
    ``style_labels`` name them; latency in whole milliseconds and confidence to two places.
    """

    def stamp(column: QueryableAttribute[datetime | None]) -> ColumnElement[str]:
        # the stamp as text, to the second, in SQL: no datetime round trip per cell
        return func.substr(cast(column, String), 1, 19)

    statement = _filtered(
        select(
            Caption.id,
            stamp(Caption.created_at),
            stamp(Caption.edited_at),
            formula_safe(ImageAsset.display_name),
            ImageAsset.sha256,
            ImageAsset.format,
            ImageAsset.width,
            ImageAsset.height,
            case(style_labels, value=Caption.style, else_=Caption.style) if style_labels else Caption.style,
            formula_safe(Caption.prompt),
            Caption.provider,
            formula_safe(Caption.model),
            formula_safe(Caption.text),
            cast(rounded(Caption.latency_ms, 0), Integer),  # halves up on both
            Caption.prompt_tokens,
            Caption.completion_tokens,
            rounded(Caption.confidence, 2),
            formula_safe(Caption.made_by),
        )
        .join(ImageAsset, Caption.asset_id == ImageAsset.id)
        .order_by(Caption.id),
        flt,
    )
    if not all_versions:
        statement = statement.where(Caption.id == current_version(Caption))
    return statement


def iter_export_rows(
    session: Session,
    flt: CaptionFilter = CaptionFilter(),
    batch: int = 5000,
    all_versions: bool = False,
    style_labels: Mapping[str, str] | None = None,
) -> Iterator[tuple[Any, ...]]:
    """``export_statement``'s rows, streamed in batches (no ORM objects)."""
    statement = export_statement(flt, all_versions, style_labels)
    result = session.connection().execute(statement.execution_options(yield_per=batch))
    for partition in result.partitions():
        yield from partition
