"""Opening the database: engine settings, migrations at start-up, a backup before migrating.

SQLite runs in WAL mode with a busy timeout so the Streamlit script and background work can
read and write at once. ``DATABASE_URL`` overrides the default file under the data folder.
"""

from __future__ import annotations

import logging
import shutil
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).with_name("migrations")
BUSY_TIMEOUT_MS = 10_000


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str:
    return ScriptDirectory.from_config(_alembic_config()).get_current_head()


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
    """Bring the schema to the newest revision; existing data is backed up first."""
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    head = head_revision()
    if current == head:
        return
    if engine.dialect.name == "sqlite" and inspect(engine).get_table_names():
        backup = _backup_sqlite(engine)
        log.info("Backed up the database to %s before migrating %s -> %s", backup, current, head)
    config = _alembic_config()
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
