"""Import into My Videos: an existing MP4/MOV/WebM, validated, made browser-playable if needed,
and shown as a set of one. The files go into the store first; if the row cannot be written,
the files this import created are removed again, so nothing is half-imported.

What is stored is always an upright, +faststart, H.264/yuv420p MP4, made the cheapest way that
gets there: an MP4 that already is one is kept byte for byte; one whose only fault is its layout
(the index at the end, megabytes of padding after it) has its packets copied into a new file,
nothing re-encoded; anything else is re-encoded, and that includes a phone's clip whose rotation
flag says "turn me": its pixels are turned upright, so the stored file, its poster, its edits and
its recorded width, height and aspect all agree with what plays.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from core.errors import AlreadyInLibrary, StudioError, UnsupportedVideo
from core.studio import Studio
from core.text import clean
from core.videos import operations as ops
from core.videos.kinds import BackendKey
from db import videos as queries
from db.media import sha256_hex

if TYPE_CHECKING:
    from core.videos.av.read import VideoInfo

MAX_IMPORT_BYTES = 500 * 1024 * 1024
ASPECT_LABELS = (("16:9", 16 / 9), ("9:16", 9 / 16), ("1:1", 1.0), ("4:3", 4 / 3), ("3:4", 3 / 4))


def aspect_label(width: int, height: int) -> str:
    """The nearest common aspect ratio's name."""
    ratio = width / height
    return min(ASPECT_LABELS, key=lambda item: abs(item[1] - ratio))[0]


def import_video(studio: Studio, name: str, data: bytes, made_by: str | None = None) -> int:
    """Add an existing video file as a new set, imported by ``made_by``; return the set's id."""
    name = clean(name)
    from core.videos.av.previews import make_previews
    from core.videos.av.read import probe, validate_video

    if not data:
        raise StudioError(f"“{name}” is empty (0 bytes).")
    if len(data) > MAX_IMPORT_BYTES:
        raise StudioError(f"“{name}” is larger than {MAX_IMPORT_BYTES // 2**20} MB.")
    source_sha256 = sha256_hex(data)
    with studio.db.session() as session:
        existing = queries.find_import(session, source_sha256)
    if existing is not None:
        raise AlreadyInLibrary(f"“{name}” is already in the library as set #{existing}.", existing)
    with tempfile.TemporaryDirectory(dir=studio.media.scratch()) as work:
        source = Path(work) / ("source" + Path(name).suffix.lower()[:6])
        source.write_bytes(data)
        info = validate_video(source, name)
        playable = Path(work) / "playable.mp4"
        _make_playable(source, info, playable)
        info = probe(playable)
        poster, sprite = make_previews(playable, Path(work) / "poster.jpg", Path(work) / "sprite.jpg")
        size = playable.stat().st_size
        digest, created = studio.media.add_video(playable, poster, sprite)
        try:
            with studio.db.session() as session:
                width, height = info.width - info.width % 2, info.height - info.height % 2
                generation = queries.add_imported_generation(
                    session,
                    video_sha256=digest,
                    duration_s=info.duration,
                    fps=info.fps,
                    size=size,
                    params=ops.to_json(ops.Imported(file=name)),
                    source_sha256=source_sha256,
                    backend=BackendKey.IMPORT,
                    model="imported",
                    prompt=Path(name).stem[:500],
                    prompt_parts="{}",
                    style_preset="None",
                    aspect_ratio=aspect_label(width, height),
                    resolution=f"{height}p",
                    request_size=f"{width}x{height}",
                    width=width,
                    height=height,
                    local_crop=False,
                    seconds=max(1, round(info.duration)),
                    estimated_cost_usd=0.0,
                    made_by=made_by,
                )
                return generation.id
        except BaseException:
            if created:
                studio.media.remove_video(digest)
            raise


def _make_playable(source: Path, info: VideoInfo, playable: Path) -> None:
    """Put an upright +faststart H.264/yuv420p MP4 of ``source`` at ``playable``, re-encoding only if
    the pictures need it (``info`` is ``validate_video``'s, which knows the rotation)."""
    from core.videos.av.read import is_faststart
    from core.videos.av.write import remux_to_faststart, transcode_to_browser

    h264_mp4 = (
        info.codec == "h264"
        and info.pix_fmt == "yuv420p"
        and source.suffix == ".mp4"
        and info.width % 2 == 0
        and info.height % 2 == 0
    )
    if not h264_mp4 or info.rotation:  # a turned picture is turned upright, which means re-encoding
        transcode_to_browser(source, playable)
    elif is_faststart(source):
        source.rename(playable)  # already what we store: kept byte for byte
    else:
        try:
            remux_to_faststart(source, playable)
        except UnsupportedVideo:  # e.g. a sound codec MP4 cannot hold: re-encode after all
            transcode_to_browser(source, playable)
