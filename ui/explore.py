"""Explore's Streamlit pieces: the preview worker held once per server process, an example's card
(its preview in the grid's card look, or "Preparing preview…"), a library card, and the small
fragment that redraws the page when previews arrive."""

from __future__ import annotations

import html

import streamlit as st

import ui
from core.videos import explore
from core.videos import library as videos


@st.cache_resource(show_spinner=False)
def preview_worker() -> explore.PreviewWorker:
    """One per server process, like the job runner; it renders each missing preview once."""
    return explore.PreviewWorker(ui.studio()).start()


def ensure_preview_worker() -> explore.PreviewWorker:
    worker = preview_worker()
    if not worker.alive:  # a worker that died is replaced, never left silent
        preview_worker.clear()
        worker = preview_worker()
    return worker


def _card(poster: str | None, sprite: str | None, alt: str, subtitle: str, aspect: float) -> str:
    """The grid's card (``ui.grid``'s stylesheet): a poster that plays its sprite strip on hover."""
    style = f"padding-top:{100 / aspect:.2f}%;" + (f"background-image:url('{poster}');" if poster else "")
    sprite_div = f"<div class='ms-sprite' style=\"--sprite:url('{sprite}');\"></div>" if sprite else ""
    # A tall card is narrowed to at most a square's height, so one 9:16 example does not stretch its row.
    width = f"max-width:{min(100.0, 100 * aspect):.1f}%;margin:0 auto;"
    return (
        f'<div style="{width}"><div class="ms-card" role="img" aria-label="{html.escape(alt)}" '
        f'title="{html.escape(alt)}" '
        f'style="{style}">{sprite_div}<div class="ms-meta">{html.escape(subtitle)}</div></div></div>'
    )


def _ratio(aspect: str) -> float:
    width, height = (int(v) for v in aspect.split(":"))
    return width / height


def example_card(item: explore.Example, status: explore.PreviewStatus) -> None:
    """The example's moving preview when it is ready, else a card that says it is being prepared."""
    preset = "no preset" if item.preset == "None" else item.preset
    subtitle = f"{item.seconds}s · {item.aspect} · {preset}"
    poster = sprite = None
    if status == explore.PreviewStatus.READY:
        files = explore.preview_files(ui.studio(), item)
        poster, sprite = ui.media_url(files.poster), ui.media_url(files.sprite)
    elif status == explore.PreviewStatus.UNAVAILABLE:
        subtitle += " · no preview"
    else:
        subtitle += " · preparing preview…"
    st.html(_card(poster, sprite, item.title, subtitle, _ratio(item.aspect)))


def library_card(view: videos.GenerationView, note: str, key: str) -> None:
    """A set from the library: its cover's poster and strip, and a button that opens it in the Library."""
    studio = ui.studio()
    digest = view.cover.video_sha256 if view.cover else None
    poster = ui.media_url(videos.poster_path(studio, digest)) if digest else None
    sprite = ui.media_url(videos.sprite_path(studio, digest)) if digest else None
    st.html(_card(poster, sprite, view.prompt, note, max(0.3, view.width / view.height)))
    st.caption(ui.plain(view.prompt[:80] + ("…" if len(view.prompt) > 80 else "")))
    opened = st.button(
        "Open in the Library", key=f"explore-open-{key}", icon=":material/play_circle:", use_container_width=True
    )
    if opened:
        st.session_state["lightbox"] = {"generation": view.id, "index": 0}
        st.switch_page("pages/my_videos.py")


def watch_previews(worker: explore.PreviewWorker) -> None:
    """While any preview is still being made, check every second or two and redraw the page when
    more are ready (the page itself never waits for a render)."""
    ready = _ready_count(worker)
    st.session_state["explore_ready"] = ready
    if ready < len(explore.examples()):
        _watch(worker)


def _ready_count(worker: explore.PreviewWorker) -> int:
    return sum(worker.status(e) != explore.PreviewStatus.PREPARING for e in explore.examples())


@st.fragment(run_every=1.5)
def _watch(worker: explore.PreviewWorker) -> None:
    if _ready_count(worker) > st.session_state.get("explore_ready", 0):
        st.rerun(scope="app")
