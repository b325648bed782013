"""My Videos, in core: the library's views of sets and variations, favourites, folders, delete,
and the generations CSV. Pages call these; the job runner (``core.videos.jobs``) makes the videos.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO

from core import trash
from core.errors import NoLongerExists, StudioError, must_exist
from core.exports import Progress, rows_to_csv, write_csv
from core.redact import scrub
from core.studio import Studio
from core.tally import CAP, SEARCH_CAP, Tally
from core.text import clean
from core.videos.export import zip_names
from core.videos.jobs.retry import next_try_words
from core.videos.kinds import ACTIVE, MediaKind, Operation, SetStatus, VariationStatus
from db import videos as queries
from db.media import POSTERS, SPRITE_TILES, SPRITES
from db.models import Generation, utcnow

GenerationFilter = queries.GenerationFilter
SPRITE_FRAMES = SPRITE_TILES
MAX_FOLDER_CHARS = 100


# --- the library ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class VariationView:
    id: int
    position: int
    status: VariationStatus
    progress: float
    error: str | None
    video_sha256: str | None
    duration_s: float | None
    parent_id: int | None
    operation: Operation
    remote_id: str | None
    title: str | None = None  # "Describe this video" in the lightbox
    alt_text: str | None = None
    made_by: str | None = None  # who asked for it (an edit's may differ from its set's); None without sign-in


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
    tags: tuple[str, ...] = ()
    cover_variation_id: int | None = None
    media_kind: MediaKind = MediaKind.VIDEO  # an image set's variations are stills (``video_sha256`` names each)
    made_by: str | None = None  # who was signed in when it was made; None without sign-in

    @property
    def cover(self) -> VariationView | None:
        """The variation kept in Compare when it is still ready, else the first ready one."""
        ready = [v for v in self.variations if v.status == VariationStatus.COMPLETED]
        kept = next((v for v in ready if v.id == self.cover_variation_id), None)
        return kept or next(iter(ready), None)

    @property
    def status(self) -> SetStatus:
        states = {v.status for v in self.variations}
        if states <= {VariationStatus.COMPLETED}:
            return SetStatus.COMPLETED
        if states <= {VariationStatus.FAILED}:
            return SetStatus.FAILED
        if states & set(ACTIVE):
            return SetStatus.ACTIVE
        return SetStatus.PARTLY_FAILED

    @property
    def ready(self) -> int:
        return sum(v.status == VariationStatus.COMPLETED for v in self.variations)


def view_of(generation: Generation) -> GenerationView:
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
                VariationStatus(v.status),
                v.progress,
                v.error,
                v.video_sha256,
                v.duration_s,
                v.parent_id,
                Operation(v.operation),
                v.remote_id,
                v.title,
                v.alt_text,
                v.made_by,
            )
            for v in generation.variations
        ),
        tuple(t.tag for t in generation.tags),
        generation.cover_variation_id,
        MediaKind(generation.media_kind),
        generation.made_by,
    )


def library(
    studio: Studio, flt: queries.GenerationFilter, limit: int = 24, offset: int = 0
) -> tuple[int, list[GenerationView]]:
    """Every set that matches, counted exactly, and one page of them (the Library page counts with
    ``library_count`` and reads with ``library_page``: one capped count a rerun)."""
    with studio.db.session() as session:
        total = queries.count_generations(session, flt)
    return total, library_page(studio, flt, limit, offset)


def library_count(studio: Studio, flt: queries.GenerationFilter) -> Tally:
    """How many sets match, counted up to ``core.tally.CAP`` (a search, up to ``SEARCH_CAP``)."""
    cap = SEARCH_CAP if flt.search.strip() else CAP
    with studio.db.session() as session:
        return Tally.of(queries.count_generations(session, flt, cap=cap), cap)


def library_page(
    studio: Studio, flt: queries.GenerationFilter, limit: int, offset: int = 0, total: Tally | None = None
) -> list[GenerationView]:
    """One page of the sets that match, newest first; ``total``, the page's ``library_count``, tells
    the database how to read a search (``db.search.driven_by_index``)."""
    with studio.db.session() as session:
        matches = total.exact if total else None
        found = queries.list_generations(session, flt, limit=limit, offset=offset, matches=matches)
        return [view_of(g) for g in found]


def generation(studio: Studio, generation_id: int) -> GenerationView | None:
    with studio.db.session() as session:
        found = queries.get_generation(session, generation_id)
        return view_of(found) if found else None


def active_jobs(studio: Studio) -> list[tuple[int, int, VariationStatus, float]]:
    """(generation id, position, status, progress) of every variation still being made."""
    with studio.db.session() as session:
        return [
            (v.generation_id, v.position, VariationStatus(v.status), v.progress)
            for v in queries.active_variations(session)
        ]


def poster_path(studio: Studio, digest: str) -> Path:
    """The poster (first frame) of a video; the file may be missing for a very old or broken row."""
    return studio.media.path_for(digest, POSTERS, ".jpg")


def sprite_path(studio: Studio, digest: str) -> Path:
    """The hover strip of SPRITE_FRAMES tiles of a video."""
    return studio.media.path_for(digest, SPRITES, ".jpg")


def video_path(studio: Studio, digest: str) -> Path:
    return studio.media.video_path(digest)


def set_favourite(studio: Studio, generation_id: int, favourite: bool) -> None:
    with studio.db.session() as session:
        if not queries.set_favourite(session, generation_id, favourite):
            raise NoLongerExists("That video no longer exists.")


def set_cover(studio: Studio, generation_id: int, variation_id: int) -> None:
    """Make this ready variation its set's cover (Compare's "Keep this one")."""
    with studio.db.session() as session:
        if not queries.set_cover(session, generation_id, variation_id):
            raise NoLongerExists("That variation is no longer ready in its set.")


def set_folder(studio: Studio, generation_id: int, folder: str | None) -> None:
    folder = clean(folder or "").strip() or None
    if folder and len(folder) > MAX_FOLDER_CHARS:
        raise StudioError(f"Folder names are at most {MAX_FOLDER_CHARS} characters.")
    with studio.db.session() as session:
        if not queries.set_folder(session, generation_id, folder):
            raise NoLongerExists("That video no longer exists.")


def retry_failed(studio: Studio, generation_id: int) -> int:
    """Queue a set's failed variations again (a new request, like creating them: the job runner
    takes them from there); return how many. A set with nothing failed is refused in one sentence."""
    with studio.db.session() as session:
        must_exist(queries.get_generation(session, generation_id))
        count = queries.requeue_failed(session, generation_id)
    if not count:
        raise StudioError("Nothing in this set failed, so there is nothing to retry.")
    return count


def folders(studio: Studio) -> list[str]:
    with studio.db.session() as session:
        return queries.folders(session)


def delete_generation(studio: Studio, generation_id: int) -> None:
    """Delete a set for good, past the Trash (the UI moves sets to the Trash: ``core.trash``).

    Rows go first; files after the commit, only those no other row uses; never while a job runs.
    """
    try:
        trash.delete_set_now(studio, generation_id)
    except NoLongerExists:
        return


# --- history -------------------------------------------------------------------------------------

GENERATION_EXPORT_COLUMNS = (
    "generation_id",
    "created_at",
    "source",
    "backend",
    "model",
    "status",
    "variations",
    str(VariationStatus.COMPLETED),  # how many variations are in each state
    str(VariationStatus.FAILED),
    "aspect_ratio",
    "size",
    "seconds",
    "style_preset",
    "estimated_cost_usd",
    "cost_usd",
    "prompt",
    "errors",
    "files_in_zip",  # the names "Export ZIP…" gives this set's ready files (default template)
    "made_by",  # who was signed in; empty without sign-in
)


def generation_rows(
    studio: Studio, flt: queries.GenerationFilter, limit: int = 100_000, offset: int = 0, total: Tally | None = None
) -> list[tuple[object, ...]]:
    """History's Generations rows (newest first) and the generations CSV's."""
    with studio.db.session() as session:
        rows: list[tuple[object, ...]] = []
        matches = total.exact if total else None
        for g in queries.list_generations(session, flt, limit=limit, offset=offset, matches=matches):
            view = view_of(g)
            rows.append(
                (
                    g.id,
                    g.created_at.strftime("%Y-%m-%d %H:%M:%S"),
                    g.source,
                    g.backend,
                    g.model,
                    view.status,
                    len(g.variations),
                    sum(v.status == VariationStatus.COMPLETED for v in g.variations),
                    sum(v.status == VariationStatus.FAILED for v in g.variations),
                    g.aspect_ratio,
                    f"{g.width}x{g.height}",
                    g.seconds,
                    g.style_preset,
                    round(g.estimated_cost_usd, 4),
                    round(sum(v.cost_usd for v in g.variations), 4),
                    g.prompt,
                    scrub(" | ".join(v.error for v in g.variations if v.error)),
                    " ".join(zip_names(studio, g)),
                    g.made_by or "",
                )
            )
        return rows


def export_generations_csv(studio: Studio, flt: queries.GenerationFilter) -> bytes:
    return rows_to_csv(GENERATION_EXPORT_COLUMNS, generation_rows(studio, flt))


def write_generations_csv(
    studio: Studio, flt: queries.GenerationFilter, target: IO[bytes], progress: Progress | None = None
) -> int:
    """The generations CSV written to ``target``; returns the row count."""
    rows = generation_rows(studio, flt)
    return write_csv(target, GENERATION_EXPORT_COLUMNS, rows, progress=progress, total=len(rows))


def variation_duration(studio: Studio, variation_id: int) -> float:
    with studio.db.session() as session:
        found = must_exist(queries.get_variation(session, variation_id))
        return float(found.duration_s or found.generation.seconds)


# --- the progress panel --------------------------------------------------------------------------


@dataclass(frozen=True)
class JobProgress:
    """One variation still being made, as the progress panel shows it."""

    generation_id: int
    position: int
    status: VariationStatus
    progress: float
    retry_in_s: float | None = None  # waiting after a transient fault of the service
    reason: str | None = None  # that fault, in one sentence

    @property
    def line(self) -> str:
        doing = self.status.label if self.retry_in_s is None else next_try_words(self.retry_in_s)
        return f"Set #{self.generation_id} · variation {self.position + 1} · {doing} · {self.progress:.0f}%"


def job_progress(studio: Studio) -> list[JobProgress]:
    """Every variation still being made; one the service made wait says so, with the time of its next try."""
    now = utcnow()
    found = []
    with studio.db.session() as session:
        for v in queries.active_variations(session):
            # A running row's ``error`` is the transient fault it is waiting out; the runner clears it on success.
            waiting = bool(v.error and v.next_attempt_at)
            retry_in = max(0.0, (v.next_attempt_at - now).total_seconds()) if waiting and v.next_attempt_at else None
            found.append(
                JobProgress(
                    v.generation_id,
                    v.position,
                    VariationStatus(v.status),
                    v.progress,
                    retry_in,
                    v.error if waiting else None,
                )
            )
    return found
