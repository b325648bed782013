"""The History page's pieces: the generations table and its CSV export, the Trash view, and the
Undo notice that follows a move to the Trash (on History and on My Videos)."""

from __future__ import annotations

import streamlit as st

import ui
from core import trash
from core.errors import StudioError
from core.videos import library as videos
from core.videos.kinds import VariationStatus
from ui.filters import generation_filters


def generations_history() -> None:
    import pandas as pd  # here, not at import: My Videos uses the Undo notice below

    studio = ui.studio()
    flt = generation_filters("gen")
    rows = videos.generation_rows(studio, flt, limit=1000)
    summary, export = st.columns([5, 2], vertical_alignment="bottom")
    summary.markdown(
        f"**{len(rows)}** generation{'s' if len(rows) != 1 else ''} match"
        + (" (showing the newest 1,000)." if len(rows) == 1000 else ".")
    )
    ui.csv_download(
        export, "generations", lambda: videos.export_generations_csv(studio, flt), disabled=not rows, key="gen_export"
    )
    if not rows:
        st.info("No generations yet. Make one on the Create video page.", icon=":material/movie:")
        return
    frame = pd.DataFrame(rows, columns=videos.GENERATION_EXPORT_COLUMNS)
    frame["backend"] = frame["backend"].map(ui.video_backend_label)
    st.dataframe(
        frame[
            [
                "generation_id",
                "created_at",
                "status",
                "backend",
                "model",
                "seconds",
                "size",
                "variations",
                VariationStatus.COMPLETED,  # the columns counting variations in each state
                VariationStatus.FAILED,
                "estimated_cost_usd",
                "cost_usd",
                "prompt",
                "errors",
            ]
        ],
        hide_index=True,
        use_container_width=True,
        column_config={
            "generation_id": st.column_config.NumberColumn("Set", format="#%d"),
            "created_at": st.column_config.TextColumn("Created (UTC)"),
            "status": "Status",
            "backend": "Back-end",
            "model": "Model",
            "seconds": "Seconds",
            "size": "Size",
            "variations": "Variations",
            VariationStatus.COMPLETED: "Done",
            VariationStatus.FAILED: "Failed",
            "errors": "Errors",
            "estimated_cost_usd": st.column_config.NumberColumn("Estimate", format="$%.2f"),
            "cost_usd": st.column_config.NumberColumn("Cost", format="$%.2f"),
            "prompt": st.column_config.TextColumn("Prompt", width="large"),
        },
    )


# --- Undo after a move to the Trash, and the Trash itself ----------------------------------------

UNDO = "trash_undo"  # session state: (page, TrashItem) of the last move to the Trash


def offer_undo(item: trash.TrashItem, page: str) -> None:
    """Remember the item just trashed, so ``undo_notice`` on ``page`` can bring it back."""
    st.session_state[UNDO] = (page, item)


def undo_notice(page: str, key: str) -> None:
    """An info line with an Undo button (a toast cannot hold one) until Undo or another page."""
    pending = st.session_state.get(UNDO)
    if not pending:
        return
    where, item = pending
    if where != page:
        st.session_state.pop(UNDO, None)
        return
    text_col, button_col = st.columns([5, 1], vertical_alignment="center")
    text_col.info(f"Moved to the Trash: {ui.plain(item.label)}", icon=":material/delete:")
    if button_col.button("Undo", key=key, icon=":material/undo:", use_container_width=True):
        st.session_state.pop(UNDO, None)
        try:
            trash.restore(ui.studio(), item)
        except StudioError as exc:
            st.error(exc.message)
            return
        st.toast("Restored.")
        st.rerun()


def dismiss_undo() -> None:
    st.session_state.pop(UNDO, None)


KIND_LABELS = {trash.TrashKind.SET: "Set", trash.TrashKind.VARIATION: "Variation", trash.TrashKind.CAPTION: "Caption"}


def trash_view() -> None:
    """What was deleted and when, each with Restore, and Empty trash (after a confirm)."""
    studio = ui.studio()
    undo_notice("history", "trash-undo")
    items = trash.trash_items(studio)
    summary, empty = st.columns([5, 2], vertical_alignment="bottom")
    summary.markdown(
        f"**{len(items)}** item{'s' if len(items) != 1 else ''} in the Trash. "
        f"Items are removed for good after {trash.KEEP_FOR.days} days."
    )
    with empty.popover("Empty trash", icon=":material/delete_forever:", disabled=not items, use_container_width=True):
        st.write("Remove everything in the Trash for good, with its files? This cannot be undone.")
        if st.button("Empty trash now", type="primary", key="trash-empty"):
            dismiss_undo()
            gone = trash.empty_trash(studio)
            st.toast(f"Removed {gone} item{'s' if gone != 1 else ''} for good.")
            st.rerun()
    if not items:
        st.info("The Trash is empty.", icon=":material/delete:")
        return
    for item in items:
        with st.container(border=True):
            text, when, button = st.columns([6, 2, 1.5], vertical_alignment="center")
            text.markdown(f"**{KIND_LABELS[item.kind]}** · {ui.plain(item.label)}")
            when.caption(f"Deleted {item.deleted_at:%Y-%m-%d %H:%M} UTC")
            if button.button(
                "Restore", key=f"trash-restore-{item.kind}-{item.id}", icon=":material/restore_from_trash:"
            ):
                dismiss_undo()
                try:
                    trash.restore(studio, item)
                except StudioError as exc:
                    st.error(exc.message)
                else:
                    st.toast("Restored.")
                    st.rerun()
