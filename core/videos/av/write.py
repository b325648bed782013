"""Writing video files a browser can play, from pictures or from any readable video.

"Browser-playable" here means H.264 in MP4 with ``yuv420p`` set explicitly (RGB input would
otherwise give 4:4:4, which browsers refuse), even dimensions, the index (``moov``) before the
media data (``+faststart``) so playback starts before the download ends, and a keyframe about
every second so seeking, posters and sprite sheets stay cheap. Files are written beside their
destination and renamed into place, so a crash never leaves a half-written video in the library.
A file that is all that but for its layout (index last, padding) is remuxed, not re-encoded.
"""

from __future__ import annotations

import contextlib
import itertools
import os
from collections.abc import Callable, Iterable, Iterator
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, cast

import numpy as np
from PIL import Image

from core.errors import UnsupportedVideo
from core.videos.av.read import (
    VideoInfo,
    decoded_frames,
    open_video,
    probe,
    stream_duration,
    stream_time_base,
    upright,
    video_stream,
)

if TYPE_CHECKING:  # av is imported where it is used: it is heavy for a page that never touches video
    import av

H264_CRF = 20
H264_PRESET = "veryfast"


class BrowserMP4:
    """An H.264/yuv420p/+faststart MP4 written to a hidden file beside ``path`` and renamed on success.

    Use it through ``mp4_writer``, which commits it on a clean exit and removes it otherwise.
    """

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
        self.audio: av.AudioStream | None = None
        self.resampler: av.AudioResampler | None = None
        if audio:
            self.audio = self.container.add_stream("aac", rate=audio[0], layout=audio[1])
            self.resampler = av.AudioResampler(format="fltp", layout=audio[1], rate=audio[0])
        self.next_pts = 0

    def add(self, frame: av.VideoFrame, pts: int | None = None) -> None:
        """Encode one picture; ``pts`` in the writer's time base, else right after the previous one."""
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
        """Encode one RGB picture (an H×W×3 uint8 array, or a PIL image)."""
        import av

        if isinstance(pixels, Image.Image):
            from_image = cast("Callable[[Image.Image], av.VideoFrame]", av.VideoFrame.from_image)  # untyped stub
            frame = from_image(pixels.convert("RGB"))
        else:
            frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(pixels[..., :3]), format="rgb24")
        self.add(frame)

    def add_audio(self, frame: av.AudioFrame | None) -> None:
        """Encode sound (``None`` flushes the resampler); only for a writer opened with ``audio``."""
        if self.audio is None or self.resampler is None:
            raise ValueError("this writer was opened without a sound track")
        for out in self.resampler.resample(frame):
            out.pts = None  # the encoder numbers samples itself: sources may start at negative times
            self.container.mux(self.audio.encode(out))

    def finish(self) -> None:
        """Flush the encoders, close the file and rename it onto ``path``."""
        self.container.mux(self.video.encode())
        if self.audio is not None:
            self.add_audio(None)
            self.container.mux(self.audio.encode())
        self.container.close()
        os.replace(self.partial, self.path)

    def abort(self) -> None:
        """Close and delete the hidden partial file; ``path`` is left as it was."""
        with contextlib.suppress(Exception):
            self.container.close()
        self.partial.unlink(missing_ok=True)


@contextlib.contextmanager
def mp4_writer(
    path: Path,
    width: int,
    height: int,
    fps: float | Fraction,
    *,
    time_base: Fraction | None = None,
    crf: int = H264_CRF,
    preset: str = H264_PRESET,
    audio: tuple[int, str] | None = None,
) -> Iterator[BrowserMP4]:
    """A browser-playable MP4 writer: ``add(VideoFrame)``/``add_rgb(pixels)``, committed on clean exit.

    ``audio`` is (sample rate, layout) to carry sound, fed with ``add_audio``.
    """
    rate = fps if isinstance(fps, Fraction) else frame_rate(fps)
    writer = BrowserMP4(Path(path), width, height, rate, time_base=time_base, crf=crf, preset=preset, audio=audio)
    try:
        yield writer
    except BaseException:
        writer.abort()
        raise
    writer.finish()


def frame_rate(fps: float) -> Fraction:
    """A frame rate as the exact fraction players expect: 29.97 → 30000/1001."""
    return Fraction(fps).limit_denominator(1001)


def write_mp4(
    frames: Iterable[np.ndarray | Image.Image],
    path: str | os.PathLike[str],
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
    src: str | os.PathLike[str],
    dst: str | os.PathLike[str],
    keep_audio: bool = True,
    progress: Callable[[float], None] | None = None,
) -> VideoInfo:
    """Re-encode any readable video (MOV, WebM, MPEG-4 Part 2, …) as browser-playable MP4 at ``dst``.

    Frame times are kept (variable frame rate survives), a rotated phone video is turned upright,
    odd sides are scaled to the nearest even size, and sound is re-encoded as AAC.
    """
    import av

    src, dst = Path(src), Path(dst)
    with open_video(src, src.name) as container:
        stream = video_stream(container, src.name)
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
        duration = stream_duration(container, stream)
        fps = stream.average_rate or stream.guessed_rate or Fraction(24)
        try:
            decoded = decoded_frames(container, stream, audio_in)
            early_audio: list[av.AudioFrame] = []  # sound can demux before the first picture
            first: av.VideoFrame | None = None
            for frame in decoded:
                if isinstance(frame, av.VideoFrame):
                    first = frame
                    break
                early_audio.append(frame)
            if first is None:
                raise UnsupportedVideo(f"“{src.name}” has no picture that can be decoded.")
            quarter_turn = first.rotation % 180 != 0
            width, height = (first.height, first.width) if quarter_turn else (first.width, first.height)
            start, reported = first.pts or 0, -1
            with mp4_writer(dst, width, height, fps, time_base=stream.time_base or 1 / fps, audio=audio) as writer:
                for sound in early_audio:
                    writer.add_audio(sound)
                for frame in itertools.chain([first], decoded):
                    if isinstance(frame, av.AudioFrame):
                        writer.add_audio(frame)
                        continue
                    writer.add(upright(frame), None if frame.pts is None else frame.pts - start)
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


def remux_to_faststart(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> VideoInfo:
    """Copy a browser-playable MP4's picture and sound packets, untouched, into a +faststart MP4 at ``dst``.

    For a file whose only fault is its layout (the index after the media data, padding or junk after
    it): nothing is re-encoded. Raises ``UnsupportedVideo`` if the packets cannot be copied into MP4.
    """
    import av

    src, dst = Path(src), Path(dst)
    partial = dst.with_name(f".{dst.name}.{os.getpid()}.partial")
    with open_video(src, src.name, packets_only=True) as container:
        video = video_stream(container, src.name)
        streams: list[av.stream.Stream] = [video, *container.streams.audio[:1]]
        output = av.open(str(partial), "w", format="mp4", options={"movflags": "+faststart"})
        try:
            copies = {}
            for stream in streams:
                copies[stream.index] = output.add_stream_from_template(stream)
                copies[stream.index].time_base = stream_time_base(stream)
            for packet in container.demux(*streams):
                if packet.dts is None:  # the demuxer's end-of-stream marker
                    continue
                packet.stream = copies[packet.stream.index]
                output.mux(packet)
            output.close()
        except BaseException as exc:
            with contextlib.suppress(Exception):
                output.close()
            partial.unlink(missing_ok=True)
            if isinstance(exc, av.error.FFmpegError):
                raise UnsupportedVideo(f"“{src.name}” cannot be copied into a new MP4 as it is.") from None
            raise
    os.replace(partial, dst)
    return probe(dst)
