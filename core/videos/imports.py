"""Import into My Videos: an existing MP4/MOV/WebM, validated, made browser-playable if needed,
and shown as a set of one. The files go into the store first; if the row cannot be written,
the files this import created are removed again, so nothing is half-imported."""

from __future__ import annotations

import tempfile
from pathlib import Path

from core.errors import AlreadyInLibrary, StudioError
from core.studio import Studio
from core.text import clean
from core.videos import operations as ops
from core.videos.kinds import BackendKey
from db import videos as queries
from db.media import sha256_hex

MAX_IMPORT_BYTES = 500 * 1024 * 1024
ASPECT_LABELS = (("16:9", 16 / 9), ("9:16", 9 / 16), ("1:1", 1.0), ("4:3", 4 / 3), ("3:4", 3 / 4))


def aspect_label(width: int, height: int) -> str:
    """The nearest common aspect ratio's name."""
    ratio = width / height
    return min(ASPECT_LABELS, key=lambda item: abs(item[1] - ratio))[0]


def import_video(studio: Studio, name: str, data: bytes) -> int:
    """Add an existing video file as a new set; return the set's id."""
    name = clean(name)
    from core.videos.av.previews import make_previews
    from core.videos.av.read import probe, validate_video
    from core.videos.av.write import transcode_to_browser

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
        browser_ready = (
            info.codec == "h264"
            and info.pix_fmt == "yuv420p"
            and source.suffix == ".mp4"
            and info.width % 2 == 0
            and info.height % 2 == 0
        )
        if browser_ready:
            source.rename(playable)
        else:
            transcode_to_browser(source, playable)
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
                )
                return generation.id
        except BaseException:
            if created:
                studio.media.remove_video(digest)
            raise
