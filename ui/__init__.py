"""Streamlit pieces the pages share: the cached studio and providers, the page header, labels.

Pages import from here and from core/; this package is the only place that caches clients.
Heavy modules (the video stack, numpy, pandas) are imported where a widget needs them, so the
first page a user opens costs what that page needs.
"""

from __future__ import annotations

import importlib
import logging
import re
import threading
from pathlib import Path

import streamlit as st

from core.captions import service as captions
from core.captions.providers.base import CaptionProvider
from core.config import Settings
from core.redact import install_log_redaction, scrub
from core.status import ServiceStatus
from core.studio import Studio, open_studio

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
install_log_redaction()


@st.cache_resource(show_spinner=False)
def studio() -> Studio:
    """Opened once per server process, which also settles an interrupted purge, empties the Trash
    of what has been there 30 days, and sweeps up what a crashed process left (then every 30 min)."""
    from core import sweep, trash

    opened = open_studio()
    try:
        trash.recover_interrupted_purge(opened)
        trash.purge_expired(opened)
    except Exception:
        logging.getLogger(__name__).exception("The start-up purge of the Trash failed; it will run next start")
    try:
        sweep.sweep(opened)  # what a crashed process left: scratch, pending saves, files no row owns
    except Exception:
        logging.getLogger(__name__).exception("The start-up sweep failed; it will run again in half an hour")
    sweep.start_periodic_sweep(opened)
    return opened


def media_url(path: Path, mimetype: str = "image/jpeg") -> str | None:
    """A URL for a file in the data folder, served by Streamlit's media endpoint (``/media/<hash>``).

    A rerun then sends the short URL again, not the file: the browser keeps the image it already
    drew (an inline ``data:`` URL would resend every poster and sprite on every rerun). The id is a
    hash of the bytes, so a file that changes gets a new URL. None when the file is missing."""
    from streamlit import runtime

    if not path.is_file():
        return None
    try:
        manager = runtime.get_instance().media_file_mgr
        url = manager.add(str(path), mimetype, coordinates=f"ms-media.{path.parent.parent.name}.{path.name}")
    except (RuntimeError, OSError):  # no server (a bare script run) or the file vanished
        import base64

        try:
            return f"data:{mimetype};base64," + base64.b64encode(path.read_bytes()).decode("ascii")
        except OSError:
            return None
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}{url}" if base else url


def settings() -> Settings:
    return studio().settings


@st.cache_resource(show_spinner="Loading the caption model…", max_entries=6)
def caption_provider(key: str, _settings: Settings, settings_fingerprint: int) -> CaptionProvider:
    """One client per provider and settings; the fingerprint (a hash) keeps secrets out of cache keys."""
    return captions.open_provider(key, _settings)


def provider_for(key: str) -> CaptionProvider:
    current = settings()
    return caption_provider(key, current, hash(current))


def statuses() -> list[ServiceStatus]:
    return captions.provider_statuses(settings())


def default_provider() -> str:
    return captions.default_provider(settings())


def _leave_legacy_multipage_mode() -> None:
    """Streamlit treats a ``pages/`` folder as old-style multipage until ``st.navigation`` first
    runs, so a deep link (e.g. /history) to a freshly started server would run the page without
    ``streamlit_app.py``: no page config, the wrong sidebar. Switch the mode off and run again."""
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


WARM_IMPORTS_AFTER_S = 1.5  # after the first page has been drawn: the import holds the GIL


@st.cache_resource(show_spinner=False)
def _warm_imports() -> threading.Timer:
    """Import pandas (History's tables, the storyboard editor) once per process, off the page's
    thread and after the first page is drawn, so the first visit to a page that needs it does not
    wait ~0.3 s for the import."""
    timer = threading.Timer(WARM_IMPORTS_AFTER_S, importlib.import_module, args=("pandas",))
    timer.daemon = True
    timer.start()
    return timer


def page_header(title: str, caption: str) -> None:
    """Every page starts here; so does the video job runner, so unfinished jobs resume on any page."""
    _leave_legacy_multipage_mode()
    from ui.progress import ensure_runner

    ensure_runner()
    st.title(title)
    st.caption(caption)
    _warm_imports()


_MARKDOWN = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:])")


def plain(text: str) -> str:
    """User or service text made inert inside st.markdown (no link, image, emphasis or directive it
    spells) and without any secret it may quote (the last line of the redaction layer)."""
    return _MARKDOWN.sub(r"\\\1", scrub(text))


def provider_label(key: str | None) -> str:
    labels = {s.key: s.label for s in statuses()}
    return labels.get(key or "", key or "")


def video_backend_label(key: str) -> str:
    from core.videos import create

    return create.backend_label(studio(), key)
