"""Blending clip B into clip A: a transition from one to the other, or the two mixed throughout.

The output has A's size and frame rate; B is scaled to cover A's frame, centre-cropped, and
resampled to A's rate by taking the frame nearest each output time.
- ``transition`` lasts ``at_s`` + B's duration, as ffmpeg's xfade: A until ``at_s`` (by default A's
  end less ``transition_s``), then ``transition_s`` of crossfade while B plays from its beginning
  (B's weight (i + 1)/(n + 1) on the transition's i-th of n frames), then the rest of B.
- ``mix`` and ``custom`` last as long as the shorter clip (B is not looped: the jump back would
  show). ``mix`` gives B one weight throughout; ``custom`` gives B's weight over the output's time
  fraction, linear between control points (``influence_curve``).
"""

from __future__ import annotations

import os

import numpy as np
import numpy.typing as npt

from core.errors import StudioError
from core.videos.av.read import VideoInfo, probe
from core.videos.av.write import mp4_writer
from core.videos.kinds import BlendMode
from core.videos.ops.mix import Curve, FrameMixer, influence_curve
from core.videos.ops.output import Output, Progress, check_dst
from core.videos.ops.source import decode_range, even_size, fit_frame, frames_at_rate, load_source


def blend_videos(
    a: str | os.PathLike[str],
    b: str | os.PathLike[str],
    dst: str | os.PathLike[str],
    mode: BlendMode = BlendMode.TRANSITION,
    at_s: float | None = None,
    transition_s: float = 1.0,
    weight: float = 0.5,
    curve: Curve | None = None,
    progress: Progress = None,
) -> VideoInfo:
    """Blend clip ``b`` into clip ``a`` at ``a``'s size and frame rate (see the module docstring).

    transition: A, then a crossfade of ``transition_s`` from ``at_s`` while B starts, then B.
    mix: every frame (1 − weight)·A + weight·B. custom: B's weight follows ``curve`` over time.
    A plain string ("mix") is accepted for ``mode``; anything else raises ``ValueError``.
    """
    mode = BlendMode(mode)
    first = load_source(a)
    second = load_source(b, missing="The blend partner “{name}” no longer exists.")
    dst = check_dst(dst, [first, second])
    rate, half = first.rate, 0.5 / float(first.rate)
    b_count = max(1, round(second.duration * rate))
    weights: npt.NDArray[np.float64]
    if mode is BlendMode.TRANSITION:
        at = first.duration - transition_s if at_s is None else at_s
        if transition_s < 0 or at < 0 or at + transition_s > first.duration + half:
            raise StudioError(
                f"The transition ({max(0.0, at):.2f} s for {transition_s:.2f} s) must lie within "
                f"“{first.name}”, which lasts {first.duration:.2f} s."
            )
        if transition_s > second.duration + half:
            raise StudioError(
                f"“{second.name}” lasts {second.duration:.2f} s, shorter than the {transition_s:.2f} s transition."
            )
        b_offset, fade = round(at * rate), round(transition_s * rate)
        total, a_count = b_offset + b_count, b_offset + fade
        weights = np.clip((np.arange(total) - b_offset + 1) / (fade + 1), 0.0, 1.0)
    else:
        if mode is BlendMode.MIX and not 0 <= weight <= 1:
            raise StudioError(f"The mix weight must lie between 0 and 1, not {weight}.")
        b_offset, total = 0, min(len(first.pts), b_count)
        a_count = b_count = total
        if mode is BlendMode.MIX:
            weights = np.full(total, float(weight))
        else:
            weights = np.asarray(influence_curve(curve, total), dtype=np.float64)
    width, height = even_size(first)
    a_frames = frames_at_rate(decode_range(first, 0, len(first.pts)), rate, a_count) if a_count else iter(())
    b_frames = frames_at_rate(decode_range(second, 0, len(second.pts)), rate, b_count)
    mix = FrameMixer()
    with mp4_writer(dst, width, height, rate) as writer:
        out = Output(writer, rate, total, progress)
        for index, share in enumerate(weights):
            picture_a = fit_frame(next(a_frames), width, height) if index < a_count else None
            picture_b = fit_frame(next(b_frames), width, height) if index >= b_offset else None
            if picture_a is not None and picture_b is not None:
                out.add(mix(picture_a, picture_b, share))
            elif picture_a is not None:
                out.add(picture_a)
            elif picture_b is not None:  # always, here: A's last frame comes after B's first
                out.add(picture_b)
    if progress:
        progress(1.0)
    return probe(dst)
