"""Every way a variation is made, as one typed value: its parameters with their defaults, their
validation, their JSON form (``variations.operation_params``) and where it runs.

The edit requests (``core.videos.edits``) build and validate these before anything is written;
the job runner reads them back with ``from_json`` and dispatches on ``step``. No other module
parses ``operation_params``.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any, ClassVar

from core.errors import StudioError
from core.videos.kinds import BackendKey, BlendMode, LoopLength, LoopMode, MediaKind, Operation
from core.videos.timeline import EXTEND_SECONDS, Card, check_timeline, lengths

MIN_LOOP_S = 0.25


class Step(StrEnum):
    """Where a variation is made."""

    RENDER = "render"  # drawn here by the offline renderer
    REMOTE = "remote"  # made by the Videos API: submit, poll, download
    EDIT = "edit"  # a local edit of finished videos (loop, blend, recut)
    CHAIN = "chain"  # a chain of Videos API jobs: create, then one extension per storyboard card
    IMAGE = "image"  # an image set's still: the Images API (generate, or edit for a remix), or drawn offline


def _made_by(backend: str) -> Step:
    return Step.REMOTE if backend == BackendKey.OPENAI_VIDEOS else Step.RENDER


def check_span(start_s: float, end_s: float, duration: float | None, what: str = "selection") -> None:
    """A span of a clip must run forwards and lie inside it."""
    if end_s <= start_s:
        raise StudioError(
            f"The {what} is empty or reversed: its end ({end_s:.2f} s) must come after its start ({start_s:.2f} s)."
        )
    if start_s < 0 or (duration and end_s > duration + 1e-3):
        raise StudioError(f"The {what} {start_s:.2f}–{end_s:.2f} s lies outside the clip (0–{duration or 0:.2f} s).")


@dataclass(frozen=True)
class Generate:
    """A variation of a new set, made from the set's prompt."""

    operation: ClassVar[Operation] = Operation.GENERATE
    quality: str = ""  # an image set's: the Images API's quality (auto, low, medium, high); "" for videos
    output_format: str = ""  # an image set's file format (png, jpeg, webp); "" for videos

    @classmethod
    def step(cls, backend: str) -> Step:
        return _made_by(backend)


@dataclass(frozen=True)
class Imported:
    """A video made elsewhere; it never runs."""

    operation: ClassVar[Operation] = Operation.IMPORT
    file: str = ""

    @classmethod
    def step(cls, backend: str) -> Step:
        raise StudioError("An imported video is already made.")


class RemixStrength(StrEnum):
    SUBTLE = "Subtle"
    MILD = "Mild"
    STRONG = "Strong"
    CUSTOM = "Custom"

    @property
    def template(self) -> str:
        return _REMIX_TEMPLATES[self]


_REMIX_TEMPLATES = {
    RemixStrength.SUBTLE: "Keep the scene, subject, framing and camera move exactly as they are; "
    "change only this, subtly: {change}",
    RemixStrength.MILD: "Keep the subject and framing; make this change clearly visible: {change}",
    RemixStrength.STRONG: "Reimagine the video around this change, keeping only its core idea: {change}",
    RemixStrength.CUSTOM: "{change}",
}


@dataclass(frozen=True)
class Remix:
    """The source re-made with a change in words: by the API's remix for an API video, else re-rendered."""

    operation: ClassVar[Operation] = Operation.REMIX
    prompt: str
    change: str
    strength: RemixStrength = RemixStrength.MILD

    @classmethod
    def build(cls, original: str, change: str, strength: str) -> Remix:
        """The remix of a video whose prompt was ``original``; refuses an unknown strength or no words."""
        if strength not in RemixStrength.__members__.values():
            raise StudioError("Pick a remix strength: Subtle, Mild, Strong or Custom.")
        level = RemixStrength(strength)
        words = " ".join(change.split())
        if not words:
            raise StudioError("Describe the change you want in words.")
        wording = level.template.format(change=words)
        prompt = wording if level is RemixStrength.CUSTOM else f"{original}\nRemix: {wording}"
        return cls(prompt=prompt, change=change.strip(), strength=level)

    @classmethod
    def step(cls, backend: str) -> Step:
        return _made_by(backend)


@dataclass(frozen=True)
class Loop:
    """A section of the source repeated into a seamless loop."""

    operation: ClassVar[Operation] = Operation.LOOP
    start_s: float
    end_s: float
    length: LoopLength = LoopLength.NORMAL
    mode: LoopMode = LoopMode.CROSSFADE

    def validate(self, duration: float | None) -> None:
        check_span(self.start_s, self.end_s, duration)
        if self.end_s - self.start_s < MIN_LOOP_S:
            raise StudioError("Select at least a quarter of a second to loop.")

    @classmethod
    def step(cls, backend: str) -> Step:
        return Step.EDIT


Curve = tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class Blend:
    """The source and a partner video, joined by a transition, mixed, or mixed along a curve."""

    operation: ClassVar[Operation] = Operation.BLEND
    mode: BlendMode = BlendMode.TRANSITION
    at_s: float | None = None
    weight: float = 0.5
    curve: Curve | None = None

    def validate(self, duration: float | None) -> None:
        if not 0.0 <= self.weight <= 1.0:
            raise StudioError("The mix weight goes from 0 (all this video) to 1 (all the other).")
        if self.mode == BlendMode.CUSTOM:
            if not self.curve or len(self.curve) < 2:
                raise StudioError("A custom blend needs at least two control points.")
            if any(not (0 <= t <= 1 and 0 <= w <= 1) for t, w in self.curve):
                raise StudioError("Control points are (time 0–1, weight 0–1).")
        if self.mode == BlendMode.TRANSITION and self.at_s is not None:
            check_span(0.0, self.at_s, duration, "transition point")

    @classmethod
    def step(cls, backend: str) -> Step:
        return Step.EDIT


@dataclass(frozen=True)
class RecutSegment:
    variation_id: int
    start_s: float
    end_s: float


@dataclass(frozen=True)
class Recut:
    """Segments of finished variations, played in order (the storyboard's cut)."""

    operation: ClassVar[Operation] = Operation.RECUT
    segments: tuple[RecutSegment, ...]

    def validate(self) -> None:
        if not self.segments:
            raise StudioError("The storyboard is empty: keep at least one segment.")

    @classmethod
    def step(cls, backend: str) -> Step:
        return Step.EDIT


MAX_LOCAL_EXTEND_S = 20


@dataclass(frozen=True)
class Extend:
    """The source continued by ``seconds`` of what ``prompt`` says happens next: the Videos API's
    extension for an API set, else a continuation rendered here from its last frame and joined."""

    operation: ClassVar[Operation] = Operation.EXTEND
    prompt: str
    seconds: int = 4

    def validate(self, backend: str) -> None:
        if not self.prompt.split():
            raise StudioError("Describe what happens next in words.")
        if _made_by(backend) is Step.REMOTE and self.seconds not in EXTEND_SECONDS:
            raise StudioError(f"The Videos API extends by {', '.join(map(str, EXTEND_SECONDS))} seconds.")
        if not 1 <= self.seconds <= MAX_LOCAL_EXTEND_S:
            raise StudioError(f"Extend by 1 to {MAX_LOCAL_EXTEND_S} seconds.")

    @classmethod
    def step(cls, backend: str) -> Step:
        return Step.REMOTE if _made_by(backend) is Step.REMOTE else Step.EDIT


@dataclass(frozen=True)
class Storyboard:
    """Cards on a timeline (``core.videos.timeline``): on the Videos API one create, then one
    extension per later card; offline, one animatic segment per card, joined by cuts or dissolves."""

    operation: ClassVar[Operation] = Operation.STORYBOARD
    cards: tuple[Card, ...]
    total_s: float

    def validate(self, backend: str) -> None:
        check_timeline(self.cards, self.total_s, remote=_made_by(backend) is Step.REMOTE)

    @property
    def lengths(self) -> list[float]:
        return lengths(self.cards, self.total_s)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Storyboard:
        cards = tuple(Card.from_dict(c) for c in raw.get("cards") or () if isinstance(c, dict))
        return cls(cards=cards, total_s=float(raw.get("total_s", 0.0)))

    @classmethod
    def step(cls, backend: str) -> Step:
        return Step.CHAIN if _made_by(backend) is Step.REMOTE else Step.RENDER


OperationParams = Generate | Imported | Remix | Loop | Blend | Recut | Extend | Storyboard
PARAMS: dict[Operation, type[OperationParams]] = {
    p.operation: p for p in (Generate, Imported, Remix, Loop, Blend, Recut, Extend, Storyboard)
}


def step_for(operation: str, backend: str, media_kind: str = MediaKind.VIDEO) -> Step:
    """Where a variation made by ``operation`` for a set of ``backend`` runs (every one of an image set: IMAGE)."""
    if media_kind == MediaKind.IMAGE:
        return Step.IMAGE
    return PARAMS[Operation(operation)].step(backend)


def with_usage(text: str | None, usage: dict[str, int]) -> str:
    """Stored parameters with the service's token usage added (an image's; readers ignore the key)."""
    try:
        raw = json.loads(text or "{}")
    except ValueError:
        raw = {}
    return json.dumps({**(raw if isinstance(raw, dict) else {}), "usage": usage})


def usage_of(text: str | None) -> dict[str, int]:
    """The token usage a variation's service reported (``with_usage``); empty when none was."""
    try:
        usage = json.loads(text or "{}").get("usage")
    except (ValueError, AttributeError):
        return {}
    return {str(k): int(v) for k, v in usage.items()} if isinstance(usage, dict) else {}


def to_json(params: OperationParams) -> str:
    fields = asdict(params)
    if isinstance(params, Generate):  # a video's generation stays "{}"; an image set's keeps its options
        fields = {k: v for k, v in fields.items() if v}
    return json.dumps(fields)


def from_json(operation: str, text: str | None) -> OperationParams:
    """The stored parameters of a variation, with the defaults of any field an older row lacks."""
    try:
        raw: dict[str, Any] = json.loads(text or "{}")
    except ValueError:
        raw = {}
    kind = Operation(operation)
    if kind is Operation.GENERATE:
        return Generate(quality=str(raw.get("quality", "")), output_format=str(raw.get("output_format", "")))
    if kind is Operation.IMPORT:
        return Imported(file=str(raw.get("file", "")))
    if kind is Operation.REMIX:
        return Remix(
            prompt=str(raw.get("prompt", "")),
            change=str(raw.get("change", "")),
            strength=RemixStrength(raw.get("strength", RemixStrength.MILD)),
        )
    if kind is Operation.LOOP:
        return Loop(
            start_s=float(raw["start_s"]),
            end_s=float(raw["end_s"]),
            length=LoopLength(raw.get("length", LoopLength.NORMAL)),
            mode=LoopMode(raw.get("mode", LoopMode.CROSSFADE)),
        )
    if kind is Operation.BLEND:
        curve = raw.get("curve")
        return Blend(
            mode=BlendMode(raw.get("mode", BlendMode.TRANSITION)),
            at_s=None if raw.get("at_s") is None else float(raw["at_s"]),
            weight=float(raw.get("weight", 0.5)),
            curve=tuple((float(t), float(w)) for t, w in curve) if curve else None,
        )
    if kind is Operation.EXTEND:
        return Extend(prompt=str(raw.get("prompt", "")), seconds=int(raw.get("seconds", 4)))
    if kind is Operation.STORYBOARD:
        return Storyboard.from_dict(raw)
    return Recut(
        segments=tuple(
            RecutSegment(int(s["variation_id"]), float(s["start_s"]), float(s["end_s"])) for s in raw["segments"]
        )
    )
