"""The lightbox: one set in a dialog, with its prompt, lineage, the edit toolbar, folder, download,
favourite, Compare, and moves of the set or one variation to the Trash (with Undo).

Keyboard: Left and Right step through the set, F favourites, Delete moves what is shown to the
Trash (native button shortcuts); C opens Compare through a small key listener, because Streamlit
reserves C (its own "clear cache" key) and refuses it as a button shortcut. Escape closes."""

from __future__ import annotations

import streamlit as st

import ui
from core import trash
from core.errors import StudioError
from core.videos import edits
from core.videos import library as videos
from core.videos.kinds import VariationStatus
from ui import edit_toolbar
from ui.compare import open_compare
from ui.describe import video_text_panel
from ui.download import download_link
from ui.history import offer_undo, undo_notice
from ui.player import video_player
from ui.selection import danger_styles


def _close_lightbox() -> None:
    st.session_state.pop("lightbox", None)


def _trash_buttons(generation_id: int, variation_id: int, count: int) -> None:
    """Move the set, or just this variation, to the Trash (in the danger colour); the page then
    offers Undo. The Delete key moves what is shown: this variation, or the set when it is the only one."""
    set_col, variation_col = st.columns(2)
    moved: trash.TrashItem | None = None
    try:
        if set_col.button(
            "Move set to Trash",
            icon=":material/delete:",
            key="danger-lb-trash-set",
            shortcut="Delete" if count == 1 else None,
            use_container_width=True,
        ):
            moved = trash.trash_set(ui.studio(), generation_id)
        if count > 1 and variation_col.button(
            "Move this variation to Trash",
            icon=":material/delete:",
            key="danger-lb-trash-variation",
            shortcut="Delete",
            use_container_width=True,
        ):
            moved = trash.trash_variation(ui.studio(), variation_id)
    except StudioError as exc:
        st.error(ui.plain(exc.message))
    if moved is None:
        return
    offer_undo(moved, "my_videos")
    if moved.kind == trash.TrashKind.SET:
        st.session_state.pop("lightbox", None)
    st.rerun()


# The player fits the window: the whole frame of any aspect and the actions beside it stay in view.
PLAYER_CSS = """<style>
[data-testid="stDialog"] video{max-height:calc(100vh - 300px);background:#000;}
</style>"""

# C presses the lightbox's Compare button. Streamlit refuses "C" as a button shortcut (it keeps the
# key for itself), so one listener, installed once per page, catches it first (capture phase) and
# only while a lightbox with its Compare button is open and the user is not typing.
COMPARE_KEY_JS = """<script>
(() => {
  if (window.msCompareKey) return;
  window.msCompareKey = true;
  window.addEventListener('keydown', (event) => {
    if (event.key !== 'c' && event.key !== 'C') return;
    if (event.ctrlKey || event.metaKey || event.altKey || event.repeat) return;
    const target = event.composedPath()[0];
    if (target && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName))) return;
    const button = document.querySelector('[role="dialog"] .st-key-lb-compare button');
    if (!button || button.disabled) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    button.click();
  }, true);
})();
</script>"""


def _compare_ids(view: videos.GenerationView, index: int) -> list[int]:
    """What Compare opens with: this variation and the next ready one of its set (only this one
    when it is the set's only ready variation; Compare then asks for one more)."""
    current = view.variations[index]
    others = view.variations[index + 1 :] + view.variations[:index]
    after = [v.id for v in others if v.status == VariationStatus.COMPLETED]
    return [current.id, after[0]] if after else [current.id]


@st.dialog("Video", width="large", on_dismiss=_close_lightbox)
def lightbox() -> None:
    """Plays one variation; Left and Right step through the set (native button shortcuts)."""
    state = st.session_state.get("lightbox")
    studio = ui.studio()
    view = videos.generation(studio, state["generation"]) if state else None
    if state is None or view is None:
        st.info("This video no longer exists.")
        return
    count = len(view.variations)
    wanted = state.pop("variation", None)  # a lineage link names a variation, not a place in its set
    if wanted is not None:
        state["index"] = next((i for i, v in enumerate(view.variations) if v.id == wanted), 0)
    index = state["index"] % count
    variation = view.variations[index]
    st.html(PLAYER_CSS)
    st.html(COMPARE_KEY_JS, unsafe_allow_javascript=True)
    danger_styles()
    undo_notice("my_videos", "lb-undo")
    player, side = st.columns([3, 2], gap="medium")
    with player:
        previous_col, title_col, next_col = st.columns([1.5, 3, 1.5], vertical_alignment="center")
        if previous_col.button(
            "Previous",
            icon=":material/chevron_left:",
            shortcut="Left",
            key="lb-prev",
            disabled=count < 2,
            use_container_width=True,
        ):
            state["index"] = (index - 1) % count
            st.rerun(scope="fragment")
        title_col.markdown(f"**Variation {index + 1} of {count}** · set #{view.id}")
        if next_col.button(
            "Next",
            icon=":material/chevron_right:",
            shortcut="Right",
            key="lb-next",
            disabled=count < 2,
            use_container_width=True,
        ):
            state["index"] = (index + 1) % count
            st.rerun(scope="fragment")
        if variation.status == VariationStatus.COMPLETED and variation.video_sha256:
            path = videos.video_path(studio, variation.video_sha256)
            video_player(studio.home, path, f"Variation {index + 1} of set {view.id}")
        elif variation.status == VariationStatus.FAILED:
            st.error(ui.plain(variation.error or "This variation failed."), icon=":material/error:")
        else:
            st.progress(
                int(variation.progress) / 100,
                text=f"{str(variation.status).replace('_', ' ')} · {variation.progress:.0f}%",
            )
    with side:
        download_col, favourite_col, compare_col = st.columns(3)
        if variation.video_sha256:
            download_link(
                studio.home,
                videos.video_path(studio, variation.video_sha256),
                f"media-studio-{view.id}-{index + 1}.mp4",
                where=download_col,
            )
        if favourite_col.button(
            "Unfavourite" if view.favourite else "Favourite",
            icon=":material/star:",
            key="lb-fav",
            shortcut="F",
            use_container_width=True,
        ):
            videos.set_favourite(studio, view.id, not view.favourite)
            st.rerun(scope="fragment")
        if compare_col.button(
            "Compare",
            icon=":material/compare:",
            key="lb-compare",
            help="Play this variation beside others, in sync (C)",
            disabled=variation.status != VariationStatus.COMPLETED,
            use_container_width=True,
        ):
            open_compare(_compare_ids(view, index))
        _trash_buttons(view.id, variation.id, count)
        found = edits.lineage(studio, variation.id)
        with st.expander("Prompt and settings", expanded=True):
            st.text(found.prompt if found and found.prompt else view.prompt)
            crop = " · cropped on this computer" if view.local_crop else ""
            who = variation.made_by or view.made_by  # an edit's asker, else the set's maker
            st.caption(
                f"{ui.video_backend_label(view.backend)} · {ui.plain(view.model)} · {view.width}×{view.height}{crop} · "
                f"{round(variation.duration_s or view.seconds, 1):g} s · preset {ui.plain(view.style_preset)} · "
                f"status {variation.status}" + (f" · by {ui.plain(who)}" if who else "")
            )
        edit_toolbar.lineage_panel(variation, found)
        with st.expander("Folder"):
            folder = st.text_input("Folder name (empty for none)", view.folder or "", key=f"lb-folder-{view.id}")
            if st.button("Move to folder", key=f"lb-move-{view.id}"):
                try:
                    videos.set_folder(studio, view.id, folder)
                except StudioError as exc:
                    st.error(ui.plain(exc.message))
                else:
                    st.toast(
                        f"Moved to “{ui.plain(folder.strip())}”." if folder.strip() else "Removed from its folder."
                    )
        video_text_panel(variation)
    if variation.status == VariationStatus.COMPLETED and variation.video_sha256:
        edit_toolbar.toolbar(view, variation)
