"""Explore, in core: the curated example prompts shipped with the app, their moving previews, and
the "From your library" row.

The examples are data (``examples.json`` beside this module), each a complete Create video form:
a structured prompt, a built-in preset, an aspect ratio and a duration. Their previews are small,
short offline renders made on ONE background thread per server process (``PreviewWorker``) the
first time the page is opened, then kept under ``<home>/explore-previews/``. A file is written
under a temporary name and renamed into place, so a half-written preview is never shown; the name
holds a hash of the example's fields, so an edited example gets a fresh preview.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import queue
import threading
from dataclasses import asdict, dataclass, replace
from enum import StrEnum
from functools import cache
from pathlib import Path

from core.errors import StudioError
from core.studio import Studio
from core.videos import create
from core.videos import library as videos
from core.videos.plan import ASPECT_RATIOS, DURATIONS
from core.videos.prompt import STYLE_PRESETS, VideoPrompt
from db import videos as queries
from db.media import SPRITE_TILES

log = logging.getLogger(__name__)

EXAMPLES_FILE = Path(__file__).with_name("examples.json")
PREVIEW_FOLDER = "explore-previews"
PREVIEW_SECONDS = 2
PREVIEW_SIZES = {"16:9": (320, 180), "9:16": (180, 320), "1:1": (240, 240)}
PREVIEW_FPS = 12  # a preview is a hint of the move, not the video: half the frames, half the wait
PREVIEW_VERSION = 1  # bump when the preview's size, length or look changes: every hash changes with it
SPRITE_TILE_WIDTH = 120


@dataclass(frozen=True)
class Example:
    id: str
    title: str
    subject: str
    scene: str
    visual: str
    motion: str
    preset: str
    aspect: str
    seconds: int

    @property
    def prompt(self) -> VideoPrompt:
        return VideoPrompt(self.scene, self.visual, self.motion)

    @property
    def fingerprint(self) -> str:
        """A short hash of every field (and the preview's format): the preview's file name holds it."""
        text = json.dumps({**asdict(self), "preview": PREVIEW_VERSION}, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:12]

    def check(self) -> None:
        """Raise ``StudioError`` when Create video could not take this example as it is."""
        if not self.id or not self.title or not self.scene.strip():
            raise StudioError(f"Example “{self.id}” needs an id, a title and a scene.")
        if self.preset not in STYLE_PRESETS:
            raise StudioError(f"Example “{self.id}” names an unknown preset “{self.preset}”.")
        if self.aspect not in ASPECT_RATIOS or self.seconds not in DURATIONS:
            raise StudioError(
                f"Example “{self.id}” asks for {self.aspect} and {self.seconds} s, which Create video lacks."
            )


@cache
def examples() -> tuple[Example, ...]:
    """Every shipped example, checked, in the file's order."""
    loaded = tuple(Example(**entry) for entry in json.loads(EXAMPLES_FILE.read_text(encoding="utf-8")))
    for example in loaded:
        example.check()
    if len({e.id for e in loaded}) != len(loaded):
        raise StudioError("Two examples share an id.")
    return loaded


def example(example_id: str) -> Example | None:
    return next((e for e in examples() if e.id == example_id), None)


def subjects() -> list[str]:
    return sorted({e.subject for e in examples()})


def presets() -> list[str]:
    """The built-in presets, in the order Create video lists them."""
    return list(STYLE_PRESETS)


def find_examples(
    preset: str | None = None, aspect: str | None = None, subject: str | None = None, search: str = ""
) -> list[Example]:
    """The examples that match every filter given; ``search`` needs each of its words somewhere in
    the example's title, subject, prompt or preset (any case)."""
    words = search.lower().split()
    found = []
    for item in examples():
        if (preset and item.preset != preset) or (aspect and item.aspect != aspect):
            continue
        if subject and item.subject != subject:
            continue
        text = " ".join((item.title, item.subject, item.scene, item.visual, item.motion, item.preset)).lower()
        if all(word in text for word in words):
            found.append(item)
    return found


# --- Use this prompt / Make it ----------------------------------------------------------------------


def _settings_for(studio: Studio, item: Example) -> create.VideoSettings:
    """The example's format and preset over what the user last chose (back-end, model, resolution)."""
    draft = create.load_draft(studio)
    usable = {s.key for s in create.backend_statuses(studio) if s.configured}
    if draft is not None and draft.settings.backend in usable:
        base = draft.settings
        if base.model not in create.model_choices(studio, base.backend):
            base = replace(base, model=create.model_choices(studio, base.backend)[0])
    else:  # no draft yet, or its back-end is no longer set up: what Create video would offer first
        backend = create.default_backend(studio)
        base = replace(
            draft.settings if draft else create.VideoSettings(),
            backend=backend,
            model=create.model_choices(studio, backend)[0],
        )
    return replace(base, aspect=item.aspect, seconds=item.seconds, preset=item.preset)


def use_example(studio: Studio, item: Example) -> None:
    """Make the example Create video's draft: every prompt field, its preset, aspect and duration
    (the back-end, model and resolution stay as the user left them; no reference image)."""
    create.save_draft(studio, create.Draft(item.prompt, _settings_for(studio, item)))


def make_example(studio: Studio, item: Example, made_by: str | None = None) -> int:
    """Queue one video of the example straight away, made by ``made_by``; return the new set's id."""
    settings = replace(_settings_for(studio, item), variations=1)
    return create.create_generation(studio, item.prompt, settings, made_by=made_by)


# --- previews -----------------------------------------------------------------------------------------


class PreviewStatus(StrEnum):
    PREPARING = "preparing"
    READY = "ready"
    UNAVAILABLE = "unavailable"  # the render failed; the card says "no preview"


@dataclass(frozen=True)
class PreviewFiles:
    video: Path
    poster: Path
    sprite: Path


def preview_files(studio: Studio, item: Example) -> PreviewFiles:
    stem = studio.home / PREVIEW_FOLDER / f"{item.id}-{item.fingerprint}"
    return PreviewFiles(stem.with_suffix(".mp4"), stem.with_suffix(".jpg"), Path(f"{stem}-sprite.jpg"))


def preview_ready(studio: Studio, item: Example) -> bool:
    """The video is renamed into place last, so its presence means all three files are whole."""
    return preview_files(studio, item).video.is_file()


def render_preview(studio: Studio, item: Example) -> PreviewFiles:
    """Render the example's preview (a few seconds, small) with the offline renderer, then its poster
    and hover strip; each file is written under a temporary name and renamed into place."""
    from core.videos.av.previews import poster, spritesheet
    from core.videos.backends.offline.render import render_offline

    files = preview_files(studio, item)
    files.video.parent.mkdir(parents=True, exist_ok=True)
    part = f".part-{os.getpid()}-{threading.get_ident()}"
    video_tmp = files.video.with_name(files.video.stem + part + ".mp4")
    poster_tmp = files.poster.with_name(files.poster.stem + part + ".jpg")
    sprite_tmp = files.sprite.with_name(files.sprite.stem + part + ".jpg")
    width, height = PREVIEW_SIZES[item.aspect]
    seed = int(item.fingerprint, 16) % 2**31
    try:
        render_offline(
            item.prompt, item.preset, width, height, PREVIEW_SECONDS, seed, video_tmp, fps=PREVIEW_FPS, titles=False
        )
        poster(video_tmp).save(poster_tmp, "JPEG", quality=85)
        spritesheet(video_tmp, tiles=SPRITE_TILES, tile_width=SPRITE_TILE_WIDTH).save(sprite_tmp, "JPEG", quality=80)
        os.replace(poster_tmp, files.poster)
        os.replace(sprite_tmp, files.sprite)
        os.replace(video_tmp, files.video)  # last: its presence says the preview is whole
    finally:
        for leftover in (video_tmp, poster_tmp, sprite_tmp):
            leftover.unlink(missing_ok=True)
    return files


class PreviewWorker:
    """One background thread that renders the previews not yet made, one at a time, in the order
    they were asked for; the page only asks and reads the files, so it never waits for a render."""

    def __init__(self, studio: Studio) -> None:
        self.studio = studio
        self._queue: queue.Queue[Example] = queue.Queue()
        self._asked: set[str] = set()
        self._failed: set[str] = set()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="explore-previews", daemon=True)

    def start(self) -> PreviewWorker:
        folder = self.studio.home / PREVIEW_FOLDER
        if folder.is_dir():  # what a process killed mid-render left behind
            for leftover in folder.glob("*.part-*"):
                leftover.unlink(missing_ok=True)
        self._thread.start()
        return self

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def request(self, items: list[Example] | tuple[Example, ...]) -> None:
        """Queue each example whose preview is missing (once; a failed one is not tried again)."""
        with self._lock:
            for item in items:
                key = f"{item.id}-{item.fingerprint}"
                if key in self._asked or preview_ready(self.studio, item):
                    continue
                self._asked.add(key)
                self._queue.put(item)

    def status(self, item: Example) -> PreviewStatus:
        if preview_ready(self.studio, item):
            return PreviewStatus.READY
        with self._lock:
            failed = f"{item.id}-{item.fingerprint}" in self._failed
        return PreviewStatus.UNAVAILABLE if failed else PreviewStatus.PREPARING

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if preview_ready(self.studio, item):
                continue
            try:
                render_preview(self.studio, item)
            except Exception:
                log.exception("The preview of example %s could not be rendered", item.id)
                with self._lock:
                    self._failed.add(f"{item.id}-{item.fingerprint}")


# --- From your library --------------------------------------------------------------------------------


@dataclass(frozen=True)
class LibraryRow:
    favourites: list[videos.GenerationView]
    most_remixed: list[tuple[videos.GenerationView, int]]  # (set, how many remix variations it has)


def library_row(studio: Studio, limit: int = 6) -> LibraryRow:
    """The user's favourite sets (newest first) and the sets with the most remixes."""
    _, favourites = videos.library(studio, queries.GenerationFilter(favourites_only=True), limit=limit)
    with studio.db.session() as session:
        remixed = [(videos.view_of(g), count) for g, count in queries.most_remixed(session, limit)]
    return LibraryRow(favourites, remixed)
