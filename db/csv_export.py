"""A query's rows as CSV written by the database engine's own CSV writer, straight into a file:
on PostgreSQL ``COPY (…) TO STDOUT (FORMAT csv)`` run by the ``psql`` program (Debian's
``postgresql-client``) with its output going into the file, or through psycopg where there is no
``psql``; on SQLite the ``sqlite3`` command line (Debian's ``sqlite3`` package) in ``-csv`` mode. A
million rows never become Python objects, which is what makes a large export as fast as the engine
itself (docs/performance.md).

The query is compiled with its parameters written in as literals (SQLAlchemy quotes them), so it
must come from this package's own builders (``db.captions.export_statement``), never from user SQL.
It reaches the command-line tools on their standard input, and psql's connection (password
included) in ``PG*`` environment variables: nothing of either is on a command line, where other
users of the machine could read it.
``native_writer`` says None when there is none (SQLite without the ``sqlite3`` command, or a
database that is not a file); the caller then writes the rows itself.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
from typing import IO, Any

from sqlalchemy import Engine, Float, Numeric, Select, cast, func, literal
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from db.engine import CONNECT_TIMEOUT_S
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


# libpq's connection keywords (what psycopg is handed) and the environment variables psql reads them from
PSQL_ENVIRONMENT = {
    "host": "PGHOST",
    "hostaddr": "PGHOSTADDR",
    "port": "PGPORT",
    "dbname": "PGDATABASE",
    "user": "PGUSER",
    "password": "PGPASSWORD",
    "passfile": "PGPASSFILE",
    "service": "PGSERVICE",
    "options": "PGOPTIONS",
    "application_name": "PGAPPNAME",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "sslmode": "PGSSLMODE",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcrl": "PGSSLCRL",
    "sslcrldir": "PGSSLCRLDIR",
    "sslsni": "PGSSLSNI",
    "requirepeer": "PGREQUIREPEER",
    "ssl_min_protocol_version": "PGSSLMINPROTOCOLVERSION",
    "ssl_max_protocol_version": "PGSSLMAXPROTOCOLVERSION",
    "gssencmode": "PGGSSENCMODE",
    "krbsrvname": "PGKRBSRVNAME",
    "channel_binding": "PGCHANNELBINDING",
    "target_session_attrs": "PGTARGETSESSIONATTRS",
}
# -X: no ~/.psqlrc; -w: never wait for a password at a terminal; not -q: psql says "COPY <rows>"
PSQL_OPTIONS = ["-X", "-w", "-v", "ON_ERROR_STOP=1"]
COPY_DONE = re.compile(r"^COPY (\d+)$", re.MULTILINE)


def psql_environment(engine: Engine) -> dict[str, str] | None:
    """The ``PG*`` variables that point psql where the engine's connections go; None when the URL
    names no host (psycopg's own libpq may look for the socket elsewhere) or holds a setting psql
    cannot be handed faithfully."""
    _, params = engine.dialect.create_connect_args(engine.url)
    params = {key: value for key, value in params.items() if key != "context"}  # psycopg's adapters
    if "host" not in params or any(
        k not in PSQL_ENVIRONMENT or not isinstance(v, str | int) for k, v in params.items()
    ):
        return None
    found = {PSQL_ENVIRONMENT[key]: str(value) for key, value in params.items()}
    # the engine's connect_args (db/engine.py) win over the URL's, as they do for psycopg
    return found | {"PGCONNECT_TIMEOUT": str(CONNECT_TIMEOUT_S), "PGCLIENTENCODING": "UTF8"}


def native_writer(engine: Engine) -> str | None:
    """Which native writer this database has: "psql" (PostgreSQL's COPY run by the psql program),
    "copy" (the same COPY through psycopg: no psql here, or a URL psql cannot be handed), "sqlite3",
    or None (write the rows in Python)."""
    if engine.dialect.name == "postgresql":
        psql = shutil.which("psql") and os.path.exists("/dev/stderr")  # psql's status goes there
        return "psql" if psql and psql_environment(engine) is not None else "copy"
    path = engine.url.database
    if engine.dialect.name == "sqlite" and path and path != ":memory:" and shutil.which("sqlite3"):
        return "sqlite3"
    return None


def write_native_csv(engine: Engine, statement: Select[Any], target: IO[bytes]) -> int:
    """Append the rows (no header) to ``target`` by the native writer (``native_writer`` must not be
    None); return how many."""
    sql = str(statement.compile(dialect=engine.dialect, compile_kwargs={"literal_binds": True}))
    writer = native_writer(engine)
    if writer == "psql" and (line := _one_line(engine, statement, sql)) is not None:
        return _psql(engine, statement, line, target)
    if writer in ("psql", "copy"):
        return _copy_postgresql(engine, sql, target)
    return _sqlite_cli(engine, statement, sql, target)


def _one_line(engine: Engine, statement: Select[Any], sql: str) -> str | None:
    """``sql`` on one line, as psql's ``\\copy`` takes it; None when a literal in it holds a line
    break (joining the lines would change that text): the compiled query then has more line breaks
    than the same query with its parameters left out."""
    structural = str(statement.compile(dialect=engine.dialect)).count("\n")
    return sql.replace("\n", " ") if sql.count("\n") == structural else None


def _psql(engine: Engine, statement: Select[Any], sql: str, target: IO[bytes]) -> int:
    tool, connection = shutil.which("psql"), psql_environment(engine)
    assert tool is not None and connection is not None
    # \copy to pstdout writes the rows to psql's own output, the file; \o sends "COPY <rows>" to stderr
    script = f"\\o /dev/stderr\n\\copy ({sql}) TO pstdout WITH (FORMAT csv, ENCODING 'UTF8')\n".encode()
    status, said = _run_tool([tool, *PSQL_OPTIONS], script, target, {**os.environ, **connection})
    if status != 0:
        raise StorageRefused(f"The export could not read the database: {_psql_reason(said, connection)}.")
    done = COPY_DONE.findall(said)
    return int(done[-1]) if done else count_rows(engine, statement)


def _psql_reason(said: str, connection: dict[str, str]) -> str:
    """psql's first complaint as a phrase: no "psql:<stdin>:2:" prefix, no password."""
    lines = [line for line in said.splitlines() if line.strip() and not COPY_DONE.match(line)]
    if not lines:
        return "psql failed"
    reason = " ".join(re.sub(r"^psql:(?:[^:]*:\d+:)?\s*(?:error:)?", "", lines[0]).split()).rstrip(".")
    password = connection.get("PGPASSWORD")
    return reason.replace(password, "***") if password else reason


def _run_tool(
    command: list[str], script: bytes, target: IO[bytes], env: dict[str, str] | None = None
) -> tuple[int, str]:
    """Run a command-line tool on ``script`` (its standard input) with its output going into
    ``target``: straight into the file when ``target`` is one, else through a pipe. Returns the
    exit status and what the tool said on stderr."""
    try:
        file = target.fileno()
    except (AttributeError, OSError):  # an in-memory buffer (io.UnsupportedOperation is an OSError)
        file = -1
    if file >= 0:
        target.flush()  # what the caller wrote first (the header) stays first
        done = subprocess.run(command, input=script, stdout=file, stderr=subprocess.PIPE, env=env, check=False)
        return done.returncode, done.stderr.decode(errors="replace")
    with subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
    ) as process:
        assert process.stdin is not None and process.stdout is not None and process.stderr is not None
        with contextlib.suppress(BrokenPipeError):  # a tool that stopped early says why on stderr
            process.stdin.write(script)
            process.stdin.close()
        while block := process.stdout.read(CHUNK):
            target.write(block)
        said = process.stderr.read().decode(errors="replace")
        return process.wait(), said


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
    status, said = _run_tool([tool, "-bail", "-batch", path], script, target)
    if status != 0:
        raise StorageRefused(f"The export could not read the database: {said.strip() or 'sqlite3 failed'}.")
    return count
