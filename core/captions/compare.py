"""Compare providers: two or three configured providers caption the same images side by side; the
creator keeps the best caption of each image, and the others stay in History as its versions."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from core.captions.controls import CaptionControls
from core.captions.providers.base import CaptionProvider
from core.captions.service import CaptionOutcome, Upload, caption_batch
from core.errors import StudioError, must_exist
from core.studio import Studio
from db import captions as queries

MAX_COMPARED = 3


@dataclass(frozen=True)
class ComparedImage:
    """One image and what each provider made of it, in the order the providers were given."""

    name: str
    outcomes: tuple[CaptionOutcome, ...]


def compare_providers(
    studio: Studio,
    uploads: Sequence[Upload],
    style: str,
    prompt: str,
    providers: Sequence[CaptionProvider],
    controls: CaptionControls | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    made_by: str | None = None,
) -> list[ComparedImage]:
    """Caption every upload with every provider (each caption saved as a version of its image, by ``made_by``)."""
    if not 2 <= len(providers) <= MAX_COMPARED or len({p.key for p in providers}) != len(providers):
        raise StudioError(f"Pick two or three different providers to compare (at most {MAX_COMPARED}).")
    controls = controls or CaptionControls()
    for provider in providers:  # refuse before any image is captioned, not after the first provider ran
        controls.check(provider.follows_instructions, provider.label)
    total, done = len(uploads) * len(providers), 0
    by_provider = []
    for provider in providers:

        def step(_index: int, _count: int, _outcome: CaptionOutcome) -> None:
            nonlocal done
            done += 1
            if on_progress:
                on_progress(done, total)

        by_provider.append(caption_batch(studio, uploads, style, prompt, provider, step, controls, made_by))
    return [
        ComparedImage(upload.name, tuple(outcomes[i] for outcomes in by_provider)) for i, upload in enumerate(uploads)
    ]


def keep_caption(studio: Studio, caption_id: int) -> None:
    """This caption now stands for its image (exports and the newest-version CSV take it)."""
    with studio.db.session() as session:
        must_exist(queries.keep_caption(session, caption_id), "That caption")
