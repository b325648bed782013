"""A video player whose source is the studio's own file route (``core/downloads.py``): the browser
fetches byte ranges from disk as it plays and seeks, where ``st.video`` would first read the whole
file into the server's memory (Streamlit's media file manager) for each session that opens it."""

from __future__ import annotations

from html import escape
from pathlib import Path

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from core import downloads


def video_player(home: Path, path: Path, label: str, where: DeltaGenerator | None = None) -> None:
    """Loops, muted, playing on arrival, with the browser's own controls, as wide as its column."""
    src = escape(downloads.link(home, path))
    (where or st).html(
        f'<video src="{src}" aria-label="{escape(label)}" controls loop autoplay muted playsinline '
        'preload="metadata" style="display:block;width:100%;border-radius:0.5rem;"></video>'
    )
