"""Finishing a made video for the library: a local crop where the back-end could not frame it,
and the previews the grid shows (a poster, and a sprite strip for the hover preview)."""

from __future__ import annotations

from pathlib import Path

SPRITE_TILES = 10
SPRITE_TILE_WIDTH = 192
POSTER_LONG_SIDE = 640


def centre_crop_video(source: Path, target: Path, width: int, height: int) -> None:
    """Re-encode ``source`` cropped to its centre ``width``×``height`` (browser-playable H.264)."""
    import av

    from core.videos.av.media import mp4_writer

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

    from core.videos.av.media import poster, spritesheet

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
