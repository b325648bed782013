"""Studio-level helpers: what "nothing changed" compares, and quick ways to queue videos."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from core.studio import Studio
from core.videos import create
from core.videos.jobs.runner import JobRunner
from core.videos.kinds import MediaKind
from core.videos.prompt import VideoPrompt
from db import captions as caption_queries
from db import videos as queries
from db.media import EXTENSIONS, IMAGES, ORIGINALS, POSTERS, REFERENCES, SPRITES, THUMBS, VIDEOS
from db.models import Caption, Generation, ImageAsset, Variation

PARTS = VideoPrompt(scene="A red fox trots through fresh snow", visual="soft morning light", motion="slow pan right")


def snapshot(studio: Studio) -> tuple[int, int, list[str]]:
    """Row counts and every file under the media folder: what 'nothing changed' compares."""
    with studio.db.session() as session:
        assets = session.scalar(select(func.count()).select_from(ImageAsset))
        captions = session.scalar(select(func.count()).select_from(Caption))
    files = [str(p.relative_to(studio.media.root)) for p in studio.media.files()]
    return assets, captions, files


def add_generation_row(
    studio,
    prompt="A red fox trots through fresh snow",
    *,
    variations=1,
    backend="offline",
    model="offline-animatic",
    size=(1280, 720),
    seconds=4,
    parts=None,
):
    """A set of queued variations written straight through db/ (no job runs); returns the row."""
    with studio.db.session() as session:
        return queries.add_generation(
            session,
            variations=variations,
            source="generate",
            backend=backend,
            model=model,
            prompt=prompt,
            prompt_parts=json.dumps(parts or {}),
            style_preset="None",
            aspect_ratio="16:9",
            resolution=f"{size[1]}p",
            request_size=f"{size[0]}x{size[1]}",
            width=size[0],
            height=size[1],
            local_crop=False,
            seconds=seconds,
            estimated_cost_usd=0.0,
        )


def queue_offline(studio, n=2, size=(320, 180), seconds=2, parts=None):
    """A set of ``n`` offline variations of a small size, queued for the job runner; returns its id."""
    parts = parts or {
        "scene": "a lighthouse on a cliff at dusk",
        "visual": "golden light, teal sea",
        "motion": "slow pan right",
        "extra": "",
    }
    prompt = VideoPrompt(**parts).compose()
    return add_generation_row(studio, prompt, variations=n, size=size, seconds=seconds, parts=parts).id


def create_api_generation(studio, n=1, aspect="16:9", reference=None, seconds=4):
    settings = create.VideoSettings(
        aspect=aspect, resolution="720p", seconds=seconds, variations=n, backend="openai-videos", model="sora-2"
    )
    return create.create_generation(studio, PARTS, settings, reference=reference)


def fast_runner(studio, **kwargs):
    return JobRunner(studio, tick_s=0.05, **kwargs)


def digest_of(seed: str) -> str:
    return (seed * 64)[:64]


VIDEO_ONLY_FILES = ((VIDEOS, ".mp4"), (POSTERS, ".jpg"), (SPRITES, ".jpg"))  # one video as stored (no still)


def video_files(studio, digest):
    for kind, extension in VIDEO_ONLY_FILES:
        studio.media.put(f"{kind} of {digest}".encode(), kind, extension, digest)


def finished_set(studio, prompt, digests):
    """A set whose variations are finished videos with their files in the store; returns its id."""
    generation_id = add_generation_row(studio, prompt, variations=len(digests)).id
    with studio.db.session() as session:
        for variation, digest in zip(queries.get_generation(session, generation_id).variations, digests):
            variation.status, variation.progress, variation.video_sha256 = "completed", 100.0, digest
            variation.has_thumbnail = variation.has_spritesheet = True
            video_files(studio, digest)
    return generation_id


def stored_caption(studio, text, digest, name="cat.jpg"):
    studio.media.put(b"original " + digest.encode(), ORIGINALS, ".jpg", digest)
    studio.media.put(b"thumb " + digest.encode(), THUMBS, ".jpg", digest)
    with studio.db.session() as session:
        asset = caption_queries.add_asset(
            session, sha256=digest, display_name=name, format="JPEG", width=10, height=10, size=100
        )
        return caption_queries.add_caption(
            session, asset, style="alt_text", prompt="", provider="offline", model="m", text=text
        ).id


def stored_files(studio):
    scratch = studio.media.scratch()
    return {p for p in studio.media.files() if scratch not in p.parents}


def assert_rows_and_files_agree(studio):
    """Every stored file is some row's (live or trashed), and every row's files are there."""
    media = studio.media
    with studio.db.session() as session:
        wanted = {
            media.path_for(a.sha256, kind, ext)
            for a in session.scalars(select(ImageAsset))
            for kind, ext in ((ORIGINALS, EXTENSIONS[a.format]), (THUMBS, ".jpg"))
        }
        made = session.execute(
            select(Variation.video_sha256, Generation.media_kind)
            .join(Generation, Variation.generation_id == Generation.id)
            .where(Variation.video_sha256.is_not(None))
        ).all()
        for digest, kind_of_set in made:
            if kind_of_set == MediaKind.IMAGE:  # a still (in the format it was made in) and its poster
                wanted.add(media.image_path(digest) or media.path_for(digest, IMAGES, ".png"))
                wanted.add(media.path_for(digest, POSTERS, ".jpg"))
            else:
                wanted |= {media.path_for(digest, kind, ext) for kind, ext in VIDEO_ONLY_FILES}
        wanted |= {
            media.path_for(d, REFERENCES, ".jpg")
            for d in session.scalars(
                select(Generation.reference_sha256).where(Generation.reference_sha256.is_not(None))
            )
        }
    files = stored_files(studio)
    assert sorted(map(str, files - wanted)) == [], "orphan files"
    assert sorted(map(str, wanted - files)) == [], "rows pointing at missing files"
