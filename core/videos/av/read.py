"""Reading local video files: inspect a header, validate an import, find and decode frames.

Everything goes through PyAV, whose wheel bundles FFmpeg; there is no system ffmpeg. A file is not
trusted because it opens: FFmpeg opens a PNG renamed .mp4 as a one-picture "video" and turns random
bytes into text-art or subtitle streams, so ``validate_video`` checks for a real picture stream, its
size and duration, and decodes frames. The container helpers here (``open_video``, ``video_stream``,
``frame_at`` …) are shared with the previews and the local edits so that every reader refuses a bad
file with the same one sentence.

Known limit of validation: a clip longer than ``FULL_DECODE_MAX_SECONDS`` is decoded only at its
start and its last second, so damage in its middle goes unnoticed until playback.

``av`` and numpy are imported where they are used: a page that only lists videos never loads them.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, cast

from core.errors import UnsupportedVideo

if TYPE_CHECKING:
    import av
    from PIL import Image

MAX_SIDE = 4096  # pixels, either side
MIN_SIDE = 16  # smaller is no picture anyone can use, and H.264 cannot even hold 1×1
MAX_SECONDS = 10 * 60
FULL_DECODE_MAX_SECONDS = 30  # ~0.2 s of decoding per 8 s of 720p on 2 cores
# Codecs FFmpeg reads as one-picture "videos" (a PNG renamed .mp4 opens as png_pipe).
STILL_IMAGE_CODECS = {"png", "mjpeg", "jpegls", "webp", "bmp", "tiff", "gif", "ppm", "pgm", "pam", "qoi", "jpeg2000"}
# Text-art demuxers turn arbitrary bytes into a "video" stream; none of it is a picture.
TEXT_ART_CODECS = {"ansi", "bintext", "xbin", "idf", "tty"}
PADDING_BOXES = {b"free", b"skip", b"wide"}
MAX_PADDING_BYTES = 64 * 1024  # FFmpeg writes an 8-byte `free` box, cameras a few KB kept for the index


@dataclass(frozen=True)
class VideoInfo:
    """What the library needs to know about a video file."""

    width: int  # as stored; ``validate_video`` gives it as shown, a phone's rotation flag applied
    height: int
    fps: float  # average frame rate; 0.0 when the file does not say
    duration: float  # seconds; 0.0 when unknown
    frames: int | None  # None when the container does not record it
    codec: str  # decoder name, e.g. "h264", "vp9"
    pix_fmt: str | None  # e.g. "yuv420p"
    has_audio: bool
    container: str  # FFmpeg's demuxer name, e.g. "mov,mp4,m4a,3gp,3g2,mj2", "matroska,webm"
    rotation: int = 0  # degrees counter-clockwise to show it upright; known only once a frame is decoded


# ── containers and streams ──────────────────────────────────────────────────────────────────────


@contextlib.contextmanager
def open_video(
    path: Path, name: str | None = None, *, packets_only: bool = False
) -> Iterator[av.container.InputContainer]:
    """An open container, closed on exit; ``UnsupportedVideo`` naming ``name`` if it cannot be opened.

    With ``packets_only`` the container is for reading packets, not pictures: its stream analysis
    decodes nothing. (With B-frames that analysis decodes several frames, ~10 ms at 720p: most of a
    packet remux's time.)
    """
    import av

    name = name or path.name
    try:
        if packets_only:
            container = av.open(str(path), options={"skip_frame": "nonkey"}, metadata_errors="ignore")
        else:
            container = av.open(str(path), metadata_errors="ignore")
    except (av.error.FFmpegError, EOFError, UnicodeDecodeError):
        raise UnsupportedVideo(_unreadable(path, name)) from None
    try:
        yield container
    finally:
        container.close()


def _unreadable(path: Path, name: str) -> str:
    with open(path, "rb") as handle:
        head = handle.read(12)
    if head[4:8] == b"ftyp":  # an MP4/MOV whose index never got written: a cut recording or download
        return (
            f"“{name}” is an incomplete MP4/MOV file: its index (the moov box) is missing, "
            "as happens when a recording or download is cut short."
        )
    return f"“{name}” is not a video file we can read."


def video_stream(container: av.container.InputContainer, name: str) -> av.VideoStream:
    """The first stream that holds pictures, or ``UnsupportedVideo`` (a sound file says so)."""
    for stream in container.streams.video:
        if stream.codec_context.name not in TEXT_ART_CODECS:
            return stream
    if container.streams.audio:
        raise UnsupportedVideo(f"“{name}” is an audio file (sound only, no picture), not a video.")
    raise UnsupportedVideo(f"“{name}” is not a video file we can read.")


def stream_time_base(stream: av.stream.Stream) -> Fraction:
    """A stream's time base; FFmpeg sets one on every demuxed or templated stream."""
    if stream.time_base is None:
        raise ValueError(f"stream {stream.index} has no time base")
    return stream.time_base


def stream_duration(container: av.container.InputContainer, stream: av.VideoStream) -> float:
    """Seconds, from the stream's own duration, else the container's; 0.0 when neither says."""
    if stream.duration and stream.time_base:
        return float(stream.duration * stream.time_base)
    if container.duration:
        return container.duration / 1_000_000  # AV_TIME_BASE
    return 0.0


def stream_info(container: av.container.InputContainer, stream: av.VideoStream) -> VideoInfo:
    """A ``VideoInfo`` from the header alone (nothing decoded)."""
    ctx = stream.codec_context
    rate = stream.average_rate or stream.guessed_rate or stream.base_rate
    return VideoInfo(
        width=ctx.width,
        height=ctx.height,
        fps=float(rate) if rate else 0.0,
        duration=stream_duration(container, stream),
        frames=stream.frames or None,
        codec=ctx.name,
        pix_fmt=ctx.pix_fmt,
        has_audio=bool(container.streams.audio),
        container=container.format.name,
    )


def is_faststart(path: Path) -> bool:
    """Whether an MP4's top-level boxes are laid out for streaming: the index (``moov``) before the
    media data (``mdat``), boxes that end exactly where the file does, and little padding
    (``free``/``skip``). Only box headers are read."""
    size, offset, indexed, padding = path.stat().st_size, 0, False, 0
    with open(path, "rb") as handle:
        while offset < size:
            handle.seek(offset)
            header = handle.read(16)
            if len(header) < 8:
                return False
            box_size, kind = struct.unpack(">I4s", header[:8])
            if box_size == 1 and len(header) == 16:  # a 64-bit size follows the type
                box_size = struct.unpack(">Q", header[8:])[0]
            elif box_size == 0:  # the box runs to the end of the file
                box_size = size - offset
            if box_size < 8 or offset + box_size > size:
                return False
            if kind == b"mdat" and not indexed:
                return False
            indexed = indexed or kind == b"moov"
            padding += box_size if kind in PADDING_BOXES else 0
            offset += box_size
    return indexed and padding <= MAX_PADDING_BYTES


# ── probing and validating ──────────────────────────────────────────────────────────────────────


def probe(path: str | os.PathLike[str], name: str | None = None) -> VideoInfo:
    """Read a video's header (no decoding). Raises ``UnsupportedVideo`` if there is no picture stream."""
    path = Path(path)
    name = name or path.name
    if path.stat().st_size == 0:
        raise UnsupportedVideo(f"“{name}” is empty (0 bytes).")
    with open_video(path, name) as container:
        return stream_info(container, video_stream(container, name))


def _minutes(seconds: float) -> str:
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest:02d} s" if minutes else f"{rest} s"


def validate_video(path: str | os.PathLike[str], name: str | None = None, thorough: bool | None = None) -> VideoInfo:
    """Check that an import really is a video we can keep, or raise ``UnsupportedVideo`` with one sentence.

    The header is not trusted: frames are decoded. With ``thorough`` (the default for clips up to
    ``FULL_DECODE_MAX_SECONDS``) every frame is decoded and counted; otherwise the first frames and
    the last second are, which still catches a file cut after its header (it keeps reporting its
    full duration, but its picture stops early).
    """
    import av

    path = Path(path)
    name = name or path.name
    info = probe(path, name)
    if info.width <= 0 or info.height <= 0:
        raise UnsupportedVideo(f"“{name}” has no readable picture size.")
    if info.width < MIN_SIDE or info.height < MIN_SIDE:
        raise UnsupportedVideo(
            f"“{name}” is only {info.width}×{info.height} pixels; the smallest we accept is {MIN_SIDE} a side."
        )
    if info.width > MAX_SIDE or info.height > MAX_SIDE:
        raise UnsupportedVideo(
            f"“{name}” is {info.width}×{info.height}; the largest we accept is {MAX_SIDE} pixels a side."
        )
    if info.duration > MAX_SECONDS:
        raise UnsupportedVideo(
            f"“{name}” lasts {_minutes(info.duration)}; the longest we accept is {MAX_SECONDS // 60} minutes."
        )
    if thorough is None:
        thorough = info.duration <= FULL_DECODE_MAX_SECONDS
    try:
        decoded, last_time, rotation = _decode_check(path, name, info, thorough)
    except av.error.FFmpegError:
        raise UnsupportedVideo(f"“{name}” is damaged: its {info.codec} picture cannot be decoded.") from None
    if decoded == 0:
        raise UnsupportedVideo(f"“{name}” has a {info.codec} stream but no picture could be decoded from it.")
    if decoded < 2 and (thorough or info.codec in STILL_IMAGE_CODECS):
        raise UnsupportedVideo(
            f"“{name}” holds a single still picture ({info.codec}), not a video; import it as an image instead."
        )
    frame_time = 1 / info.fps if info.fps else 0.0
    if info.duration and last_time is not None:
        tolerance = max(1.0, 0.05 * info.duration)
        if last_time + frame_time < info.duration - tolerance:
            raise UnsupportedVideo(
                f"“{name}” is cut short: it declares {info.duration:.1f} s but its picture "
                f"stops at {last_time:.1f} s, as when a download or recording is interrupted."
            )
    if rotation:
        turned = rotation % 180 != 0
        info = dataclasses.replace(
            info,
            rotation=rotation,
            width=info.height if turned else info.width,
            height=info.width if turned else info.height,
        )
    if thorough:
        info = dataclasses.replace(info, frames=decoded)
        if not info.duration and info.fps:
            info = dataclasses.replace(info, duration=decoded / info.fps)
    return info


def _decode_check(path: Path, name: str, info: VideoInfo, thorough: bool) -> tuple[int, float | None, int]:
    """Frames decoded, the time of the last one (``None`` if the tail was never reached), the rotation."""
    with open_video(path, name) as container:
        stream = video_stream(container, name)
        stream.thread_type = "AUTO"
        count, rotation = 0, 0
        last: float | None = None
        for frame in container.decode(stream):
            if not count:
                rotation = frame.rotation % 360
            count += 1
            last = frame.time
            if not thorough and count >= 2:
                break
        if thorough or not info.duration:
            return count, last, rotation
        last = None
        container.seek(_pts(max(0.0, info.duration - 1.0), stream), stream=stream, backward=True)
        for frame in container.decode(stream):
            last = frame.time if frame.time is not None else last
        return count, (last if last is not None else 0.0), rotation


# ── finding frames ──────────────────────────────────────────────────────────────────────────────


def _pts(seconds: float, stream: av.VideoStream) -> int:
    return int(seconds / stream_time_base(stream)) + (stream.start_time or 0)


def frame_at(
    container: av.container.InputContainer, stream: av.VideoStream, seconds: float, slack: float
) -> av.VideoFrame | None:
    """The first frame at or after ``seconds - slack``, decoding forward from the keyframe before it."""
    container.seek(_pts(seconds, stream), stream=stream, backward=True)
    chosen = None
    for frame in container.decode(stream):
        chosen = frame
        if frame.time is None or frame.time >= seconds - slack:
            break
    return chosen


def keyframe_near(
    container: av.container.InputContainer, stream: av.VideoStream, seconds: float, slack: float, fallback_slack: float
) -> av.VideoFrame | None:
    """A keyframe within ``slack`` of ``seconds`` (one decode), else the frame decoded forward to
    within ``fallback_slack`` of it."""
    ctx = stream.codec_context
    ctx.skip_frame = "NONKEY"
    try:
        container.seek(_pts(seconds + slack, stream), stream=stream, backward=True)
        frame = next(container.decode(stream), None)
    finally:
        ctx.skip_frame = "DEFAULT"
    if frame is not None and frame.time is not None and frame.time >= seconds - slack:
        return frame
    return frame_at(container, stream, seconds, fallback_slack)  # keyframes too sparse


def decoded_frames(
    container: av.container.InputContainer, video: av.VideoStream, audio: av.AudioStream | None
) -> Iterator[av.VideoFrame | av.AudioFrame]:
    """Picture and sound frames in the order the file interleaves them (sound may come first)."""
    import av

    for packet in container.demux(*[s for s in (video, audio) if s is not None]):
        for frame in packet.decode():
            if isinstance(frame, av.VideoFrame | av.AudioFrame):
                yield frame


# ── pictures ────────────────────────────────────────────────────────────────────────────────────


def upright(frame: av.VideoFrame) -> av.VideoFrame:
    """Apply a phone's rotation flag to the pixels: the flag does not survive every player."""
    import av
    import numpy as np

    turns = (frame.rotation // 90) % 4  # PyAV reports degrees counter-clockwise
    if not turns:
        return frame
    pixels = np.ascontiguousarray(np.rot90(frame.to_ndarray(format="rgb24"), turns), dtype=np.uint8)
    turned = av.VideoFrame.from_ndarray(pixels, format="rgb24")
    turned.pts, turned.time_base = frame.pts, frame.time_base
    return turned


def frame_image(frame: av.VideoFrame) -> Image.Image:
    """The frame as an RGB PIL image."""
    to_image = cast("Callable[[], Image.Image]", frame.to_image)  # PyAV's stub leaves to_image untyped
    return to_image()
