"""Fixtures shared across the suite: a studio on a temporary data folder, and real providers.

A module marked ``pytestmark = pytest.mark.both_databases`` runs each test that uses ``studio``,
``api_studio`` or ``database_url`` twice: ``[sqlite]`` (a file in the data folder) and
``[postgresql]`` (a fresh database on the session's throwaway server, tests/helpers/postgres.py).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from core.config import Settings
from core.studio import Studio, open_studio
from core.videos.backends import openai_videos

# Fixtures of the fake remote services and of generated media, shared with every test module.
pytest_plugins = ["tests.fakes.fixtures", "tests.helpers.video", "tests.helpers.postgres"]

DATABASES = ("sqlite", "postgresql")


def pytest_configure(config):
    config.addinivalue_line("markers", "both_databases: run the module's database tests on SQLite and on PostgreSQL")


def pytest_generate_tests(metafunc):
    if metafunc.definition.get_closest_marker("both_databases") and "database_url" in metafunc.fixturenames:
        metafunc.parametrize("database_url", DATABASES, indirect=True, ids=DATABASES)


@pytest.fixture
def database_url(request, tmp_path) -> str:
    """The database a test's studio opens: a SQLite file unless the module runs on both databases."""
    if getattr(request, "param", "sqlite") == "postgresql":
        return request.getfixturevalue("postgres_url")
    (tmp_path / "home").mkdir(exist_ok=True)
    return f"sqlite:///{tmp_path / 'home' / 'studio.db'}"


@pytest.fixture
def studio(tmp_path, database_url) -> Iterator[Studio]:
    """A studio whose database and media live in a fresh folder; no cloud settings at all."""
    settings = Settings.load(
        environ={"MEDIA_STUDIO_HOME": str(tmp_path / "home"), "DATABASE_URL": database_url}, secrets={}
    )
    opened = open_studio(settings)
    yield opened
    opened.db.dispose()


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium driven by Playwright, one per browser-test module."""
    from tests.helpers.browser import chromium_browser

    with chromium_browser() as launched:
        yield launched


@pytest.fixture(scope="session")
def offline_captioner():
    from core.captions.providers.offline import OfflineCaptioner

    return OfflineCaptioner()


@pytest.fixture
def api_studio(tmp_path, videos_server, database_url):
    """A studio whose Videos API settings point at the fake /v1/videos."""
    openai_videos.clear_clients()
    environ = {"MEDIA_STUDIO_HOME": str(tmp_path / "home"), "DATABASE_URL": database_url}
    settings = Settings.load(environ={**environ, **videos_server.client_settings()}, secrets={})
    studio = open_studio(settings)
    yield studio
    studio.db.dispose()
    openai_videos.clear_clients()
