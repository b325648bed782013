"""Create video, in core: settings, the composed prompt, presets, prices, the draft, and queuing a new set.

Creating a generation writes its rows (and the reference frame) before any network call, so a
refresh or a restart never loses a request; the job runner (``core.videos.jobs``) makes it. The
form itself is kept as a draft in the database (``db.state``): leaving the page, refreshing the
browser or restarting the server gives the same form back.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import PurePath
from typing import Any

from core.errors import StudioError
from core.status import ServiceStatus
from core.studio import Studio
from core.text import clean
from core.videos import offers
from core.videos.backends.offline import MODEL as OFFLINE_MODEL
from core.videos.kinds import BackendKey, MediaKind, Source
from core.videos.plan import DURATIONS, VARIATION_COUNTS, OutputPlan, estimate_cost, plan_output
from core.videos.prompt import MAX_PROMPT_CHARS, STYLE_PRESETS, VideoPrompt, validate_prompt
from db import presets as preset_queries
from db import state
from db import videos as queries
from db.media import REFERENCES, sha256_hex


@dataclass(frozen=True)
class VideoSettings:
    aspect: str = "16:9"
    resolution: str = "720p"
    seconds: int = 4
    variations: int = 1
    preset: str = "None"
    backend: str = BackendKey.OFFLINE
    model: str = OFFLINE_MODEL
    kind: str = MediaKind.VIDEO  # the composer's Type; an image set's own options follow
    quality: str = "auto"
    output_format: str = "png"


def preset_suffix(studio: Studio, name: str) -> str:
    if name in STYLE_PRESETS:
        return STYLE_PRESETS[name].suffix
    return user_presets(studio).get(name, "")


def compose_prompt(studio: Studio, parts: VideoPrompt, preset: str) -> str:
    """The prompt the back-end receives: the parts, then the preset's words (built-in or user-made)."""
    text = parts.compose(preset if preset in STYLE_PRESETS else None)
    suffix = "" if preset in STYLE_PRESETS else preset_suffix(studio, preset)
    return f"{text}\nStyle: {suffix}" if suffix else text


def plan(settings: VideoSettings) -> OutputPlan:
    return plan_output(settings.aspect, settings.resolution, settings.backend, settings.model)


def _fit_reference(data: bytes, name: str, width: int, height: int) -> bytes:
    from core.images import cover_crop, encode_jpeg, validate_image

    image = validate_image(data, name).image
    return encode_jpeg(cover_crop(image, width, height), quality=92)


def create_generation(
    studio: Studio,
    parts: VideoPrompt,
    settings: VideoSettings,
    prompt_text: str | None = None,
    reference: tuple[str, bytes] | None = None,
    prompt_limit: int | None = None,
    made_by: str | None = None,
) -> int:
    """Validate everything, then write the generation and its queued variations, recording who made
    them (``made_by``: the signed-in person, None without sign-in); return its id."""
    parts = VideoPrompt(**{k: clean(v) for k, v in asdict(parts).items()})
    prompt_text = clean(prompt_text) if prompt_text is not None else None
    prompt = validate_prompt(
        prompt_text if prompt_text is not None else compose_prompt(studio, parts, settings.preset),
        prompt_limit or MAX_PROMPT_CHARS,
    )
    if settings.seconds not in DURATIONS:
        raise StudioError(f"Duration must be one of {', '.join(map(str, DURATIONS))} seconds.")
    if settings.variations not in VARIATION_COUNTS:
        raise StudioError(f"Make {', '.join(map(str, VARIATION_COUNTS))} variations at a time.")
    offers.check_request(
        studio, settings.backend, settings.model, settings.resolution, settings.seconds, settings.variations
    )
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
            made_by=made_by,
            source=Source.GENERATE,
            backend=settings.backend,
            model=settings.model,
            prompt=prompt,
            prompt_parts=json.dumps(asdict(parts)),
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


# --- presets -------------------------------------------------------------------------------------


def user_presets(studio: Studio) -> dict[str, str]:
    with studio.db.session() as session:
        return {p.name: p.prompt_suffix for p in preset_queries.presets(session)}


def preset_names(studio: Studio) -> list[str]:
    """The built-in presets first, then the user's, alphabetically."""
    return list(STYLE_PRESETS) + sorted(user_presets(studio))


def save_preset(studio: Studio, name: str, prompt_suffix: str) -> None:
    name, prompt_suffix = clean(name).strip(), clean(prompt_suffix).strip()
    if not name or not prompt_suffix:
        raise StudioError("A preset needs a name and the words it adds to the prompt.")
    if name in STYLE_PRESETS or name in user_presets(studio):
        raise StudioError(f"A preset called “{name}” already exists.")
    with studio.db.session() as session:
        preset_queries.add_preset(session, name, prompt_suffix)


def _user_preset_name(name: str) -> str:
    name = clean(name).strip()
    if name in STYLE_PRESETS:
        raise StudioError(f"“{name}” is a built-in preset; it cannot be changed or deleted.")
    return name


def update_preset(studio: Studio, name: str, prompt_suffix: str) -> None:
    """Give a user-made preset new words; built-in presets and unknown names are refused."""
    name, prompt_suffix = _user_preset_name(name), clean(prompt_suffix).strip()
    if not prompt_suffix:
        raise StudioError("A preset needs the words it adds to the prompt.")
    with studio.db.session() as session:
        if not preset_queries.update_preset(session, name, prompt_suffix):
            raise StudioError(f"There is no preset called “{name}”.")


def delete_preset(studio: Studio, name: str) -> None:
    """Remove a user-made preset (sets made with it keep its name); built-in ones cannot be removed."""
    name = _user_preset_name(name)
    with studio.db.session() as session:
        if not preset_queries.delete_preset(session, name):
            raise StudioError(f"There is no preset called “{name}”.")


# --- the draft: the form as the user left it -------------------------------------------------------

DRAFT_KEY = "create_video.draft"
REFERENCE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".webp", ".bmp", ".tif", ".tiff")


@dataclass(frozen=True)
class DraftReference:
    """A reference image kept with the draft: its bytes are in the media store under REFERENCES."""

    sha256: str
    name: str

    @property
    def extension(self) -> str:
        suffix = PurePath(self.name).suffix.lower()
        return suffix if suffix in REFERENCE_EXTENSIONS else ".img"


@dataclass(frozen=True)
class Draft:
    parts: VideoPrompt = field(default_factory=lambda: VideoPrompt("", "", ""))
    settings: VideoSettings = field(default_factory=VideoSettings)
    prompt_text: str | None = None  # the hand-edited prompt; None while the prompt follows the fields
    reference: DraftReference | None = None


def _known(cls: type, value: Any) -> dict[str, Any]:
    """The entries of a stored dict that ``cls`` has fields for (a draft from an older version still loads)."""
    names = {f.name for f in fields(cls)}
    return {k: v for k, v in value.items() if k in names} if isinstance(value, dict) else {}


def _draft_from(value: Any) -> Draft | None:
    if not isinstance(value, dict):
        return None
    try:
        parts = VideoPrompt(**{"scene": "", "visual": "", "motion": "", **_known(VideoPrompt, value.get("parts"))})
        settings = VideoSettings(**_known(VideoSettings, value.get("settings")))
        reference = value.get("reference")
        prompt_text = value.get("prompt_text")
        return Draft(
            parts,
            settings,
            prompt_text if isinstance(prompt_text, str) else None,
            DraftReference(**_known(DraftReference, reference)) if isinstance(reference, dict) else None,
        )
    except TypeError:  # a field missing or of another shape: no draft rather than a broken form
        return None


def load_draft(studio: Studio) -> Draft | None:
    """The form as the user last left it, or None when there is none."""
    with studio.db.session() as session:
        return _draft_from(state.get_value(session, DRAFT_KEY))


def save_draft(studio: Studio, draft: Draft) -> None:
    with studio.db.session() as session:
        state.put_value(session, DRAFT_KEY, asdict(draft))


def clear_draft(studio: Studio) -> None:
    """Forget the draft (its reference image stays in the store: a set may use the same bytes)."""
    with studio.db.session() as session:
        state.delete_value(session, DRAFT_KEY)


def keep_reference(studio: Studio, name: str, data: bytes) -> DraftReference:
    """Store an uploaded reference image's bytes as they are, so the draft can give them back later."""
    reference = DraftReference(sha256_hex(data), clean(PurePath(name).name) or "reference")
    studio.media.put(data, REFERENCES, reference.extension, reference.sha256)
    return reference


def reference_bytes(studio: Studio, reference: DraftReference) -> bytes | None:
    """The kept image's bytes, or None when the file has gone (e.g. the set it came from was deleted)."""
    try:
        return studio.media.read(reference.sha256, REFERENCES, reference.extension)
    except (FileNotFoundError, ValueError):
        return None


# --- back-ends and models --------------------------------------------------------------------------


def backend_statuses(studio: Studio) -> list[ServiceStatus]:
    """Every video back-end: usable now or not, and why."""
    from core.videos import backends

    return backends.backend_statuses(studio.settings)


def backend_label(studio: Studio, key: str) -> str:
    from core.videos import backends

    return backends.backend_label(key, studio.settings)


def default_backend(studio: Studio) -> str:
    """The Videos API when it is configured, else the offline renderer."""
    from core.videos import backends

    return backends.default_backend_key(studio.settings)


def model_choices(studio: Studio, backend: str) -> list[str]:
    from core.videos import backends

    return backends.model_choices(backend, studio.settings)
