"""A storyboard's timeline: cards (a text prompt, an image, or a clip from the library) at times
over a total length, and the rules a timeline must keep before anything is made from it.

A card lasts until the next card (the last one until the end). On the Videos API the first card
is a ``videos.create`` and each later card an extension of the result, so every card's length
must be one the API makes, only the first card may be an image (its ``input_reference``), and
clips cannot be sent; offline, any spacing of at least ``MIN_CARD_S`` works. Leaf module: the
typed parameters in ``operations.py`` build on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from core.errors import StudioError

MIN_CARD_S = 0.5  # the shortest card offline: a shorter one is a flash, not a shot
MAX_TOTAL_S = 60  # the longest storyboard (both back-ends)
CREATE_SECONDS = (4, 8, 12)  # the Videos API: what a create makes …
EXTEND_SECONDS = (4, 8, 12, 16, 20)  # … and what one extension adds
DISSOLVE_FROM_S = 4.0  # cards this far apart or more are joined by a dissolve; closer ones by a hard cut


class CardKind(StrEnum):
    TEXT = "text"
    IMAGE = "image"
    CLIP = "clip"

    @property
    def label(self) -> str:
        return {CardKind.TEXT: "Text", CardKind.IMAGE: "Image", CardKind.CLIP: "Clip"}[self]


@dataclass(frozen=True)
class Card:
    """One card: what the video shows from ``at_s`` until the next card."""

    kind: CardKind
    at_s: float
    prompt: str = ""
    image_sha256: str | None = None  # an image card's picture, in the media store
    variation_id: int | None = None  # a clip card's library variation …
    start_s: float = 0.0  # … played from here

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": str(self.kind),
            "at_s": self.at_s,
            "prompt": self.prompt,
            "image_sha256": self.image_sha256,
            "variation_id": self.variation_id,
            "start_s": self.start_s,
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Card:
        vid = raw.get("variation_id")
        return cls(
            kind=CardKind(raw.get("kind", CardKind.TEXT)),
            at_s=float(raw.get("at_s", 0.0)),
            prompt=str(raw.get("prompt") or ""),
            image_sha256=raw.get("image_sha256") or None,
            variation_id=None if vid is None else int(vid),
            start_s=float(raw.get("start_s") or 0.0),
        )

    @property
    def title(self) -> str:
        """A short label for the timeline."""
        if self.kind is CardKind.CLIP:
            return f"Clip from {self.start_s:.1f} s"
        words = " ".join(self.prompt.split())
        text = words if len(words) <= 40 else words[:40].rsplit(" ", 1)[0] + "…"
        return text or self.kind.label


def lengths(cards: tuple[Card, ...], total_s: float) -> list[float]:
    """How long each card lasts: until the next card, the last one until the end."""
    ends = [c.at_s for c in cards[1:]] + [total_s]
    return [round(end - card.at_s, 3) for card, end in zip(cards, ends)]


def dissolves(cards: tuple[Card, ...], total_s: float) -> list[bool]:
    """For each change of card, whether it dissolves (the card before lasts ``DISSOLVE_FROM_S`` or
    more: cards far apart) or cuts (cards close)."""
    return [length >= DISSOLVE_FROM_S for length in lengths(cards, total_s)[:-1]]


def check_timeline(cards: tuple[Card, ...], total_s: float, remote: bool) -> None:
    """Refuse, in one sentence, a timeline the back-end cannot make (``remote``: the Videos API)."""
    if not cards:
        raise StudioError("The storyboard is empty: add at least one card.")
    if not 0 < total_s <= MAX_TOTAL_S:
        raise StudioError(f"A storyboard lasts up to {MAX_TOTAL_S} seconds.")
    if cards[0].at_s != 0:
        raise StudioError("The first card must start at 0 s.")
    for number, (card, length) in enumerate(zip(cards, lengths(cards, total_s)), start=1):
        if card.at_s >= total_s:
            raise StudioError(f"Card {number} starts at {card.at_s:g} s, after the end ({total_s:g} s).")
        if length < MIN_CARD_S:
            raise StudioError(f"Card {number} lasts {max(0.0, length):g} s; give each card at least {MIN_CARD_S:g} s.")
        if card.kind is CardKind.TEXT and not card.prompt.split():
            raise StudioError(f"Card {number} is a text card without words: describe the shot.")
        if card.kind is CardKind.IMAGE and not card.image_sha256:
            raise StudioError(f"Card {number} is an image card without an image.")
        if card.kind is CardKind.CLIP and card.variation_id is None:
            raise StudioError(f"Card {number} is a clip card without a clip: pick one from the library.")
        if remote:
            _check_remote(number, card, length)


def _check_remote(number: int, card: Card, length: float) -> None:
    allowed = CREATE_SECONDS if number == 1 else EXTEND_SECONDS
    if length not in allowed:
        made = "the first video" if number == 1 else "an extension"
        raise StudioError(
            f"Card {number} lasts {length:g} s, but the Videos API makes {made} of "
            f"{', '.join(map(str, allowed))} seconds: move the cards so each lasts one of those."
        )
    if card.kind is CardKind.CLIP:
        raise StudioError(f"Card {number} is a library clip: the Videos API storyboard takes text and image cards.")
    if card.kind is CardKind.IMAGE and number > 1:
        raise StudioError(f"Card {number} is an image: on the Videos API only the first card can be an image.")
    if not card.prompt.split():
        raise StudioError(f"Card {number} needs words for the Videos API: say what happens.")


CARD_IMAGES = "cards"  # the media store's folder of image cards (JPEG by digest; no row column owns them)
