""" "Export ZIP…" for chosen captions or sets: the naming template, a trigger word, sidecars and
captions written into the image copies; the ZIP is written to the data folder with a progress bar,
then offered as a link the browser downloads from disk (``ui/download.py``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import IO, Literal

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

import ui
from core.bundle import PLACEHOLDERS, BundleOptions, export_to_file
from core.errors import StudioError
from core.exports import Progress
from ui.download import download_link

Kind = Literal["captions", "sets"]
Writer = Callable[[IO[bytes], BundleOptions, Callable[[int, int | None], None]], int]


def export_zip(scope: str, kind: Kind, picked: list[int], write: Writer, default_template: str) -> None:
    """The popover and its download: nothing is written until "Prepare ZIP" is pressed."""
    with st.popover("Export ZIP…", icon=":material/folder_zip:", disabled=not picked, use_container_width=True):
        template = st.text_input(
            "File names", value=default_template, key=f"{scope}-export-template", help=" ".join(PLACEHOLDERS)
        )
        prefix = st.text_input(
            "Trigger word or prefix (optional)",
            key=f"{scope}-export-prefix",
            placeholder="e.g. ohwx",
            help="Put first in every caption, for training a LoRA or tagging a batch.",
        )
        sidecars = st.checkbox("A .txt and a .json beside each file", value=True, key=f"{scope}-export-sidecars")
        embed = kind == "captions" and st.checkbox(
            "Write each caption into its image copy (EXIF, XMP, IPTC)",
            value=True,
            key=f"{scope}-export-embed",
            help="The images in your library are never changed: only the copies in the ZIP carry the caption.",
        )
        prepare = st.button("Prepare ZIP", key=f"{scope}-export-go", icon=":material/inventory_2:", type="primary")
        options = BundleOptions(template=template, prefix=prefix, sidecars=sidecars, embed_captions=embed)
        _prepare_and_offer(
            prepare,
            f"{scope}-export-ready",
            "",  # a prepared ZIP stays on offer while its file lasts
            f"media-studio-{len(picked)}-{kind}-{datetime.now():%Y%m%d-%H%M%S}.zip",
            lambda target, progress: write(target, options, progress),
            "ZIP",
            lambda done, total: f"{done:,} of {total or done:,}",
            lambda count: f"{count:,} file{'s' if count != 1 else ''} ready.",
        )


CsvWriter = Callable[[IO[bytes], Progress], int]


def export_csv(where: DeltaGenerator, scope: str, what: str, write: CsvWriter, disabled: bool, signature: str) -> None:
    """ "Export CSV": the file is written to the data folder as the rows stream from the database (a
    progress bar counts them), then downloaded from disk by a link, so a million rows never sit in
    memory. ``signature`` names what is exported (the filter): a prepared file is offered only while
    the filter that made it is still the one on the page."""
    with where.popover("Export CSV", icon=":material/download:", disabled=disabled, use_container_width=True):
        prepare = st.button("Prepare CSV", key=f"{scope}-csv-go", icon=":material/table_view:", type="primary")
        offered = _prepare_and_offer(
            prepare,
            f"{scope}-csv-ready",
            signature,
            f"{what}-{datetime.now():%Y%m%d-%H%M%S}.csv",
            write,
            "CSV",
            lambda done, _total: f"{done:,} rows",
            lambda count: f"{count:,} row{'s' if count != 1 else ''} ready.",
        )
        if not offered:
            st.caption("The CSV is written to the data folder first, then downloaded.")


def _prepare_and_offer(
    prepare: bool,
    ready_key: str,
    signature: str,
    name: str,
    write: CsvWriter,
    noun: str,
    counted: Callable[[int, int | None], str],
    ready_text: Callable[[int], str],
) -> bool:
    """When ``prepare``, write ``name`` under the data folder's exports with a progress bar (a failure
    says why and leaves no file); then offer the prepared file as a Download link while ``signature``
    is still the one it was made for. Returns whether a file is on offer."""
    if prepare:
        bar = st.progress(0.0, text=f"Writing the {noun}…")

        def progress(done: int, total: int | None) -> None:
            bar.progress(min(done / (total or done or 1), 1.0), text=f"Writing the {noun}… {counted(done, total)}")

        try:
            path, count = export_to_file(ui.studio().home, name, lambda target: write(target, progress))
        except StudioError as exc:
            bar.empty()
            st.error(ui.plain(exc.message))
        else:
            bar.progress(1.0, text=ready_text(count))
            st.session_state[ready_key] = (signature, str(path))
    ready = st.session_state.get(ready_key)
    if not ready or ready[0] != signature or not Path(ready[1]).is_file():
        return False
    path = Path(ready[1])
    download_link(ui.studio().home, path, path.name, f"Download {path.name}")
    return True
