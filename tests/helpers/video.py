"""Test media made on the fly with PyAV (nothing is committed), and ways to look inside MP4 files.

The generators write files with PyAV directly, not through ``core.videos``, so a bug in the code
under test cannot also bend the fixtures it is checked against.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import numpy.typing as npt
import pytest
from PIL import Image


def moving_frames(width: int, height: int, count: int, seed: int = 0) -> list[np.ndarray]:
    """A colour gradient with a white square sliding across: every frame different, easy to encode."""
    rng = np.random.default_rng(seed)
    x = np.linspace(0, 255, width, dtype=np.float32)[None, :]
    y = np.linspace(0, 255, height, dtype=np.float32)[:, None]
    base = np.stack(np.broadcast_arrays(x, y, np.full_like(x * y, rng.integers(0, 255))), axis=-1).astype(np.uint8)
    frames = []
    side = max(4, min(width, height) // 4)
    for index in range(count):
        frame = base.copy()
        left = int((width - side) * index / max(1, count - 1))
        frame[height // 2 - side // 2 : height // 2 + side // 2, left : left + side] = 255
        frames.append(frame)
    return frames


def _sine(seconds: float, rate: int = 48000) -> np.ndarray:
    t = np.arange(int(seconds * rate), dtype=np.float32) / rate
    return (0.2 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)[None, :]


def _write(
    path: Path,
    fmt: str,
    codec: str,
    width: int,
    height: int,
    seconds: float,
    fps: int = 24,
    pix_fmt: str = "yuv420p",
    options: dict[str, object] | None = None,
    audio_codec: str | None = None,
    container_options: dict[str, str] | None = None,
) -> Path:
    with av.open(str(path), "w", format=fmt, options=container_options or {}) as out:
        video = out.add_stream(codec, rate=fps)
        assert isinstance(video, av.VideoStream), codec
        video.width, video.height, video.pix_fmt = width, height, pix_fmt
        video.options = options or {}
        audio = out.add_stream(audio_codec, rate=48000, layout="mono") if audio_codec else None
        assert audio is None or isinstance(audio, av.AudioStream), audio_codec
        for index, pixels in enumerate(moving_frames(width, height, round(seconds * fps))):
            frame = av.VideoFrame.from_ndarray(pixels, format="rgb24")
            frame.pts = index
            out.mux(video.encode(frame))
        out.mux(video.encode())
        if audio is not None:
            _add_sine(out, audio, seconds)
    return path


def make_mp4(
    path: Path,
    width: int = 256,
    height: int = 144,
    seconds: float = 2,
    fps: int = 24,
    faststart: bool = True,
    audio: bool = False,
) -> Path:
    return _write(
        path,
        "mp4",
        "libx264",
        width,
        height,
        seconds,
        fps,
        options={"preset": "ultrafast"},
        audio_codec="aac" if audio else None,
        container_options={"movflags": "+faststart"} if faststart else None,
    )


def make_webm(path: Path, width: int = 256, height: int = 144, seconds: float = 2) -> Path:
    """VP9 with Opus sound, what browsers record; VP8, then MPEG-4 in MOV, where the wheel lacks it."""
    for codec in ("libvpx-vp9", "libvpx"):
        try:
            av.codec.Codec(codec, "w")
        except av.error.FFmpegError:
            continue
        return _write(
            path,
            "webm",
            codec,
            width,
            height,
            seconds,
            options={"deadline": "realtime", "cpu-used": "8"},
            audio_codec="libopus",
        )
    return _write(path.with_suffix(".mov"), "mov", "mpeg4", width, height, seconds)


def make_odd_mov(path: Path, width: int = 255, height: int = 143, seconds: float = 1) -> Path:
    """MPEG-4 Part 2 in MOV with odd sides: what an old camera or screen recorder hands over."""
    return _write(path, "mov", "mpeg4", width, height, seconds)


def make_rotated_mov(path: Path, degrees: int = 90) -> Path:
    """A landscape-stored clip flagged to be shown turned, as phones record portrait video.

    A white block marks the stored picture's top-left corner.
    """
    with av.open(str(path), "w", format="mov") as out:
        video = out.add_stream("mpeg4", rate=24)
        video.width, video.height, video.pix_fmt = 64, 36, "yuv420p"
        video.set_display_rotation(degrees)
        for index in range(24):
            pixels = np.zeros((36, 64, 3), np.uint8)
            pixels[:12, :12] = 255
            frame = av.VideoFrame.from_ndarray(pixels, format="rgb24")
            frame.pts = index
            out.mux(video.encode(frame))
        out.mux(video.encode())
    return path


def make_phone_mp4(
    path: Path, width: int = 320, height: int = 180, degrees: int = -90, seconds: float = 1, audio: bool = True
) -> Path:
    """H.264/AAC in a +faststart MP4, stored landscape with a display matrix that says "turn 90°
    clockwise" (ffprobe: rotation -90), as a phone records a portrait clip.

    A white block marks the stored picture's top-left corner; shown upright it is the top-right.
    """
    with av.open(str(path), "w", format="mp4", options={"movflags": "+faststart"}) as out:
        video = out.add_stream("libx264", rate=24)
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        video.options = {"preset": "ultrafast"}
        video.set_display_rotation(degrees)  # counter-clockwise degrees, as PyAV reads them back
        sound = out.add_stream("aac", rate=48000, layout="mono") if audio else None
        block = min(width, height) // 4
        for index, pixels in enumerate(moving_frames(width, height, round(seconds * 24))):
            pixels //= 2  # nothing else near white
            pixels[:block, :block] = 255
            frame = av.VideoFrame.from_ndarray(pixels, format="rgb24")
            frame.pts = index
            out.mux(video.encode(frame))
        out.mux(video.encode())
        if isinstance(sound, av.AudioStream):
            _add_sine(out, sound, seconds)
    return path


def make_moov_at_end(path: Path, seconds: float = 2) -> Path:
    """H.264/AAC MP4 written the camera way: the index (moov) after the media data."""
    return make_mp4(path, seconds=seconds, faststart=False, audio=True)


def make_trailing_free_box(path: Path, megabytes: float = 4) -> Path:
    """A +faststart H.264 MP4 followed by a big `free` box (a phone's or editor's reserved space)."""
    make_mp4(path, audio=True)
    size = int(megabytes * 2**20)
    with open(path, "ab") as handle:
        handle.write(struct.pack(">I4s", size, b"free") + bytes(size - 8))
    return path


def stream_packets(path: Path) -> list[tuple[str, int | None, bytes]]:
    """Every picture and sound packet's kind, presentation time (in seconds × 1000) and bytes."""
    with av.open(str(path)) as container:
        streams = [container.streams.video[0], *container.streams.audio[:1]]
        return [
            (
                packet.stream.type,
                None if packet.pts is None else round(1000 * packet.pts * packet.time_base),
                bytes(packet),
            )
            for packet in container.demux(*streams)
            if packet.size
        ]


def _add_sine(out: av.container.OutputContainer, audio: av.AudioStream, seconds: float) -> None:
    samples = _sine(seconds)
    for start in range(0, samples.shape[1], 960):
        chunk = av.AudioFrame.from_ndarray(
            np.ascontiguousarray(samples[:, start : start + 960]), format="fltp", layout="mono"
        )
        chunk.sample_rate, chunk.pts = 48000, start
        out.mux(audio.encode(chunk))
    out.mux(audio.encode())


def make_audio_only(path: Path, seconds: float = 1) -> Path:
    """An AAC-in-M4A sound file (an .mp4 by another name)."""
    with av.open(str(path), "w", format="mp4") as out:
        audio = out.add_stream("aac", rate=48000, layout="mono")
        samples = _sine(seconds)
        for start in range(0, samples.shape[1], 1024):
            chunk = av.AudioFrame.from_ndarray(
                np.ascontiguousarray(samples[:, start : start + 1024]), format="fltp", layout="mono"
            )
            chunk.sample_rate, chunk.pts = 48000, start
            out.mux(audio.encode(chunk))
        out.mux(audio.encode())
    return path


def make_png_named_mp4(path: Path) -> Path:
    Image.fromarray(moving_frames(320, 180, 1)[0]).save(path, format="PNG")
    return path


def make_random_bytes(path: Path, subtitle_lookalike: bool = False) -> Path:
    """4 KB of noise; with ``subtitle_lookalike`` it starts with "[", which FFmpeg opens as LRC lyrics."""
    data = np.random.default_rng(7).bytes(4096)
    path.write_bytes(b"[" + data[1:] if subtitle_lookalike else data)
    return path


def make_truncated_moov(path: Path) -> Path:
    """An MP4 written the camera way (index last) and cut off before its index: no moov at all."""
    make_mp4(path, faststart=False)
    data = path.read_bytes()
    moov = next(offset for kind, offset, _ in mp4_boxes(data) if kind == "moov")
    path.write_bytes(data[: moov - 100])
    return path


def make_cut_after_header(path: Path) -> Path:
    """A +faststart MP4 cut in half: the index survives and still promises every frame."""
    make_mp4(path, seconds=4)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def mp4_boxes(data: bytes | Path) -> list[tuple[str, int, int]]:
    """Top-level ISO-BMFF boxes as (type, offset, size), read straight from the bytes."""
    if isinstance(data, Path):
        data = data.read_bytes()
    boxes, offset = [], 0
    while offset + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[offset : offset + 8])
        if size == 1:  # a 64-bit size follows the type
            size = struct.unpack(">Q", data[offset + 8 : offset + 16])[0]
        elif size == 0:  # the box runs to the end of the file
            size = len(data) - offset
        if size < 8:
            break
        boxes.append((kind.decode("latin-1"), offset, size))
        offset += size
    return boxes


@dataclass(frozen=True)
class Decoded:
    codec: str
    pix_fmt: str
    width: int
    height: int
    fps: Fraction
    frames: list[np.ndarray]  # RGB
    has_audio: bool


def decode(path: Path) -> Decoded:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        frames = [frame.to_ndarray(format="rgb24") for frame in container.decode(stream)]
        ctx = stream.codec_context
        return Decoded(
            ctx.name,
            ctx.pix_fmt or "",  # "" never equals the format a test expects
            ctx.width,
            ctx.height,
            stream.average_rate or Fraction(0),
            frames,
            bool(container.streams.audio),
        )


def mean_abs_diff(a: npt.ArrayLike | Image.Image, b: npt.ArrayLike | Image.Image) -> float:
    return float(np.mean(np.abs(np.asarray(a, dtype=np.float32) - np.asarray(b, dtype=np.float32))))


@dataclass(frozen=True)
class SampleMedia:
    mp4: Path
    mp4_with_sound: Path
    webm: Path
    odd_mov: Path
    rotated_mov: Path
    empty: Path
    random_bytes: Path
    subtitle_lookalike: Path
    png_named_mp4: Path
    audio_only: Path
    truncated_moov: Path
    cut_after_header: Path


@pytest.fixture(scope="session")
def sample_media(tmp_path_factory: pytest.TempPathFactory) -> SampleMedia:
    """One of every kind of file an import can meet, made once per test session."""
    folder = tmp_path_factory.mktemp("video-media")
    empty = folder / "empty.mp4"
    empty.write_bytes(b"")
    return SampleMedia(
        mp4=make_mp4(folder / "clip.mp4"),
        mp4_with_sound=make_mp4(folder / "with-sound.mp4", audio=True),
        webm=make_webm(folder / "recording.webm"),
        odd_mov=make_odd_mov(folder / "camera.mov"),
        rotated_mov=make_rotated_mov(folder / "portrait.mov"),
        empty=empty,
        random_bytes=make_random_bytes(folder / "noise.mp4"),
        subtitle_lookalike=make_random_bytes(folder / "lyrics-noise.mp4", subtitle_lookalike=True),
        png_named_mp4=make_png_named_mp4(folder / "still.mp4"),
        audio_only=make_audio_only(folder / "song.m4a"),
        truncated_moov=make_truncated_moov(folder / "cut-index.mp4"),
        cut_after_header=make_cut_after_header(folder / "cut-half.mp4"),
    )
