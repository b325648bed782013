"""Storyboard, in core: what the Storyboard page calls. A storyboard is cards on a timeline
(``core.videos.timeline``) and the settings of the set it makes; generating it writes the rows
(a new set, or a new variation of the set it was opened from, with the lineage "from
storyboard") before any work, and the job runner makes it: on the Videos API as a chain of a
create and extensions (``jobs/chain.py``), offline as an animatic of its cards
(``backends/offline/storyboard.py``). Every variation keeps its storyboard, so "Edit" on it opens
the cards again; a plain generation opens as one card.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, replace

from core.errors import StudioError, must_exist
from core.studio import Studio
from core.text import clean
from core.videos import operations as ops
from core.videos.create import VideoSettings, default_backend, plan
from core.videos.kinds import Operation, Source, VariationStatus
from core.videos.timeline import CARD_IMAGES, MAX_TOTAL_S, MIN_CARD_S, Card, CardKind
from db import videos as queries
from db.media import REFERENCES, sha256_hex

CARD_IMAGE_LONG_SIDE = 2048  # an image card is kept at most this large (it is fitted to the video later)


@dataclass(frozen=True)
class StoryboardDraft:
    """What the editor holds: the cards, the set's settings, and where generating adds the result."""

    board: ops.Storyboard
    settings: VideoSettings
    generation_id: int | None = None  # the set it was opened from: generating adds a variation to it
    variation_id: int | None = None  # the variation it was opened from (the new one's parent)


def blank(studio: Studio) -> StoryboardDraft:
    """A new storyboard: one text card over 8 seconds, made by the default back-end."""
    backend = default_backend(studio)
    from core.videos.create import model_choices

    settings = VideoSettings(seconds=8, backend=backend, model=model_choices(studio, backend)[0])
    return StoryboardDraft(ops.Storyboard((Card(CardKind.TEXT, 0.0),), 8.0), settings)


def remote(backend: str) -> bool:
    """Whether a storyboard of a set made by ``backend`` is a chain of Videos API jobs (else an animatic here)."""
    return ops.Storyboard.step(backend) is ops.Step.CHAIN


# --- editing the cards (pure: each returns a new storyboard) ----------------------------------------


def add_card(board: ops.Storyboard, card: Card) -> ops.Storyboard:
    """``card`` placed at its time among the others (a card already there moves it on by ``MIN_CARD_S``)."""
    taken = {c.at_s for c in board.cards}
    at = card.at_s
    while at in taken:
        at += MIN_CARD_S
    return _sorted(board, [*board.cards, replace(card, at_s=at)])


def append_card(board: ops.Storyboard, kind: CardKind) -> ops.Storyboard:
    """A new card of ``kind`` after the last: halfway through the last card's time, or, when that
    is too short, at the end with 4 more seconds (as far as ``MAX_TOTAL_S`` allows)."""
    last = board.cards[-1].at_s if board.cards else 0.0
    room = board.total_s - last
    if not board.cards:
        return ops.Storyboard((Card(kind, 0.0),), board.total_s)
    if room >= 4 * MIN_CARD_S:
        return add_card(board, Card(kind, last + math.floor(room / 2 / MIN_CARD_S) * MIN_CARD_S))
    total = min(float(MAX_TOTAL_S), board.total_s + 4.0)
    if total - board.total_s < MIN_CARD_S:
        raise StudioError(f"A storyboard lasts up to {MAX_TOTAL_S} seconds: there is no room for another card.")
    return add_card(ops.Storyboard(board.cards, total), Card(kind, board.total_s))


def move_card(board: ops.Storyboard, index: int, at_s: float) -> ops.Storyboard:
    """Card ``index`` moved to ``at_s`` (the first card stays at 0); the cards keep time order."""
    cards = list(board.cards)
    cards[index] = replace(cards[index], at_s=max(0.0, round(at_s, 2)))
    return _sorted(board, cards)


def nudge_card(board: ops.Storyboard, index: int, by_s: float) -> ops.Storyboard:
    """Card ``index`` earlier or later by ``by_s``, never onto or past a neighbour."""
    cards = board.cards
    low = cards[index - 1].at_s + MIN_CARD_S if index > 0 else 0.0
    high = cards[index + 1].at_s - MIN_CARD_S if index + 1 < len(cards) else board.total_s - MIN_CARD_S
    if index == 0 or low > high:
        return board
    return move_card(board, index, min(high, max(low, cards[index].at_s + by_s)))


def edit_card(board: ops.Storyboard, index: int, **changes: object) -> ops.Storyboard:
    cards = list(board.cards)
    cards[index] = replace(cards[index], **changes)  # type: ignore[arg-type]
    return _sorted(board, cards)


def delete_card(board: ops.Storyboard, index: int) -> ops.Storyboard:
    """Card ``index`` gone; the next card takes its place at 0 when the first is deleted."""
    cards = [c for i, c in enumerate(board.cards) if i != index]
    return _sorted(board, cards)


def set_total(board: ops.Storyboard, total_s: float) -> ops.Storyboard:
    return ops.Storyboard(board.cards, float(total_s))


def _sorted(board: ops.Storyboard, cards: list[Card]) -> ops.Storyboard:
    cards.sort(key=lambda c: c.at_s)
    if cards and cards[0].at_s != 0:
        cards[0] = replace(cards[0], at_s=0.0)
    return ops.Storyboard(tuple(cards), board.total_s)


# --- pictures and clips ------------------------------------------------------------------------------


def keep_image(studio: Studio, name: str, data: bytes) -> str:
    """Check an uploaded picture and keep it (as JPEG, at most ``CARD_IMAGE_LONG_SIDE``); return its digest."""
    from core.images import encode_jpeg, validate_image

    image = validate_image(data, name).image.convert("RGB")
    image.thumbnail((CARD_IMAGE_LONG_SIDE, CARD_IMAGE_LONG_SIDE))
    jpeg = encode_jpeg(image, quality=92)
    digest = sha256_hex(jpeg)
    studio.media.put(jpeg, CARD_IMAGES, ".jpg", digest)
    return digest


def card_image(studio: Studio, digest: str) -> bytes | None:
    """An image card's picture (JPEG), or None when it has gone."""
    try:
        return studio.media.read(digest, CARD_IMAGES, ".jpg")
    except (FileNotFoundError, ValueError):
        return None


def clip_choices(studio: Studio, limit: int = 50) -> dict[int, str]:
    """Finished library variations a clip card can show, labelled for a picker."""
    from core.videos.edits import partner_choices

    return partner_choices(studio, exclude=-1, limit=limit)


# --- opening and generating ------------------------------------------------------------------------


def open_variation(studio: Studio, variation_id: int) -> StoryboardDraft:
    """The storyboard a variation was made from; a plain one opens as one card (its set's image, if it had one)."""
    with studio.db.session() as session:
        variation = must_exist(queries.get_variation(session, variation_id))
        generation = variation.generation
        params = ops.from_json(variation.operation, variation.operation_params)
        settings = VideoSettings(
            aspect=generation.aspect_ratio,
            resolution=generation.resolution,
            seconds=generation.seconds,
            preset=generation.style_preset,
            backend=generation.backend,
            model=generation.model,
        )
        reference = generation.reference_sha256
        total = float(generation.seconds)
        if variation.duration_s and variation.operation != Operation.STORYBOARD:
            total = float(max(1, round(variation.duration_s)))
        generation_id, prompt = generation.id, clean(ops_prompt(params) or generation.prompt)
    if isinstance(params, ops.Storyboard):
        return StoryboardDraft(params, settings, generation_id, variation_id)
    card = Card(CardKind.TEXT, 0.0, prompt)
    if reference:
        try:
            data = studio.media.read(reference, REFERENCES, ".jpg")
            card = Card(CardKind.IMAGE, 0.0, prompt, image_sha256=keep_image(studio, "the set's reference", data))
        except (FileNotFoundError, ValueError, StudioError):
            pass  # the picture has gone: the words alone
    return StoryboardDraft(ops.Storyboard((card,), total), settings, generation_id, variation_id)


def ops_prompt(params: ops.OperationParams) -> str:
    """A variation's own words where they differ from its set's (a remix, an extension)."""
    return params.prompt if isinstance(params, ops.Remix | ops.Extend) else ""


def check(studio: Studio, draft: StoryboardDraft) -> None:
    """Refuse, in one sentence, a storyboard that cannot be made as it stands."""
    draft.board.validate(draft.settings.backend)
    with studio.db.session() as session:
        for number, card in enumerate(draft.board.cards, start=1):
            if card.kind is CardKind.IMAGE and card.image_sha256 and card_image(studio, card.image_sha256) is None:
                raise StudioError(f"Card {number}'s image no longer exists: pick it again.")
            if card.kind is CardKind.CLIP and card.variation_id is not None:
                clip = queries.get_variation(session, card.variation_id)
                if clip is None or clip.status != VariationStatus.COMPLETED or not clip.video_sha256:
                    raise StudioError(f"Card {number}'s clip no longer exists or is not finished.")
                if clip.duration_s and card.start_s >= clip.duration_s:
                    raise StudioError(f"Card {number} starts its clip at {card.start_s:g} s, after its end.")


def generate(studio: Studio, draft: StoryboardDraft, made_by: str | None = None) -> tuple[int, int]:
    """Queue the storyboard: a new variation of the set it was opened from (lineage "from
    storyboard"), or a new set, made by ``made_by``; return (set id, variation id)."""
    if draft.generation_id is not None:
        with studio.db.session() as session:
            generation = must_exist(queries.get_generation(session, draft.generation_id), "That set")
            backend = generation.backend
        draft = replace(draft, settings=replace(draft.settings, backend=backend))
    board = ops.Storyboard(
        tuple(replace(c, prompt=clean(c.prompt).strip()) for c in draft.board.cards), draft.board.total_s
    )
    draft = replace(draft, board=board)
    check(studio, draft)
    params = ops.to_json(board)
    with studio.db.session() as session:
        if draft.generation_id is not None and draft.variation_id is not None:
            source = must_exist(queries.get_variation(session, draft.variation_id))
            made = queries.add_variation(session, source, Operation.STORYBOARD, params, made_by=made_by)
            return source.generation_id, made
        settings = draft.settings
        output = plan(settings)
        words = [c.prompt for c in board.cards if c.prompt]
        generation = queries.add_generation(
            session,
            variations=1,
            made_with=(Operation.STORYBOARD, params),
            made_by=made_by,
            source=Source.GENERATE,
            backend=settings.backend,
            model=settings.model,
            prompt="\n".join(words) or f"Storyboard of {len(board.cards)} cards",
            prompt_parts=json.dumps({"scene": words[0] if words else ""}),
            style_preset=settings.preset,
            aspect_ratio=settings.aspect,
            resolution=settings.resolution,
            request_size=output.request_size,
            width=output.width,
            height=output.height,
            local_crop=output.local_crop,
            seconds=max(1, math.ceil(board.total_s)),
            estimated_cost_usd=round(queries.prices(session).get(settings.model, 0.0) * board.total_s, 4),
        )
        return generation.id, generation.variations[0].id
