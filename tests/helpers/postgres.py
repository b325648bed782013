"""A real, throwaway PostgreSQL for the tests: Debian's server binaries, one cluster per test session.

``initdb`` into a temporary folder, ``postgres`` on 127.0.0.1 on a free port with its Unix socket
inside that folder, durability switched off (the data is thrown away). The studio's migrations run
once into a template database; each test gets a copy (``CREATE DATABASE … TEMPLATE``, a few tens of
milliseconds) that is dropped after it. PostgreSQL refuses to run as root: as root the cluster
belongs to ``nobody`` and every server command runs through ``runuser``.

A machine without the binaries, or a server that will not start, fails the tests that need it
with the reason: CI must never skip the PostgreSQL half silently (``scripts/setup.sh dev``
installs Debian's ``postgresql``).
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

SUPERUSER = "studio"
TEMPLATE = "studio_template"  # migrated to head once per session
SERVER_SETTINGS = {
    "listen_addresses": "127.0.0.1",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",
    "shared_buffers": "64MB",
}


def server_bin_dir() -> Path:
    """Where ``initdb`` and ``postgres`` live: the newest /usr/lib/postgresql/<version>/bin, else ``pg_config``'s."""
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: _version_key(p.parent.name))
    for candidate in reversed(versions):
        if (candidate / "initdb").exists():
            return candidate
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    if shutil.which("pg_config"):
        bindir = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, check=False).stdout.strip()
        if bindir and (Path(bindir) / "initdb").exists():
            return Path(bindir)
    raise RuntimeError(
        "PostgreSQL's initdb was not found (looked in /usr/lib/postgresql/*/bin, PATH and pg_config): "
        "run `scripts/setup.sh dev`, which installs Debian's postgresql package"
    )


def _version_key(name: str) -> tuple[int, ...]:
    return tuple(int(part) for part in name.split(".") if part.isdigit())


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _server_account() -> str | None:
    """The account the server runs as when we are root (it refuses root); None: run as ourselves."""
    if os.geteuid() != 0:
        return None
    for name in ("nobody", "postgres"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    subprocess.run(["useradd", "--system", "--no-create-home", "media-studio-pg"], check=True)
    return "media-studio-pg"


@dataclass
class PostgresServer:
    """A running throwaway cluster; ``url(name)`` is what ``DATABASE_URL`` takes."""

    bin_dir: Path
    root: Path
    port: int
    account: str | None

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def run(self, *command: str) -> subprocess.CompletedProcess[str]:
        """A server command (initdb, pg_ctl) as the server's account; raises with its output on failure."""
        argv = [str(self.bin_dir / command[0]), *command[1:]]
        if self.account:
            argv = ["runuser", "-u", self.account, "--", *argv]
        done = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)
        if done.returncode != 0:
            log = self.root / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}): {done.stdout}{done.stderr}{tail}")
        return done

    def execute(self, sql: str, database: str = "postgres") -> None:
        """One statement outside a transaction (CREATE/DROP DATABASE), as the superuser."""
        import psycopg

        with psycopg.connect(self.url(database).replace("+psycopg", ""), autocommit=True) as connection:
            connection.execute(sql.encode())  # a statement the tests make, never user input

    def create_database(self, name: str, template: str = "template0") -> str:
        self.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}" STRATEGY FILE_COPY')
        return self.url(name)

    def drop_database(self, name: str) -> None:
        self.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def start(self) -> None:
        root = self.root
        if self.account:
            shutil.chown(root, user=self.account)
        self.run(
            "initdb",
            "-D",
            str(self.data_dir),
            "-U",
            SUPERUSER,
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
            "--no-instructions",
        )
        options = " ".join(f"-c {k}={v}" for k, v in {**SERVER_SETTINGS, "port": str(self.port)}.items())
        options += f" -k {root}"  # the Unix socket stays inside the temporary folder
        self.run(
            "pg_ctl", "-D", str(self.data_dir), "-l", str(root / "server.log"), "-o", options, "-w", "-t", "60", "start"
        )

    def stop(self) -> None:
        if (self.data_dir / "postmaster.pid").exists():
            self.run("pg_ctl", "-D", str(self.data_dir), "-m", "fast", "-w", "stop")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """The session's throwaway cluster, stopped and removed afterwards even when tests fail."""
    root = Path(tempfile.mkdtemp(prefix="media-studio-pg-"))
    try:
        server = PostgresServer(server_bin_dir(), root, free_port(), _server_account())
        server.start()
    except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
        shutil.rmtree(root, ignore_errors=True)
        pytest.fail(f"Could not start PostgreSQL for the tests: {exc}", pytrace=False)
    try:
        yield server
    finally:
        try:
            server.stop()
        finally:
            shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_template(postgres_server: PostgresServer) -> str:
    """A database migrated to the newest revision once; each test's database is a copy of it."""
    from db.engine import open_database

    opened = open_database(postgres_server.create_database(TEMPLATE))
    opened.dispose()
    return TEMPLATE


@pytest.fixture
def postgres_url(postgres_server: PostgresServer, postgres_template: str) -> Iterator[str]:
    """A fresh, migrated database for one test, dropped after it."""
    name = f"test_{uuid.uuid4().hex[:12]}"
    url = postgres_server.create_database(name, template=postgres_template)
    yield url
    postgres_server.drop_database(name)


@pytest.fixture
def empty_postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """A fresh database with no schema at all (for the migrations' own tests), dropped after it."""
    name = f"empty_{uuid.uuid4().hex[:12]}"
    url = postgres_server.create_database(name)
    yield url
    postgres_server.drop_database(name)


@contextlib.contextmanager
def throwaway_server() -> Iterator[PostgresServer]:
    """A throwaway cluster outside pytest (benchmarks): started in a temporary folder, removed after."""
    root = Path(tempfile.mkdtemp(prefix="media-studio-pg-"))
    server = PostgresServer(server_bin_dir(), root, free_port(), _server_account())
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)
