"""Copying H.264 packets into a new MP4 as they are: frame-exact, byte-identical, no re-encode.

A run of packets can be copied only when it starts on an IDR picture and forms closed GOPs (no frame
refers to a picture outside it), and its timestamps can be shifted without decoding order going
backwards. These helpers check that while copying and raise ``NotRemuxable`` at the first sign it
does not hold; the caller then re-encodes. A recut remuxes its segments this way, and a loop repeats
its one encoded cycle this way.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

from core.videos.av.read import open_video, stream_time_base

if TYPE_CHECKING:
    import av

    from core.videos.ops.source import IndexedSource

# H.264 profiles whose SPS carries chroma format and bit depth (High and above); others are 8-bit 4:2:0.
_HIGH_PROFILES = (100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135)

Put = Callable[["av.Packet[av.VideoStream]", int, int], None]


class NotRemuxable(Exception):
    """The packets cannot be copied as they are (an open GOP, timestamps out of order)."""


def h264_pix_fmt(extradata: bytes) -> str | None:
    """The picture layout from an avcC record's first SPS (without decoding): "yuv420p" for 8-bit 4:2:0."""
    if len(extradata) < 9 or extradata[0] != 1 or not extradata[5] & 0x1F:
        return None
    sps = extradata[8 : 8 + int.from_bytes(extradata[6:8], "big")].replace(b"\0\0\3", b"\0\0")
    if len(sps) < 4 or sps[1] not in _HIGH_PROFILES:
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


def starts_with_idr(data: bytes, extradata: bytes) -> bool:
    """Whether an H.264 packet (length-prefixed NAL units, as in MP4) holds an IDR picture."""
    size = (extradata[4] & 3) + 1 if len(extradata) > 4 and extradata[0] == 1 else 4
    offset = 0
    while offset + size < len(data):
        length = int.from_bytes(data[offset : offset + size], "big")
        if data[offset + size] & 0x1F == 5:
            return True
        offset += size + length
    return False


@contextlib.contextmanager
def remuxer(dst: Path, template: av.VideoStream) -> Iterator[Put]:
    """``put(packet, pts, dts)`` copies packets into a +faststart MP4, renamed onto ``dst`` on success."""
    import av

    partial = dst.with_name(f".{dst.name}.{os.getpid()}.remux.partial")
    output = av.open(str(partial), "w", format="mp4", options={"movflags": "+faststart"})
    try:
        stream = output.add_stream_from_template(template)
        time_base = stream_time_base(template)
        stream.time_base = time_base
        last_dts: int | None = None

        def put(packet: av.Packet[av.VideoStream], pts: int, dts: int) -> None:
            nonlocal last_dts
            if last_dts is not None and dts <= last_dts:
                raise NotRemuxable("decoding timestamps would go backwards")
            last_dts = dts
            packet.stream, packet.time_base, packet.pts, packet.dts = stream, time_base, pts, dts
            output.mux(packet)

        yield put
        output.close()
        os.replace(partial, dst)
    except BaseException:
        with contextlib.suppress(Exception):
            output.close()
        partial.unlink(missing_ok=True)
        raise


def segment_packets(
    container: av.container.InputContainer, stream: av.VideoStream, source: IndexedSource, first: int, stop: int
) -> Iterator[tuple[av.Packet[av.VideoStream], int, int]]:
    """The packets of frames [first, stop) in decoding order, with their pts and dts, when they form
    closed GOPs; ``NotRemuxable`` otherwise."""
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
                raise NotRemuxable("a frame refers to pictures outside its segment")
            count += 1
            yield packet, packet.pts, packet.dts
    except av.error.FFmpegError:
        raise NotRemuxable("unreadable packets") from None
    if count != stop - first:
        raise NotRemuxable("packets missing")


def repeat_packets(cycle: Path, frames: int, rate: Fraction, dst: Path, repeats: int) -> None:
    """Write ``repeats`` copies of ``cycle``'s packets back to back (each copy starts on an IDR frame)."""
    with open_video(cycle, packets_only=True) as container:
        stream = container.streams.video[0]
        timed = [
            (packet, packet.pts, packet.dts)
            for packet in container.demux(stream)
            if packet.size and packet.pts is not None and packet.dts is not None
        ]
        length = round(frames / rate / stream_time_base(stream))
        with remuxer(dst, stream) as put:
            for repeat in range(repeats):
                for packet, pts, dts in timed:  # muxing rewrites a packet's times: keep the originals
                    put(packet, pts + repeat * length, dts + repeat * length)
