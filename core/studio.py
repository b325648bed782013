"""The studio's storage, opened once per process: settings, database and media folder."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from core.config import Settings, data_home
from core.errors import StudioError
from core.redact import install_log_redaction
from db import Database, MediaStore, open_database
from db.engine import default_url

log = logging.getLogger(__name__)


@dataclass
class Studio:
    settings: Settings
    home: Path
    db: Database
    media: MediaStore


def open_studio(settings: Settings | None = None) -> Studio:
    install_log_redaction()  # the SDKs' loggers too: a key quoted back in a warning never reaches the log
    settings = settings or Settings.load()
    home = data_home(settings)
    url = settings.get("DATABASE_URL") or default_url(home)
    db = open_database(url, error=StudioError)  # a server out of reach is one sentence, as on a page
    studio = Studio(settings=settings, home=home, db=db, media=MediaStore(home / "media"))
    log.info("Studio data folder: %s", home)
    return studio
