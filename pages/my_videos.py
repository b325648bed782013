"""Library (the page once called My Videos): every video set, image set and import, paged, searchable,
filtered by Type, with a lightbox per set (an image set's is ``ui.image_lightbox``)."""

from dataclasses import replace

import streamlit as st

import ui
from core.errors import AlreadyInLibrary, StudioError
from core.videos import bulk, imports
from core.videos import library as videos
from core.videos.kinds import MediaKind
from ui import selection
from ui.compare import compare_dialog
from ui.filters import generation_filters
from ui.grid import grid_anchor, grid_styles, skip_to_grid, video_card
from ui.history import undo_notice
from ui.image_lightbox import image_lightbox
from ui.lightbox import lightbox
from ui.progress import progress_panel
from ui.selection import danger_styles
from ui.sign_in import current_person

PAGE_SIZE = 12
COLUMNS = 4

ui.page_header(
    "Library", "Your videos and images. Hover a video to preview it; open a set to step through its variations."
)
studio = ui.studio()
grid_styles()
skip_to_grid()

with st.sidebar:
    st.subheader("Import")
    imported = st.file_uploader(
        "Add MP4, MOV or WebM files",
        type=["mp4", "mov", "webm", "m4v", "mkv"],
        max_upload_size=500,
        accept_multiple_files=True,
        key="import_files",
    )
    if imported and st.button("Import", icon=":material/upload:", key="import_go", use_container_width=True):
        for upload in imported:
            try:
                with st.spinner(f"Importing {upload.name}…"):
                    imports.import_video(studio, upload.name, upload.getvalue(), current_person())
            except AlreadyInLibrary as exc:
                st.info(ui.plain(exc.message), icon=":material/content_copy:")
                st.session_state["lightbox"] = {"generation": exc.generation_id, "index": 0}  # open the set
            except StudioError as exc:
                st.error(ui.plain(exc.message), icon=":material/error:")
            else:
                st.toast(f"Imported {ui.plain(upload.name)}.")

flt = generation_filters("videos")
fav_col, folder_col, tag_col, select_col, page_col = st.columns([2, 2.4, 2.4, 1.4, 2], vertical_alignment="bottom")
favourites = fav_col.toggle("Favourites only", key="videos_favourites")
folder = folder_col.selectbox("Folder", ["All folders", *videos.folders(studio)], key="videos_folder")
tag_names = [tag for tag, _count in bulk.tags(studio)]
tag = tag_col.selectbox("Tag", ["All tags", *tag_names], key="videos_tag")
selecting = select_col.toggle("Select", key="videos_select", help="Tick cards, then act on all of them at once.")
flt = replace(
    flt,
    favourites_only=favourites,
    folder=None if folder == "All folders" else folder,
    tag=None if tag == "All tags" else tag,
)

progress_panel()
undo_notice("my_videos", "videos-undo")
danger_styles()

total = videos.library_count(studio, flt)  # one count a rerun, stopping at 10,000 ("10,000+")
pages = total.pages(PAGE_SIZE)
page = page_col.number_input(
    f"Page (of {pages:,}{'+' if total.more else ''})",
    min_value=1,
    max_value=None if total.more else pages,
    value=1,
    key="videos_page",
)
shown = videos.library_page(studio, flt, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE, total=total)
kinds = set(flt.media_kinds)
held = "images" if kinds == {MediaKind.IMAGE} else "videos" if kinds == {MediaKind.VIDEO} else "videos and images"
st.caption(f"{total} set{'s' if total.plural() else ''} of {held}.")
if selecting:
    with st.container(border=True, key="videos-bulk"):
        picked = selection.selection_row("videos", [v.id for v in shown], lambda: bulk.matching_ids(studio, flt), total)
        selection.set_actions("videos", picked, "my_videos", comparable=True)
if not shown:
    st.info(
        "Nothing here yet. Make a video or an image on the Create video page, or import a file."
        if total.value == 0
        else "Nothing on this page."
        if page > 1
        else "Nothing matches these filters.",
        icon=":material/video_library:",
    )

grid_anchor()
for start in range(0, len(shown), COLUMNS):
    for column, view in zip(st.columns(COLUMNS), shown[start : start + COLUMNS]):
        with column:
            video_card(view, key=str(view.id), selecting=selecting)

if st.session_state.get("compare"):
    compare_dialog()
elif st.session_state.get("lightbox"):
    opened = videos.generation(studio, st.session_state["lightbox"]["generation"])
    if opened is not None and opened.media_kind == MediaKind.IMAGE:
        image_lightbox()
    else:
        lightbox()
