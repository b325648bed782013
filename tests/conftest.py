"""Fixtures shared across the suite: a studio on a temporary data folder, and real providers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from core.config import Settings
from core.studio import Studio, open_studio
from core.videos.backends import openai_videos

# Fixtures of the fake remote services and of generated media, shared with every test module.
pytest_plugins = ["tests.fakes.fixtures", "tests.helpers.video"]


@pytest.fixture
def studio(tmp_path) -> Iterator[Studio]:
    """A studio whose database and media live in a fresh folder; no cloud settings at all."""
    settings = Settings.load(environ={"MEDIA_STUDIO_HOME": str(tmp_path / "home")}, secrets={})
    opened = open_studio(settings)
    yield opened
    opened.db.dispose()


@pytest.fixture(scope="session")
def offline_captioner():
    from core.captions.providers.offline import OfflineCaptioner

    return OfflineCaptioner()


@pytest.fixture
def api_studio(tmp_path, videos_server):
    """A studio whose Videos API settings point at the fake /v1/videos."""
    openai_videos.clear_clients()
    settings = Settings.load(
        environ={"MEDIA_STUDIO_HOME": str(tmp_path / "home"), **videos_server.client_settings()}, secrets={}
    )
    studio = open_studio(settings)
    yield studio
    studio.db.dispose()
    openai_videos.clear_clients()
