"""The edit toolbar in core: Recut, Remix, Blend and Loop each queue a new variation in the same set.

Every request is checked here before anything is written (a sane selection, a partner that
still exists, words for a remix); the new variation then records its parent(s), the operation
and its parameters, and the job runner makes it. The source file is never modified.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import func, or_, select

from core.errors import StudioError
from core.studio import Studio
from db import videos as queries
from db.models import Variation, utcnow

LOOP_LENGTHS = ("short", "normal", "long")
LOOP_MODES = ("crossfade", "pingpong")
BLEND_MODES = ("transition", "mix", "custom")
REMIX_STRENGTHS = {
    "Subtle": "Keep the scene, subject, framing and camera move exactly as they are; change only this, subtly: {change}",
    "Mild": "Keep the subject and framing; make this change clearly visible: {change}",
    "Strong": "Reimagine the video around this change, keeping only its core idea: {change}",
    "Custom": "{change}",
}
OPERATION_LABELS = {
    "generate": "generated",
    "import": "imported",
    "remix": "remix",
    "loop": "loop",
    "blend": "blend",
    "recut": "recut",
}


def _completed(session, variation_id: int, what: str = "That video") -> Variation:
    variation = queries.get_variation(session, variation_id)
    if variation is None:
        raise StudioError(f"{what} no longer exists.")
    if variation.status != "completed" or not variation.video_sha256:
        raise StudioError(f"{what} is not finished yet; edit it once it has been made.")
    return variation


def _check_span(start_s: float, end_s: float, duration: float | None, what: str = "selection") -> None:
    if end_s <= start_s:
        raise StudioError(
            f"The {what} is empty or reversed: its end ({end_s:.2f} s) must come after its start ({start_s:.2f} s)."
        )
    if start_s < 0 or (duration and end_s > duration + 1e-3):
        raise StudioError(f"The {what} {start_s:.2f}–{end_s:.2f} s lies outside the clip (0–{duration or 0:.2f} s).")


def _queue(session, source: Variation, operation: str, params: dict, partner: Variation | None = None) -> int:
    position = (
        session.scalar(select(func.max(Variation.position)).where(Variation.generation_id == source.generation_id)) + 1
    )
    variation = Variation(
        generation_id=source.generation_id,
        position=position,
        status="queued",
        progress=0.0,
        parent_id=source.id,
        partner_id=partner.id if partner else None,
        operation=operation,
        operation_params=json.dumps(params),
        created_at=utcnow(),
    )
    session.add(variation)
    session.flush()
    return variation.id


def queue_loop(
    studio: Studio, variation_id: int, start_s: float, end_s: float, length: str = "normal", mode: str = "crossfade"
) -> int:
    if length not in LOOP_LENGTHS or mode not in LOOP_MODES:
        raise StudioError("Pick a loop length (short, normal, long) and a mode (crossfade or ping-pong).")
    with studio.db.session() as session:
        source = _completed(session, variation_id)
        _check_span(start_s, end_s, source.duration_s)
        if end_s - start_s < 0.25:
            raise StudioError("Select at least a quarter of a second to loop.")
        return _queue(session, source, "loop", {"start_s": start_s, "end_s": end_s, "length": length, "mode": mode})


def queue_blend(
    studio: Studio,
    variation_id: int,
    partner_id: int | None,
    mode: str = "transition",
    at_s: float | None = None,
    weight: float = 0.5,
    curve: list[tuple[float, float]] | None = None,
) -> int:
    if mode not in BLEND_MODES:
        raise StudioError("Pick a blend mode: Transition, Mix or Custom.")
    if partner_id is None:
        raise StudioError("Pick a second video to blend with.")
    if not 0.0 <= weight <= 1.0:
        raise StudioError("The mix weight goes from 0 (all this video) to 1 (all the other).")
    if mode == "custom":
        if not curve or len(curve) < 2:
            raise StudioError("A custom blend needs at least two control points.")
        if any(not (0 <= t <= 1 and 0 <= w <= 1) for t, w in curve):
            raise StudioError("Control points are (time 0–1, weight 0–1).")
    with studio.db.session() as session:
        source = _completed(session, variation_id)
        partner = _completed(session, partner_id, "The blend partner")
        if mode == "transition" and at_s is not None:
            _check_span(0.0, at_s, source.duration_s, "transition point")
        params = {"mode": mode, "at_s": at_s, "weight": weight, "curve": [list(p) for p in curve] if curve else None}
        return _queue(session, source, "blend", params, partner)


def queue_recut(studio: Studio, variation_id: int, segments: list[tuple[int, float, float]]) -> int:
    """``segments``: (variation id, start s, end s) in play order; any completed variation may appear."""
    if not segments:
        raise StudioError("The storyboard is empty: keep at least one segment.")
    with studio.db.session() as session:
        source = _completed(session, variation_id)
        for clip_id, start_s, end_s in segments:
            clip = _completed(session, clip_id, "A clip in the storyboard")
            _check_span(start_s, end_s, clip.duration_s, "segment")
        params = {"segments": [{"variation_id": c, "start_s": s, "end_s": e} for c, s, e in segments]}
        return _queue(session, source, "recut", params)


def remix_prompt(original: str, change: str, strength: str) -> str:
    if strength not in REMIX_STRENGTHS:
        raise StudioError("Pick a remix strength: Subtle, Mild, Strong or Custom.")
    change = " ".join(change.split())
    if not change:
        raise StudioError("Describe the change you want in words.")
    wording = REMIX_STRENGTHS[strength].format(change=change)
    return wording if strength == "Custom" else f"{original}\nRemix: {wording}"


def queue_remix(studio: Studio, variation_id: int, change: str, strength: str = "Mild") -> int:
    from core.videos.prompt import validate_prompt

    with studio.db.session() as session:
        source = _completed(session, variation_id)
        generation = source.generation
        prompt = validate_prompt(remix_prompt(generation.prompt, change, strength))
        if generation.backend == "openai-videos" and not source.remote_id:
            raise StudioError("This variation has no id at the video service, so the service cannot remix it.")
        params = {"prompt": prompt, "change": change.strip(), "strength": strength}
        return _queue(session, source, "remix", params)


@dataclass(frozen=True)
class LineageLink:
    variation_id: int
    generation_id: int
    position: int
    operation: str
    status: str


@dataclass(frozen=True)
class Lineage:
    operation: str
    params: dict
    parents: tuple[LineageLink, ...]  # what it was made from (a blend has two)
    children: tuple[LineageLink, ...]  # what was made from it


def _link(v: Variation) -> LineageLink:
    return LineageLink(v.id, v.generation_id, v.position, v.operation, v.status)


def lineage(studio: Studio, variation_id: int) -> Lineage | None:
    with studio.db.session() as session:
        variation = queries.get_variation(session, variation_id)
        if variation is None:
            return None
        parents = [queries.get_variation(session, i) for i in (variation.parent_id, variation.partner_id) if i]
        children = session.scalars(
            select(Variation)
            .where(or_(Variation.parent_id == variation_id, Variation.partner_id == variation_id))
            .order_by(Variation.id)
        )
        return Lineage(
            variation.operation,
            json.loads(variation.operation_params or "{}"),
            tuple(_link(p) for p in parents if p),
            tuple(_link(c) for c in children),
        )


def recall(studio: Studio, variation_id: int) -> dict:
    """What the Create video page needs to make this variation again: prompt parts and settings."""
    with studio.db.session() as session:
        variation = queries.get_variation(session, variation_id)
        if variation is None:
            raise StudioError("That video no longer exists.")
        generation = variation.generation
        parts = queries.prompt_parts(generation) or {"scene": generation.prompt}
        if variation.operation == "remix":
            change = json.loads(variation.operation_params or "{}").get("change", "")
            parts = {**parts, "extra": " ".join(filter(None, [parts.get("extra", ""), change]))}
        return {
            **{k: parts.get(k, "") for k in ("scene", "visual", "motion", "extra")},
            "aspect": generation.aspect_ratio,
            "resolution": generation.resolution,
            "seconds": generation.seconds,
            "preset": generation.style_preset,
            "backend": generation.backend,
        }


def partner_choices(studio: Studio, exclude: int, limit: int = 50) -> dict[int, str]:
    """Finished variations to blend with or append, labelled for a picker."""
    with studio.db.session() as session:
        rows = queries.completed_variations(session, limit + 1)
    return {
        vid: f"Set #{gid} · variation {pos + 1} · {prompt[:50]}" for vid, gid, pos, prompt in rows if vid != exclude
    }
