"""The History page's pieces: the generations table and its CSV export, the Trash view, and the
Undo notice that follows a move to the Trash (on History and on My Videos)."""

from __future__ import annotations

from typing import Any

import streamlit as st

import ui
from core import trash
from core.errors import StudioError
from core.videos import bulk
from core.videos import library as videos
from core.videos.kinds import VariationStatus
from ui.export import export_csv
from ui.filters import generation_filters

GENERATIONS_PAGE = 50  # rows a page of History · Generations


def generations_history() -> None:
    import pandas as pd  # here, not at import: My Videos uses the Undo notice below

    studio = ui.studio()
    flt = generation_filters("gen")
    total = videos.library_count(studio, flt)  # one count a rerun, stopping at 10,000 ("10,000+")
    pages = total.pages(GENERATIONS_PAGE)
    from ui import selection

    summary, select_col, pager, export = st.columns([3, 1.2, 2, 2], vertical_alignment="bottom")
    selecting = select_col.toggle("Select", key="gen_select", help="Tick rows, then act on all of them at once.")
    page = (
        pager.number_input("Page", min_value=1, max_value=None if total.more else pages, value=1, key="gen_page")
        if pages > 1 or total.more
        else 1
    )
    summary.markdown(f"**{total}** generation{'s' if total.plural() else ''} match.")
    export_csv(
        export,
        "generations",
        "generations",
        lambda target, progress: videos.write_generations_csv(studio, flt, target, progress),
        disabled=total.value == 0,
        signature=repr(flt),
    )
    rows = videos.generation_rows(
        studio, flt, limit=GENERATIONS_PAGE, offset=(page - 1) * GENERATIONS_PAGE, total=total
    )
    if not rows:
        if total.value:
            st.info("Nothing on this page.", icon=":material/search_off:")
        else:
            st.info("No generations yet. Make one on the Create video page.", icon=":material/movie:")
        return
    row_ids = [int(str(row[0])) for row in rows]
    if selecting:
        selection.danger_styles()
        with st.container(border=True, key="gens-bulk"):
            picked = selection.selection_row("gens", row_ids, lambda: bulk.matching_ids(studio, flt), total)
            selection.set_actions("gens", picked, "history")

    def follow_table() -> None:
        ticked = {row_ids[i] for i in st.session_state["gen_table"].selection.rows if i < len(row_ids)}
        kept = [i for i in selection.chosen("gens") if i not in set(row_ids)]
        selection.choose("gens", kept + [i for i in row_ids if i in ticked])

    frame = pd.DataFrame(rows, columns=videos.GENERATION_EXPORT_COLUMNS)
    frame["backend"] = frame["backend"].map(ui.video_backend_label)
    shown = frame[
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
            *(["made_by"] if frame["made_by"].astype(bool).any() else []),
        ]
    ]
    columns: dict[str, Any] = {
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
        "made_by": "Made by",
    }
    if selecting:  # the table's own row checkboxes feed the selection
        st.dataframe(
            shown,
            hide_index=True,
            use_container_width=True,
            column_config=columns,
            key="gen_table",
            on_select=follow_table,
            selection_mode="multi-row",
        )
    else:
        st.dataframe(shown, hide_index=True, use_container_width=True, column_config=columns)


# --- Undo after a move to the Trash, and the Trash itself ----------------------------------------

UNDO = "trash_undo"  # session state: (page, [TrashItem, …]) of the last move to the Trash


def offer_undo(items: trash.TrashItem | list[trash.TrashItem], page: str) -> None:
    """Remember what was just trashed (one item or a bulk move), so ``undo_notice`` on ``page`` can
    bring it all back."""
    st.session_state[UNDO] = (page, items if isinstance(items, list) else [items])


def undo_notice(page: str, key: str) -> None:
    """An info line with an Undo button (a toast cannot hold one) until Undo or another page."""
    pending = st.session_state.get(UNDO)
    if not pending:
        return
    where, items = pending
    if where != page:
        st.session_state.pop(UNDO, None)
        return
    text_col, button_col = st.columns([5, 1], vertical_alignment="center")
    if len(items) == 1:
        label = items[0].label
    else:
        kinds = {KIND_LABELS[i.kind].lower() + "s" for i in items}
        label = f"{len(items)} {' and '.join(sorted(kinds))}"
    text_col.info(f"Moved to the Trash: {ui.plain(label)}", icon=":material/delete:")
    if button_col.button("Undo", key=key, icon=":material/undo:", use_container_width=True):
        st.session_state.pop(UNDO, None)
        restored = trash.restore_all(ui.studio(), items)
        if restored < len(items):
            st.warning(f"{len(items) - restored} of them had already left the Trash.")
            return
        st.toast("Restored.")
        st.rerun()


def dismiss_undo() -> None:
    st.session_state.pop(UNDO, None)


KIND_LABELS = {trash.TrashKind.SET: "Set", trash.TrashKind.VARIATION: "Variation", trash.TrashKind.CAPTION: "Caption"}


def trash_view() -> None:
    """What was deleted and when, each with Restore, and Empty trash (after a confirm)."""
    from ui.selection import danger_styles

    studio = ui.studio()
    danger_styles()
    undo_notice("history", "trash-undo")
    items = trash.trash_items(studio)
    summary, empty = st.columns([5, 2], vertical_alignment="bottom")
    summary.markdown(
        f"**{len(items)}** item{'s' if len(items) != 1 else ''} in the Trash. "
        f"Items are removed for good after {trash.KEEP_FOR.days} days."
    )
    with empty.popover("Empty trash", icon=":material/delete_forever:", disabled=not items, use_container_width=True):
        st.write("Remove everything in the Trash for good, with its files? This cannot be undone.")
        if st.button("Empty trash now", type="primary", key="danger-trash-empty"):
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
                    st.error(ui.plain(exc.message))
                else:
                    st.toast("Restored.")
                    st.rerun()
