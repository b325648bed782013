"""A query's rows as CSV written by the database engine's own CSV writer, straight into a file:
``COPY (…) TO STDOUT (FORMAT csv)`` on PostgreSQL, the ``sqlite3`` command line (Debian's
``sqlite3`` package) in ``-csv`` mode on SQLite. A million rows never become Python objects, which
is what makes a large export as fast as the engine itself (docs/performance.md).

The query is compiled with its parameters written in as literals (SQLAlchemy quotes them), so it
must come from this package's own builders (``db.captions.export_statement``), never from user SQL.
``native_writer`` says None when there is none (SQLite without the ``sqlite3`` command, or a
database that is not a file); the caller then writes the rows itself.
"""

from __future__ import annotations

import shutil
import subprocess
from typing import IO, Any

from sqlalchemy import Engine, Float, Numeric, Select, cast, func, literal
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from db.errors import StorageRefused


class rounded(FunctionElement[float]):
    """``rounded(x, places)``: a non-negative number rounded to ``places`` decimals, halves up, the
    same on both databases. SQLite rounds through NUMERIC (cheap there); PostgreSQL by
    ``floor(x * 10^places + 0.5) / 10^places`` in double precision, because a NUMERIC cast per cell
    made a million-row export a third slower (docs/performance.md)."""

    type = Float()
    inherit_cache = True
    name = "rounded"


@compiles(rounded)
def _rounded_default(element: rounded, compiler: Any, **kw: Any) -> str:
    value, places = list(element.clauses)
    return str(compiler.process(cast(func.round(cast(value, Numeric), places), Float), **kw))


@compiles(rounded, "postgresql")
def _rounded_postgresql(element: rounded, compiler: Any, **kw: Any) -> str:
    value, places = list(element.clauses)
    scale = func.power(literal(10.0, Float), places)
    return str(compiler.process(func.floor(cast(value, Float) * scale + 0.5) / scale, **kw))


SQLITE_TIMEOUT_MS = 5000
CHUNK = 1 << 20


def count_rows(engine: Engine, statement: Select[Any]) -> int:
    """How many rows ``statement`` gives, counted on its FROM and WHERE alone (no columns to compute,
    no sort)."""
    counting = statement.order_by(None).with_only_columns(func.count(), maintain_column_froms=True)
    with engine.connect() as connection:
        return int(connection.scalar(counting) or 0)


def native_writer(engine: Engine) -> str | None:
    """Which native writer this database has: "copy", "sqlite3", or None (write the rows in Python)."""
    if engine.dialect.name == "postgresql":
        return "copy"
    path = engine.url.database
    if engine.dialect.name == "sqlite" and path and path != ":memory:" and shutil.which("sqlite3"):
        return "sqlite3"
    return None


def write_native_csv(engine: Engine, statement: Select[Any], target: IO[bytes]) -> int:
    """Append the rows (no header) to ``target`` by the native writer (``native_writer`` must not be
    None); return how many."""
    sql = str(statement.compile(dialect=engine.dialect, compile_kwargs={"literal_binds": True}))
    if native_writer(engine) == "copy":
        return _copy_postgresql(engine, sql, target)
    return _sqlite_cli(engine, statement, sql, target)


def _copy_postgresql(engine: Engine, sql: str, target: IO[bytes]) -> int:
    raw = engine.raw_connection()
    try:
        with raw.driver_connection.cursor() as cursor:  # type: ignore[union-attr]
            with cursor.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, ENCODING 'UTF8')") as copy:
                buffer = bytearray()  # the server sends a message per row: write a megabyte at a time
                for block in copy:
                    buffer += block
                    if len(buffer) >= CHUNK:
                        target.write(buffer)
                        buffer.clear()
                target.write(buffer)
            count = int(cursor.rowcount)
        raw.commit()
        return count
    finally:
        raw.close()


def _sqlite_cli(engine: Engine, statement: Select[Any], sql: str, target: IO[bytes]) -> int:
    tool, path = shutil.which("sqlite3"), engine.url.database
    assert tool is not None and path is not None
    count = count_rows(engine, statement)  # the command line says nothing of its rows
    script = f".timeout {SQLITE_TIMEOUT_MS}\n.headers off\n.mode csv\n{sql};\n".encode()
    process = subprocess.Popen(
        [tool, "-bail", "-batch", path], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert process.stdin is not None and process.stdout is not None and process.stderr is not None
    process.stdin.write(script)
    process.stdin.close()
    while block := process.stdout.read(CHUNK):
        target.write(block)
    error = process.stderr.read().decode(errors="replace").strip()
    if process.wait() != 0:
        raise StorageRefused(f"The export could not read the database: {error or 'sqlite3 failed'}.")
    return count
