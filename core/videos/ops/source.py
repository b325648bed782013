"""A library video as the local edits read it: every frame's time indexed up front, then decoded
once, in order, from the keyframe before a selection.

Indexing reads packets only (nothing is decoded), so a selection can be checked and a remux
planned before any picture work. Decisions every edit shares:
- Times are seconds from a clip's first frame. A selection start–end holds the frames whose time
  ``t`` has start − ½ frame ≤ t < end − ½ frame: each cut falls on the frame nearest it.
- A rotation flag is not applied: library videos were turned upright on import.
- Frames are fitted to an output as yuv420p, scaled to cover and centre-cropped (no black bars).
  Untagged sources count as BT.709, as ``mp4_writer`` and browsers take them.
"""

from __future__ import annotations

import os
from collections.abc import Generator, Iterable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from core.errors import StudioError, UnsupportedVideo
from core.videos.av.read import (
    STILL_IMAGE_CODECS,
    VideoInfo,
    open_video,
    probe,
    stream_info,
    stream_time_base,
    video_stream,
)

if TYPE_CHECKING:
    import av


@dataclass(frozen=True)
class IndexedSource:
    """A source video and the time of every one of its frames, read from its packets."""

    path: Path
    name: str
    info: VideoInfo
    rate: Fraction  # frames per second
    time_base: Fraction
    pts: npt.NDArray[np.int64]  # every frame's pts, in presentation order
    keyframe: npt.NDArray[np.bool_]  # per frame
    extradata: bytes

    @property
    def frame_pts(self) -> int:
        """One frame's length in time-base units."""
        return max(1, round(1 / (self.rate * self.time_base)))

    @property
    def end_pts(self) -> int:
        return int(self.pts[-1]) + self.frame_pts

    def pts_at(self, index: int) -> int:
        """Frame ``index``'s pts; past the last frame, the clip's end."""
        return int(self.pts[index]) if index < len(self.pts) else self.end_pts

    @property
    def times(self) -> npt.NDArray[np.float64]:
        """Every frame's time in seconds from the first frame."""
        return np.asarray((self.pts - self.pts[0]) * float(self.time_base), dtype=np.float64)

    @property
    def duration(self) -> float:
        return float((self.end_pts - int(self.pts[0])) * self.time_base)

    def index(self, seconds: float) -> int:
        """The first frame at or after the cut at ``seconds`` (the nearest-frame rule)."""
        return int(np.searchsorted(self.times, seconds - 0.5 / float(self.rate) - 1e-9, side="left"))


def load_source(path: str | os.PathLike[str], missing: str = "“{name}” no longer exists.") -> IndexedSource:
    """Index ``path``'s frames, or refuse it in one sentence (``missing`` names a file that is gone)."""
    import av

    path = Path(path)
    if not path.is_file():
        raise StudioError(missing.format(name=path.name))
    if not path.stat().st_size:
        probe(path)  # raises its "empty" sentence
    found_pts: list[int] = []
    found_keys: list[bool] = []
    with open_video(path, packets_only=True) as container:
        stream = video_stream(container, path.name)
        info = stream_info(container, stream)
        if info.codec in STILL_IMAGE_CODECS:
            raise UnsupportedVideo(f"“{path.name}” holds a still picture ({info.codec}), not a video.")
        try:
            for packet in container.demux(stream):
                if packet.pts is not None and packet.size:
                    found_pts.append(packet.pts)
                    found_keys.append(packet.is_keyframe)
        except av.error.FFmpegError:
            raise UnsupportedVideo(f"“{path.name}” is damaged: its packets cannot be read.") from None
        time_base, extradata = stream_time_base(stream), bytes(stream.codec_context.extradata or b"")
        rate = stream.average_rate
    if len(found_pts) < 2:
        raise UnsupportedVideo(f"“{path.name}” has fewer than two frames: it is not a video.")
    if info.width < 2 or info.height < 2:  # some codecs (MPEG-4 Part 2 in MOV) only tell by decoding
        info = probe(path)
        if info.width < 2 or info.height < 2:
            raise UnsupportedVideo(f"“{path.name}” has no readable picture size.")
    order = np.argsort(found_pts, kind="stable")
    pts = np.asarray(found_pts, np.int64)[order]
    if not rate:  # the container does not say: the typical step between frames does
        rate = 1 / (max(1, int(np.median(np.diff(pts)))) * time_base)
    keyframe = np.asarray(found_keys, np.bool_)[order]
    return IndexedSource(path, path.name, info, Fraction(rate), time_base, pts, keyframe, extradata)


def frame_range(source: IndexedSource, start_s: float, end_s: float) -> tuple[int, int]:
    """Frame indices [first, stop) of the selection start_s–end_s, or a one-sentence refusal."""
    if not end_s > start_s:
        raise StudioError(
            f"The selection is empty: its end ({end_s:.2f} s) must come after its start ({start_s:.2f} s)."
        )
    slack = 0.5 / float(source.rate)
    if start_s < 0 or start_s >= source.duration - slack or end_s > source.duration + slack:
        raise StudioError(
            f"The selection {start_s:.2f}–{end_s:.2f} s lies outside “{source.name}”, "
            f"which lasts {source.duration:.2f} s."
        )
    first, stop = source.index(start_s), source.index(end_s)
    if stop <= first:
        raise StudioError(f"The selection {start_s:.2f}–{end_s:.2f} s is shorter than one frame of “{source.name}”.")
    return first, stop


def decode_range(source: IndexedSource, first: int, stop: int) -> Iterator[tuple[float, av.VideoFrame]]:
    """Frames [first, stop) as (seconds from ``first``, frame); the source is decoded once, from the
    keyframe before ``first``. A frame missing from the picture is damage, not the end of the clip."""
    import av

    start_pts, stop_pts, count = source.pts_at(first), source.pts_at(stop), 0
    with open_video(source.path, source.name) as container:
        stream = video_stream(container, source.name)
        stream.thread_type = "AUTO"
        try:
            if first:
                before = source.keyframe[: first + 1]
                key = int(np.flatnonzero(before)[-1]) if before.any() else 0
                container.seek(int(source.pts[key]), stream=stream, backward=True)
            for frame in container.decode(stream):
                if frame.pts is None or frame.pts < start_pts:
                    continue
                if frame.pts >= stop_pts:
                    break
                count += 1
                yield float((frame.pts - start_pts) * source.time_base), frame
        except av.error.FFmpegError:
            raise UnsupportedVideo(
                f"“{source.name}” is damaged: its {source.info.codec} picture cannot be decoded."
            ) from None
    if count < stop - first:
        raise UnsupportedVideo(
            f"“{source.name}” is damaged: its picture stops {count} frames into the selection of {stop - first}."
        )


def frames_at_rate(
    frames: Iterable[tuple[float, av.VideoFrame]],
    rate: Fraction,
    count: int,
) -> Iterator[av.VideoFrame]:
    """``count`` frames at ``rate``: for each output time, the source frame nearest it."""
    timed = iter(frames)
    try:
        current, following = next(timed), next(timed, None)  # decode_range yields at least one or raises
        for index in range(count):
            moment = float(index / rate)
            while following is not None and abs(following[0] - moment) <= abs(current[0] - moment):
                current, following = following, next(timed, None)
            yield current[1]
    finally:
        if isinstance(timed, Generator):  # stop decoding now, not when the generator is collected
            timed.close()


def yuv_planes(frame: av.VideoFrame) -> list[npt.NDArray[np.uint8]]:
    """Y, U and V of a yuv420p frame as 2-D views of its own memory (no copy; writable)."""
    return [
        np.frombuffer(memoryview(plane), np.uint8).reshape(-1, plane.line_size)[: plane.height, : plane.width]
        for plane in frame.planes
    ]


def fit_frame(frame: av.VideoFrame, width: int, height: int) -> av.VideoFrame:
    """``frame`` as yuv420p width×height: scaled to cover, centre-cropped; untouched when it fits."""
    import av

    if (frame.format.name, frame.width, frame.height) == ("yuv420p", width, height) and int(frame.colorspace) in (1, 2):
        return frame
    scale = max(width / frame.width, height / frame.height)
    cover_w, cover_h = (
        max(size, 2 * round(side * scale / 2)) for size, side in ((width, frame.width), (height, frame.height))
    )
    scaled = frame.reformat(
        width=cover_w, height=cover_h, format="yuv420p", dst_colorspace="ITU709", dst_color_range="MPEG"
    )
    if (cover_w, cover_h) == (width, height):
        return scaled
    cropped, left, top = (
        av.VideoFrame(width, height, "yuv420p"),
        (cover_w - width) // 4 * 2,
        (cover_h - height) // 4 * 2,
    )
    for index, (source, target) in enumerate(zip(yuv_planes(scaled), yuv_planes(cropped))):
        x, y = (left, top) if index == 0 else (left // 2, top // 2)
        target[...] = source[y : y + target.shape[0], x : x + target.shape[1]]
    return cropped


def even_size(source: IndexedSource) -> tuple[int, int]:
    """The source's width and height, each rounded down to even (what 4:2:0 needs)."""
    return source.info.width - source.info.width % 2, source.info.height - source.info.height % 2
