"""Local edits of library videos: loop a section, blend two clips, recut segments into one.

Pure functions from source files to a new browser-playable MP4 at ``dst`` (H.264, yuv420p, even
sides, +faststart, a keyframe about every second), at a constant frame rate. Sources are only
read; nothing appears at ``dst`` unless the whole video was written. Outputs are silent (sound is
not carried over), and a rotation flag is not applied: library videos were turned upright on import.

Decisions, in one place:
- Times are seconds from a clip's first frame. A selection start–end holds the frames whose time
  ``t`` has start − ½ frame ≤ t < end − ½ frame: each cut falls on the frame nearest it.
- Pictures are mixed as yuv420p planes in 8.8 fixed point: the same linear mix as in RGB (YUV is an
  affine map of it), without two colour conversions per frame. Untagged sources count as BT.709,
  as ``mp4_writer`` and browsers take them.
- ``loop_video``: ``length`` says how many times the section's length the output lasts, counted in
  whole cycles so that the file also loops seamlessly when a player repeats it: short 2×, normal 4×,
  long 8×, never past ``MAX_SECONDS``. A crossfade cycle is the section less ``crossfade_s``: it
  starts ``crossfade_s`` in, and its last ``crossfade_s`` fade (eased, smoothstep) from the
  section's tail into its head, ending next to the frame the following cycle starts on. A ping-pong
  cycle plays forward then backward (its turning frames once each), so one cycle is already 2×.
  One cycle is encoded and its packets repeated: a loop costs one encode of the section, whatever
  its length.
- ``blend_videos``: the output has A's size and frame rate; B is scaled to cover A's frame, centre-
  cropped, and resampled to A's rate by taking the frame nearest each output time. ``transition``
  lasts ``at_s`` + B's duration, as ffmpeg's xfade: A until ``at_s`` (by default A's end less
  ``transition_s``), then ``transition_s`` of crossfade while B plays from its beginning (B's weight
  (i + 1)/(n + 1) on the transition's i-th of n frames), then the rest of B. ``mix`` and ``custom``
  last as long as the shorter clip (B is not looped: the jump back would show). ``custom`` gives
  B's weight over the output's time fraction, linear between control points (``influence_curve``).
- ``recut_video``: segments play in the order given. When every cut lands on a keyframe (a start on
  an IDR frame, an end on a keyframe or the clip's end), every GOP is closed, and every source is
  H.264 yuv420p with the same size, time base, frame rate and codec parameters, the packets are
  copied with shifted timestamps: frame-exact, byte-identical, no re-encode. Otherwise every
  segment is re-encoded at the first segment's size (cover-cropped) and frame rate (nearest frame).
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image

from core.errors import StudioError, UnsupportedVideo
from core.videos.av.media import (
    MAX_SECONDS,
    STILL_IMAGE_CODECS,
    VideoInfo,
    _info,
    _keyframe_near,
    _open,
    _unreadable,
    _video_stream,
    mp4_writer,
    probe,
)

if TYPE_CHECKING:
    import av

LOOP_LENGTHS = {"short": 2, "normal": 4, "long": 8}  # output ≈ this many times the section
LOOP_MODES = ("crossfade", "pingpong")
BLEND_MODES = ("transition", "mix", "custom")
REVERSE_MEMORY = 512 * 2**20  # bytes of decoded section a ping-pong keeps; past it, GOPs are decoded again

Progress = Callable[[float], None] | None
Segment = tuple[str | os.PathLike, float, float]


@dataclass(frozen=True)
class RecutResult:
    info: VideoInfo
    remuxed: bool  # True: packets copied as they are; False: re-encoded


# ── sources ─────────────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class _Source:
    path: Path
    name: str
    info: VideoInfo
    rate: Fraction  # frames per second
    time_base: Fraction
    pts: np.ndarray  # every frame's pts, in presentation order
    keyframe: np.ndarray  # bool, per frame
    extradata: bytes

    @property
    def frame_pts(self) -> int:  # one frame's length in time-base units
        return max(1, round(1 / (self.rate * self.time_base)))

    @property
    def end_pts(self) -> int:
        return int(self.pts[-1]) + self.frame_pts

    def pts_at(self, index: int) -> int:
        """Frame ``index``'s pts; past the last frame, the clip's end."""
        return int(self.pts[index]) if index < len(self.pts) else self.end_pts

    @property
    def times(self) -> np.ndarray:
        return (self.pts - self.pts[0]) * float(self.time_base)

    @property
    def duration(self) -> float:
        return float((self.end_pts - int(self.pts[0])) * self.time_base)

    def index(self, seconds: float) -> int:
        """The first frame at or after the cut at ``seconds`` (the nearest-frame rule)."""
        return int(np.searchsorted(self.times, seconds - 0.5 / float(self.rate) - 1e-9, side="left"))


def _source(path: str | os.PathLike, missing: str = "“{name}” no longer exists.") -> _Source:
    import av

    path = Path(path)
    if not path.is_file():
        raise StudioError(missing.format(name=path.name))
    if not path.stat().st_size:
        probe(path)  # raises its "empty" sentence
    pts, keys = [], []
    with _open_indexed(path) as container:
        stream = _video_stream(container, path.name)
        info = _info(container, stream)
        if info.codec in STILL_IMAGE_CODECS:
            raise UnsupportedVideo(f"“{path.name}” holds a still picture ({info.codec}), not a video.")
        try:
            for packet in container.demux(stream):
                if packet.pts is not None and packet.size:
                    pts.append(packet.pts)
                    keys.append(packet.is_keyframe)
        except av.error.FFmpegError:
            raise UnsupportedVideo(f"“{path.name}” is damaged: its packets cannot be read.") from None
        time_base, extradata = Fraction(stream.time_base), bytes(stream.codec_context.extradata or b"")
        rate = stream.average_rate
    if len(pts) < 2:
        raise UnsupportedVideo(f"“{path.name}” has fewer than two frames: it is not a video.")
    if info.width < 2 or info.height < 2:  # some codecs (MPEG-4 Part 2 in MOV) only tell by decoding
        info = probe(path)
        if info.width < 2 or info.height < 2:
            raise UnsupportedVideo(f"“{path.name}” has no readable picture size.")
    order = np.argsort(pts, kind="stable")
    pts = np.asarray(pts, np.int64)[order]
    if not rate:  # the container does not say: the typical step between frames does
        rate = 1 / (max(1, int(np.median(np.diff(pts)))) * time_base)
    return _Source(path, path.name, info, Fraction(rate), time_base, pts, np.asarray(keys, bool)[order], extradata)


@contextlib.contextmanager
def _open_indexed(path: Path) -> Iterator[av.container.InputContainer]:
    """A container for reading packets, not pictures: its stream analysis decodes nothing. (With
    B-frames that analysis decodes several frames, ~10 ms at 720p: most of a remux's time.)"""
    import av

    try:
        container = av.open(str(path), options={"skip_frame": "nonkey"}, metadata_errors="ignore")
    except (av.error.FFmpegError, EOFError, UnicodeDecodeError):
        raise UnsupportedVideo(_unreadable(path, path.name)) from None
    with container:
        yield container


def _h264_pix_fmt(extradata: bytes) -> str | None:
    """The picture layout from an avcC record's first SPS (without decoding): "yuv420p" for 8-bit 4:2:0."""
    if len(extradata) < 9 or extradata[0] != 1 or not extradata[5] & 0x1F:
        return None
    sps = extradata[8 : 8 + int.from_bytes(extradata[6:8], "big")].replace(b"\0\0\3", b"\0\0")
    if len(sps) < 4 or sps[1] not in (100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135):
        return "yuv420p"  # Baseline, Main, Extended: always 8-bit 4:2:0
    bits = "".join(f"{byte:08b}" for byte in sps[4:16])
    position = 0

    def golomb() -> int:  # ue(v)
        nonlocal position
        zeros = bits.index("1", position) - position
        value = int(bits[position + zeros : position + 2 * zeros + 1], 2) - 1
        position += 2 * zeros + 1
        return value

    golomb()  # seq_parameter_set_id
    chroma = golomb()
    position += chroma == 3  # separate_colour_plane_flag
    depth = golomb() + 8
    return {0: "gray", 1: "yuv420p", 2: "yuv422p", 3: "yuv444p"}.get(chroma, "?") + ("" if depth == 8 else f"{depth}le")


def _selection(source: _Source, start_s: float, end_s: float) -> tuple[int, int]:
    """Frame indices [first, stop) of a selection, or a one-sentence refusal."""
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


def _frames(source: _Source, first: int, stop: int) -> Iterator[tuple[float, av.VideoFrame]]:
    """Frames [first, stop) as (seconds from ``first``, frame); the source is decoded once, from the
    keyframe before ``first``. A frame missing from the picture is damage, not the end of the clip."""
    import av

    start_pts, stop_pts, count = source.pts_at(first), source.pts_at(stop), 0
    with _open(source.path, source.name) as container:
        stream = _video_stream(container, source.name)
        stream.thread_type = "AUTO"
        try:
            if first:
                key = int(np.flatnonzero(source.keyframe[: first + 1])[-1]) if source.keyframe[: first + 1].any() else 0
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


def _at_rate(
    frames: Iterable[tuple[float, av.VideoFrame]],
    rate: Fraction,
    count: int,
) -> Iterator[av.VideoFrame]:
    """``count`` frames at ``rate``: for each output time, the source frame nearest it."""
    frames = iter(frames)
    with contextlib.closing(frames) if hasattr(frames, "close") else contextlib.nullcontext():
        current, following = next(frames), next(frames, None)  # _frames yields at least one or raises
        for index in range(count):
            moment = float(index / rate)
            while following is not None and abs(following[0] - moment) <= abs(current[0] - moment):
                current, following = following, next(frames, None)
            yield current[1]


# ── pictures ────────────────────────────────────────────────────────────────────────────────────


def _planes(frame: av.VideoFrame) -> list[np.ndarray]:
    """Y, U and V of a yuv420p frame as 2-D views of its own memory (no copy; writable)."""
    return [
        np.frombuffer(plane, np.uint8).reshape(-1, plane.line_size)[: plane.height, : plane.width]
        for plane in frame.planes
    ]


def _fit(frame: av.VideoFrame, width: int, height: int) -> av.VideoFrame:
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
    for index, (source, target) in enumerate(zip(_planes(scaled), _planes(cropped))):
        x, y = (left, top) if index == 0 else (left // 2, top // 2)
        target[...] = source[y : y + target.shape[0], x : x + target.shape[1]]
    return cropped


class _Mixer:
    """(1 − weight)·A + weight·B of yuv420p frames, plane by plane, in 8.8 fixed point, rounded.

    Mixing YUV is mixing RGB (one is an affine map of the other), without two colour conversions.
    The uint16 scratch planes are kept: fresh multi-megabyte arrays per frame can cost more in page
    faults than the arithmetic (up to 4 ms against 0.4 ms a 720p frame, measured here)."""

    def __init__(self) -> None:
        self.scratch: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]] = {}

    def __call__(self, a: av.VideoFrame, b: av.VideoFrame, weight: float) -> av.VideoFrame:
        import av

        step = round(min(1.0, max(0.0, weight)) * 256)
        if step in (0, 256):
            return a if step == 0 else b
        mixed = av.VideoFrame(a.width, a.height, "yuv420p")
        for plane_a, plane_b, out in zip(_planes(a), _planes(b), _planes(mixed)):
            if out.shape not in self.scratch:
                self.scratch[out.shape] = np.empty(out.shape, np.uint16), np.empty(out.shape, np.uint16)
            total, other = self.scratch[out.shape]
            np.multiply(plane_a, 256 - step, out=total, dtype=np.uint16)
            np.multiply(plane_b, step, out=other, dtype=np.uint16)
            total += other
            total += 128
            np.right_shift(total, 8, out=out, casting="unsafe")
        return mixed


class _Output:
    """An mp4_writer at ``rate`` fed frames in order, reporting whole percents of ``total`` frames."""

    def __init__(self, writer, rate: Fraction, total: int, progress: Progress, share: float = 1.0):
        self.writer, self.time_base, self.total = writer, 1 / rate, max(1, total)
        self.progress, self.share, self.written, self.reported = progress, share, 0, -1

    def add(self, frame: av.VideoFrame) -> None:
        # The writer numbers frames in its own time base; a decoded frame still carries its source's,
        # and the encoder would rescale the new numbers from it.
        frame.time_base = self.time_base
        self.writer.add(frame)
        self.written += 1
        if self.progress:
            percent = int(100 * self.share * min(1.0, self.written / self.total))
            if percent > self.reported:
                self.reported = percent
                self.progress(percent / 100)


def _even(source: _Source) -> tuple[int, int]:
    return source.info.width - source.info.width % 2, source.info.height - source.info.height % 2


def _check_dst(dst: str | os.PathLike, sources: Iterable[_Source]) -> Path:
    dst = Path(dst)
    if any(dst.resolve() == source.path.resolve() for source in sources):
        raise ValueError(f"refusing to overwrite a source: {dst}")
    return dst


# ── packets ─────────────────────────────────────────────────────────────────────────────────────


class _NotRemuxable(Exception):
    """The packets cannot be copied as they are (an open GOP, timestamps out of order)."""


@contextlib.contextmanager
def _remuxer(dst: Path, template: av.VideoStream) -> Iterator[Callable[[av.Packet, int, int], None]]:
    """``put(packet, pts, dts)`` copies packets into a +faststart MP4, renamed onto ``dst`` on success."""
    import av

    partial = dst.with_name(f".{dst.name}.{os.getpid()}.remux.partial")
    output = av.open(str(partial), "w", format="mp4", options={"movflags": "+faststart"})
    try:
        stream = output.add_stream_from_template(template)
        stream.time_base = template.time_base
        last_dts = None

        def put(packet: av.Packet, pts: int, dts: int) -> None:
            nonlocal last_dts
            if last_dts is not None and dts <= last_dts:
                raise _NotRemuxable("decoding timestamps would go backwards")
            last_dts = dts
            packet.stream, packet.time_base, packet.pts, packet.dts = stream, template.time_base, pts, dts
            output.mux(packet)

        yield put
        output.close()
        os.replace(partial, dst)
    except BaseException:
        with contextlib.suppress(Exception):
            output.close()
        partial.unlink(missing_ok=True)
        raise


def _packets(
    container: av.container.InputContainer, stream: av.VideoStream, source: _Source, first: int, stop: int
) -> Iterator[av.Packet]:
    """The packets of frames [first, stop) in decoding order, when they form closed GOPs."""
    import av

    start_pts, stop_pts = source.pts_at(first), source.pts_at(stop)
    container.seek(start_pts, stream=stream, backward=True)
    started, count = False, 0
    try:
        for packet in container.demux(stream):
            if packet.pts is None or not packet.size:
                continue
            if not started:
                started = packet.pts == start_pts and packet.is_keyframe
                if not started:
                    continue
            elif packet.pts == stop_pts and packet.is_keyframe:
                break
            if not start_pts <= packet.pts < stop_pts or packet.dts is None:
                raise _NotRemuxable("a frame refers to pictures outside its segment")
            count += 1
            yield packet
    except av.error.FFmpegError:
        raise _NotRemuxable("unreadable packets") from None
    if count != stop - first:
        raise _NotRemuxable("packets missing")


def _repeat_packets(cycle: Path, frames: int, rate: Fraction, dst: Path, repeats: int) -> None:
    """Write ``repeats`` copies of ``cycle``'s packets back to back (each copy starts on an IDR frame)."""
    with _open_indexed(cycle) as container:
        stream = container.streams.video[0]
        timed = [(packet, int(packet.pts), int(packet.dts)) for packet in container.demux(stream) if packet.size]
        length = round(frames / rate / stream.time_base)
        with _remuxer(dst, stream) as put:
            for repeat in range(repeats):
                for packet, pts, dts in timed:  # muxing rewrites a packet's times: keep the originals
                    put(packet, pts + repeat * length, dts + repeat * length)


def _starts_with_idr(data: bytes, extradata: bytes) -> bool:
    """Whether an H.264 packet (length-prefixed NAL units, as in MP4) holds an IDR picture."""
    size = (extradata[4] & 3) + 1 if len(extradata) > 4 and extradata[0] == 1 else 4
    offset = 0
    while offset + size < len(data):
        length = int.from_bytes(data[offset : offset + size], "big")
        if data[offset + size] & 0x1F == 5:
            return True
        offset += size + length
    return False


# ── loop ────────────────────────────────────────────────────────────────────────────────────────


def loop_video(
    src: str | os.PathLike,
    dst: str | os.PathLike,
    start_s: float,
    end_s: float,
    length: str = "normal",
    mode: str = "crossfade",
    crossfade_s: float = 0.5,
    progress: Progress = None,
) -> VideoInfo:
    """Loop the section start_s–end_s of ``src`` into ``dst``, at the source's size and frame rate.

    ``mode`` "crossfade" fades the section's last ``crossfade_s`` into its head so the last frame
    flows into the first; "pingpong" plays it forward then backward. ``length`` "short", "normal" or
    "long" makes the output about 2×, 4× or 8× the section, in whole seamless cycles.
    """
    if length not in LOOP_LENGTHS or mode not in LOOP_MODES:
        raise ValueError(f"length must be one of {sorted(LOOP_LENGTHS)} and mode one of {LOOP_MODES}")
    source = _source(src)
    dst = _check_dst(dst, [source])
    first, stop = _selection(source, start_s, end_s)
    count = stop - first
    if count < 2:
        raise StudioError(
            f"The selection is too short to loop: choose at least two frames ({2 / float(source.rate):.2f} s)."
        )
    width, height = _even(source)
    if mode == "crossfade":
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
            out = _Output(writer, source.rate, cycle, progress, share=0.95)
            for frame in frames:
                out.add(frame)
        _repeat_packets(temp, cycle, source.rate, dst, repeats)
    finally:
        temp.unlink(missing_ok=True)
    if progress:
        progress(1.0)
    return probe(dst)


def _crossfade_cycle(
    source: _Source,
    first: int,
    stop: int,
    fade: int,
    width: int,
    height: int,
) -> Iterator[av.VideoFrame]:
    """Frames fade … count−fade−1, then the tail (count−fade …) fading into the head (0 … fade−1):
    the cycle ends on ≈ frame fade−1, and the next one starts on frame fade."""
    count, head, tail, mix = stop - first, [], [], _Mixer()
    for index, (_, frame) in enumerate(_frames(source, first, stop)):
        frame = _fit(frame, width, height)
        if index < fade:
            head.append(frame)
        elif index < count - fade:
            yield frame
        else:
            tail.append(frame)
    for step in range(fade):
        x = (step + 1) / (fade + 1)
        yield mix(tail[step], head[step], x * x * (3 - 2 * x))  # eased: no step at the wrap


def _pingpong_cycle(source: _Source, first: int, stop: int, width: int, height: int) -> Iterator[av.VideoFrame]:
    """Frames 0 … count−1, then count−2 … 1: the next cycle's frame 0 follows frame 1."""
    count, kept = stop - first, []
    budget = REVERSE_MEMORY // (width * height * 3 // 2)
    for index, (_, frame) in enumerate(_frames(source, first, stop)):
        frame = _fit(frame, width, height)
        yield frame
        if kept is not None and 0 < index < count - 1:
            kept.append(frame)
            if len(kept) > budget:
                kept = None  # too long to keep: decode it again, a GOP at a time
    yield from reversed(kept) if kept is not None else _backward(source, first + 1, stop - 1, width, height)


def _backward(source: _Source, first: int, stop: int, width: int, height: int) -> Iterator[av.VideoFrame]:
    """Frames stop−1 down to first, one GOP in memory at a time."""
    keys = np.flatnonzero(source.keyframe)
    end = stop
    while end > first:
        before = keys[keys < end]
        begin = max(int(before[-1]) if len(before) else 0, first)
        chunk = [_fit(frame, width, height) for _, frame in _frames(source, begin, end)]
        yield from reversed(chunk)
        end = begin


# ── blend ───────────────────────────────────────────────────────────────────────────────────────


def influence_curve(points: Sequence[tuple[float, float]], samples: int) -> list[float]:
    """B's weight at ``samples`` evenly spaced time fractions 0 … 1: linear between the control
    points (time fraction, weight), flat before the first and after the last."""
    times, weights = _curve(points)
    return np.interp(np.linspace(0.0, 1.0, max(0, samples)), times, weights).tolist()


def _curve(points: Sequence[tuple[float, float]] | None) -> tuple[np.ndarray, np.ndarray]:
    if not points:
        raise StudioError("The influence curve needs at least one point.")
    try:
        pairs = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    except (TypeError, ValueError):
        raise StudioError("Each point of the influence curve must be a pair (time, weight).") from None
    if not np.isfinite(pairs).all() or pairs.min() < 0 or pairs.max() > 1:
        raise StudioError("The influence curve's times and weights must lie between 0 and 1.")
    pairs = pairs[np.argsort(pairs[:, 0], kind="stable")]
    return pairs[:, 0], pairs[:, 1]


def blend_videos(
    a: str | os.PathLike,
    b: str | os.PathLike,
    dst: str | os.PathLike,
    mode: str = "transition",
    at_s: float | None = None,
    transition_s: float = 1.0,
    weight: float = 0.5,
    curve: Sequence[tuple[float, float]] | None = None,
    progress: Progress = None,
) -> VideoInfo:
    """Blend clip ``b`` into clip ``a`` at ``a``'s size and frame rate (see the module docstring).

    "transition": A, then a crossfade of ``transition_s`` from ``at_s`` while B starts, then B.
    "mix": every frame (1 − weight)·A + weight·B. "custom": B's weight follows ``curve`` over time.
    """
    if mode not in BLEND_MODES:
        raise ValueError(f"mode must be one of {BLEND_MODES}")
    first = _source(a)
    second = _source(b, missing="The blend partner “{name}” no longer exists.")
    dst = _check_dst(dst, [first, second])
    rate, half = first.rate, 0.5 / float(first.rate)
    b_count = max(1, round(second.duration * rate))
    if mode == "transition":
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
        if mode == "mix" and not 0 <= weight <= 1:
            raise StudioError(f"The mix weight must lie between 0 and 1, not {weight}.")
        b_offset, total = 0, min(len(first.pts), b_count)
        a_count = b_count = total
        weights = np.full(total, float(weight)) if mode == "mix" else np.asarray(influence_curve(curve, total))
    width, height = _even(first)
    a_frames = _at_rate(_frames(first, 0, len(first.pts)), rate, a_count) if a_count else iter(())
    b_frames = _at_rate(_frames(second, 0, len(second.pts)), rate, b_count)
    mix = _Mixer()
    with mp4_writer(dst, width, height, rate) as writer:
        out = _Output(writer, rate, total, progress)
        for index, share in enumerate(weights):
            picture_a = _fit(next(a_frames), width, height) if index < a_count else None
            picture_b = _fit(next(b_frames), width, height) if index >= b_offset else None
            if picture_a is None or picture_b is None:
                out.add(picture_b if picture_a is None else picture_a)
            else:
                out.add(mix(picture_a, picture_b, share))
    if progress:
        progress(1.0)
    return probe(dst)


# ── recut ───────────────────────────────────────────────────────────────────────────────────────


def keyframe_times(src: str | os.PathLike) -> list[float]:
    """Seconds of every keyframe of ``src``: where a cut can fall for a recut without re-encoding."""
    source = _source(src)
    return [round(float(t), 6) for t in source.times[source.keyframe]]


def storyboard(src: str | os.PathLike, count: int = 8, tile_width: int = 160) -> list[tuple[float, Image.Image]]:
    """``count`` thumbnails across the clip, as (seconds, picture): for each (i + ½)/count of the way,
    the keyframe nearest it when one lies within half a tile's interval, else the frame there."""
    import av

    source = _source(src)
    tiles, previous = [], None
    with _open(source.path, source.name) as container:
        stream = _video_stream(container, source.name)
        tile_height = max(2, round(tile_width * source.info.height / max(1, source.info.width) / 2) * 2)
        interval = source.duration / max(1, count)
        for index in range(count):
            try:
                frame = _keyframe_near(container, stream, (index + 0.5) * interval, interval / 2, interval / 2)
            except av.error.FFmpegError:
                raise UnsupportedVideo(f"“{source.name}” is damaged: its picture cannot be decoded.") from None
            frame = previous = frame or previous
            if frame is not None:
                tiles.append(
                    (
                        round(float((frame.pts - source.pts[0]) * source.time_base), 6),
                        frame.reformat(width=tile_width, height=tile_height, format="rgb24").to_image(),
                    )
                )
    return tiles


def recut_video(
    sources_and_segments: Sequence[Segment], dst: str | os.PathLike, progress: Progress = None
) -> RecutResult:
    """Join (source, start_s, end_s) segments in order into ``dst``: copied packet for packet when
    every cut lands on a keyframe of matching H.264 sources, else re-encoded to the first's format."""
    if not sources_and_segments:
        raise StudioError("There is nothing to recut: add at least one segment.")
    sources: dict[Path, _Source] = {}
    plan = []
    for path, start_s, end_s in sources_and_segments:
        key = Path(path).resolve()
        source = sources[key] = sources.get(key) or _source(path)
        plan.append((source, *_selection(source, start_s, end_s)))
    dst = _check_dst(dst, sources.values())
    if _remuxable(plan):
        with contextlib.suppress(_NotRemuxable):
            return RecutResult(_remux(plan, dst, progress), remuxed=True)
    return RecutResult(_reencode(plan, dst, progress), remuxed=False)


def _remuxable(plan: list[tuple[_Source, int, int]]) -> bool:
    """Whether packets could be copied: checks that need no reading (GOPs are checked while copying)."""

    def stream_format(s: _Source) -> tuple:
        return s.info.codec, s.info.width, s.info.height, s.time_base, s.rate, s.extradata

    head = plan[0][0]
    return (
        head.info.codec == "h264"
        and _h264_pix_fmt(head.extradata) == "yuv420p"
        and head.info.width % 2 == 0
        and head.info.height % 2 == 0
        and all(
            stream_format(source) == stream_format(head)
            and source.keyframe[first]
            and (stop == len(source.pts) or source.keyframe[stop])
            for source, first, stop in plan
        )
    )


def _remux(plan: list[tuple[_Source, int, int]], dst: Path, progress: Progress) -> VideoInfo:
    total, done, offset = sum(stop - first for _, first, stop in plan), 0, 0
    with contextlib.ExitStack() as stack:
        readers = {source.path: stack.enter_context(_open_indexed(source.path)) for source, _, _ in plan}
        put = stack.enter_context(_remuxer(dst, readers[plan[0][0].path].streams.video[0]))
        for source, first, stop in plan:
            base, reader = int(source.pts[first]), readers[source.path]
            for number, packet in enumerate(_packets(reader, reader.streams.video[0], source, first, stop)):
                if not number and not _starts_with_idr(bytes(packet), source.extradata):
                    raise _NotRemuxable("a segment does not start on an IDR picture")
                put(packet, int(packet.pts) - base + offset, int(packet.dts) - base + offset)
                done += 1
                if progress and done % 24 == 0:
                    progress(int(99 * done / total) / 100)
            offset += source.pts_at(stop) - base
    if progress:
        progress(1.0)
    head = plan[0][0]  # the copy has the sources' format: no second look at the file needed
    return dataclasses.replace(
        head.info,
        duration=float(offset * head.time_base),
        frames=total,
        pix_fmt="yuv420p",
        has_audio=False,
        container="mov,mp4,m4a,3gp,3g2,mj2",
    )


def _reencode(plan: list[tuple[_Source, int, int]], dst: Path, progress: Progress) -> VideoInfo:
    head = plan[0][0]
    rate, (width, height) = head.rate, _even(head)
    counts = [max(1, round((s.pts_at(stop) - s.pts_at(first)) * s.time_base * rate)) for s, first, stop in plan]
    with mp4_writer(dst, width, height, rate) as writer:
        out = _Output(writer, rate, sum(counts), progress)
        for (source, first, stop), count in zip(plan, counts):
            for frame in _at_rate(_frames(source, first, stop), rate, count):
                out.add(_fit(frame, width, height))
    if progress:
        progress(1.0)
    return probe(dst)
