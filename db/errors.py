"""What the database cannot do for a user, said in one sentence for the page.

``db/`` imports nothing from ``core/``, so whoever opens the database hands in the error type to
raise (``open_database(url, error=StudioError)`` in ``core/studio.py``); by default it is
``StorageRefused``, which carries its sentence in ``message`` as every ``StudioError`` does.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.engine import URL


class StorageRefused(Exception):
    """The database is out of reach, too new for this code, or cannot hold the text given."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


ErrorType = Callable[[str], Exception]

NUL_TEXT = "Text with a NUL character (\\x00) cannot be stored; remove it and try again."


def too_long(limit: int | None) -> str:
    if limit is None:
        return "That text is too long to store."
    return f"That text is too long to store: at most {limit} characters."


def unreachable(url: URL, reason: str) -> str:
    where = url.render_as_string(hide_password=True)
    said = reason.strip().splitlines()[0] if reason.strip() else "no answer"
    if url.get_backend_name() == "sqlite":
        return f"Cannot open the database {where} ({said}). Check DATABASE_URL and that its folder is writable."
    return f"Cannot open the database {where} ({said}). Check DATABASE_URL and that the server is running."


def schema_too_new(found: str, newest: str | None) -> str:
    return (
        f"The database is at schema revision {found}, newer than this version of Media Studio knows "
        f"(up to {newest}): update Media Studio, or point DATABASE_URL at another database."
    )
