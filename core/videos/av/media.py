"""Local video files: inspect, validate imports, and write what a browser can play.

Everything goes through PyAV, whose wheel bundles FFmpeg and libx264; there is no system ffmpeg.
"Browser-playable" here means H.264 in MP4 with ``yuv420p`` set explicitly (RGB input would
otherwise give 4:4:4, which browsers refuse), even dimensions, the index (``moov``) before the
media data (``+faststart``) so playback starts before the download ends, and a keyframe about
every second so seeking, posters and sprite sheets stay cheap. Files are written beside their
destination and renamed into place, so a crash never leaves a half-written video in the library.

Known limit of validation: a clip longer than ``FULL_DECODE_MAX_SECONDS`` is decoded only at its
start and its last second, so damage in its middle goes unnoticed until playback.
"""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image

from core.errors import UnsupportedVideo

if TYPE_CHECKING:  # av is imported where it is used: it is heavy for a page that never touches video
    import av

MAX_SIDE = 4096  # pixels, either side
MAX_SECONDS = 10 * 60
FULL_DECODE_MAX_SECONDS = 30  # ~0.2 s of decoding per 8 s of 720p on 2 cores
# Codecs FFmpeg reads as one-picture "videos" (a PNG renamed .mp4 opens as png_pipe).
STILL_IMAGE_CODECS = {"png", "mjpeg", "jpegls", "webp", "bmp", "tiff", "gif", "ppm", "pgm", "pam", "qoi", "jpeg2000"}
# Text-art demuxers turn arbitrary bytes into a "video" stream; none of it is a picture.
TEXT_ART_CODECS = {"ansi", "bintext", "xbin", "idf", "tty"}
H264_CRF = 20
H264_PRESET = "veryfast"


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


# ── reading ─────────────────────────────────────────────────────────────────────────────────────


@contextlib.contextmanager
def _open(path: Path, name: str) -> Iterator[av.container.InputContainer]:
    import av

    try:
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


def _video_stream(container: av.container.InputContainer, name: str) -> av.VideoStream:
    for stream in container.streams.video:
        if stream.codec_context.name not in TEXT_ART_CODECS:
            return stream
    if container.streams.audio:
        raise UnsupportedVideo(f"“{name}” is an audio file (sound only, no picture), not a video.")
    raise UnsupportedVideo(f"“{name}” is not a video file we can read.")


def _stream_duration(container: av.container.InputContainer, stream: av.VideoStream) -> float:
    if stream.duration and stream.time_base:
        return float(stream.duration * stream.time_base)
    if container.duration:
        return container.duration / 1_000_000  # AV_TIME_BASE
    return 0.0


def _info(container: av.container.InputContainer, stream: av.VideoStream) -> VideoInfo:
    ctx = stream.codec_context
    rate = stream.average_rate or stream.guessed_rate or stream.base_rate
    return VideoInfo(
        width=ctx.width,
        height=ctx.height,
        fps=float(rate) if rate else 0.0,
        duration=_stream_duration(container, stream),
        frames=stream.frames or None,
        codec=ctx.name,
        pix_fmt=ctx.pix_fmt,
        has_audio=bool(container.streams.audio),
        container=container.format.name,
    )


def probe(path: str | os.PathLike, name: str | None = None) -> VideoInfo:
    """Read a video's header (no decoding). Raises ``UnsupportedVideo`` if there is no picture stream."""
    path = Path(path)
    name = name or path.name
    if path.stat().st_size == 0:
        raise UnsupportedVideo(f"“{name}” is empty (0 bytes).")
    with _open(path, name) as container:
        return _info(container, _video_stream(container, name))


def _minutes(seconds: float) -> str:
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest:02d} s" if minutes else f"{rest} s"


def validate_video(path: str | os.PathLike, name: str | None = None, thorough: bool | None = None) -> VideoInfo:
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
    with _open(path, name) as container:
        stream = _video_stream(container, name)
        stream.thread_type = "AUTO"
        count, last, rotation = 0, None, 0
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


def _pts(seconds: float, stream: av.VideoStream) -> int:
    return int(seconds / stream.time_base) + (stream.start_time or 0)


def _frame_at(
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


def _keyframe_near(
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
    return _frame_at(container, stream, seconds, fallback_slack)  # keyframes too sparse


def poster(path: str | os.PathLike, at_seconds: float | None = None) -> Image.Image:
    """One full-size RGB frame: the one at ``at_seconds``, or by default the keyframe nearest a third
    of the way in (past fades and titles; a keyframe is one decode and the sharpest picture)."""
    path = Path(path)
    with _open(path, path.name) as container:
        stream = _video_stream(container, path.name)
        duration = _stream_duration(container, stream)
        target = duration / 3 if at_seconds is None else at_seconds
        rate = float(stream.average_rate or 24)
        target = min(max(0.0, target), max(0.0, duration - 1 / rate))
        if at_seconds is None:
            frame = _keyframe_near(container, stream, target, min(0.5, duration / 6), 0.5 / rate)
        else:
            stream.thread_type = "AUTO"
            frame = _frame_at(container, stream, target, slack=0.5 / rate)
        if frame is None:  # the seek landed past what the file really holds: take its first frame
            container.seek(0)
            frame = next(container.decode(stream), None)
        if frame is None:
            raise UnsupportedVideo(f"“{path.name}” has no picture that can be decoded.")
        return frame.to_image()


def spritesheet(
    path: str | os.PathLike, tiles: int = 10, tile_width: int = 160, columns: int | None = None
) -> Image.Image:
    """``tiles`` frames sampled evenly (tile i shows time (i + ½)·duration/tiles), left to right then down.

    Each tile is the keyframe nearest its time when one lies within half a tile's interval (one
    decode; with a keyframe every second that is most tiles), else the frame decoded forward to it.
    ``columns`` defaults to one row.
    """
    path = Path(path)
    columns = max(1, min(columns or tiles, tiles))
    rows = -(-tiles // columns)
    with _open(path, path.name) as container:
        stream = _video_stream(container, path.name)
        ctx = stream.codec_context
        tile_height = max(2, round(tile_width * ctx.height / max(1, ctx.width) / 2) * 2)
        duration = _stream_duration(container, stream)
        sheet = Image.new("RGB", (tile_width * columns, tile_height * rows))
        interval = duration / tiles if duration else 0.0
        previous = None
        for index in range(tiles):
            frame = (
                _keyframe_near(container, stream, (index + 0.5) * interval, interval / 2, interval / 2)
                if duration
                else None
            )
            frame = frame or previous
            if frame is None:
                continue
            previous = frame
            tile = frame.reformat(width=tile_width, height=tile_height, format="rgb24").to_image()
            sheet.paste(tile, ((index % columns) * tile_width, (index // columns) * tile_height))
        return sheet


# ── writing ─────────────────────────────────────────────────────────────────────────────────────


class _BrowserMP4:
    """An H.264/yuv420p/+faststart MP4 written to a hidden file beside ``path`` and renamed on success."""

    def __init__(
        self,
        path: Path,
        width: int,
        height: int,
        rate: Fraction,
        time_base: Fraction | None = None,
        crf: int = H264_CRF,
        preset: str = H264_PRESET,
        audio: tuple[int, str] | None = None,
    ):
        import av

        self.path = path
        self.width, self.height = width - width % 2, height - height % 2  # 4:2:0 needs even sides
        if self.width < 2 or self.height < 2:
            raise ValueError(f"a video needs at least 2×2 pixels, got {width}×{height}")
        self.partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
        self.container = av.open(str(self.partial), "w", format="mp4", options={"movflags": "+faststart"})
        self.video = self.container.add_stream("libx264", rate=rate)
        self.video.width, self.video.height, self.video.pix_fmt = self.width, self.height, "yuv420p"
        ctx = self.video.codec_context
        ctx.time_base = time_base or 1 / rate
        ctx.gop_size = max(1, round(rate))  # a keyframe about every second
        ctx.colorspace = ctx.color_primaries = ctx.color_trc = 1  # BT.709, which frames are converted to
        ctx.color_range = 1  # limited ("tv") range
        self.video.options = {"crf": str(crf), "preset": preset}
        self.audio = None
        if audio:
            self.audio = self.container.add_stream("aac", rate=audio[0], layout=audio[1])
            self.resampler = av.AudioResampler(format="fltp", layout=audio[1], rate=audio[0])
        self.next_pts = 0

    def add(self, frame: av.VideoFrame, pts: int | None = None) -> None:
        # Already-converted frames pass as they are; others (or other matrices: BT.601, BT.2020) convert.
        if (frame.format.name, frame.width, frame.height) != ("yuv420p", self.width, self.height) or int(
            frame.colorspace
        ) not in (1, 2):  # BT.709 or unspecified
            frame = frame.reformat(
                width=self.width, height=self.height, format="yuv420p", dst_colorspace="ITU709", dst_color_range="MPEG"
            )
        frame.pts = max(self.next_pts, pts if pts is not None else self.next_pts)
        frame.time_base = self.video.codec_context.time_base  # a decoded frame keeps its source's otherwise
        self.next_pts = frame.pts + 1
        self.container.mux(self.video.encode(frame))

    def add_rgb(self, pixels: np.ndarray | Image.Image) -> None:
        import av

        if isinstance(pixels, Image.Image):
            frame = av.VideoFrame.from_image(pixels.convert("RGB"))
        else:
            frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(pixels[..., :3]), format="rgb24")
        self.add(frame)

    def add_audio(self, frame: av.AudioFrame | None) -> None:
        for out in self.resampler.resample(frame):
            out.pts = None  # the encoder numbers samples itself: sources may start at negative times
            self.container.mux(self.audio.encode(out))

    def finish(self) -> None:
        self.container.mux(self.video.encode())
        if self.audio is not None:
            self.add_audio(None)
            self.container.mux(self.audio.encode())
        self.container.close()
        os.replace(self.partial, self.path)

    def abort(self) -> None:
        with contextlib.suppress(Exception):
            self.container.close()
        self.partial.unlink(missing_ok=True)


@contextlib.contextmanager
def mp4_writer(path: Path, width: int, height: int, fps: float | Fraction, **options) -> Iterator[_BrowserMP4]:
    """A browser-playable MP4 writer: ``add(VideoFrame)``/``add_rgb(pixels)``, committed on clean exit."""
    writer = _BrowserMP4(Path(path), width, height, fps if isinstance(fps, Fraction) else _rate(fps), **options)
    try:
        yield writer
    except BaseException:
        writer.abort()
        raise
    writer.finish()


def _rate(fps: float) -> Fraction:
    return Fraction(fps).limit_denominator(1001)  # 29.97 → 30000/1001


def write_mp4(
    frames: Iterable[np.ndarray | Image.Image],
    path: str | os.PathLike,
    fps: float = 24,
    crf: int = H264_CRF,
    preset: str = H264_PRESET,
) -> VideoInfo:
    """Encode RGB frames (H×W×3 uint8 arrays or PIL images, all one size) as a browser-playable MP4.

    An odd width or height loses its last column or row. Nothing appears at ``path`` unless the
    whole video was written.
    """
    path = Path(path)
    iterator = iter(frames)
    first = next(iterator, None)
    if first is None:
        raise ValueError("write_mp4 needs at least one frame")
    height, width = (first.height, first.width) if isinstance(first, Image.Image) else first.shape[:2]
    with mp4_writer(path, width, height, fps, crf=crf, preset=preset) as writer:
        writer.add_rgb(_even(first))
        for pixels in iterator:
            writer.add_rgb(_even(pixels))
    return probe(path)


def _even(pixels: np.ndarray | Image.Image) -> np.ndarray | Image.Image:
    if isinstance(pixels, Image.Image):
        return pixels.crop((0, 0, pixels.width - pixels.width % 2, pixels.height - pixels.height % 2))
    return pixels[: pixels.shape[0] - pixels.shape[0] % 2, : pixels.shape[1] - pixels.shape[1] % 2]


def transcode_to_browser(
    src: str | os.PathLike,
    dst: str | os.PathLike,
    keep_audio: bool = True,
    progress: Callable[[float], None] | None = None,
) -> VideoInfo:
    """Re-encode any readable video (MOV, WebM, MPEG-4 Part 2, …) as browser-playable MP4 at ``dst``.

    Frame times are kept (variable frame rate survives), a rotated phone video is turned upright,
    odd sides are scaled to the nearest even size, and sound is re-encoded as AAC.
    """
    import av

    src, dst = Path(src), Path(dst)
    with _open(src, src.name) as container:
        stream = _video_stream(container, src.name)
        stream.thread_type = "AUTO"
        ctx = stream.codec_context
        audio_in = container.streams.audio[0] if keep_audio and container.streams.audio else None
        audio = None
        if audio_in is not None:
            sample_rate = audio_in.codec_context.sample_rate
            audio = (
                sample_rate if sample_rate in (44100, 48000) else 48000,
                "mono" if audio_in.codec_context.channels == 1 else "stereo",
            )
        duration = _stream_duration(container, stream)
        fps = stream.average_rate or stream.guessed_rate or Fraction(24)
        try:
            decoded = _decoded(container, stream, audio_in)
            early_audio, first = [], None  # sound can demux before the first picture
            for kind, frame in decoded:
                if kind == "video":
                    first = frame
                    break
                early_audio.append(frame)
            if first is None:
                raise UnsupportedVideo(f"“{src.name}” has no picture that can be decoded.")
            quarter_turn = first.rotation % 180 != 0
            width, height = (first.height, first.width) if quarter_turn else (first.width, first.height)
            start, reported = first.pts or 0, -1
            with mp4_writer(dst, width, height, fps, time_base=stream.time_base or 1 / fps, audio=audio) as writer:
                for frame in early_audio:
                    writer.add_audio(frame)
                for kind, frame in itertools.chain([("video", first)], decoded):
                    if kind == "audio":
                        writer.add_audio(frame)
                        continue
                    writer.add(_upright(frame), None if frame.pts is None else frame.pts - start)
                    if progress and duration and frame.time is not None:
                        percent = int(100 * min(1.0, max(0.0, frame.time / duration)))
                        if percent > reported:  # whole percents only: the callback may write to a database
                            reported = percent
                            progress(percent / 100)
        except av.error.FFmpegError:
            raise UnsupportedVideo(f"“{src.name}” is damaged: its {ctx.name} picture cannot be decoded.") from None
    if progress:
        progress(1.0)
    return probe(dst)


def _decoded(
    container: av.container.InputContainer, video: av.VideoStream, audio: av.AudioStream | None
) -> Iterator[tuple[str, av.VideoFrame | av.AudioFrame]]:
    for packet in container.demux(*[s for s in (video, audio) if s is not None]):
        kind = "video" if packet.stream is video else "audio"
        for frame in packet.decode():
            yield kind, frame


def _upright(frame: av.VideoFrame) -> av.VideoFrame:
    """Apply a phone's rotation flag to the pixels: the flag does not survive every player."""
    import av

    turns = (frame.rotation // 90) % 4  # PyAV reports degrees counter-clockwise
    if not turns:
        return frame
    upright = av.VideoFrame.from_ndarray(
        np.ascontiguousarray(np.rot90(frame.to_ndarray(format="rgb24"), turns)), format="rgb24"
    )
    upright.pts, upright.time_base = frame.pts, frame.time_base
    return upright
