"""Caption Studio's pipeline: uploads in, captions saved, one outcome per image.

Stage 1 (input) is the list of uploads with a style and an optional prompt; stage 2 is
``core.images`` (validation) and ``core.captions.images`` (encoding for the provider); stage 3 is
the provider. Nothing is written until the provider has answered:
then the original file (by content hash), its thumbnail and the rows are saved together, and a
database failure removes the files this call created. One bad image never stops the batch.
"""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

from core import trash
from core.captions import providers
from core.captions.controls import CaptionControls, subject_of
from core.captions.export import export_captions_zip as export_captions_zip
from core.captions.history import (  # History's side of captions, importable from here as before
    CaptionFilter as CaptionFilter,
)
from core.captions.history import HistoryRow as HistoryRow
from core.captions.history import export_captions_csv as export_captions_csv
from core.captions.history import facets as facets
from core.captions.history import history as history
from core.captions.history import history_count as history_count
from core.captions.history import history_page as history_page
from core.captions.history import matching_caption_ids as matching_caption_ids
from core.captions.history import write_captions_csv as write_captions_csv
from core.captions.images import prepare_for_provider
from core.captions.providers.base import CaptionProvider, CaptionRequest, CaptionResult
from core.captions.styles import CUSTOM, STYLES, build_instruction
from core.config import Settings
from core.errors import NoLongerExists, StudioError, must_exist
from core.images import ValidatedImage, thumbnail_jpeg, validate_image
from core.status import ServiceStatus
from core.studio import Studio
from core.text import clean
from db import captions as queries
from db.media import EXTENSIONS, ORIGINALS, THUMBS, sha256_hex

log = logging.getLogger(__name__)

PROMPT_MAX_CHARS = 4_000


@dataclass(frozen=True)
class Upload:
    name: str
    data: bytes


@dataclass(frozen=True)
class CaptionOutcome:
    """What happened to one image: a saved caption, or the one sentence that explains why not."""

    name: str
    caption_id: int | None = None
    text: str | None = None
    error: str | None = None
    provider: str | None = None
    model: str | None = None
    latency_ms: float | None = None
    confidence: float | None = None
    thumbnail: bytes | None = None
    notes: tuple[str, ...] = ()  # soft warnings from the caption controls (length, words)

    @property
    def ok(self) -> bool:
        return self.error is None


def check_request(style: str, prompt: str) -> str:
    """Validate the run's settings before any image is touched; return the instruction."""
    if style not in STYLES:
        raise StudioError(f"Unknown caption style “{style}”.")
    if style == CUSTOM and not prompt.strip():
        raise StudioError("The Custom prompt style needs a prompt: write what the caption should say.")
    if len(prompt) > PROMPT_MAX_CHARS:
        raise StudioError(f"The prompt is longer than {PROMPT_MAX_CHARS:,} characters; shorten it.")
    return build_instruction(style, prompt)


def _save(
    studio: Studio,
    name: str,
    image: ValidatedImage,
    thumb: bytes,
    style: str,
    prompt: str,
    provider: CaptionProvider,
    result: CaptionResult,
    latency_ms: float,
    made_by: str | None = None,
) -> int:
    """Write the image's files under scratch, commit the rows, then move the files into place: a
    crash before the commit leaves only scratch files, after it only a move that ``core.sweep``
    finishes; neither leaves an orphan or a row pointing at a missing file."""
    digest = sha256_hex(image.data)
    folder = studio.media.pending()
    try:
        written = [
            studio.media.write_pending(folder, image.data, ORIGINALS, EXTENSIONS[image.format], digest),
            studio.media.write_pending(folder, thumb, THUMBS, ".jpg", digest),
        ]
        with studio.db.session() as session:
            asset = queries.add_asset(
                session,
                sha256=digest,
                display_name=name,
                format=image.format,
                width=image.width,
                height=image.height,
                size=len(image.data),
            )
            caption = queries.add_caption(
                session,
                asset,
                style=style,
                prompt=prompt,
                provider=provider.key,
                model=result.model,
                text=result.text.strip(),
                latency_ms=latency_ms,
                prompt_tokens=result.prompt_tokens,
                completion_tokens=result.completion_tokens,
                confidence=result.confidence,
                made_by=made_by,
            )
            caption_id = caption.id
        for path in written:
            if path is not None:
                studio.media.place(path)
    finally:
        shutil.rmtree(folder, ignore_errors=True)  # what a failed save wrote; empty after a good one
    return caption_id


def caption_image(
    studio: Studio,
    upload: Upload,
    style: str,
    prompt: str,
    provider: CaptionProvider,
    instruction: str | None = None,
    controls: CaptionControls | None = None,
    made_by: str | None = None,
) -> CaptionOutcome:
    """Run the three stages for one image; never raises for a user-caused or service failure.
    ``made_by``: who is signed in (None without sign-in), recorded on the caption."""
    upload, prompt = Upload(clean(upload.name), upload.data), clean(prompt)
    controls = controls or CaptionControls()
    try:
        if instruction is None:
            controls.check(provider.follows_instructions, provider.label)
            instruction = controls.instruction(check_request(style, prompt))
        image = validate_image(upload.data, upload.name, provider.max_long_side)
        prepared = prepare_for_provider(image, provider.max_long_side)
        started = time.perf_counter()
        result = provider.caption(
            CaptionRequest(image=prepared, instruction=instruction, style=style, user_prompt=prompt.strip())
        )
        latency_ms = (time.perf_counter() - started) * 1000
        if not result.text or not result.text.strip():
            raise StudioError(f"{provider.label} returned an empty caption for “{upload.name}”.")
        subject = subject_of(image.image) if controls.needs_subject else ""
        result = replace(result, text=controls.apply(result.text, upload.name, subject))
        thumb = thumbnail_jpeg(image.image)
        caption_id = _save(
            studio, upload.name, image, thumb, style, prompt.strip(), provider, result, latency_ms, made_by
        )
    except StudioError as exc:
        return CaptionOutcome(name=upload.name, error=exc.message, provider=provider.key)
    except Exception:
        log.exception("Captioning %r with %s failed unexpectedly", upload.name, provider.key)
        return CaptionOutcome(
            name=upload.name,
            provider=provider.key,
            error=f"Something went wrong while captioning “{upload.name}”; see the log.",
        )
    return CaptionOutcome(
        name=upload.name,
        caption_id=caption_id,
        text=result.text.strip(),
        provider=provider.key,
        model=result.model,
        latency_ms=latency_ms,
        confidence=result.confidence,
        thumbnail=thumb,
        notes=tuple(controls.notes(result.text.strip(), style)),
    )


def caption_batch(
    studio: Studio,
    uploads: Sequence[Upload],
    style: str,
    prompt: str,
    provider: CaptionProvider,
    on_progress: Callable[[int, int, CaptionOutcome], None] | None = None,
    controls: CaptionControls | None = None,
    made_by: str | None = None,
) -> list[CaptionOutcome]:
    """Caption every upload in turn; ``on_progress(done, total, outcome)`` after each one."""
    prompt = clean(prompt)
    controls = controls or CaptionControls()
    controls.check(provider.follows_instructions, provider.label)
    instruction = controls.instruction(check_request(style, prompt))
    outcomes = []
    for index, upload in enumerate(uploads, start=1):
        outcome = caption_image(studio, upload, style, prompt, provider, instruction, controls, made_by)
        outcomes.append(outcome)
        if on_progress:
            on_progress(index, len(uploads), outcome)
    return outcomes


def batch_key(
    upload: Upload, style: str, prompt: str, provider_key: str, controls: CaptionControls | None = None
) -> str:
    """What one caption answers: these bytes, with this style, prompt, provider and controls."""
    return "|".join(
        (sha256_hex(upload.data), style, clean(prompt).strip(), provider_key, repr(controls or CaptionControls()))
    )


def caption_new(
    studio: Studio,
    uploads: Sequence[Upload],
    style: str,
    prompt: str,
    provider: CaptionProvider,
    done: Mapping[str, CaptionOutcome],
    on_progress: Callable[[int, int, CaptionOutcome], None] | None = None,
    controls: CaptionControls | None = None,
    made_by: str | None = None,
) -> tuple[list[tuple[str, CaptionOutcome]], int]:
    """Caption only what ``done`` (outcomes by ``batch_key``) has no caption for yet; a failure is
    tried again. Returns (key, outcome) per upload, in order, and how many were captioned now."""
    keys = [batch_key(u, style, prompt, provider.key, controls) for u in uploads]
    todo = {k: u for k, u in zip(keys, uploads) if k not in done or not done[k].ok}  # one per file
    made = caption_batch(studio, list(todo.values()), style, prompt, provider, on_progress, controls, made_by)
    fresh = dict(zip(todo, made))
    return [(k, fresh.get(k) or done[k]) for k in keys], len(todo)


def regenerate(
    studio: Studio, caption_id: int, provider: CaptionProvider, made_by: str | None = None
) -> CaptionOutcome:
    """Caption the same image again with the same style and prompt; a new caption row, by ``made_by``, is added."""
    with studio.db.session() as session:
        caption = must_exist(queries.get_caption(session, caption_id), "That caption")
        asset = caption.asset
        style, prompt, name, fmt, digest = caption.style, caption.prompt, asset.display_name, asset.format, asset.sha256
    try:
        data = studio.media.read(digest, ORIGINALS, EXTENSIONS[fmt])
    except FileNotFoundError:
        raise StudioError(f"The original of “{name}” is missing from the media folder.") from None
    return caption_image(studio, Upload(name, data), style, prompt, provider, made_by=made_by)


def edit_caption(studio: Studio, caption_id: int, text: str) -> None:
    text = clean(text)
    if not text.strip():
        raise StudioError("A caption cannot be empty; delete it instead.")
    with studio.db.session() as session:
        must_exist(queries.update_caption_text(session, caption_id, text.strip()), "That caption")


def delete_caption(studio: Studio, caption_id: int) -> None:
    """Delete a caption for good, past the Trash (the UI moves captions to the Trash: ``core.trash``).

    The row goes first; the image's files only after the commit, and only if no caption uses them.
    """
    try:
        trash.delete_caption_now(studio, caption_id)
    except NoLongerExists:
        return


# --- providers -----------------------------------------------------------------------------------


def provider_statuses(settings: Settings) -> list[ServiceStatus]:
    """Every caption provider: usable now or not, and why."""
    return providers.provider_statuses(settings)


def default_provider(settings: Settings) -> str:
    """watsonx when it is configured, else the OpenAI-compatible server, else offline."""
    return providers.default_provider_key(settings)


def open_provider(key: str, settings: Settings) -> CaptionProvider:
    """A ready client for ``key`` (the offline one loads its models); the UI caches it."""
    return providers.build_provider(key, settings)
