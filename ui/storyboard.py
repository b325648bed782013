"""The Storyboard page's timeline: every card as a block at its time, as wide as it lasts, the
spacing between cards written on it, and whether the change to the next card is a cut or a dissolve."""

from __future__ import annotations

import html

import streamlit as st

from core.videos import operations as ops
from core.videos.timeline import CardKind, dissolves

COLOURS = {CardKind.TEXT: "#4c6ef5", CardKind.IMAGE: "#2f9e44", CardKind.CLIP: "#e8590c"}
STYLE = """<style>
.ms-timeline{position:relative;height:78px;margin:4px 0 26px;border-radius:8px;background:#8881;font:13px sans-serif}
.ms-timeline .ms-sb-card{position:absolute;top:0;bottom:0;box-sizing:border-box;padding:6px 8px;color:#fff;
 border-right:2px solid #fff;overflow:hidden;white-space:nowrap;text-overflow:ellipsis}
.ms-timeline .ms-sb-card b{display:block}
.ms-timeline .ms-tick{position:absolute;top:80px;font-size:11px;color:#888;transform:translateX(-50%);
 white-space:nowrap}
.ms-timeline .ms-join{position:absolute;top:-18px;font-size:11px;color:#888;transform:translateX(-50%)}
</style>"""


def timeline(board: ops.Storyboard) -> None:
    """Draw the cards on one bar over the storyboard's length."""
    total = board.total_s or 1.0
    blocks = []
    for number, (card, length) in enumerate(zip(board.cards, board.lengths), start=1):
        left, width = 100 * card.at_s / total, 100 * max(0.0, length) / total
        blocks.append(
            f'<div class="ms-sb-card" style="left:{left:.3f}%;width:{width:.3f}%;background:{COLOURS[card.kind]}" '
            f'title="{html.escape(card.prompt)}"><b>{number} · {card.kind.label}</b>{length:g} s · '
            f"{html.escape(card.title)}</div>"
            f'<div class="ms-tick" style="left:{left:.3f}%">{card.at_s:g} s</div>'
        )
    for card, dissolve in zip(board.cards[1:], dissolves(board.cards, board.total_s)):
        join = "dissolve" if dissolve else "cut"
        blocks.append(f'<div class="ms-join" style="left:{100 * card.at_s / total:.3f}%">{join}</div>')
    blocks.append(f'<div class="ms-tick" style="left:100%">{board.total_s:g} s</div>')
    st.html(f'{STYLE}<div class="ms-timeline" role="img" aria-label="Timeline">{"".join(blocks)}</div>')
