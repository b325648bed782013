"""Looping a section of a video into a new clip that also loops seamlessly when a player repeats it.

``length`` says how many times the section's length the output lasts, counted in whole cycles so
that the file loops seamlessly too: short 2×, normal 4×, long 8×, never past ``MAX_SECONDS``.
- A crossfade cycle is the section less ``crossfade_s``: it starts ``crossfade_s`` in, and its last
  ``crossfade_s`` fade (eased, smoothstep) from the section's tail into its head, ending next to the
  frame the following cycle starts on.
- A ping-pong cycle plays forward then backward (its turning frames once each), so one cycle is
  already 2×. Reversing keeps decoded frames up to ``REVERSE_MEMORY``; past it, GOPs are decoded
  again, one at a time, backwards.
One cycle is encoded and its packets repeated: a loop costs one encode of the section, whatever its
length.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

import numpy as np

from core.errors import StudioError
from core.videos.av.read import MAX_SECONDS, VideoInfo, probe
from core.videos.av.write import mp4_writer
from core.videos.kinds import LoopLength, LoopMode
from core.videos.ops.mix import FrameMixer
from core.videos.ops.output import Output, Progress, check_dst
from core.videos.ops.remux import repeat_packets
from core.videos.ops.source import IndexedSource, decode_range, even_size, fit_frame, frame_range, load_source

if TYPE_CHECKING:
    import av

LOOP_LENGTHS = {LoopLength.SHORT: 2, LoopLength.NORMAL: 4, LoopLength.LONG: 8}  # output ≈ this many × the section
REVERSE_MEMORY = 512 * 2**20  # bytes of decoded section a ping-pong keeps; past it, GOPs are decoded again


def loop_video(
    src: str | os.PathLike[str],
    dst: str | os.PathLike[str],
    start_s: float,
    end_s: float,
    length: LoopLength = LoopLength.NORMAL,
    mode: LoopMode = LoopMode.CROSSFADE,
    crossfade_s: float = 0.5,
    progress: Progress = None,
) -> VideoInfo:
    """Loop the section start_s–end_s of ``src`` into ``dst``, at the source's size and frame rate.

    ``mode`` crossfade fades the section's last ``crossfade_s`` into its head so the last frame
    flows into the first; pingpong plays it forward then backward. ``length`` short, normal or
    long makes the output about 2×, 4× or 8× the section, in whole seamless cycles. Plain strings
    ("crossfade", "long") are accepted; anything else raises ``ValueError``.
    """
    length, mode = LoopLength(length), LoopMode(mode)
    source = load_source(src)
    dst = check_dst(dst, [source])
    first, stop = frame_range(source, start_s, end_s)
    count = stop - first
    if count < 2:
        raise StudioError(
            f"The selection is too short to loop: choose at least two frames ({2 / float(source.rate):.2f} s)."
        )
    width, height = even_size(source)
    if mode is LoopMode.CROSSFADE:
        fade = min(max(0, round(crossfade_s * source.rate)), count // 2, count - 2)  # a cycle of 2+ frames
        cycle, repeats = count - fade, LOOP_LENGTHS[length]
        frames = _crossfade_cycle(source, first, stop, fade, width, height)
    else:
        cycle, repeats = 2 * count - 2, LOOP_LENGTHS[length] // 2
        frames = _pingpong_cycle(source, first, stop, width, height)
    repeats = max(1, min(repeats, int(MAX_SECONDS * source.rate) // cycle))
    temp = dst.with_name(f".{dst.name}.{os.getpid()}.cycle.mp4")
    try:
        with mp4_writer(temp, width, height, source.rate) as writer:
            out = Output(writer, source.rate, cycle, progress, share=0.95)
            for frame in frames:
                out.add(frame)
        repeat_packets(temp, cycle, source.rate, dst, repeats)
    finally:
        temp.unlink(missing_ok=True)
    if progress:
        progress(1.0)
    return probe(dst)


def _crossfade_cycle(
    source: IndexedSource,
    first: int,
    stop: int,
    fade: int,
    width: int,
    height: int,
) -> Iterator[av.VideoFrame]:
    """Frames fade … count−fade−1, then the tail (count−fade …) fading into the head (0 … fade−1):
    the cycle ends on ≈ frame fade−1, and the next one starts on frame fade."""
    count, mix = stop - first, FrameMixer()
    head: list[av.VideoFrame] = []
    tail: list[av.VideoFrame] = []
    for index, (_, decoded) in enumerate(decode_range(source, first, stop)):
        frame = fit_frame(decoded, width, height)
        if index < fade:
            head.append(frame)
        elif index < count - fade:
            yield frame
        else:
            tail.append(frame)
    for step in range(fade):
        x = (step + 1) / (fade + 1)
        yield mix(tail[step], head[step], x * x * (3 - 2 * x))  # eased: no step at the wrap


def _pingpong_cycle(source: IndexedSource, first: int, stop: int, width: int, height: int) -> Iterator[av.VideoFrame]:
    """Frames 0 … count−1, then count−2 … 1: the next cycle's frame 0 follows frame 1."""
    count = stop - first
    kept: list[av.VideoFrame] | None = []
    budget = REVERSE_MEMORY // (width * height * 3 // 2)
    for index, (_, decoded) in enumerate(decode_range(source, first, stop)):
        frame = fit_frame(decoded, width, height)
        yield frame
        if kept is not None and 0 < index < count - 1:
            kept.append(frame)
            if len(kept) > budget:
                kept = None  # too long to keep: decode it again, a GOP at a time
    yield from reversed(kept) if kept is not None else _backward(source, first + 1, stop - 1, width, height)


def _backward(source: IndexedSource, first: int, stop: int, width: int, height: int) -> Iterator[av.VideoFrame]:
    """Frames stop−1 down to first, one GOP in memory at a time."""
    keys = np.flatnonzero(source.keyframe)
    end = stop
    while end > first:
        before = keys[keys < end]
        begin = max(int(before[-1]) if len(before) else 0, first)
        chunk = [fit_frame(frame, width, height) for _, frame in decode_range(source, begin, end)]
        yield from reversed(chunk)
        end = begin
