"""Select mode in My Videos and History: a checkbox per card (or the table's own row checkboxes),
select all on the page or all that match the filters, and the bulk actions on what is chosen —
favourite, folder, tags, move to the Trash (with Undo) and an export ZIP."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import streamlit as st

import ui
from core import trash
from core.captions.export import CAPTION_TEMPLATE
from core.errors import StudioError
from core.tally import Tally
from core.videos import bulk
from core.videos import library as videos
from core.videos.export import SET_TEMPLATE, export_sets_zip
from ui.export import export_zip
from ui.history import offer_undo

DANGER_CSS = """<style>
[class*="st-key-danger-"] button{border-color:#e5484d;color:#ff6369;}
[class*="st-key-danger-"] button:hover{background:#cd2b31;border-color:#cd2b31;color:#fff;}
</style>"""


def danger_styles() -> None:
    """Buttons whose key starts with "danger-" (delete, move to Trash) are drawn in red."""
    st.html(DANGER_CSS)


def chosen(scope: str) -> list[int]:
    """The ids selected in this scope ("videos", "gens", "captions"), in the order they were picked."""
    return list(st.session_state.get(f"{scope}_selected", []))


def choose(scope: str, ids: Sequence[int]) -> None:
    st.session_state[f"{scope}_selected"] = list(dict.fromkeys(ids))


def clear(scope: str) -> None:
    st.session_state.pop(f"{scope}_selected", None)


def _toggle(scope: str, item_id: int, key: str) -> None:
    picked = chosen(scope)
    if st.session_state.get(key):
        picked.append(item_id)
    else:
        picked = [i for i in picked if i != item_id]
    choose(scope, picked)


def checkbox(scope: str, item_id: int, label: str) -> None:
    """A card's checkbox; its state follows the selection (so "Select all" ticks it too)."""
    key = f"{scope}-pick-{item_id}"
    st.session_state[key] = item_id in chosen(scope)
    st.checkbox(label, key=key, on_change=_toggle, args=(scope, item_id, key))


def selection_row(scope: str, page_ids: Sequence[int], matching: Callable[[], list[int]], total: Tally) -> list[int]:
    """ "N selected", Select page, Select all that match (``total`` of them, as the page counted), Clear;
    returns the chosen ids."""
    count_col, page_col, all_col, clear_col = st.columns([3, 2, 2, 1.4], vertical_alignment="center")
    if page_col.button(
        "Select page", key=f"{scope}-select-page", icon=":material/select_all:", use_container_width=True
    ):
        choose(scope, chosen(scope) + list(page_ids))
        st.rerun()
    if all_col.button(
        f"Select all {total}", key=f"{scope}-select-all", icon=":material/done_all:", use_container_width=True
    ):
        choose(scope, matching())
        st.rerun()
    picked = chosen(scope)
    if clear_col.button("Clear", key=f"{scope}-select-clear", disabled=not picked, use_container_width=True):
        clear(scope)
        st.rerun()
    count_col.markdown(f"**{len(picked):,}** selected" + ("" if picked else ": tick the cards you want."))
    return picked


def set_actions(scope: str, picked: list[int], undo_page: str, comparable: bool = False) -> None:
    """Favourite, folder, tags, Trash and ZIP for the chosen sets of videos; Compare too where the
    page draws the Compare dialog (``comparable``)."""
    studio = ui.studio()
    picked = bulk.still_there(studio, picked) if picked else []
    none = not picked
    fav, unfav, folder, tag, versus, zipped, delete = st.columns([1.3, 1.5, 1.3, 1.2, 1.4, 1.6, 1.6])
    if fav.button(
        "Favourite", key=f"{scope}-bulk-fav", icon=":material/star:", disabled=none, use_container_width=True
    ):
        count = bulk.favourite_many(studio, picked, True)
        st.toast(f"{count} set{'s' if count != 1 else ''} marked as favourite.")
        st.rerun()
    if unfav.button(
        "Unfavourite", key=f"{scope}-bulk-unfav", icon=":material/star_border:", disabled=none, use_container_width=True
    ):
        bulk.favourite_many(studio, picked, False)
        st.rerun()
    with folder.popover("Folder", icon=":material/folder:", disabled=none, use_container_width=True):
        existing = videos.folders(studio)
        target = st.selectbox("Move to", ["New folder…", *existing, "No folder"], key=f"{scope}-bulk-folder-pick")
        name = st.text_input("Folder name", key=f"{scope}-bulk-folder-name") if target == "New folder…" else target
        if st.button("Move", key=f"{scope}-bulk-folder-go", type="primary"):
            try:
                count = bulk.move_many_to_folder(studio, picked, None if name == "No folder" else name)
            except StudioError as exc:
                st.error(ui.plain(exc.message))
            else:
                st.toast(f"Moved {count} set{'s' if count != 1 else ''}.")
                st.rerun()
    with tag.popover("Tags", icon=":material/sell:", disabled=none, use_container_width=True):
        text = st.text_input("Add tags", key=f"{scope}-bulk-tags", placeholder="e.g. client a, night")
        if st.button("Add tags", key=f"{scope}-bulk-tags-go", type="primary"):
            try:
                added, count = bulk.add_tags(studio, picked, text)
            except StudioError as exc:
                st.error(ui.plain(exc.message))
            else:
                st.toast(f"Tagged {count} set{'s' if count != 1 else ''}: {ui.plain(', '.join(added))}.")
                st.rerun()
        on_them = [t for t, _ in bulk.tags(studio, picked)] if picked else []
        if on_them:
            gone = st.selectbox("Remove a tag", on_them, key=f"{scope}-bulk-untag-pick")
            if st.button("Remove tag", key=f"{scope}-bulk-untag-go"):
                bulk.remove_tag(studio, picked, gone)
                st.rerun()
    if comparable and versus.button(
        "Compare",
        key=f"{scope}-bulk-compare",
        icon=":material/compare:",
        disabled=not 2 <= len(picked) <= 4,
        help="Play 2 to 4 chosen sets side by side, in sync.",
        use_container_width=True,
    ):
        from ui.compare import open_compare

        open_compare(bulk.covers(studio, picked))
    with zipped:
        export_zip(
            f"{scope}-bulk",
            "sets",
            picked,
            lambda target, options, progress: export_sets_zip(studio, picked, target, options, progress),
            SET_TEMPLATE,
        )
    if delete.button(
        "Move to Trash",
        key=f"danger-{scope}-bulk-trash",
        icon=":material/delete:",
        disabled=none,
        use_container_width=True,
    ):
        moved, busy = trash.trash_sets(studio, picked)
        clear(scope)
        if moved:
            offer_undo(moved, undo_page)
        if busy:
            st.toast(f"{busy} set{'s are' if busy != 1 else ' is'} still being made and stayed in the library.")
        st.rerun()


def caption_actions(picked: list[int]) -> None:
    """Move to the Trash and ZIP (images, a .txt caption beside each, metadata.jsonl) for chosen captions."""
    from core.captions import service as captions

    studio = ui.studio()
    none = not picked
    zipped, delete, _rest = st.columns([1.6, 1.6, 4])
    with zipped:
        export_zip(
            "captions-bulk",
            "captions",
            picked,
            lambda target, options, progress: captions.export_captions_zip(studio, picked, target, options, progress),
            CAPTION_TEMPLATE,
        )
    if delete.button(
        "Move to Trash",
        key="danger-captions-bulk-trash",
        icon=":material/delete:",
        disabled=none,
        use_container_width=True,
    ):
        moved = trash.trash_captions(studio, picked)
        clear("captions")
        if moved:
            offer_undo(moved, "history")
        st.rerun()
