"""Compare: two to four variations side by side in one dialog, played in sync (one Play/Pause and
one seek bar for all), each with its prompt, how it was made, duration and size, and "Keep this
one" to make it its set's cover.

The players are plain <video> elements in one ``st.html`` block whose small script keeps them
together: the longest clip is the clock, the others follow it (a nudge of their playback rate for a
small drift, a jump for a large one), a seek pauses them all until every one has landed, and the
group loops when the longest clip ends (a shorter one holds its last frame until then). Their
files come from Streamlit's media file manager, as ``st.video``'s do, not inline in the page.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

import streamlit as st

import ui
from core import downloads
from core.errors import StudioError
from core.videos import compare
from core.videos import library as videos

STATE = "compare"  # session state: the compared variation ids, in order
RETURN = "compare-return"  # session state: the lightbox to show again when Compare closes
OPENED = "compare-opened"  # session state: counts openings, so each starts with a fresh picker

SYNC_CSS = """
.ms-compare{display:flex;flex-direction:column;gap:8px;}
.ms-cmp-grid{display:grid;gap:8px;align-items:center;}
.ms-cmp-grid video{display:block;width:100%;height:clamp(140px,calc(100vh - 560px),560px);object-fit:contain;
  background:#000;border-radius:8px;cursor:pointer;}
.ms-cmp-bar{display:flex;align-items:center;gap:12px;}
.ms-cmp-play{min-width:6.5rem;padding:6px 14px;border:0;border-radius:8px;background:#6645e8;color:#fff;
  font:inherit;cursor:pointer;}
.ms-cmp-play:focus-visible{outline:2px solid #fff;outline-offset:2px;}
.ms-cmp-seek{flex:1;accent-color:#7c5cff;}
.ms-cmp-time{min-width:7rem;text-align:right;font-variant-numeric:tabular-nums;opacity:.85;}
"""

# Keeps the videos of one .ms-compare block together; the block's data-state says "paused",
# "playing" or "settling" (waiting for every video to land after a seek).
SYNC_JS = """
(() => {
  const here = document.currentScript && document.currentScript.parentNode;
  const root = (here && here.querySelector('.ms-compare')) || [...document.querySelectorAll('.ms-compare')].pop();
  if (!root || root.dataset.state) return;
  const videos = [...root.querySelectorAll('video')];
  const button = root.querySelector('.ms-cmp-play');
  const seek = root.querySelector('.ms-cmp-seek');
  const clock = root.querySelector('.ms-cmp-time');
  const END = 0.05;
  let playing = false, settling = false, dragging = false, token = 0;
  const leader = () => videos.reduce((a, b) => ((b.duration || 0) > (a.duration || 0) ? b : a));
  const length = () => Math.max(Number(seek.max) || 0, ...videos.map((v) => v.duration || 0));
  const state = () => { root.dataset.state = settling ? 'settling' : playing ? 'playing' : 'paused'; };
  const show = (t) => {
    if (!dragging) seek.value = t;
    clock.textContent = t.toFixed(1) + ' / ' + length().toFixed(1) + ' s';
  };
  const label = () => {
    button.textContent = playing ? '\\u23f8 Pause' : '\\u25b6 Play';
    button.setAttribute('aria-pressed', String(playing));
    state();
  };
  const startAll = (t) => videos.forEach((v) => {
    v.playbackRate = 1;
    if (t < (v.duration || Infinity) - END) v.play().catch(() => {});  // a shorter clip waits at its end
  });
  function seekAll(t) {
    const mine = ++token;
    settling = true; state();
    videos.forEach((v) => v.pause());
    let pending = videos.length;
    videos.forEach((v) => {
      let done = false;
      const landed = () => {
        if (done) return;
        done = true;
        v.removeEventListener('seeked', landed);
        if (--pending === 0 && mine === token) {
          settling = false; state();
          if (playing) startAll(t);
        }
      };
      v.addEventListener('seeked', landed);
      setTimeout(landed, 2000);  // a video with nothing loaded yet never says "seeked"
      v.currentTime = Math.min(t, Math.max(0, (v.duration || t) - END));
    });
    show(t);
  }
  function tick() {
    if (!root.isConnected) return;
    const lead = leader();
    if (playing && !settling && !lead.paused) {
      const t = lead.currentTime;
      videos.forEach((v) => {
        if (v === lead || v.seeking) return;
        if (t >= (v.duration || 0) - END) { v.playbackRate = 1; return; }
        if (v.paused) { v.currentTime = t; v.play().catch(() => {}); return; }
        const drift = v.currentTime - t;
        if (Math.abs(drift) > 0.5) v.currentTime = t;
        else v.playbackRate = Math.abs(drift) < 0.03 ? 1 : drift > 0 ? 0.92 : 1.08;
      });
      show(t);
    }
    requestAnimationFrame(tick);
  }
  videos.forEach((v) => {
    v.muted = true;
    v.addEventListener('loadedmetadata', () => { seek.max = length(); show(Number(seek.value) || 0); });
    v.addEventListener('ended', () => { if (playing && v === leader()) seekAll(0); });  // the group loops
    v.addEventListener('click', () => button.click());
  });
  button.addEventListener('click', () => {
    playing = !playing;
    label();
    const lead = leader();
    const t = lead.currentTime >= (lead.duration || Infinity) - END ? 0 : lead.currentTime;
    seekAll(t);  // line every video up on the clock, then (when playing) start them together
  });
  seek.addEventListener('input', () => { dragging = true; seekAll(Number(seek.value)); });
  seek.addEventListener('change', () => { dragging = false; });
  label();
  show(0);
  requestAnimationFrame(tick);
})();
"""


def _media_url(path: Path) -> str:
    """The video from the studio's file route: played and seeked by byte ranges from disk, never
    read whole into the server's memory."""
    return downloads.link(ui.studio().home, path)


def sync_player_html(items: list[compare.CompareItem], urls: list[str]) -> str:
    """One block: the videos side by side, one Play/Pause and one seek bar for all, and the script."""
    longest = max(item.duration_s for item in items)
    cells = "".join(
        f'<video src="{html.escape(url)}" muted playsinline preload="auto" '
        f'data-variation="{item.variation_id}" aria-label="{html.escape(item.label)}" '
        f'title="{html.escape(item.label)}"></video>'
        for item, url in zip(items, urls)
    )
    return (
        f"<style>{SYNC_CSS}</style>"
        f'<div class="ms-compare" data-count="{len(items)}">'
        f'<div class="ms-cmp-grid" style="grid-template-columns:repeat({len(items)},minmax(0,1fr));">{cells}</div>'
        '<div class="ms-cmp-bar">'
        '<button type="button" class="ms-cmp-play" aria-label="Play or pause all">Play</button>'
        f'<input type="range" class="ms-cmp-seek" min="0" max="{json.dumps(round(longest, 2))}" step="0.01" '
        'value="0" aria-label="Seek all videos">'
        f'<span class="ms-cmp-time">0.0 / {longest:.1f} s</span>'
        "</div></div>"
        f"<script>{SYNC_JS}</script>"
    )


def open_compare(variation_ids: list[int]) -> None:
    """Open Compare on these variations (the lightbox, if open, comes back when Compare closes)."""
    st.session_state[STATE] = list(dict.fromkeys(variation_ids))[: compare.MAX_COMPARED]
    st.session_state[OPENED] = st.session_state.get(OPENED, 0) + 1
    returning = st.session_state.pop("lightbox", None)  # one dialog at a time
    st.session_state.pop(RETURN, None)
    if returning:
        st.session_state[RETURN] = returning
    st.rerun()


def _close_compare() -> None:
    st.session_state.pop(STATE, None)
    returning = st.session_state.pop(RETURN, None)
    if returning:
        st.session_state["lightbox"] = returning


def _picked(key: str) -> None:
    """The picker's choice becomes what is compared (an empty choice keeps the last one)."""
    picked = list(st.session_state.get(key) or [])
    if picked:
        st.session_state[STATE] = picked


def _size(item: compare.CompareItem) -> str:
    shown = f"{round(item.duration_s, 1):g} s · {item.width}×{item.height}"
    return shown + (f" · {item.bytes / 1_000_000:.1f} MB" if item.bytes else "")


def _details(item: compare.CompareItem) -> None:
    """What sits beneath a video: which it is, its prompt (plain text), how it was made, and Keep."""
    studio = ui.studio()
    st.markdown(f"**{item.label}**")
    with st.container(height=76, border=False, key=f"cmp-prompt-{item.variation_id}"):
        st.caption(ui.plain(item.prompt))
    st.caption(f"{ui.plain(item.made)} · {_size(item)}")
    if item.is_cover:
        st.button("The set's cover", icon=":material/check:", disabled=True, key=f"cmp-kept-{item.variation_id}")
    elif st.button("Keep this one", icon=":material/bookmark:", key=f"cmp-keep-{item.variation_id}"):
        try:
            videos.set_cover(studio, item.generation_id, item.variation_id)
        except StudioError as exc:
            st.error(ui.plain(exc.message))
            return
        st.toast(f"Variation {item.position + 1} is now the cover of set #{item.generation_id}.")
        st.rerun(scope="fragment")


@st.dialog("Compare", width="large", on_dismiss=_close_compare)
def compare_dialog() -> None:
    """The compared videos in sync, the picker to change them, and each one's facts beneath."""
    studio = ui.studio()
    ids = list(st.session_state.get(STATE) or [])
    choices = compare.compare_choices(studio, ids)
    key = f"compare-pick-{st.session_state.get(OPENED, 0)}"
    picked = st.multiselect(
        "Variations to compare (two to four)",
        list(choices),
        default=[i for i in ids if i in choices][: compare.MAX_COMPARED],
        format_func=lambda i: choices.get(i, f"Variation #{i}"),
        max_selections=compare.MAX_COMPARED,
        select_all=False,
        key=key,
        on_change=_picked,
        args=(key,),
        placeholder="Add a variation",
    )
    items = compare.compare_items(studio, picked)
    try:
        compare.check_count(len(items))
    except StudioError as exc:
        more = " Add one more from the list above." if len(items) == 1 else ""
        st.info(ui.plain(exc.message + more), icon=":material/compare:")
        return
    urls = [_media_url(videos.video_path(studio, item.video_sha256)) for item in items]
    st.html(sync_player_html(items, urls), unsafe_allow_javascript=True)
    for column, item in zip(st.columns(len(items)), items):
        with column:
            _details(item)
