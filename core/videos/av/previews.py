"""Finishing a made video for the library: a local crop where the back-end could not frame it,
and the previews the grid shows (a poster, and a sprite strip for the hover preview).

The grid never plays videos (``st.video`` loads a whole file into server memory), so every video
gets one poster and one sprite strip when it enters the library. Both are taken from keyframes
where one is near enough: a keyframe is one decode and the sharpest picture.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from core.errors import UnsupportedVideo
from core.videos.av.read import frame_at, frame_image, keyframe_near, open_video, stream_duration, video_stream
from db.media import SPRITE_TILES  # the media layout fixes how many tiles a sprite holds

if TYPE_CHECKING:
    from PIL import Image

SPRITE_TILE_WIDTH = 192
POSTER_LONG_SIDE = 640


def poster(path: str | os.PathLike[str], at_seconds: float | None = None) -> Image.Image:
    """One full-size RGB frame: the one at ``at_seconds``, or by default the keyframe nearest a third
    of the way in (past fades and titles; a keyframe is one decode and the sharpest picture)."""
    path = Path(path)
    with open_video(path, path.name) as container:
        stream = video_stream(container, path.name)
        duration = stream_duration(container, stream)
        target = duration / 3 if at_seconds is None else at_seconds
        rate = float(stream.average_rate or 24)
        target = min(max(0.0, target), max(0.0, duration - 1 / rate))
        if at_seconds is None:
            frame = keyframe_near(container, stream, target, min(0.5, duration / 6), 0.5 / rate)
        else:
            stream.thread_type = "AUTO"
            frame = frame_at(container, stream, target, slack=0.5 / rate)
        if frame is None:  # the seek landed past what the file really holds: take its first frame
            container.seek(0)
            frame = next(container.decode(stream), None)
        if frame is None:
            raise UnsupportedVideo(f"“{path.name}” has no picture that can be decoded.")
        return frame_image(frame)


def spritesheet(
    path: str | os.PathLike[str], tiles: int = 10, tile_width: int = 160, columns: int | None = None
) -> Image.Image:
    """``tiles`` frames sampled evenly (tile i shows time (i + ½)·duration/tiles), left to right then down.

    Each tile is the keyframe nearest its time when one lies within half a tile's interval (one
    decode; with a keyframe every second that is most tiles), else the frame decoded forward to it.
    ``columns`` defaults to one row.
    """
    from PIL import Image

    path = Path(path)
    columns = max(1, min(columns or tiles, tiles))
    rows = -(-tiles // columns)
    with open_video(path, path.name) as container:
        stream = video_stream(container, path.name)
        ctx = stream.codec_context
        tile_height = max(2, round(tile_width * ctx.height / max(1, ctx.width) / 2) * 2)
        duration = stream_duration(container, stream)
        sheet = Image.new("RGB", (tile_width * columns, tile_height * rows))
        interval = duration / tiles if duration else 0.0
        previous = None
        for index in range(tiles):
            frame = (
                keyframe_near(container, stream, (index + 0.5) * interval, interval / 2, interval / 2)
                if duration
                else None
            )
            frame = frame or previous
            if frame is None:
                continue
            previous = frame
            tile = frame_image(frame.reformat(width=tile_width, height=tile_height, format="rgb24"))
            sheet.paste(tile, ((index % columns) * tile_width, (index // columns) * tile_height))
        return sheet


def centre_crop_video(source: Path, target: Path, width: int, height: int) -> None:
    """Re-encode ``source`` cropped to its centre ``width``×``height`` (browser-playable H.264)."""
    import av

    from core.videos.av.write import mp4_writer

    with av.open(str(source)) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        rate = stream.average_rate or 24
        with mp4_writer(Path(target), width, height, rate) as writer:
            for frame in container.decode(stream):
                image = frame.to_ndarray(format="rgb24")
                top = max(0, (image.shape[0] - height) // 2)
                left = max(0, (image.shape[1] - width) // 2)
                writer.add_rgb(image[top : top + height, left : left + width])


def make_previews(
    video: Path, poster_path: Path, sprite_path: Path, thumbnail: Path | None = None
) -> tuple[Path, Path]:
    """Write the poster (the service's thumbnail when it sent one) and the hover sprite strip."""
    from PIL import Image

    image = None
    if thumbnail is not None:
        try:
            image = Image.open(thumbnail).convert("RGB")
        except OSError:
            image = None
    image = image or poster(video)
    image.thumbnail((POSTER_LONG_SIDE, POSTER_LONG_SIDE))
    image.save(poster_path, "JPEG", quality=85)
    spritesheet(video, tiles=SPRITE_TILES, tile_width=SPRITE_TILE_WIDTH).save(sprite_path, "JPEG", quality=80)
    return poster_path, sprite_path
