"""The lightbox of an image set: one still at a time (Left and Right step through the set), its
prompt and what it cost, and what to do with it: Animate (Create video with it as the first frame),
Caption (Caption Studio with it loaded), Remix (a new still in the set, changed as the words say)."""

from __future__ import annotations

import streamlit as st

import ui
from core import trash
from core.errors import StudioError
from core.videos import create, image_sets
from core.videos import library as videos
from core.videos.kinds import BackendKey, VariationStatus
from ui.download import download_link
from ui.history import offer_undo
from ui.sign_in import current_person

IMAGE_CSS = """<style>
[data-testid="stDialog"] [data-testid="stImage"] img{max-height:calc(100vh - 300px);object-fit:contain;}
</style>"""


def _close() -> None:
    st.session_state.pop("lightbox", None)


def _made_with(view: videos.GenerationView) -> str:
    if view.backend == BackendKey.OFFLINE:
        return f"{image_sets.OFFLINE_LABEL} — not an AI image"
    return f"{ui.video_backend_label(view.backend)} · {ui.plain(view.model)}"


def _step(state: dict, index: int, count: int, by: int) -> None:
    state["index"] = (index + by) % count
    st.rerun(scope="fragment")


@st.dialog("Image", width="large", on_dismiss=_close)
def image_lightbox() -> None:
    state = st.session_state.get("lightbox")
    studio = ui.studio()
    view = videos.generation(studio, state["generation"]) if state else None
    if state is None or view is None:
        st.info("This image no longer exists.")
        return
    count = len(view.variations)
    wanted = state.pop("variation", None)
    if wanted is not None:
        state["index"] = next((i for i, v in enumerate(view.variations) if v.id == wanted), 0)
    index = state["index"] % count
    variation = view.variations[index]
    st.html(IMAGE_CSS)
    picture, side = st.columns([3, 2], gap="medium")
    with picture:
        previous_col, title_col, next_col = st.columns([1.5, 3, 1.5], vertical_alignment="center")
        if previous_col.button(
            "Previous", icon=":material/chevron_left:", shortcut="Left", key="ilb-prev", disabled=count < 2
        ):
            _step(state, index, count, -1)
        title_col.markdown(f"**Image {index + 1} of {count}** · set #{view.id}")
        if next_col.button(
            "Next", icon=":material/chevron_right:", shortcut="Right", key="ilb-next", disabled=count < 2
        ):
            _step(state, index, count, 1)
        path = image_sets.image_path(studio, variation.video_sha256) if variation.video_sha256 else None
        if variation.status == VariationStatus.COMPLETED and path is not None:
            st.image(str(path), use_container_width=True)
        elif variation.status == VariationStatus.FAILED:
            st.error(ui.plain(variation.error or "This image failed."), icon=":material/error:")
        else:
            st.progress(int(variation.progress) / 100, text=f"{variation.status.label} · {variation.progress:.0f}%")
    with side:
        download_col, favourite_col, trash_col = st.columns(3)
        if path is not None:
            download_link(studio.home, path, f"media-studio-{view.id}-{index + 1}{path.suffix}", where=download_col)
        if favourite_col.button(
            "Unfavourite" if view.favourite else "Favourite", icon=":material/star:", key="ilb-fav"
        ):
            videos.set_favourite(studio, view.id, not view.favourite)
            st.rerun(scope="fragment")
        if trash_col.button(
            "Trash", icon=":material/delete:", key="danger-ilb-trash", help="Move the set to the Trash (Undo follows)"
        ):
            try:
                offer_undo(trash.trash_set(studio, view.id), "my_videos")
            except StudioError as exc:
                st.error(ui.plain(exc.message))
            else:
                _close()
                st.rerun()
        with st.expander("Prompt and settings", expanded=True):
            st.text(view.prompt)
            crop = " · cropped to the aspect on this computer" if view.local_crop else ""
            tokens = image_sets.usage(studio, variation.id).get("total_tokens")
            spent = f" · {tokens:,} tokens" if tokens else ""
            who = variation.made_by or view.made_by
            by = f" · by {ui.plain(who)}" if who else ""
            st.caption(f"{_made_with(view)} · {view.width}×{view.height}{crop}{spent} · status {variation.status}{by}")
        if path is not None:
            _actions(variation.id)


def _actions(variation_id: int) -> None:
    studio = ui.studio()
    animate_col, caption_col = st.columns(2)
    if animate_col.button(
        "Animate",
        icon=":material/animation:",
        key="ilb-animate",
        help="Create video with this image as the first frame",
        use_container_width=True,
    ):
        backend = create.default_backend(studio)
        model = create.model_choices(studio, backend)[0]
        st.session_state["recall"] = image_sets.animate(studio, variation_id, backend, model)
        _close()
        st.switch_page("pages/create_video.py")
    if caption_col.button(
        "Caption",
        icon=":material/subtitles:",
        key="ilb-caption",
        help="Caption Studio on this image",
        use_container_width=True,
    ):
        st.session_state["caption_handoff"] = image_sets.caption_handoff(studio, variation_id)
        _close()
        st.switch_page("pages/caption_studio.py")
    with st.form("ilb-remix", border=False):
        change = st.text_input("Remix: the change, in words", placeholder="e.g. make it night, add falling snow")
        if st.form_submit_button("Remix", icon=":material/auto_fix_high:"):
            try:
                image_sets.queue_remix(studio, variation_id, change, current_person())
            except StudioError as exc:
                st.error(ui.plain(exc.message), icon=":material/error:")
            else:
                st.toast("Queued: the remixed image joins this set when it is ready.", icon=":material/schedule:")
                st.rerun()
