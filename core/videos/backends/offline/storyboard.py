"""The offline animatic of a storyboard, and of an extension: segments drawn by the renderer
(``render.py``), joined by ``core.videos.ops.join``.

A storyboard becomes one segment per card, each exactly as long as the card (its frames counted
from the card times, so cuts land on them): a text card is the renderer's shot of its words, an
image card a Ken Burns move over the image (starting on it), a clip card the clip from its start.
Cards close together are joined by hard cuts, cards far apart by a dissolve centred on the card
time (``timeline.dissolves``). An extension is a continuation rendered from the source's last
frame with the new words, cut onto the source: the first new frame is the last old one.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

from PIL import Image

from core.videos.av.read import VideoInfo, frame_image
from core.videos.backends.offline.render import FPS, render_offline
from core.videos.operations import Storyboard
from core.videos.ops.join import Piece, join_pieces, last_picture
from core.videos.ops.output import Progress
from core.videos.ops.source import load_source
from core.videos.prompt import VideoPrompt
from core.videos.timeline import CardKind, dissolves

HALF_DISSOLVE_S = 0.5  # a dissolve lasts twice this, centred on the card time
RENDER_SHARE = 0.7  # of the progress bar: drawing the segments; the rest is joining them


def render_storyboard(
    board: Storyboard,
    width: int,
    height: int,
    dst: str | os.PathLike[str],
    scratch: Callable[[str], Path],
    image_for: Callable[[str], Image.Image],
    clip_for: Callable[[int], Path],
    preset: str | None = None,
    seed: int = 0,
    progress: Progress = None,
) -> VideoInfo:
    """Render ``board`` at width×height to ``dst``; ``scratch(name)`` gives a work file's path,
    ``image_for(digest)`` an image card's picture, ``clip_for(variation id)`` a clip card's file."""
    bounds = [round(card.at_s * FPS) for card in board.cards] + [round(board.total_s * FPS)]
    pieces = []
    for index, card in enumerate(board.cards):
        frames = bounds[index + 1] - bounds[index]
        if card.kind is CardKind.CLIP:
            assert card.variation_id is not None  # validated before it was queued
            pieces.append(Piece(clip_for(card.variation_id), card.start_s, frames))
        else:
            segment = scratch(f"card-{index}.mp4")
            reference = image_for(card.image_sha256) if card.kind is CardKind.IMAGE and card.image_sha256 else None
            render_offline(
                VideoPrompt(scene=card.prompt, visual="", motion=card.prompt),
                preset,
                width,
                height,
                frames / FPS,
                seed + index,
                segment,
                reference=reference,
                titles=False,
            )
            pieces.append(Piece(segment, 0.0, frames))
        if progress:
            progress(RENDER_SHARE * (index + 1) / len(board.cards))
    half = round(HALF_DISSOLVE_S * FPS)
    fades = [half if dissolve else 0 for dissolve in dissolves(board.cards, board.total_s)]

    def joining(fraction: float) -> None:
        if progress:
            progress(RENDER_SHARE + (1 - RENDER_SHARE) * fraction)

    return join_pieces(pieces, dst, width, height, Fraction(FPS), fades, joining)


def render_extension(
    source: Path,
    prompt: str,
    seconds: int,
    dst: str | os.PathLike[str],
    scratch: Callable[[str], Path],
    preset: str | None = None,
    seed: int = 0,
    progress: Progress = None,
) -> VideoInfo:
    """``source``, then ``seconds`` of what ``prompt`` says happens next, drawn from its last frame."""
    clip = load_source(source)
    width, height = clip.info.width - clip.info.width % 2, clip.info.height - clip.info.height % 2
    start = frame_image(last_picture(source)).convert("RGB")
    continuation = scratch("continuation.mp4")
    render_offline(
        VideoPrompt(scene=prompt, visual="", motion=prompt),
        preset,
        width,
        height,
        seconds,
        seed,
        continuation,
        reference=start,
        progress=(lambda f: progress(RENDER_SHARE * f)) if progress else None,
        titles=False,
    )
    rate = clip.rate
    pieces = [Piece(source, 0.0, len(clip.pts)), Piece(continuation, 0.0, max(1, round(seconds * rate)))]

    def joining(fraction: float) -> None:
        if progress:
            progress(RENDER_SHARE + (1 - RENDER_SHARE) * fraction)

    return join_pieces(pieces, dst, width, height, rate, progress=joining)
