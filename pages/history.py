"""History: every caption, searchable and filterable, with edit, move to the Trash (with Undo) and
CSV export; every generation; and the Trash, with Restore and Empty trash."""

import pandas as pd
import streamlit as st

import ui
from core import people as makers
from core import trash
from core.captions import service as captions
from core.captions.styles import STYLES
from core.errors import StudioError
from ui import history as history_ui
from ui import selection
from ui.export import export_csv
from ui.filters import date_range

PAGE_SIZE = 50

ui.page_header("History", "Every caption and every video generation. Search, filter, fix and export.")
studio = ui.studio()
providers, styles = captions.facets(studio)
kind = st.segmented_control("Show", ["Captions", "Generations", "Trash"], default="Captions", key="history_kind")
if kind == "Generations":
    history_ui.generations_history()
    st.stop()
if kind == "Trash":
    history_ui.trash_view()
    st.stop()
history_ui.undo_notice("history", "history-undo")
selection.danger_styles()

FILTER_KEYS = (
    "history_search",
    "history_providers",
    "history_styles",
    "history_dates",
    "history_made_by",
    "history_page",
)


def clear_filters() -> None:
    for key in FILTER_KEYS:
        st.session_state.pop(key, None)


people = makers.caption_makers(studio)  # "Made by" only once someone signed in has captioned
search_col, provider_col, style_col, date_col, *people_col = st.columns([3, 2, 2, 2, 2] if people else [3, 2, 2, 2])
search = search_col.text_input("Search captions and prompts", key="history_search", placeholder="e.g. cat")
chosen_providers = provider_col.multiselect(
    "Provider", providers, format_func=ui.provider_label, key="history_providers"
)
chosen_styles = style_col.multiselect("Style", styles, format_func=lambda k: STYLES[k].label, key="history_styles")
dates = date_col.date_input("Created between", value=[], key="history_dates", format="YYYY-MM-DD")
date_from, date_to = date_range(dates)
chosen_people = people_col[0].multiselect("Made by", people, key="history_made_by") if people else []
flt = captions.CaptionFilter(
    search=search,
    providers=tuple(chosen_providers),
    styles=tuple(chosen_styles),
    date_from=date_from,
    date_to=date_to,
    made_by=tuple(chosen_people),
)

total = captions.history_count(studio, flt)  # one count a rerun, stopping at 10,000 ("10,000+")
pages = total.pages(PAGE_SIZE)
summary, select_col, pager, export = st.columns([3, 1.2, 2, 2], vertical_alignment="bottom")
selecting = select_col.toggle("Select", key="history_select", help="Tick rows, then act on all of them at once.")
page = (
    pager.number_input("Page", min_value=1, max_value=None if total.more else pages, value=1, key="history_page")
    if pages > 1 or total.more
    else 1
)
summary.markdown(f"**{total}** caption{'s' if total.plural() else ''} match.")
every_version = summary.checkbox(
    "Every version in the CSV",
    key="captions_export_versions",
    help="By default the CSV holds the newest caption of each image; tick to export every version.",
)
export_csv(
    export,
    "captions",
    "captions",
    lambda target, progress: captions.write_captions_csv(
        studio, flt, target, every_version, progress, None if total.more else total.value
    ),
    disabled=total.value == 0,
    signature=repr((flt, every_version)),
)

rows = captions.history_page(studio, flt, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE, total=total)
if not rows:
    if total.value:
        st.info("Nothing on this page.", icon=":material/search_off:")
    elif captions.history_count(studio, captions.CaptionFilter()).value:
        st.info("Nothing matches these filters.", icon=":material/search_off:")
        st.button("Clear filters", icon=":material/filter_alt_off:", key="history_clear", on_click=clear_filters)
    else:
        st.info("No captions yet. Make some in Caption Studio.", icon=":material/search_off:")
    st.stop()

table = pd.DataFrame(
    {
        "Image": [r.thumbnail for r in rows],
        "Caption": [r.text for r in rows],
        "File": [r.image_name for r in rows],
        "Style": [r.style for r in rows],
        "Provider": [ui.provider_label(r.provider) for r in rows],
        "Model": [r.model for r in rows],
        "Created (UTC)": [r.created_at for r in rows],
        "Edited": [r.edited for r in rows],
        "Latency (ms)": [r.latency_ms for r in rows],
    }
)
if any(r.made_by for r in rows):
    table["Made by"] = [r.made_by or "" for r in rows]
page_ids = [r.caption_id for r in rows]
if selecting:
    with st.container(border=True, key="captions-bulk"):
        picked = selection.selection_row(
            "captions", page_ids, lambda: captions.matching_caption_ids(studio, flt), total
        )
        selection.caption_actions(picked)


def follow_table() -> None:
    """In select mode, the table's ticked rows replace this page's part of the selection."""
    ticked = {page_ids[i] for i in st.session_state["history_table_select"].selection.rows if i < len(page_ids)}
    kept = [i for i in selection.chosen("captions") if i not in page_ids]
    selection.choose("captions", kept + [i for i in page_ids if i in ticked])


table_state = st.dataframe(
    table,
    hide_index=True,
    use_container_width=True,
    row_height=64,
    key="history_table" if not selecting else "history_table_select",
    on_select=follow_table if selecting else "rerun",
    selection_mode="multi-row" if selecting else "single-row",
    column_config={
        "Image": st.column_config.ImageColumn("Image", width="small"),
        "Caption": st.column_config.TextColumn("Caption", width="large"),
        "Created (UTC)": st.column_config.DatetimeColumn("Created (UTC)", format="YYYY-MM-DD HH:mm"),
        "Latency (ms)": st.column_config.NumberColumn("Latency (ms)", format="%.0f"),
    },
)

chosen = table_state.selection.rows if table_state and not selecting else []
if not chosen:
    if not selecting:
        st.caption("Select a row to edit or delete its caption.")
    st.stop()

row = rows[chosen[0]]
with st.container(border=True):
    by = f" · by {ui.plain(row.made_by)}" if row.made_by else ""
    st.markdown(f"**{ui.plain(row.image_name)}** · {row.style} · {ui.provider_label(row.provider)}{by}")
    if row.prompt:
        st.caption(f"Prompt: {ui.plain(row.prompt)}")
    new_text = st.text_area("Caption", row.text, key=f"history-edit-{row.caption_id}", height=140)
    save_col, delete_col, _spacer = st.columns([1, 1, 4])
    if save_col.button("Save changes", type="primary", key=f"history-save-{row.caption_id}"):
        try:
            captions.edit_caption(studio, row.caption_id, new_text)
        except StudioError as exc:
            st.error(ui.plain(exc.message))
        else:
            st.toast("Caption saved.")
            st.rerun()
    if delete_col.button("Move to Trash", icon=":material/delete:", key=f"danger-history-delete-{row.caption_id}"):
        try:
            moved = trash.trash_caption(studio, row.caption_id)
        except StudioError as exc:
            st.error(ui.plain(exc.message))
        else:
            history_ui.offer_undo(moved, "history")
            st.rerun()
