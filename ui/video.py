"""Video widgets the pages share: the job runner, the live progress fragment, the hover grid and
the lightbox. One runner per server process (``st.cache_resource``); pages only read rows."""

from __future__ import annotations

import html

import streamlit as st

import ui
from core.captions.service import date_range
from core.errors import StudioError
from core.videos import library as videos
from core.videos.jobs.runner import JobRunner

STATUS_ICONS = {
    "completed": ":material/check_circle:",
    "failed": ":material/error:",
    "active": ":material/hourglass_top:",
    "partly failed": ":material/warning:",
}


@st.cache_resource(show_spinner=False)
def job_runner() -> JobRunner:
    """Started once per server process; it resumes whatever a previous process left unfinished."""
    return JobRunner(ui.studio()).start()


def ensure_runner() -> JobRunner:
    runner = job_runner()
    if not runner.alive:  # a runner that died is replaced, never left silent
        job_runner.clear()
        runner = job_runner()
    return runner


def progress_panel() -> None:
    """Live progress of every video being made; it ticks only while something is being made, so an
    idle page is not rerun every second."""
    jobs = videos.active_jobs(ui.studio())
    if jobs:
        # Remember them now, so the fragment refreshes the whole page even if they finish before its first tick.
        st.session_state.setdefault("_active_generations", set()).update(j[0] for j in jobs)
        _live_progress()


@st.fragment(run_every=1.0)
def _live_progress() -> None:
    """Refreshes itself each second; the rest of the page never waits for it."""
    jobs = videos.active_jobs(ui.studio())
    seen = st.session_state.setdefault("_active_generations", set())
    if not jobs:
        if seen:  # something just finished: refresh the page once so the grid shows it
            seen.clear()
            st.rerun(scope="app")
        return
    with st.container(border=True):
        st.markdown(f"**Making {len(jobs)} video{'s' if len(jobs) != 1 else ''}…**")
        for generation_id, position, status, progress in jobs:
            seen.add(generation_id)
            label = {
                "queued": "waiting for a free slot",
                "submitting": "sending to the service",
                "in_progress": "rendering",
                "downloading": "downloading",
            }.get(status, status)
            st.progress(
                int(progress) / 100, text=f"Set #{generation_id} · variation {position + 1} · {label} · {progress:.0f}%"
            )


def generation_filters(prefix: str, **extra) -> videos.GenerationFilter:
    """The search-and-filter row My Videos and History share; ``extra`` adds fields such as folder."""
    search_col, status_col, backend_col, date_col = st.columns([3, 2, 2, 2])
    search = search_col.text_input("Search prompts", key=f"{prefix}_search", placeholder="e.g. lighthouse")
    statuses = status_col.multiselect("Status", ["completed", "active", "failed"], key=f"{prefix}_status")
    backends = backend_col.multiselect(
        "Back-end", ["offline", "openai-videos", "import"], format_func=ui.video_backend_label, key=f"{prefix}_backend"
    )
    date_from, date_to = date_range(date_col.date_input("Created between", value=(), key=f"{prefix}_dates"))
    return videos.GenerationFilter(
        search=search, statuses=tuple(statuses), backends=tuple(backends), date_from=date_from, date_to=date_to, **extra
    )


def _card_html(poster: str | None, sprite: str | None, title: str, subtitle: str, aspect: float) -> str:
    """A poster that plays its sprite strip on hover (CSS steps over the tiles; no video players)."""
    frames = videos.SPRITE_FRAMES
    poster_css = f"background-image:url('{poster}');" if poster else "background:#222;"
    sprite_rule = (
        f".ms-card:hover .ms-sprite{{opacity:1;animation:ms-play 2s steps({frames - 1}) infinite;}}" if sprite else ""
    )
    sprite_div = (
        (
            f"<div class='ms-sprite' style=\"background-image:url('{sprite}');"
            f'background-size:{frames * 100}% 100%;"></div>'
        )
        if sprite
        else ""
    )
    return f"""
<style>
.ms-card{{position:relative;width:100%;padding-top:{100 / aspect:.2f}%;border-radius:10px;overflow:hidden;
  {poster_css}background-size:cover;background-position:center;}}
.ms-sprite{{position:absolute;inset:0;opacity:0;background-repeat:no-repeat;background-position:0 0;}}
{sprite_rule}
@keyframes ms-play{{from{{background-position:0 0;}}to{{background-position:100% 0;}}}}
.ms-meta{{position:absolute;left:0;right:0;top:0;padding:6px 10px;font-size:0.8rem;color:#fff;
  background:linear-gradient(rgba(0,0,0,.7),transparent);}}
</style>
<div class="ms-card" title="{html.escape(title)}">{sprite_div}
  <div class="ms-meta">{html.escape(subtitle)}</div></div>"""


def video_card(view: videos.GenerationView, key: str) -> None:
    studio = ui.studio()
    cover = view.cover
    poster = videos.poster_url(studio, cover.video_sha256) if cover else None
    sprite = videos.sprite_url(studio, cover.video_sha256) if cover else None
    done = sum(v.status == "completed" for v in view.variations)
    subtitle = f"{view.seconds}s · {view.aspect_ratio} · {done}/{len(view.variations)} ready"
    st.html(_card_html(poster, sprite, view.prompt, subtitle, max(0.3, view.width / view.height)))
    star = "★ " if view.favourite else ""
    st.caption(f"{star}{view.prompt[:90]}{'…' if len(view.prompt) > 90 else ''}")
    if st.button(
        "Play",
        key=f"open-{key}",
        icon=":material/play_circle:",
        use_container_width=True,
        disabled=cover is None and view.status != "failed",
    ):
        st.session_state["lightbox"] = {"generation": view.id, "index": 0}
        st.rerun()


def _close_lightbox() -> None:
    st.session_state.pop("lightbox", None)


@st.dialog("Video", width="large", on_dismiss=_close_lightbox)
def lightbox() -> None:
    """Plays one variation; Left and Right step through the set (native button shortcuts)."""
    state = st.session_state.get("lightbox")
    studio = ui.studio()
    view = videos.generation(studio, state["generation"]) if state else None
    if view is None:
        st.info("This video no longer exists.")
        return
    count = len(view.variations)
    index = state["index"] % count
    variation = view.variations[index]
    previous_col, title_col, next_col = st.columns([1, 4, 1], vertical_alignment="center")
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
    if variation.status == "completed" and variation.video_sha256:
        path = videos.video_path(studio, variation.video_sha256)
        st.video(str(path), loop=True, autoplay=True, muted=True)
    elif variation.status == "failed":
        st.error(variation.error or "This variation failed.", icon=":material/error:")
    else:
        st.progress(
            int(variation.progress) / 100, text=f"{variation.status.replace('_', ' ')} · {variation.progress:.0f}%"
        )
    with st.expander("Prompt and settings", expanded=True):
        st.text(view.prompt)
        crop = " · cropped on this computer" if view.local_crop else ""
        st.caption(
            f"{ui.video_backend_label(view.backend)} · {view.model} · {view.width}×{view.height}{crop} · "
            f"{view.seconds} s · preset {view.style_preset} · status {variation.status}"
        )
    from ui import edit_toolbar

    edit_toolbar.lineage_panel(view, variation)
    if variation.status == "completed" and variation.video_sha256:
        edit_toolbar.toolbar(view, variation)
    with st.expander("Folder"):
        folder = st.text_input("Folder name (empty for none)", view.folder or "", key=f"lb-folder-{view.id}")
        if st.button("Move to folder", key=f"lb-move-{view.id}"):
            try:
                videos.set_folder(studio, view.id, folder)
            except StudioError as exc:
                st.error(exc.message)
            else:
                st.toast(f"Moved to “{folder.strip()}”." if folder.strip() else "Removed from its folder.")
    download_col, favourite_col, delete_col = st.columns(3)
    if variation.video_sha256:
        download_col.download_button(
            "Download",
            data=videos.video_path(studio, variation.video_sha256).read_bytes,
            file_name=f"media-studio-{view.id}-{index + 1}.mp4",
            mime="video/mp4",
            icon=":material/download:",
            on_click="ignore",
            use_container_width=True,
        )
    if favourite_col.button(
        "Unfavourite" if view.favourite else "Favourite", icon=":material/star:", key="lb-fav", use_container_width=True
    ):
        videos.set_favourite(studio, view.id, not view.favourite)
        st.rerun(scope="fragment")
    with delete_col.popover("Delete set", icon=":material/delete:", use_container_width=True):
        st.write("Delete every variation of this set? This cannot be undone.")
        if st.button("Delete", type="primary", key="lb-delete"):
            try:
                videos.delete_generation(studio, view.id)
            except StudioError as exc:
                st.error(exc.message)
            else:
                st.session_state.pop("lightbox", None)
                st.rerun()
