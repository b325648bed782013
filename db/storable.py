"""Text the database cannot hold is refused with one sentence, the same on SQLite and PostgreSQL.

PostgreSQL refuses a NUL character in text and a value longer than its ``VARCHAR(n)``; SQLite
stores both. So both are checked here, before any SQL runs: NUL in what an INSERT or UPDATE
writes, and the length of every ``String(n)`` attribute a flush writes. What still reaches the
server as a raw ``DataError`` (a bulk UPDATE with an over-long value) is translated into the
same sentences.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Engine, String, event, inspect
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.orm import Session, sessionmaker

from db.errors import NUL_TEXT, ErrorType, too_long

_VARCHAR_LIMIT = re.compile(r"character varying\((\d+)\)")
_STRING_TOO_LONG = "22001"  # PostgreSQL's string_data_right_truncation


def _holds_nul(parameters: Any) -> bool:
    """Whether a statement's parameters (a row, or rows of an executemany, as a mapping or a sequence) hold NUL."""
    if isinstance(parameters, str):
        return "\x00" in parameters
    if isinstance(parameters, Mapping):
        return any(_holds_nul(v) for v in parameters.values())
    if isinstance(parameters, (list, tuple)):
        return any(_holds_nul(v) for v in parameters)
    return False


def longest_allowed(session: Session, error: ErrorType) -> None:
    """Refuse a flush that would write a string longer than its column's ``String(n)``."""
    for instance in (*session.new, *session.dirty):
        state = inspect(instance)
        for attribute in state.mapper.column_attrs:
            column = attribute.columns[0]
            limit = getattr(column.type, "length", None)
            if not isinstance(column.type, String) or not limit:
                continue
            if state.key is None:
                written = [state.dict.get(attribute.key)]
            else:
                written = list(state.attrs[attribute.key].history.added or ())
            if any(isinstance(value, str) and len(value) > limit for value in written):
                raise error(too_long(limit))


def install(engine: Engine, sessions: sessionmaker[Session], error: ErrorType) -> None:
    """Check what ``engine`` writes and what ``sessions`` flush; raise ``error`` with the sentence."""

    def refuse_nul(
        _connection: Any, _cursor: Any, _statement: str, parameters: Any, context: Any, _executemany: bool
    ) -> None:
        if context is None or not (context.isinsert or context.isupdate):
            return
        if _holds_nul(parameters):
            raise error(NUL_TEXT)

    def translate(context: ExceptionContext) -> BaseException | None:
        original = context.original_exception
        if getattr(original, "sqlstate", None) == _STRING_TOO_LONG:
            found = _VARCHAR_LIMIT.search(str(original))
            return error(too_long(int(found.group(1)) if found else None))
        if "NUL (0x00)" in str(original):  # psycopg refuses it before sending
            return error(NUL_TEXT)
        return None

    def check_flush(session: Session, _context: Any, _instances: Any) -> None:
        longest_allowed(session, error)

    event.listen(engine, "before_cursor_execute", refuse_nul)
    event.listen(engine, "handle_error", translate)
    event.listen(sessions, "before_flush", check_flush)
