"""Joining pieces of video into one clip at one size and frame rate, by hard cuts or dissolves:
a storyboard's cards, or an extension after its source.

A *piece* is a video file from ``start_s`` on that fills ``frames`` output frames (its last frame
held if the file runs out first), scaled to cover the output and centre-cropped. A dissolve of
half-length h at a change of pieces keeps the change where it is and the total length the sum
of the pieces: the outgoing piece's last h frames are mixed with the incoming piece's first
frame, then the incoming piece's first h frames with the outgoing piece's last one, the
incoming weight rising evenly over the 2h frames ((k + 1)/(2h + 1) on the k-th).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

from core.errors import StudioError
from core.videos.av.read import VideoInfo, probe
from core.videos.av.write import mp4_writer
from core.videos.ops.mix import FrameMixer
from core.videos.ops.output import Output, Progress
from core.videos.ops.source import decode_range, fit_frame, frames_at_rate, load_source

if TYPE_CHECKING:
    import av


@dataclass(frozen=True)
class Piece:
    path: Path
    start_s: float
    frames: int  # output frames it fills


def piece_frames(piece: Piece, width: int, height: int, rate: Fraction) -> Iterator[av.VideoFrame]:
    """The piece's ``frames`` output frames, fitted to width×height."""
    source = load_source(piece.path, missing="A clip of the video, “{name}”, no longer exists.")
    first = min(source.index(piece.start_s), len(source.pts) - 1)
    for frame in frames_at_rate(decode_range(source, first, len(source.pts)), rate, piece.frames):
        yield fit_frame(frame, width, height)


def last_picture(path: str | os.PathLike[str]) -> av.VideoFrame:
    """A video's last frame."""
    source = load_source(path)
    return next(frame for _, frame in decode_range(source, len(source.pts) - 1, len(source.pts)))


def join_pieces(
    pieces: Sequence[Piece],
    dst: str | os.PathLike[str],
    width: int,
    height: int,
    rate: Fraction,
    fades: Sequence[int] = (),
    progress: Progress = None,
) -> VideoInfo:
    """Write ``pieces`` in order to ``dst``; ``fades[i]`` is the half-length in frames of the
    dissolve between piece i and i + 1 (0, or missing: a hard cut)."""
    if not pieces or any(p.frames < 1 for p in pieces):
        raise StudioError("There is nothing to join: every piece needs at least one frame.")
    width, height = width - width % 2, height - height % 2
    halves = [max(0, int(f)) for f in fades][: len(pieces) - 1]
    halves += [0] * (len(pieces) - 1 - len(halves))
    for i, half in enumerate(halves):  # a dissolve fits inside both pieces, beside the others
        halves[i] = min(half, pieces[i].frames // 2, pieces[i + 1].frames // 2)
    mix = FrameMixer()
    with mp4_writer(Path(dst), width, height, rate) as writer:
        out = Output(writer, rate, sum(p.frames for p in pieces), progress)
        held: list[av.VideoFrame] = []  # the outgoing piece's last frames, waiting for the next one's first
        outgoing: av.VideoFrame | None = None
        for index, piece in enumerate(pieces):
            fade_in = halves[index - 1] if index else 0
            fade_out = halves[index] if index < len(halves) else 0
            last = None
            for number, frame in enumerate(piece_frames(piece, width, height, rate)):
                if number == 0 and held:
                    for k, old in enumerate(held):
                        out.add(mix(old, frame, (k + 1) / (2 * fade_in + 1)))
                    held = []
                picture = frame
                if number < fade_in and outgoing is not None:
                    picture = mix(outgoing, frame, (fade_in + number + 1) / (2 * fade_in + 1))
                if number >= piece.frames - fade_out:
                    held.append(picture)
                else:
                    out.add(picture)
                last = frame
            outgoing = last
        for old in held:  # never, as the last piece has no dissolve after it; kept for safety
            out.add(old)
    if progress:
        progress(1.0)
    return probe(dst)
