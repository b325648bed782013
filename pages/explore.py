"""Explore: a gallery of curated example prompts, each with a moving preview made offline in the
background, to use in Create video or to make at once; then favourites and much-remixed sets
from the user's own library."""

import streamlit as st

import ui
from core.errors import StudioError
from core.videos import explore
from core.videos.plan import ASPECT_RATIOS
from ui.explore import ensure_preview_worker, example_card, library_card, watch_previews
from ui.grid import grid_styles
from ui.progress import progress_panel
from ui.sign_in import current_person

COLUMNS = 4
ALL = "All"
state = st.session_state

ui.page_header("Explore", "Example prompts to start from: use one in Create video, or make it straight away.")
studio = ui.studio()
worker = ensure_preview_worker()
worker.request(explore.examples())  # rendered one at a time on the worker's thread; nothing here waits
grid_styles()

search_col, preset_col, aspect_col, subject_col = st.columns([3, 2, 2, 2], vertical_alignment="bottom")
search = search_col.text_input("Search", key="explore_search", placeholder="e.g. fox, rain, balloon")
preset = preset_col.selectbox("Preset", [ALL, *explore.presets()], key="explore_preset")
aspect = aspect_col.segmented_control("Aspect ratio", ASPECT_RATIOS, key="explore_aspect")
subject = subject_col.selectbox("Subject", [ALL, *explore.subjects()], key="explore_subject")

shown = explore.find_examples(
    preset=None if preset == ALL else preset,
    aspect=aspect or None,
    subject=None if subject == ALL else subject,
    search=search,
)

made = state.get("explore_made")
if made:
    note_col, link_col = st.columns([3, 1], vertical_alignment="center")
    note_col.success(f"Set #{made} queued: it is being made in the background.", icon=":material/movie:")
    link_col.page_link("pages/my_videos.py", label="See it in the Library", icon=":material/video_library:")
progress_panel()

if not shown:
    st.info("No example matches these filters.", icon=":material/search_off:")
for start in range(0, len(shown), COLUMNS):
    for column, item in zip(st.columns(COLUMNS), shown[start : start + COLUMNS]):
        with column:
            st.markdown(f"**{ui.plain(item.title)}**")
            example_card(item, worker.status(item))
            st.caption(ui.plain(f"{item.subject} · {item.scene}"))
            if st.button(
                "Use this prompt", key=f"use-{item.id}", icon=":material/edit_note:", use_container_width=True
            ):
                explore.use_example(studio, item)
                state.pop("vp_scene", None)  # Create video then reads the draft afresh, every field included
                st.switch_page("pages/create_video.py")
            if st.button(
                "Make it", key=f"make-{item.id}", type="primary", icon=":material/movie:", use_container_width=True
            ):
                try:
                    state["explore_made"] = explore.make_example(studio, item, current_person())
                except StudioError as exc:
                    st.error(ui.plain(exc.message), icon=":material/error:")
                else:
                    st.toast(f"Set #{state['explore_made']} queued.", icon=":material/movie:")
                    st.rerun()

watch_previews(worker)

st.subheader("From your library")
row = explore.library_row(studio, limit=COLUMNS)
if not row.favourites and not row.most_remixed:
    st.caption("Star a set in the Library, or remix one, and it shows here.")
for title, entries in (
    ("Favourites", [(view, "★ favourite") for view in row.favourites]),
    ("Most remixed", [(view, f"{count} remix{'es' if count != 1 else ''}") for view, count in row.most_remixed]),
):
    if not entries:
        continue
    st.markdown(f"**{title}**")
    for column, (view, note) in zip(st.columns(COLUMNS), entries):
        with column:
            library_card(view, note, key=f"{title}-{view.id}")
