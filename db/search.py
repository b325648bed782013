"""Full-text search over captions and prompts, the same on SQLite and on PostgreSQL.

SQLite keeps an FTS5 index per table (``captions_fts``, ``generations_fts``: unicode61 tokens,
diacritics removed); PostgreSQL keeps a ``search_vector`` tsvector column with a GIN index, filled
by a trigger through ``studio_search_text`` ('simple' configuration: no stemming, no stop words).
``full_text_match`` is the one predicate callers use; it compiles to ``MATCH`` or ``@@``.

A user's words become the same query on both: every run of letters and digits (what the FTS5
tokenizer keeps as a token; quotes, ``AND``/``OR`` as plain words, ``-``, ``*`` and ``_`` are
separators) must match as a prefix, in any case, with Latin diacritics ignored. PostgreSQL's
document side gets the same treatment: punctuation becomes space before its parser sees the text.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any, TypeVar

from sqlalchemy import Boolean, ColumnElement, Select, String, bindparam, column, func, literal_column, table
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import QueryableAttribute
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.visitors import InternalTraversal

# What the FTS5 unicode61 tokenizer keeps as one token: letters and digits, never "_".
_TOKEN = re.compile(r"[^\W_]+", flags=re.UNICODE)
# The Latin letters whose diacritics FTS5's ``remove_diacritics 2`` drops (migration 0001 builds
# the same table into PostgreSQL's ``studio_search_text``).
_LATIN = [*range(0xC0, 0x250), *range(0x1E00, 0x1F00)]


def _without_diacritic(char: str) -> str:
    parts = unicodedata.normalize("NFD", char)
    if len(parts) > 1 and parts[0].isascii() and all(unicodedata.combining(p) for p in parts[1:]):
        return parts[0]
    return char


DIACRITICS = {c: b for c in map(chr, _LATIN) if (b := _without_diacritic(c)) != c}
_FOLD = str.maketrans(DIACRITICS)


def search_words(search: str) -> list[str]:
    """The tokens of what a user typed, diacritics removed: the terms both databases look for."""
    return _TOKEN.findall(search.translate(_FOLD))


def fts5_query(words: list[str]) -> str:
    """An FTS5 query in which every word must match as a prefix (each quoted: never an operator)."""
    return " ".join(f'"{w}"*' for w in words)


def tsquery(words: list[str]) -> str:
    """The same query for PostgreSQL's ``to_tsquery``: prefix terms joined by AND, each quoted."""
    quoted = ("'" + w.replace("\\", "\\\\").replace("'", "''") + "'" for w in words)
    return " & ".join(f"{q}:*" for q in quoted)


class FullTextMatch(ColumnElement[bool]):
    """``id_column`` is the id of a row of ``table`` whose indexed text holds every word."""

    type = Boolean()
    # Cached by shape: the query strings are bound parameters (one per database; each compiles one).
    _traverse_internals = [  # noqa: RUF012  (SQLAlchemy declares it a list on the base class)
        ("id_column", InternalTraversal.dp_clauseelement),
        ("table", InternalTraversal.dp_string),
        ("fts5", InternalTraversal.dp_clauseelement),
        ("tsquery", InternalTraversal.dp_clauseelement),
    ]

    def __init__(self, id_column: QueryableAttribute[int], table: str, words: list[str]):
        self.id_column: ColumnElement[int] = id_column.expression
        self.table = table
        self.fts5 = bindparam(None, fts5_query(words), type_=String, unique=True)
        self.tsquery = bindparam(None, tsquery(words), type_=String, unique=True)


def full_text_match(id_column: QueryableAttribute[int], table: str, search: str) -> ColumnElement[bool] | None:
    """Rows of ``table`` (captions, generations) that match ``search``; None when it holds no word."""
    words = search_words(search)
    return FullTextMatch(id_column, table, words) if words else None


@compiles(FullTextMatch, "sqlite")
def _match_fts5(element: FullTextMatch, compiler: SQLCompiler, **kw: Any) -> str:
    column, query = compiler.process(element.id_column, **kw), compiler.process(element.fts5, **kw)
    index = f"{element.table}_fts"
    return f"{column} IN (SELECT rowid FROM {index} WHERE {index} MATCH {query})"


@compiles(FullTextMatch, "postgresql")
def _match_tsvector(element: FullTextMatch, compiler: SQLCompiler, **kw: Any) -> str:
    column, query = compiler.process(element.id_column, **kw), compiler.process(element.tsquery, **kw)
    table = element.table
    return f"{column} IN (SELECT id FROM {table} WHERE search_vector @@ to_tsquery('simple', {query}))"


@compiles(FullTextMatch)
def _match_unsupported(element: FullTextMatch, compiler: SQLCompiler, **kw: Any) -> str:
    raise NotImplementedError(f"full-text search on {compiler.dialect.name} (SQLite and PostgreSQL only)")


AnySelect = TypeVar("AnySelect", bound=Select[Any])


FEW = 1000  # matches a page reads all of on PostgreSQL rather than walk the table newest first


def driven_by_index(
    statement: AnySelect,
    id_column: QueryableAttribute[int],
    table_name: str,
    search: str,
    dialect: str,
    matches: int | None = None,
) -> AnySelect | None:
    """``statement`` (rows of ``table_name`` with their other filters) narrowed to those that match
    ``search``, read from the full-text index newest first (highest id first: ids are given in the
    order rows are made, as ``created_at`` is). None when the search holds no word.

    ``full_text_match`` asks "is this row's id among the matches?", which makes both databases list
    every match first: a search matching 100,000 sets took 20 ms before a page of 12 could be drawn.
    Here the index leads: SQLite's FTS5 table is joined and walked in descending rowid, so a page or a
    capped count reads as many matches as it needs and stops. PostgreSQL gets the ``@@`` test on the
    row itself and a descending id order; its planner guesses 2% of the table for any prefix query,
    so it walks the table newest first testing each row, which is right when most rows match and
    reads every row when none do. ``matches`` (the page's own capped count, when it has one) settles
    it: under ``FEW`` the order is on ``id + 0``, which no index gives, so the planner reads the
    matches from the GIN index and sorts those few.
    """
    words = search_words(search)
    if not words:
        return None
    if dialect == "sqlite":
        name = f"{table_name}_fts"
        index = table(name, column("rowid"))
        query = bindparam(None, fts5_query(words), type_=String, unique=True)
        return (
            statement.join(index, index.c.rowid == id_column)
            .where(literal_column(name).op("MATCH")(query))
            .order_by(index.c.rowid.desc())
        )
    if dialect == "postgresql":
        query = bindparam(None, tsquery(words), type_=String, unique=True)
        vector: ColumnElement[Any] = literal_column(f"{table_name}.search_vector")
        newest = (id_column + 0).desc() if matches is not None and matches < FEW else id_column.desc()
        return statement.where(vector.op("@@")(func.to_tsquery("simple", query))).order_by(newest)
    raise NotImplementedError(f"full-text search on {dialect} (SQLite and PostgreSQL only)")


class lowered(FunctionElement[str]):  # named as SQL functions are, like sqlalchemy's func.*
    """Text in lower case for every script on both databases (SQLite's own lower() is ASCII-only)."""

    type = String()
    inherit_cache = True


@compiles(lowered)
def _lower(element: lowered, compiler: SQLCompiler, **kw: Any) -> str:
    return f"lower({compiler.process(element.clauses, **kw)})"


@compiles(lowered, "sqlite")
def _lower_sqlite(element: lowered, compiler: SQLCompiler, **kw: Any) -> str:
    return f"{SQLITE_LOWER}({compiler.process(element.clauses, **kw)})"


SQLITE_LOWER = "studio_lower"  # registered on every SQLite connection by db.engine


def sqlite_lower(value: str | None) -> str | None:
    return value.lower() if value is not None else None


def like_words(search: str) -> list[str]:
    """The words tag and title search look for (``#beach`` is ``beach``), lower case, NUL-free."""
    words = (w.replace("\x00", "").strip("#").lower() for w in search.split())
    return [w for w in words if w]
