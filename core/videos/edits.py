"""Edit requests (the lightbox's toolbar, in core): Recut, Remix, Blend, Loop and Extend each queue a
new variation in the same set, plus lineage, Recall and what the toolbar shows of a clip.

Every request is checked here before anything is written (a sane selection, a partner that still
exists, words for a remix); the new variation then records its parent(s), the operation and its
typed parameters (``core.videos.operations``), and the job runner makes it. Sources are only read.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from core.errors import StudioError, must_exist
from core.studio import Studio
from core.text import clean
from core.videos import operations as ops
from core.videos.kinds import BlendMode, LoopLength, LoopMode, Operation, VariationStatus
from db import Session
from db import videos as queries
from db.models import Variation


def _completed(session: Session, variation_id: int, what: str = "That video") -> Variation:
    variation = must_exist(queries.get_variation(session, variation_id), what)
    if variation.status != VariationStatus.COMPLETED or not variation.video_sha256:
        raise StudioError(f"{what} is not finished yet; edit it once it has been made.")
    return variation


def _queue(
    session: Session,
    source: Variation,
    params: ops.OperationParams,
    partner: Variation | None = None,
    made_by: str | None = None,
) -> int:
    """The new variation records who asked for the edit (``made_by``), not who made its set."""
    return queries.add_variation(session, source, params.operation, ops.to_json(params), partner, made_by)


def queue_loop(
    studio: Studio,
    variation_id: int,
    start_s: float,
    end_s: float,
    length: str = LoopLength.NORMAL,
    mode: str = LoopMode.CROSSFADE,
    made_by: str | None = None,
) -> int:
    if length not in list(LoopLength) or mode not in list(LoopMode):
        raise StudioError("Pick a loop length (short, normal, long) and a mode (crossfade or ping-pong).")
    params = ops.Loop(start_s, end_s, LoopLength(length), LoopMode(mode))
    with studio.db.session() as session:
        source = _completed(session, variation_id)
        params.validate(source.duration_s)
        return _queue(session, source, params, made_by=made_by)


def queue_blend(
    studio: Studio,
    variation_id: int,
    partner_id: int | None,
    mode: str = BlendMode.TRANSITION,
    at_s: float | None = None,
    weight: float = 0.5,
    curve: Sequence[tuple[float, float]] | None = None,
    made_by: str | None = None,
) -> int:
    if mode not in list(BlendMode):
        raise StudioError("Pick a blend mode: Transition, Mix or Custom.")
    if partner_id is None:
        raise StudioError("Pick a second video to blend with.")
    params = ops.Blend(BlendMode(mode), at_s, weight, tuple((float(t), float(w)) for t, w in curve) if curve else None)
    with studio.db.session() as session:
        source = _completed(session, variation_id)
        partner = _completed(session, partner_id, "The blend partner")
        params.validate(source.duration_s)
        return _queue(session, source, params, partner, made_by)


def queue_recut(
    studio: Studio, variation_id: int, segments: Sequence[tuple[int, float, float]], made_by: str | None = None
) -> int:
    """``segments``: (variation id, start s, end s) in play order; any completed variation may appear."""
    params = ops.Recut(tuple(ops.RecutSegment(c, s, e) for c, s, e in segments))
    params.validate()
    with studio.db.session() as session:
        source = _completed(session, variation_id)
        for segment in params.segments:
            clip = _completed(session, segment.variation_id, "A clip in the storyboard")
            ops.check_span(segment.start_s, segment.end_s, clip.duration_s, "segment")
        return _queue(session, source, params, made_by=made_by)


def remix_is_remote(backend: str) -> bool:
    """Whether a remix of a set made by ``backend`` goes to the video service (else it is re-rendered here)."""
    return ops.step_for(Operation.REMIX, backend) == ops.Step.REMOTE


def remix_prompt(original: str, change: str, strength: str) -> str:
    return ops.Remix.build(original, change, strength).prompt


def queue_remix(
    studio: Studio,
    variation_id: int,
    change: str,
    strength: str = ops.RemixStrength.MILD,
    made_by: str | None = None,
) -> int:
    from core.videos.prompt import validate_prompt

    change = clean(change)
    with studio.db.session() as session:
        source = _completed(session, variation_id)
        generation = source.generation
        params = ops.Remix.build(generation.prompt, change, strength)
        validate_prompt(params.prompt)
        if remix_is_remote(generation.backend) and not source.remote_id:
            raise StudioError("This variation has no id at the video service, so the service cannot remix it.")
        return _queue(session, source, params, made_by=made_by)


def queue_extend(studio: Studio, variation_id: int, prompt: str, seconds: int, made_by: str | None = None) -> int:
    """A longer variation: the source, then ``seconds`` more of what ``prompt`` says happens next."""
    from core.videos.prompt import validate_prompt

    params = ops.Extend(" ".join(clean(prompt).split()), int(seconds))
    with studio.db.session() as session:
        source = _completed(session, variation_id)
        params.validate(source.generation.backend)
        validate_prompt(params.prompt)
        return _queue(session, source, params, made_by=made_by)


def extend_seconds(backend: str) -> tuple[int, ...]:
    """The lengths an extension of a set made by ``backend`` can add."""
    from core.videos.timeline import EXTEND_SECONDS

    return EXTEND_SECONDS if extend_is_remote(backend) else (2, 4, 8, 12, 16, 20)


def extend_is_remote(backend: str) -> bool:
    """Whether an extension of a set made by ``backend`` is the service's (else rendered and joined here)."""
    return ops.step_for(Operation.EXTEND, backend) == ops.Step.REMOTE


# --- where a variation came from -----------------------------------------------------------------


@dataclass(frozen=True)
class LineageLink:
    variation_id: int
    generation_id: int
    position: int
    operation: Operation
    status: VariationStatus


@dataclass(frozen=True)
class Lineage:
    operation: Operation
    params: ops.OperationParams
    parents: tuple[LineageLink, ...]  # what it was made from (a blend has two; a recut, every clip)
    children: tuple[LineageLink, ...]  # what was made from it
    summary: str = ""  # how it was made, with what changed
    prompt: str | None = None  # its own prompt, where it differs from its set's (a remix)


def _link(v: Variation) -> LineageLink:
    return LineageLink(v.id, v.generation_id, v.position, Operation(v.operation), VariationStatus(v.status))


def lineage(studio: Studio, variation_id: int) -> Lineage | None:
    with studio.db.session() as session:
        variation = queries.get_variation(session, variation_id)
        if variation is None:
            return None
        params = ops.from_json(variation.operation, variation.operation_params)
        sources = [variation.parent_id, variation.partner_id]
        if isinstance(params, ops.Recut):  # every clip the cut uses, appended ones too
            sources += [segment.variation_id for segment in params.segments]
        if isinstance(params, ops.Storyboard):  # and every clip a storyboard's cards show
            sources += [card.variation_id for card in params.cards if card.variation_id]
        parents = [queries.get_variation(session, i) for i in dict.fromkeys(sources) if i]
        links = {p.id: _link(p) for p in parents if p}
        return Lineage(
            Operation(variation.operation),
            params,
            tuple(links.values()),
            tuple(_link(c) for c in queries.made_from(session, variation_id)),
            describe(params, links),
            params.prompt if isinstance(params, (ops.Remix, ops.Extend)) else None,
        )


def _clip(link: LineageLink | None) -> str:
    return f"set #{link.generation_id} variation {link.position + 1}" if link else "a deleted clip"


def describe(params: ops.OperationParams, links: dict[int, LineageLink]) -> str:
    """How a variation was made, with what changed: the words a person would use."""
    if isinstance(params, ops.Remix):
        return f"remix ({params.strength}): “{params.change}”"
    if isinstance(params, ops.Loop):
        return f"loop of {params.start_s:.2f}–{params.end_s:.2f} s, {params.length} length, {params.mode} seam"
    if isinstance(params, ops.Blend):
        how = {
            BlendMode.TRANSITION: f"transition at {params.at_s:.1f} s" if params.at_s is not None else "transition",
            BlendMode.MIX: f"mix, {params.weight:.0%} of the other",
            BlendMode.CUSTOM: f"custom curve of {len(params.curve or ())} points",
        }[params.mode]
        return f"blend ({how})"
    if isinstance(params, ops.Recut):
        cuts = ", ".join(f"{_clip(links.get(s.variation_id))} {s.start_s:.2f}–{s.end_s:.2f} s" for s in params.segments)
        return f"recut of {len(params.segments)} segment{'s' if len(params.segments) != 1 else ''}: {cuts}"
    if isinstance(params, ops.Extend):
        return f"extended by {params.seconds} s: “{params.prompt}”"
    if isinstance(params, ops.Storyboard):
        count = len(params.cards)
        return f"from storyboard: {count} card{'s' if count != 1 else ''} over {params.total_s:g} s"
    if isinstance(params, ops.Imported) and params.file:
        return f"imported from “{params.file}”"
    return params.operation.label


def recall(studio: Studio, variation_id: int) -> dict[str, Any]:
    """What the Create video page needs to make this variation again: prompt parts, every setting
    (variations count, model, back-end) and the set's reference image (its digest, stored as .jpg)."""
    with studio.db.session() as session:
        variation = must_exist(queries.get_variation(session, variation_id))
        generation = variation.generation
        parts = queries.prompt_parts(generation) or {"scene": generation.prompt}
        params = ops.from_json(variation.operation, variation.operation_params)
        if isinstance(params, ops.Remix):
            parts = {**parts, "extra": " ".join(filter(None, [parts.get("extra", ""), params.change]))}
        return {
            **{k: parts.get(k, "") for k in ("scene", "visual", "motion", "extra")},
            "aspect": generation.aspect_ratio,
            "resolution": generation.resolution,
            "seconds": generation.seconds,
            "preset": generation.style_preset,
            "backend": generation.backend,
            "model": generation.model,
            "variations": generation.n_variations,
            "reference_sha256": generation.reference_sha256,
            "reference_name": f"reference of set {generation.id}.jpg" if generation.reference_sha256 else None,
        }


def partner_choices(studio: Studio, exclude: int, limit: int = 50) -> dict[int, str]:
    """Finished variations to blend with or append, labelled for a picker."""
    with studio.db.session() as session:
        rows = queries.completed_variations(session, limit + 1)
    return {
        vid: f"Set #{gid} · variation {pos + 1} · {_short(prompt)}" for vid, gid, pos, prompt in rows if vid != exclude
    }


def _short(prompt: str, limit: int = 60) -> str:
    """One line of a prompt for a picker: whitespace folded, cut at a word with an ellipsis."""
    line = " ".join(prompt.split())
    return line if len(line) <= limit else line[:limit].rsplit(" ", 1)[0] + "…"


# --- what the toolbar shows of a clip -------------------------------------------------------------


def storyboard_frames(studio: Studio, digest: str, count: int = 8, tile_width: int = 160) -> list[tuple[float, bytes]]:
    """Evenly spaced frames of a stored video as (seconds, JPEG bytes), for the Edit tab's strip."""
    from core.videos.ops.storyboard import storyboard

    frames = []
    for at, image in storyboard(studio.media.video_path(digest), count=count, tile_width=tile_width):
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=80)
        frames.append((at, buffer.getvalue()))
    return frames


def keyframe_times(studio: Studio, digest: str) -> list[float]:
    """Where a stored video's keyframes are: cuts there are copied without re-encoding."""
    from core.videos.ops.storyboard import keyframe_times as times

    return times(studio.media.video_path(digest))


def influence_curve(points: Sequence[tuple[float, float]], samples: int) -> list[float]:
    """The partner's weight over time for a custom blend, sampled for the page's chart."""
    from core.videos.ops.mix import influence_curve as curve

    return curve(points, samples)
