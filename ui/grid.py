"""The My Videos grid: a poster per set that plays its sprite strip on hover (CSS steps over the
tiles; never a video player in the grid), with its status and a Play button."""

from __future__ import annotations

import html

import streamlit as st

import ui
from core.errors import StudioError
from core.videos import library as videos
from core.videos.kinds import MediaKind, SetStatus, VariationStatus
from ui import selection

GRID_CSS = f"""<style>
.ms-card{{position:relative;width:100%;border-radius:10px;overflow:hidden;background:#222 center/cover no-repeat;}}
.ms-sprite{{position:absolute;inset:0;opacity:0;background-repeat:no-repeat;background-position:0 0;
  background-size:{videos.SPRITE_FRAMES * 100}% 100%;}}
.ms-card:hover .ms-sprite{{opacity:1;background-image:var(--sprite);
  animation:ms-play 2s steps({videos.SPRITE_FRAMES - 1}) infinite;}}
@keyframes ms-play{{from{{background-position:0 0;}}to{{background-position:100% 0;}}}}
.ms-meta{{position:absolute;left:0;right:0;top:0;padding:6px 10px;font-size:0.8rem;color:#fff;
  background:linear-gradient(rgba(0,0,0,.7),transparent);}}
.ms-failed .ms-meta{{background:linear-gradient(rgba(160,20,20,.85),transparent);}}
.ms-skip{{position:absolute;left:-9999px;top:0;z-index:1000;padding:8px 14px;border-radius:8px;
  background:#7C5CFF;color:#fff !important;text-decoration:none;}}
.ms-skip:focus{{left:0;}}
.ms-reason{{position:absolute;left:0;right:0;bottom:0;padding:6px 10px;font-size:0.75rem;color:#fdd;
  background:linear-gradient(transparent,rgba(0,0,0,.8));}}
</style>"""


def skip_to_grid() -> None:
    """A "Skip to the videos" link, first in the page and shown only when focused by keyboard, so a
    keyboard user reaches the cards without tabbing through every filter (WCAG's bypass blocks)."""
    st.html('<a class="ms-skip" href="#ms-grid">Skip to the videos</a>')


def grid_anchor() -> None:
    """Where the skip link lands: the next Tab reaches the first card's controls."""
    st.html('<div id="ms-grid" tabindex="-1" aria-label="Videos"></div>')


def grid_styles() -> None:
    """The grid's one stylesheet; each card carries only its own values inline (a per-card <style>
    would redefine the shared classes, and the last card's poster and shape would win everywhere)."""
    st.html(GRID_CSS)


def _card_html(
    poster: str | None, sprite: str | None, alt: str, subtitle: str, aspect: float, reason: str | None = None
) -> str:
    """A poster at the set's own aspect ratio that plays its sprite strip on hover (no video players)."""
    style = f"padding-top:{100 / aspect:.2f}%;" + (f"background-image:url('{poster}');" if poster else "")
    # The strip is fetched on the first hover only: its URL sits in a custom property that only the
    # :hover rule reads (a background on a hidden layer would still be downloaded with the page).
    sprite_div = f"<div class='ms-sprite' style=\"--sprite:url('{sprite}');\"></div>" if sprite else ""
    classes = "ms-card ms-failed" if reason is not None else "ms-card"
    why = f'<div class="ms-reason">{html.escape(reason)}</div>' if reason else ""
    return (
        f'<div class="{classes}" role="img" aria-label="{html.escape(alt)}" title="{html.escape(alt)}" '
        f'style="{style}">{sprite_div}<div class="ms-meta">{html.escape(subtitle)}</div>{why}</div>'
    )


def _badge(view: videos.GenerationView) -> str:
    if view.status == SetStatus.ACTIVE:
        return "making"
    if view.status == SetStatus.FAILED:
        return str(SetStatus.FAILED)
    return f"{view.ready}/{len(view.variations)} ready"


def video_card(view: videos.GenerationView, key: str, selecting: bool = False) -> None:
    studio = ui.studio()
    cover = view.cover
    digest = cover.video_sha256 if cover else None
    poster = ui.media_url(videos.poster_path(studio, digest)) if digest else None
    sprite = ui.media_url(videos.sprite_path(studio, digest)) if digest else None
    is_image = view.media_kind == MediaKind.IMAGE  # a still: its poster, no hover strip
    subtitle = f"{'image' if is_image else f'{view.seconds}s'} · {view.aspect_ratio} · {_badge(view)}"
    reason = None
    if view.status == SetStatus.FAILED:
        reason = next((v.error for v in view.variations if v.error), "") or "Every variation failed."
    st.html(_card_html(poster, sprite, view.prompt, subtitle, max(0.3, view.width / view.height), reason))
    star = "★ " if view.favourite else ""
    tags = "  ".join(f"#{t}" for t in view.tags)
    st.caption(
        ui.plain(f"{star}{view.prompt[:90]}{'…' if len(view.prompt) > 90 else ''}")
        + (f"  \n{ui.plain(tags)}" if tags else "")
    )
    if selecting:
        selection.checkbox("videos", view.id, f"Select set #{view.id}")
    failed = any(v.status == VariationStatus.FAILED for v in view.variations)
    play_col, retry_col = st.columns([3, 2]) if failed else (st.container(), None)
    if play_col.button(
        "Open" if is_image else "Play",
        key=f"open-{key}",
        icon=":material/play_circle:",
        use_container_width=True,
        disabled=cover is None and view.status != SetStatus.FAILED,
    ):
        st.session_state["lightbox"] = {"generation": view.id, "index": 0}
        st.rerun()
    if retry_col is not None and retry_col.button(
        "Retry", key=f"retry-{key}", icon=":material/refresh:", use_container_width=True
    ):
        try:
            count = videos.retry_failed(studio, view.id)
        except StudioError as exc:
            st.error(ui.plain(exc.message))
        else:
            st.toast(f"Set #{view.id}: {count} variation{'s' if count != 1 else ''} queued again.")
            st.rerun()
