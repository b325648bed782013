"""A "Download" control that is a plain link to the studio's own file route (``core/downloads.py``):
the browser fetches the file from disk, so nothing is read into the server's memory, as
``st.download_button`` does with its data, however large the ZIP or the video."""

from __future__ import annotations

from html import escape
from pathlib import Path

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from core import downloads

# Drawn like Streamlit's secondary button, full width of its column.
LINK_CSS = """<style>
a.ms-download { display: flex; align-items: center; justify-content: center; gap: 0.5rem;
  box-sizing: border-box; width: 100%; min-height: 2.5rem; padding: 0.25rem 0.75rem;
  border: 1px solid rgba(232, 232, 240, 0.2); border-radius: 0.5rem; background: #0F1117;
  color: #E8E8F0; font-size: 0.875rem; line-height: 1.6; text-decoration: none; }
a.ms-download:hover { border-color: #7C5CFF; color: #7C5CFF; }
a.ms-download:focus-visible { outline: 2px solid #7C5CFF; outline-offset: 1px; }
a.ms-download .ms-download-icon { font-family: "Material Symbols Rounded"; font-size: 1.25rem;
  line-height: 1; font-weight: 400; -webkit-font-feature-settings: "liga"; font-feature-settings: "liga"; }
</style>"""

# The icon font Streamlit already loaded for its own buttons' icons (an inline SVG is stripped).
ICON = '<span class="ms-download-icon" aria-hidden="true">download</span>'


def download_link(
    home: Path, path: Path, name: str, label: str = "Download", where: DeltaGenerator | None = None
) -> None:
    """A link that downloads ``path`` as ``name``; it stays valid for a day."""
    url = downloads.link(home, path, name)
    (where or st).html(
        f'{LINK_CSS}<a class="ms-download" role="button" href="{escape(url)}" download="{escape(name)}">'
        f"{ICON}{escape(label)}</a>"
    )
