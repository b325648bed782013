"""A realistic library for screenshots and browser tests: made in a data folder before the app starts.

House rule: test with a realistic library, not one item. ``seed_library(home)`` fills a data folder,
through the studio's own services, with 16+ offline sets in 16:9, 9:16 and 1:1 (different scenes,
colours, motions and presets, so every poster differs), one set the video service refused, one
imported clip, one variation made by each edit (loop, blend, recut, remix, extend), a set made
from a storyboard, two sets of offline stills (Type: Image), 30+ captions of distinct images, a
few favourites and a folder.

Most sets are queued at a small explicit size (a real 720p offline render costs seconds on a
small machine); one set goes through ``create_generation`` at 720p so the real path is in the mix.
Seeding takes well under two minutes on two cores.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from PIL import Image, ImageEnhance, ImageOps

from core.captions.service import Upload, caption_batch, open_provider
from core.captions.styles import ALT_TEXT, DETAILED, SOCIAL
from core.config import Settings
from core.studio import Studio, open_studio
from core.videos import create, edits, image_sets, imports, library, storyboard
from core.videos import operations as ops
from core.videos.backends.base import VideoRequest, VideoServiceError
from core.videos.backends.offline import MODEL as OFFLINE_MODEL
from core.videos.jobs.runner import JobRunner
from core.videos.kinds import BackendKey, BlendMode, LoopMode, Source
from core.videos.prompt import VideoPrompt
from core.videos.timeline import Card, CardKind
from db import videos as queries
from tests.helpers.corpus import encode, photo
from tests.helpers.video import make_mp4

# Small sizes with the right shape: what the grid and lightbox must lay out, at a fraction of the cost.
SMALL_SIZES = {"16:9": (320, 180), "9:16": (180, 320), "1:1": (240, 240)}
FAILED_MESSAGE = "The video service refused the request: the prompt was flagged by the moderation system."
FOLDER = "Client reel"
CAPTION_STYLES = (ALT_TEXT, DETAILED, SOCIAL)

# (aspect, preset, variations, scene, visual, motion): each a different look for the offline renderer.
SETS: tuple[tuple[str, str, int, str, str, str], ...] = (
    ("16:9", "None", 2, "A lighthouse on a cliff at dusk", "golden light, teal sea", "slow pan right"),
    ("9:16", "None", 1, "A neon city street at night in the rain", "neon pink and electric blue", "tilt up"),
    ("1:1", "Balloon World", 2, "Balloons drifting over a desert canyon", "orange sand, sky blue", "static"),
    ("16:9", "Film Noir", 1, "A detective in a rainy alley", "hard shadows, black and white", "slow dolly in"),
    ("9:16", "Archival", 2, "A steam train crossing a valley at sunrise", "sepia, cream", "pan left"),
    ("16:9", "None", 1, "A snowy pine forest in winter", "white snow, forest green", "zoom out"),
    ("1:1", "Cardboard & Papercraft", 1, "A paper boat on a river", "tan card, cream paper", "pan right"),
    ("16:9", "Whimsical Stop Motion", 2, "Fireflies over a meadow at twilight", "lavender, amber", "orbit"),
    ("9:16", "None", 1, "A galaxy and a ringed planet in deep space", "violet nebula, navy", "zoom in"),
    ("16:9", "None", 1, "Waves breaking on a coral beach at noon", "turquoise water, sand", "static"),
    ("1:1", "None", 1, "A volcano glowing at midnight", "lava red, charcoal", "tilt down"),
    ("9:16", "Balloon World", 1, "Hot-air balloons over mountains at dawn", "peach, baby blue", "rising"),
    ("16:9", "Archival", 1, "A harbour town with fishing boats", "rust, ivory", "pan left"),
    ("1:1", "Film Noir", 2, "A jazz club skyline at night", "silver, black", "orbit"),
    ("16:9", "None", 1, "An emerald jungle river in a storm", "emerald, jade, grey rain", "dolly in"),
    ("9:16", "Whimsical Stop Motion", 1, "A cherry tree in a spring garden", "pink, mint", "static"),
)


@dataclass
class Library:
    """What ``seed_library`` made, so a test or a screenshot can find it."""

    home: Path
    generated: list[int] = field(default_factory=list)  # set ids made by the offline renderer
    by_aspect: dict[str, list[int]] = field(default_factory=dict)  # aspect → set ids (generated and imported)
    hd_set: int = 0  # the set made through create_generation at 720p
    failed_set: int = 0
    imported_set: int = 0
    edits: dict[str, int] = field(
        default_factory=dict
    )  # "loop" / "blend" / "recut" / "remix" / "extend" → variation id
    edit_sets: dict[str, int] = field(default_factory=dict)  # the same, → the set that holds it
    favourites: list[int] = field(default_factory=list)
    in_folder: list[int] = field(default_factory=list)
    captions: int = 0
    failed_message: str = FAILED_MESSAGE
    image_sets: list[int] = field(default_factory=list)  # sets of offline stills (1:1 and 9:16)
    storyboard_set: int = 0  # a set made from a three-card storyboard (text, text, clip)

    @property
    def set_count(self) -> int:
        return len(self.generated) + 3 + len(self.image_sets)  # + the failed set, the import, the storyboard


def _queue_small(studio: Studio, aspect: str, preset: str, variations: int, parts: VideoPrompt) -> int:
    """A set like ``create_generation`` writes, but at a small explicit size (the offline renderer
    draws any even size; the real plan would ask for 720p)."""
    width, height = SMALL_SIZES[aspect]
    with studio.db.session() as session:
        generation = queries.add_generation(
            session,
            variations=variations,
            source=Source.GENERATE,
            backend=BackendKey.OFFLINE,
            model=OFFLINE_MODEL,
            prompt=create.compose_prompt(studio, parts, preset),
            prompt_parts=json.dumps(asdict(parts)),
            style_preset=preset,
            aspect_ratio=aspect,
            resolution=f"{min(width, height)}p",
            request_size=f"{width}x{height}",
            width=width,
            height=height,
            local_crop=False,
            seconds=4,
            estimated_cost_usd=0.0,
        )
        return generation.id


class RefusingBackend:
    """An offline back-end whose service refuses every request (not transient: the set fails)."""

    key: str = BackendKey.OFFLINE
    label: str = "Refusing renderer"
    model: str = OFFLINE_MODEL

    def render(self, request: VideoRequest, destination: Path, progress: Callable[[float], None] | None = None) -> None:
        raise VideoServiceError(FAILED_MESSAGE, status=400, code="moderation_blocked")


def caption_images(count: int = 32) -> list[Upload]:
    """``count`` distinct JPEGs (own hash each): crops, turns, mirrors and colour shifts of the samples."""
    names = ("chelsea", "coffee", "astronaut", "rocket", "hubble_deep_field")
    uploads: list[Upload] = []
    for index in range(count):
        name = names[index % len(names)]
        image = photo(name)
        variant = index // len(names)
        w, h = image.size
        inset = 0.04 * variant
        image = image.crop((int(w * inset), int(h * inset / 2), int(w * (1 - inset / 2)), int(h * (1 - inset))))
        image = image.rotate(90 * (variant % 4), expand=True) if variant % 3 == 1 else image
        image = ImageOps.mirror(image) if variant % 2 else image
        image = ImageEnhance.Color(image).enhance(0.4 + 0.25 * variant)
        image.thumbnail((640, 640), Image.Resampling.LANCZOS)
        uploads.append(Upload(f"{name}-{variant + 1:02d}.jpg", encode(image, "JPEG", quality=88)))
    return uploads


def _completed_variations(studio: Studio, generation_id: int) -> list[int]:
    view = library.generation(studio, generation_id)
    assert view is not None, generation_id
    return [v.id for v in view.variations if v.video_sha256]


def seed_library(home: Path, captions: int = 32) -> Library:
    """Fill the data folder ``home`` with a realistic library; return what was made."""
    studio = open_studio(Settings.load(environ={"MEDIA_STUDIO_HOME": str(home)}, secrets={}))
    made = Library(home=home)
    try:
        for aspect, preset, variations, scene, visual, motion in SETS:
            set_id = _queue_small(studio, aspect, preset, variations, VideoPrompt(scene, visual, motion))
            made.generated.append(set_id)
            made.by_aspect.setdefault(aspect, []).append(set_id)
        made.hd_set = create.create_generation(
            studio,
            VideoPrompt("A red fox trots through fresh snow", "soft morning light, white and rust", "slow pan right"),
            create.VideoSettings(aspect="16:9", resolution="720p", seconds=4, variations=1),
        )
        made.generated.append(made.hd_set)
        made.by_aspect["16:9"].append(made.hd_set)
        JobRunner(studio).run_until_idle(timeout=300)

        clip = make_mp4(home / "holiday-clip.mp4", width=256, height=144, seconds=3)
        made.imported_set = imports.import_video(studio, "holiday-clip.mp4", clip.read_bytes())
        clip.unlink()
        made.by_aspect["16:9"].append(made.imported_set)

        wide = [_completed_variations(studio, s) for s in made.by_aspect["16:9"][:3]]
        loop_on, blend_on, recut_on = wide[0][0], wide[1][0], wide[2][0]
        remix_on = _completed_variations(studio, made.by_aspect["9:16"][0])[0]
        made.edits["loop"] = edits.queue_loop(studio, loop_on, 0.5, 2.5, mode=LoopMode.CROSSFADE)
        made.edits["blend"] = edits.queue_blend(studio, blend_on, wide[0][0], BlendMode.TRANSITION, at_s=2.0)
        made.edits["recut"] = edits.queue_recut(studio, recut_on, [(recut_on, 0.0, 1.5), (wide[1][0], 1.0, 3.0)])
        made.edits["remix"] = edits.queue_remix(studio, remix_on, "make it snow, with violet light")
        made.edits["extend"] = edits.queue_extend(
            studio, _completed_variations(studio, made.by_aspect["1:1"][0])[0], "the balloons rise out of frame", 4
        )
        JobRunner(studio).run_until_idle(timeout=300)
        for operation, variation_id in made.edits.items():
            with studio.db.session() as session:
                variation = queries.get_variation(session, variation_id)
                assert variation is not None and variation.video_sha256, f"the {operation} edit was not made"
                made.edit_sets[operation] = variation.generation_id

        board = ops.Storyboard(
            (
                Card(CardKind.TEXT, 0.0, "A kite lifts off a windy beach, bright red against grey cloud"),
                Card(CardKind.TEXT, 1.5, "The kite loops high over the dunes, sunlight breaking through"),
                Card(CardKind.CLIP, 5.0, variation_id=wide[0][0]),
            ),
            7.0,
        )
        settings = create.VideoSettings(seconds=8, backend=BackendKey.OFFLINE, model=OFFLINE_MODEL)
        made.storyboard_set, _ = storyboard.generate(studio, storyboard.StoryboardDraft(board, settings))
        for aspect, count, scene, visual in (
            ("1:1", 2, "A bowl of ramen on a wooden counter", "steam, warm amber light"),
            ("9:16", 1, "A lone surfer at sunrise, poster style", "coral pink, deep navy"),
        ):
            made.image_sets.append(
                image_sets.create_image_set(
                    studio,
                    VideoPrompt(scene, visual, ""),
                    create.VideoSettings(aspect=aspect, variations=count, backend=BackendKey.OFFLINE),
                )
            )
        JobRunner(studio).run_until_idle(timeout=300)

        made.failed_set = create.create_generation(
            studio,
            VideoPrompt("A crowd at a protest outside parliament", "grey sky", "handheld"),
            create.VideoSettings(aspect="16:9", resolution="720p", seconds=4, variations=1),
        )
        JobRunner(studio, backend_for=lambda key: RefusingBackend()).run_until_idle(timeout=60)

        made.favourites = [made.generated[0], made.generated[2], made.by_aspect["9:16"][0]]
        for set_id in made.favourites:
            library.set_favourite(studio, set_id, True)
        made.in_folder = made.generated[3:6]
        for set_id in made.in_folder:
            library.set_folder(studio, set_id, FOLDER)

        provider = open_provider("offline", studio.settings)
        uploads = caption_images(captions)
        for offset, style in enumerate(CAPTION_STYLES):  # every style in the history, interleaved
            outcomes = caption_batch(studio, uploads[offset :: len(CAPTION_STYLES)], style, "", provider)
            failures = [o.error for o in outcomes if not o.ok]
            assert not failures, failures
            made.captions += len(outcomes)
    finally:
        studio.db.dispose()
    return made


if __name__ == "__main__":  # python -m tests.helpers.library FOLDER: seed and time it
    import sys
    import time

    started = time.perf_counter()
    result = seed_library(Path(sys.argv[1]))
    print(f"{result.set_count} sets, {result.captions} captions in {time.perf_counter() - started:.1f} s")
    print(result)
