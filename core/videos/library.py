"""Create video and My Videos, in core: new generations, imports, the library, lineage, exports.

Pages call these; the job runner (core/jobs.py) makes the videos. Creating a generation writes
its rows (and the reference frame) before any network call, so a refresh or a restart never
loses a request.
"""

from __future__ import annotations

import base64
import json
import logging
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from core.captions.images import encode_jpeg, validate_image
from core.errors import StudioError
from core.exports import rows_to_csv
from core.studio import Studio
from core.videos.av.previews import SPRITE_TILES, make_previews
from core.videos.jobs.runner import POSTERS, REFERENCES, SPRITES, VIDEOS
from core.videos.plan import DURATIONS, VARIATION_COUNTS, OutputPlan, estimate_cost, plan_output
from core.videos.prompt import STYLE_PRESETS, VideoPrompt, validate_prompt
from db import videos as queries
from db.media import sha256_hex
from db.models import Generation, Variation, utcnow

log = logging.getLogger(__name__)

MAX_IMPORT_BYTES = 500 * 1024 * 1024


@dataclass(frozen=True)
class VideoSettings:
    aspect: str = "16:9"
    resolution: str = "720p"
    seconds: int = 4
    variations: int = 1
    preset: str = "None"
    backend: str = "offline"
    model: str = "offline-animatic"


def preset_suffix(studio: Studio, name: str) -> str:
    if name in STYLE_PRESETS:
        return STYLE_PRESETS[name].suffix
    with studio.db.session() as session:
        for preset in queries.presets(session):
            if preset.name == name:
                return preset.prompt_suffix
    return ""


def compose_prompt(studio: Studio, parts: VideoPrompt, preset: str) -> str:
    """The prompt the back-end receives: the parts, then the preset's words (built-in or user-made)."""
    text = parts.compose(preset if preset in STYLE_PRESETS else None)
    suffix = "" if preset in STYLE_PRESETS else preset_suffix(studio, preset)
    return f"{text}\nStyle: {suffix}" if suffix else text


def plan(settings: VideoSettings) -> OutputPlan:
    return plan_output(settings.aspect, settings.resolution, settings.backend, settings.model)


def _fit_reference(data: bytes, name: str, width: int, height: int) -> bytes:
    from core.videos.backends.offline.render import cover_crop

    image = validate_image(data, name).image
    return encode_jpeg(cover_crop(image, width, height), quality=92)


def create_generation(
    studio: Studio,
    parts: VideoPrompt,
    settings: VideoSettings,
    prompt_text: str | None = None,
    reference: tuple[str, bytes] | None = None,
    prompt_limit: int | None = None,
) -> int:
    """Validate everything, then write the generation and its queued variations; return its id."""
    from core.videos.prompt import MAX_PROMPT_CHARS

    prompt = validate_prompt(
        prompt_text if prompt_text is not None else compose_prompt(studio, parts, settings.preset),
        prompt_limit or MAX_PROMPT_CHARS,
    )
    if settings.seconds not in DURATIONS:
        raise StudioError(f"Duration must be one of {', '.join(map(str, DURATIONS))} seconds.")
    if settings.variations not in VARIATION_COUNTS:
        raise StudioError(f"Make {', '.join(map(str, VARIATION_COUNTS))} variations at a time.")
    output = plan(settings)
    reference_sha = None
    if reference is not None:
        width, height = output.request_dims
        fitted = _fit_reference(reference[1], reference[0], width, height)
        reference_sha = sha256_hex(fitted)
        studio.media.put(fitted, REFERENCES, ".jpg", reference_sha)
    with studio.db.session() as session:
        price = queries.prices(session).get(settings.model, 0.0)
        generation = queries.add_generation(
            session,
            variations=settings.variations,
            source="generate",
            backend=settings.backend,
            model=settings.model,
            prompt=prompt,
            prompt_parts=json.dumps(parts.__dict__),
            style_preset=settings.preset,
            aspect_ratio=settings.aspect,
            resolution=settings.resolution,
            request_size=output.request_size,
            width=output.width,
            height=output.height,
            local_crop=output.local_crop,
            seconds=settings.seconds,
            reference_sha256=reference_sha,
            estimated_cost_usd=estimate_cost(price, settings.seconds, settings.variations),
        )
        return generation.id


def import_video(studio: Studio, name: str, data: bytes) -> int:
    """Add an existing MP4/MOV/WebM: validated, made browser-playable if needed, shown as a set of one."""
    from core.videos.av.media import probe, transcode_to_browser, validate_video

    if not data:
        raise StudioError(f"“{name}” is empty (0 bytes).")
    if len(data) > MAX_IMPORT_BYTES:
        raise StudioError(f"“{name}” is larger than {MAX_IMPORT_BYTES // 2**20} MB.")
    scratch = studio.media.scratch()
    with tempfile.TemporaryDirectory(dir=scratch) as work:
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
        digest, stored, created = studio.media.put_file(playable, VIDEOS, ".mp4")
        for path, kind in ((poster, POSTERS), (sprite, SPRITES)):
            target = studio.media.path_for(digest, kind, ".jpg")
            target.parent.mkdir(parents=True, exist_ok=True)
            path.replace(target)
        try:
            with studio.db.session() as session:
                width, height = info.width - info.width % 2, info.height - info.height % 2
                generation = Generation(
                    created_at=utcnow(),
                    source="import",
                    backend="import",
                    model="imported",
                    prompt=Path(name).stem[:500],
                    prompt_parts="{}",
                    style_preset="None",
                    aspect_ratio=_aspect_label(width, height),
                    resolution=f"{height}p",
                    request_size=f"{width}x{height}",
                    width=width,
                    height=height,
                    local_crop=False,
                    seconds=max(1, round(info.duration)),
                    n_variations=1,
                    estimated_cost_usd=0.0,
                )
                generation.variations = [
                    Variation(
                        position=0,
                        status="completed",
                        progress=100.0,
                        video_sha256=digest,
                        has_thumbnail=True,
                        has_spritesheet=True,
                        duration_s=info.duration,
                        fps=info.fps,
                        bytes=size,
                        operation="import",
                        operation_params=json.dumps({"file": name}),
                        created_at=utcnow(),
                        completed_at=utcnow(),
                    )
                ]
                session.add(generation)
                session.flush()
                return generation.id
        except BaseException:
            if created:
                for kind, ext in ((VIDEOS, ".mp4"), (POSTERS, ".jpg"), (SPRITES, ".jpg")):
                    studio.media.remove(digest, kind, ext)
            raise


def _aspect_label(width: int, height: int) -> str:
    ratio = width / height
    return min(
        ("16:9", 16 / 9),
        ("9:16", 9 / 16),
        ("1:1", 1.0),
        ("4:3", 4 / 3),
        ("3:4", 3 / 4),
        key=lambda item: abs(item[1] - ratio),
    )[0]


# --- the library ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class VariationView:
    id: int
    position: int
    status: str
    progress: float
    error: str | None
    video_sha256: str | None
    duration_s: float | None
    parent_id: int | None
    operation: str
    remote_id: str | None


@dataclass(frozen=True)
class GenerationView:
    id: int
    created_at: datetime
    source: str
    backend: str
    model: str
    prompt: str
    style_preset: str
    aspect_ratio: str
    resolution: str
    width: int
    height: int
    local_crop: bool
    seconds: int
    favourite: bool
    folder: str | None
    estimated_cost_usd: float
    variations: tuple[VariationView, ...]

    @property
    def cover(self) -> VariationView | None:
        return next((v for v in self.variations if v.status == "completed"), None)

    @property
    def status(self) -> str:
        states = {v.status for v in self.variations}
        if states <= {"completed"}:
            return "completed"
        if states <= {"failed"}:
            return "failed"
        if states & set(queries.ACTIVE):
            return "active"
        return "partly failed"


def _view(generation: Generation) -> GenerationView:
    return GenerationView(
        generation.id,
        generation.created_at,
        generation.source,
        generation.backend,
        generation.model,
        generation.prompt,
        generation.style_preset,
        generation.aspect_ratio,
        generation.resolution,
        generation.width,
        generation.height,
        generation.local_crop,
        generation.seconds,
        generation.favourite,
        generation.folder,
        generation.estimated_cost_usd,
        tuple(
            VariationView(
                v.id,
                v.position,
                v.status,
                v.progress,
                v.error,
                v.video_sha256,
                v.duration_s,
                v.parent_id,
                v.operation,
                v.remote_id,
            )
            for v in generation.variations
        ),
    )


def library(
    studio: Studio, flt: queries.GenerationFilter, limit: int = 24, offset: int = 0
) -> tuple[int, list[GenerationView]]:
    with studio.db.session() as session:
        total = queries.count_generations(session, flt)
        return total, [_view(g) for g in queries.list_generations(session, flt, limit=limit, offset=offset)]


def generation(studio: Studio, generation_id: int) -> GenerationView | None:
    with studio.db.session() as session:
        found = queries.get_generation(session, generation_id)
        return _view(found) if found else None


def active_jobs(studio: Studio) -> list[tuple[int, int, str, float]]:
    """(generation id, position, status, progress) of every variation still being made."""
    with studio.db.session() as session:
        return [(v.generation_id, v.position, v.status, v.progress) for v in queries.active_variations(session)]


def data_url(studio: Studio, digest: str, kind: str) -> str | None:
    try:
        data = studio.media.read(digest, kind, ".jpg")
    except FileNotFoundError:
        return None
    return "data:image/jpeg;base64," + base64.b64encode(data).decode("ascii")


def poster_url(studio: Studio, digest: str) -> str | None:
    return data_url(studio, digest, POSTERS)


def sprite_url(studio: Studio, digest: str) -> str | None:
    return data_url(studio, digest, SPRITES)


def video_path(studio: Studio, digest: str) -> Path:
    return studio.media.path_for(digest, VIDEOS, ".mp4")


def set_favourite(studio: Studio, generation_id: int, favourite: bool) -> None:
    with studio.db.session() as session:
        found = queries.get_generation(session, generation_id)
        if found is None:
            raise StudioError("That video no longer exists.")
        found.favourite = favourite


def set_folder(studio: Studio, generation_id: int, folder: str | None) -> None:
    folder = (folder or "").strip() or None
    if folder and len(folder) > 100:
        raise StudioError("Folder names are at most 100 characters.")
    with studio.db.session() as session:
        found = queries.get_generation(session, generation_id)
        if found is None:
            raise StudioError("That video no longer exists.")
        found.folder = folder


def folders(studio: Studio) -> list[str]:
    with studio.db.session() as session:
        return queries.folders(session)


def delete_generation(studio: Studio, generation_id: int) -> None:
    """Delete the rows first; files go after the commit, and only those no other set uses."""
    with studio.db.session() as session:
        found = queries.get_generation(session, generation_id)
        if found is None:
            return
        if any(v.status in queries.ACTIVE for v in found.variations):
            raise StudioError("This video is still being made; delete it when it has finished.")
        digests = {v.video_sha256 for v in found.variations if v.video_sha256}
        orphans = [d for d in digests if not queries.files_still_used(session, d, generation_id)]
        session.delete(found)
    for digest in orphans:
        for kind, ext in ((VIDEOS, ".mp4"), (POSTERS, ".jpg"), (SPRITES, ".jpg")):
            studio.media.remove(digest, kind, ext)


# --- money ---------------------------------------------------------------------------------------


def prices(studio: Studio) -> dict[str, float]:
    with studio.db.session() as session:
        return queries.prices(session)


def set_price(studio: Studio, model: str, usd_per_second: float) -> None:
    if usd_per_second < 0:
        raise StudioError("A price cannot be negative.")
    with studio.db.session() as session:
        queries.set_price(session, model, usd_per_second)


def spend_so_far(studio: Studio) -> float:
    with studio.db.session() as session:
        return queries.spend_so_far(session)


def user_presets(studio: Studio) -> dict[str, str]:
    with studio.db.session() as session:
        return {p.name: p.prompt_suffix for p in queries.presets(session)}


def save_preset(studio: Studio, name: str, prompt_suffix: str) -> None:
    name, prompt_suffix = name.strip(), prompt_suffix.strip()
    if not name or not prompt_suffix:
        raise StudioError("A preset needs a name and the words it adds to the prompt.")
    if name in STYLE_PRESETS or name in user_presets(studio):
        raise StudioError(f"A preset called “{name}” already exists.")
    with studio.db.session() as session:
        queries.add_preset(session, name, prompt_suffix)


# --- history -------------------------------------------------------------------------------------

GENERATION_EXPORT_COLUMNS = (
    "generation_id",
    "created_at",
    "source",
    "backend",
    "model",
    "status",
    "variations",
    "completed",
    "failed",
    "aspect_ratio",
    "size",
    "seconds",
    "style_preset",
    "estimated_cost_usd",
    "cost_usd",
    "prompt",
    "errors",
)


def generation_rows(studio: Studio, flt: queries.GenerationFilter, limit: int = 100_000) -> list[tuple]:
    with studio.db.session() as session:
        rows = []
        for g in queries.list_generations(session, flt, limit=limit):
            view = _view(g)
            rows.append(
                (
                    g.id,
                    g.created_at.strftime("%Y-%m-%d %H:%M:%S"),
                    g.source,
                    g.backend,
                    g.model,
                    view.status,
                    len(g.variations),
                    sum(v.status == "completed" for v in g.variations),
                    sum(v.status == "failed" for v in g.variations),
                    g.aspect_ratio,
                    f"{g.width}x{g.height}",
                    g.seconds,
                    g.style_preset,
                    g.estimated_cost_usd,
                    round(sum(v.cost_usd for v in g.variations), 4),
                    g.prompt,
                    " | ".join(v.error for v in g.variations if v.error),
                )
            )
        return rows


def export_generations_csv(studio: Studio, flt: queries.GenerationFilter) -> bytes:
    return rows_to_csv(GENERATION_EXPORT_COLUMNS, generation_rows(studio, flt))


GenerationFilter = queries.GenerationFilter
SPRITE_FRAMES = SPRITE_TILES


def variation_duration(studio: Studio, variation_id: int) -> float:
    with studio.db.session() as session:
        found = queries.get_variation(session, variation_id)
        if found is None:
            raise StudioError("That video no longer exists.")
        return float(found.duration_s or found.generation.seconds)
