"""Recutting: segments of one or more clips joined, in the order given, into one new clip.

When every cut lands on a keyframe (a start on an IDR frame, an end on a keyframe or the clip's
end), every GOP is closed, and every source is H.264 yuv420p with the same size, time base, frame
rate and codec parameters, the packets are copied with shifted timestamps: frame-exact,
byte-identical, no re-encode (``core.videos.ops.remux``). Otherwise every segment is re-encoded at
the first segment's size (cover-cropped) and frame rate (nearest frame).
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from core.errors import StudioError
from core.videos.av.read import VideoInfo, open_video, probe
from core.videos.av.write import mp4_writer
from core.videos.ops.output import Output, Progress, check_dst
from core.videos.ops.remux import NotRemuxable, h264_pix_fmt, remuxer, segment_packets, starts_with_idr
from core.videos.ops.source import (
    IndexedSource,
    decode_range,
    even_size,
    fit_frame,
    frame_range,
    frames_at_rate,
    load_source,
)

Segment = tuple[str | os.PathLike[str], float, float]  # (source, start_s, end_s)
_Plan = list[tuple[IndexedSource, int, int]]  # (source, first frame, stop frame) per segment


@dataclass(frozen=True)
class RecutResult:
    """The new clip, and how it was made."""

    info: VideoInfo
    remuxed: bool  # True: packets copied as they are; False: re-encoded


def recut_video(
    sources_and_segments: Sequence[Segment], dst: str | os.PathLike[str], progress: Progress = None
) -> RecutResult:
    """Join (source, start_s, end_s) segments in order into ``dst``: copied packet for packet when
    every cut lands on a keyframe of matching H.264 sources, else re-encoded to the first's format."""
    if not sources_and_segments:
        raise StudioError("There is nothing to recut: add at least one segment.")
    sources: dict[Path, IndexedSource] = {}
    plan: _Plan = []
    for path, start_s, end_s in sources_and_segments:
        key = Path(path).resolve()
        source = sources[key] = sources.get(key) or load_source(path)
        plan.append((source, *frame_range(source, start_s, end_s)))
    target = check_dst(dst, sources.values())
    if _remuxable(plan):
        with contextlib.suppress(NotRemuxable):
            return RecutResult(_remux(plan, target, progress), remuxed=True)
    return RecutResult(_reencode(plan, target, progress), remuxed=False)


def _remuxable(plan: _Plan) -> bool:
    """Whether packets could be copied: checks that need no reading (GOPs are checked while copying)."""

    def stream_format(s: IndexedSource) -> tuple[object, ...]:
        return s.info.codec, s.info.width, s.info.height, s.time_base, s.rate, s.extradata

    head = plan[0][0]
    return (
        head.info.codec == "h264"
        and h264_pix_fmt(head.extradata) == "yuv420p"
        and head.info.width % 2 == 0
        and head.info.height % 2 == 0
        and all(
            stream_format(source) == stream_format(head)
            and source.keyframe[first]
            and (stop == len(source.pts) or source.keyframe[stop])
            for source, first, stop in plan
        )
    )


def _remux(plan: _Plan, dst: Path, progress: Progress) -> VideoInfo:
    total, done, offset = sum(stop - first for _, first, stop in plan), 0, 0
    with contextlib.ExitStack() as stack:
        readers = {
            source.path: stack.enter_context(open_video(source.path, packets_only=True)) for source, _, _ in plan
        }
        put = stack.enter_context(remuxer(dst, readers[plan[0][0].path].streams.video[0]))
        for source, first, stop in plan:
            base, reader = int(source.pts[first]), readers[source.path]
            packets = segment_packets(reader, reader.streams.video[0], source, first, stop)
            for number, (packet, pts, dts) in enumerate(packets):
                if not number and not starts_with_idr(bytes(packet), source.extradata):
                    raise NotRemuxable("a segment does not start on an IDR picture")
                put(packet, pts - base + offset, dts - base + offset)
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


def _reencode(plan: _Plan, dst: Path, progress: Progress) -> VideoInfo:
    head = plan[0][0]
    rate, (width, height) = head.rate, even_size(head)
    counts = [max(1, round((s.pts_at(stop) - s.pts_at(first)) * s.time_base * rate)) for s, first, stop in plan]
    with mp4_writer(dst, width, height, rate) as writer:
        out = Output(writer, rate, sum(counts), progress)
        for (source, first, stop), count in zip(plan, counts):
            for frame in frames_at_rate(decode_range(source, first, stop), rate, count):
                out.add(fit_frame(frame, width, height))
    if progress:
        progress(1.0)
    return probe(dst)
