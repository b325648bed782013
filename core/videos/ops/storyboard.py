"""What the edit toolbar shows of a clip before an edit: thumbnails along it, and where it can be
cut without re-encoding (its keyframes: a recut whose cuts all fall on them is a packet copy).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from core.errors import UnsupportedVideo
from core.videos.av.read import frame_image, keyframe_near, open_video, video_stream
from core.videos.ops.source import load_source

if TYPE_CHECKING:
    from PIL import Image


def keyframe_times(src: str | os.PathLike[str]) -> list[float]:
    """Seconds of every keyframe of ``src``: where a cut can fall for a recut without re-encoding."""
    source = load_source(src)
    return [round(float(t), 6) for t in source.times[source.keyframe]]


def storyboard(src: str | os.PathLike[str], count: int = 8, tile_width: int = 160) -> list[tuple[float, Image.Image]]:
    """``count`` thumbnails across the clip, as (seconds, picture): for each (i + ½)/count of the way,
    the keyframe nearest it when one lies within half a tile's interval, else the frame there."""
    import av

    source = load_source(src)
    tiles: list[tuple[float, Image.Image]] = []
    previous = None
    with open_video(source.path, source.name) as container:
        stream = video_stream(container, source.name)
        tile_height = max(2, round(tile_width * source.info.height / max(1, source.info.width) / 2) * 2)
        interval = source.duration / max(1, count)
        for index in range(count):
            try:
                frame = keyframe_near(container, stream, (index + 0.5) * interval, interval / 2, interval / 2)
            except av.error.FFmpegError:
                raise UnsupportedVideo(f"“{source.name}” is damaged: its picture cannot be decoded.") from None
            frame = previous = frame or previous
            if frame is not None:
                pts = frame.pts if frame.pts is not None else int(source.pts[0])  # decoded MP4 frames have one
                tiles.append(
                    (
                        round(float((pts - int(source.pts[0])) * source.time_base), 6),
                        frame_image(frame.reformat(width=tile_width, height=tile_height, format="rgb24")),
                    )
                )
    return tiles
