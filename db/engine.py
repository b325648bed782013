"""Opening the database: engine settings, migrations at start-up, a backup before migrating.

SQLite runs in WAL mode with a busy timeout so the Streamlit script and background work can
read and write at once. ``DATABASE_URL`` overrides the default file under the data folder; a
PostgreSQL URL (``postgresql+psycopg://…``) gets a small pool that checks a connection before
lending it, so several server processes share one server without stale connections. A server
out of reach, or a schema newer than this code's newest migration, is one clear sentence.

Start-up stays cheap: the schema check is one query (``alembic_version``, read with plain SQL)
compared with the head revision found by scanning the migration files' ``revision`` /
``down_revision`` lines. Alembic is imported only when the two differ and a migration must run.
"""

from __future__ import annotations

import functools
import logging
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import URL, Connection, Engine, create_engine, event, inspect, make_url, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from db import storable
from db.errors import ErrorType, StorageRefused, schema_too_new, unreachable
from db.search import SQLITE_LOWER, sqlite_lower

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).with_name("migrations")
BUSY_TIMEOUT_MS = 10_000
# PostgreSQL: connections per process (the page's script, the job runner, the sweep), kept modest
# because every Streamlit process has its own pool against one server.
POOL_SIZE, POOL_OVERFLOW, POOL_RECYCLE_S, CONNECT_TIMEOUT_S = 5, 5, 1800, 10
MIGRATION_LOCK = 0x4D534D47  # a PostgreSQL advisory lock key of our own ("MSMG")


def _sqlite_pragmas(dbapi_connection: Any, _record: object) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
    # lower() for every script, as PostgreSQL's is (db.search.lowered)
    dbapi_connection.create_function(SQLITE_LOWER, 1, sqlite_lower, deterministic=True)


def alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


# Alembic's own rule for which files in versions/ are revisions (alembic.script.base).
_REVISION_FILE = re.compile(r"(?!\.\#|__init__)(.*\.py)$")
_REVISION = re.compile(r"^revision\s*(?::[^=\n]*)?=\s*[\"']([^\"']+)[\"']", re.M)
_DOWN_REVISION = re.compile(r"^down_revision\s*(?::[^=\n]*)?=\s*(\([^)]*\)|[^\n]*)", re.M)
_QUOTED = re.compile(r"[\"']([^\"']+)[\"']")


def _scan_revisions(versions: Path) -> tuple[set[str], set[str]]:
    """Every revision in the migration files and every one named as a ``down_revision``, read from
    their ``revision = "..."`` / ``down_revision`` lines without importing them or Alembic.
    Raises ValueError when a file does not parse."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in sorted(versions.glob("*.py")):
        if not _REVISION_FILE.match(path.name):
            continue
        source = path.read_text(encoding="utf-8")
        revision, down = _REVISION.findall(source), _DOWN_REVISION.findall(source)
        if len(revision) != 1 or len(down) != 1 or revision[0] in revisions:
            raise ValueError(f"cannot read the revision of {path.name}")
        revisions.add(revision[0])
        parents.update(_QUOTED.findall(down[0]))
    return revisions, parents


def _scan_head(versions: Path) -> str | None:
    """The head revision: the one no other file names as its ``down_revision``. Raises ValueError
    when a file does not parse or there is not exactly one head."""
    revisions, parents = _scan_revisions(versions)
    if not revisions:
        return None
    heads = revisions - parents
    if len(heads) != 1 or not parents <= revisions:
        raise ValueError(f"expected one head revision, found {sorted(heads)}")
    return heads.pop()


@functools.cache
def head_revision() -> str | None:
    """The newest migration's revision id (the files are scanned once per process; should they
    not parse, Alembic itself is asked)."""
    try:
        return _scan_head(MIGRATIONS / "versions")
    except ValueError as exc:
        log.warning("Asking Alembic for the head revision: %s", exc)
        from alembic.script import ScriptDirectory

        return ScriptDirectory.from_config(alembic_config()).get_current_head()


@functools.cache
def known_revisions() -> frozenset[str]:
    """Every revision this code has a migration for (empty should the files not parse)."""
    try:
        return frozenset(_scan_revisions(MIGRATIONS / "versions")[0])
    except ValueError:
        return frozenset()


def current_revision(engine: Engine) -> str | None:
    """The database's schema revision: one plain query, None for an empty database (no
    ``alembic_version`` table yet). Several rows (branches) come back comma-joined, so they never
    match a single head and the migration path sorts them out."""
    with engine.connect() as connection:
        try:
            rows = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
        except DBAPIError:
            connection.rollback()
            if inspect(connection).has_table("alembic_version"):
                raise  # the table is there but could not be read (locked, say): not an empty database
            return None
    return ",".join(sorted(rows)) or None


def _backup_sqlite(engine: Engine) -> Path | None:
    """Copy the database file aside before a migration changes it (sqlite's online backup)."""
    path = engine.url.database
    if not path or path == ":memory:" or not Path(path).exists():
        return None
    target = Path(path).with_suffix(Path(path).suffix + ".before-migration.bak")
    with sqlite3.connect(path) as source, sqlite3.connect(target) as dest:
        source.backup(dest)
    return target


def migrate(engine: Engine, error: ErrorType = StorageRefused) -> None:
    """Bring the schema to the newest revision; existing data is backed up first. Cheap when the
    schema is current (one query); Alembic is loaded only when there is something to migrate.
    A database migrated by a newer version of the studio is refused, untouched."""
    current = current_revision(engine)
    head = head_revision()
    if current == head:
        return
    known = known_revisions()
    if current and known and not set(current.split(",")) <= known:
        raise error(schema_too_new(current, head))
    from alembic import command

    if engine.dialect.name == "sqlite" and inspect(engine).get_table_names():
        backup = _backup_sqlite(engine)
        log.info("Backed up the database to %s before migrating %s -> %s", backup, current, head)
    config = alembic_config()
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            # Processes starting at once against one server: one migrates, the others wait, then find it done.
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
            if inspect(connection).has_table("alembic_version"):
                now = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
                if ",".join(sorted(now)) == head:
                    return
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


@dataclass
class Database:
    engine: Engine
    session_factory: sessionmaker[Session]

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: committed when the block ends, rolled back on any error."""
        session = self.session_factory()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()


def default_url(home: Path) -> str:
    return f"sqlite:///{home / 'studio.db'}"


def database_url(url: str) -> URL:
    """``url`` parsed; PostgreSQL without a named driver (``postgresql://``, ``postgres://``) gets psycopg 3."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def engine_options(url: URL) -> dict[str, Any]:
    """``create_engine`` settings per database: SQLite's busy timeout, PostgreSQL's pool."""
    if url.get_backend_name() == "sqlite":
        return {"connect_args": {"timeout": BUSY_TIMEOUT_MS / 1000}}
    if url.get_backend_name() == "postgresql":
        return {
            "pool_pre_ping": True,  # a server restart or an idle timeout never hands out a dead connection
            "pool_size": POOL_SIZE,
            "max_overflow": POOL_OVERFLOW,
            "pool_recycle": POOL_RECYCLE_S,
            "connect_args": {"connect_timeout": CONNECT_TIMEOUT_S},
        }
    return {}


def open_database(url: str, error: ErrorType = StorageRefused) -> Database:
    """Open and migrate the database at ``url``; problems a user can meet (a server out of reach, a
    schema newer than this code, text the database cannot hold) are raised as ``error``."""
    parsed = database_url(url)
    engine = create_engine(parsed, **engine_options(parsed))
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    sessions = sessionmaker(engine, expire_on_commit=False)
    storable.install(engine, sessions, error)
    try:
        with engine.connect():
            pass
    except DBAPIError as exc:
        engine.dispose()
        raise error(unreachable(engine.url, str(exc.orig))) from exc
    try:
        migrate(engine, error)
    except BaseException:
        engine.dispose()
        raise
    if engine.dialect.name == "sqlite":
        refresh_statistics(engine)
    return Database(engine=engine, session_factory=sessions)


def refresh_statistics(engine: Engine) -> None:
    """Give SQLite's query planner the table statistics PostgreSQL keeps by itself (autovacuum).

    Without them SQLite guesses that ``deleted_at IS NULL`` picks a handful of rows and walks that
    index instead of the one that returns the newest 12 sets in order: at 100,000 sets a Library
    rerun took over a second. A sampled ANALYZE (at most 1,000 rows an index) takes milliseconds;
    it runs whenever a process opens the database, and the half-hourly sweep runs it again.

    Only the studio's own tables are analysed, never the full-text index's shadow tables: FTS5's
    internal lookups are planned well without statistics, and with those of an index that was
    still small every later insert got slower (seeding 20,000 captions took 11 s instead of 2 s)."""
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql("PRAGMA analysis_limit=1000")
            for table in _own_tables(connection):
                connection.exec_driver_sql(f'ANALYZE "{table}"')
            if connection.exec_driver_sql(_TABLES + " AND name = 'sqlite_stat1'").first():
                own = ", ".join(f"'{t}'" for t in _own_tables(connection))
                connection.exec_driver_sql(f"DELETE FROM sqlite_stat1 WHERE tbl NOT IN ({own})")
    except DBAPIError:  # a busy database: the next open or sweep tries again
        log.warning("Could not refresh the database's statistics", exc_info=True)


_TABLES = "SELECT name, sql FROM sqlite_master WHERE type = 'table'"


def _own_tables(connection: Connection) -> list[str]:
    """The tables the migrations made: not SQLite's own, not a virtual table or its shadow tables."""
    rows = [(str(name), str(sql or "")) for name, sql in connection.exec_driver_sql(_TABLES)]
    virtual = [name for name, sql in rows if sql.upper().startswith("CREATE VIRTUAL TABLE")]
    return [
        name
        for name, _ in rows
        if not name.startswith("sqlite_")
        and name not in virtual
        and not name.startswith(tuple(f"{v}_" for v in virtual))
    ]
