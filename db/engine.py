"""Opening the database: engine settings, migrations at start-up, a backup before migrating.

SQLite runs in WAL mode with a busy timeout so the Streamlit script and background work can
read and write at once. ``DATABASE_URL`` overrides the default file under the data folder.

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

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).with_name("migrations")
BUSY_TIMEOUT_MS = 10_000


def _sqlite_pragmas(dbapi_connection: Any, _record: object) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


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


def _scan_head(versions: Path) -> str | None:
    """The head revision read from the migration files' ``revision = "..."`` and ``down_revision``
    lines, without importing them or Alembic: the one revision no other file names as its
    ``down_revision``. Raises ValueError when a file does not parse or there is not exactly one head."""
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


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision; existing data is backed up first. Cheap when the
    schema is current (one query); Alembic is loaded only when there is something to migrate."""
    current = current_revision(engine)
    head = head_revision()
    if current == head:
        return
    from alembic import command

    if engine.dialect.name == "sqlite" and inspect(engine).get_table_names():
        backup = _backup_sqlite(engine)
        log.info("Backed up the database to %s before migrating %s -> %s", backup, current, head)
    config = alembic_config()
    with engine.begin() as connection:
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


def open_database(url: str) -> Database:
    engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000} if url.startswith("sqlite") else {})
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    migrate(engine)
    return Database(engine=engine, session_factory=sessionmaker(engine, expire_on_commit=False))
