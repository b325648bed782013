"""Fixtures shared across the suite: a studio on a temporary data folder, and real providers."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.config import Settings
from core.studio import Studio, open_studio
from db.models import Caption, ImageAsset
from tests.fakes.fixtures import (  # noqa: F401  (fixtures shared with every test module)
    openai_chat_server,
    videos_server,
    watsonx_sdk_isolation,
    watsonx_server,
    watsonx_tls_cert,
)


@pytest.fixture
def studio(tmp_path) -> Studio:
    """A studio whose database and media live in a fresh folder; no cloud settings at all."""
    settings = Settings.load(environ={"MEDIA_STUDIO_HOME": str(tmp_path / "home")}, secrets={})
    opened = open_studio(settings)
    yield opened
    opened.db.dispose()


@pytest.fixture(scope="session")
def offline_captioner():
    from core.captions.providers.offline import OfflineCaptioner

    return OfflineCaptioner()


def snapshot(studio: Studio) -> tuple[int, int, list[str]]:
    """Row counts and every file under the media folder: what 'nothing changed' compares."""
    with studio.db.session() as session:
        assets = session.scalar(select(func.count()).select_from(ImageAsset))
        captions = session.scalar(select(func.count()).select_from(Caption))
    files = [str(p.relative_to(studio.media.root)) for p in studio.media.files()]
    return assets, captions, files
