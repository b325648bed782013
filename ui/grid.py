"""The My Videos grid: a poster per set that plays its sprite strip on hover (CSS steps over the
tiles; never a video player in the grid), with its status and a Play button."""

from __future__ import annotations

import html

import streamlit as st

import ui
from core.videos import library as videos
from core.videos.kinds import SetStatus


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
    digest = cover.video_sha256 if cover else None
    poster = videos.poster_url(studio, digest) if digest else None
    sprite = videos.sprite_url(studio, digest) if digest else None
    subtitle = f"{view.seconds}s · {view.aspect_ratio} · {view.ready}/{len(view.variations)} ready"
    st.html(_card_html(poster, sprite, view.prompt, subtitle, max(0.3, view.width / view.height)))
    star = "★ " if view.favourite else ""
    st.caption(f"{star}{view.prompt[:90]}{'…' if len(view.prompt) > 90 else ''}")
    if st.button(
        "Play",
        key=f"open-{key}",
        icon=":material/play_circle:",
        use_container_width=True,
        disabled=cover is None and view.status != SetStatus.FAILED,
    ):
        st.session_state["lightbox"] = {"generation": view.id, "index": 0}
        st.rerun()
