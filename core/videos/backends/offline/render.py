"""The offline renderer: a real, browser-playable MP4 animatic of a prompt, made on the CPU.

It stands in for a cloud video model (no key, no network, tests, demos) and shows what a prompt
asks for: colour words set the palette, motion words the camera, scene nouns what is drawn
(skyline, forest, sea, dunes, planet, snow, fireflies, …), and the style preset its finish. This
module is the frame pipeline: it picks the shot (a ``Scene`` of parallax layers, drawn at half the
output size above 960×540, the upscale riding along with the RGB→YUV conversion; or, with a
reference image, a Ken Burns move over it whose first frame is the image itself, the API's rule
for an input reference), lays the preset's finish and the title cards over each frame, and
encodes while the next frames are drawn on a second thread.
"""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from queue import Full, Queue
from typing import TypeVar, cast

import numpy as np
from PIL import Image, ImageChops, ImageDraw

from core.images import cover_crop
from core.videos.av.read import VideoInfo, probe
from core.videos.av.write import mp4_writer
from core.videos.backends.offline.camera import camera_path, ease, view_box
from core.videos.backends.offline.grade import changes_colour, grade
from core.videos.backends.offline.scenes import Scene, smooth_noise
from core.videos.backends.offline.titles import Titles
from core.videos.backends.offline.words import camera_move, motion_speed, prompt_words
from core.videos.prompt import Treatment, VideoPrompt, style_preset

FPS = 24
T = TypeVar("T")


class KenBurns:
    """A slow push into the reference image, starting exactly on it; the grade eases in."""

    def __init__(
        self,
        first: Image.Image,
        reference: Image.Image,
        move: str | None,
        speed: float,
        treatment: Treatment,
        rng: np.random.Generator,
        fps: int,
    ):
        self.first, self.size, self.fps = first, first.size, fps
        w, h = first.size
        detail = min(1.3, max(1.0, min(reference.width / w, reference.height / h)))  # keep detail for the zoom
        self.source = cover_crop(reference, round(w * detail), round(h * detail)) if detail > 1 else first
        changes = changes_colour(treatment)
        self.graded = Image.fromarray(grade(np.asarray(self.source), treatment).astype(np.uint8)) if changes else None
        directions = {
            "pan left": (-1.0, 0.0),
            "pan right": (1.0, 0.0),
            "tilt up": (0.0, -1.0),
            "tilt down": (0.0, 1.0),
            "orbit": (1.0, -0.4),
            "static": (0.0, 0.0),
        }
        angle = rng.uniform(0, 2 * math.pi)
        self.direction = directions.get(move or "", (0.6 * math.cos(angle), 0.6 * math.sin(angle)))
        self.zoom = 1 + (0.05 if move == "static" else 0.18) * min(speed, 1.6)

    def frame(self, index: int, count: int, shake: tuple[float, float] = (0.0, 0.0)) -> Image.Image:
        """Frame ``index`` of ``count``: the reference itself first, then further into the push."""
        if index == 0:
            return self.first
        e = ease(index / max(1, count - 1))
        zoom = 1 + (self.zoom - 1) * e
        sw, sh = self.source.size
        room = (1 - 1 / zoom) / 2  # how far the view may move before it leaves the picture
        cx = sw * (0.5 + self.direction[0] * room) + shake[0]
        cy = sh * (0.5 + self.direction[1] * room) + shake[1]
        box = view_box(cx, cy, sw / zoom, sh / zoom, self.source.size)
        if self.graded is None:
            return self.source.resize(self.size, Image.Resampling.BILINEAR, box=box)
        graded = self.graded.resize(self.size, Image.Resampling.BILINEAR, box=box)
        ease_in = index / (self.fps / 2)
        if ease_in >= 1:
            return graded
        return Image.blend(self.source.resize(self.size, Image.Resampling.BILINEAR, box=box), graded, ease_in)


class Finish:
    """Vignette, paper, flicker, grain and dust: what a preset lays over each drawn frame."""

    LEVELS = 7  # flicker brightness steps, each a precomputed mask

    def __init__(self, treatment: Treatment, width: int, height: int, rng: np.random.Generator):
        self.t, self.rng = treatment, rng
        yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
        radius = np.hypot((xx - width / 2) / (width / 2), (yy - height / 2) / (height / 2)) / math.sqrt(2)
        mask = 1 - treatment.vignette * np.clip((radius - 0.35) / 0.65, 0, 1) ** 1.5
        mask = np.repeat(mask[..., None], 3, axis=-1)
        if treatment.paper:
            blotches = smooth_noise(rng, height, width, cells=(6, 10))
            fibres = smooth_noise(rng, height, width, cells=(max(2, height // 3), max(2, width // 12)))
            texture = 0.6 * blotches + 0.4 * fibres
            mask *= 1 - treatment.paper * texture[..., None] * np.array([0.8, 0.9, 1.0], np.float32)
        self.masks: list[Image.Image] = []
        if treatment.vignette or treatment.paper or treatment.flicker:  # one multiply does all three
            for level in range(self.LEVELS):
                gain = 1 - treatment.flicker * level / (self.LEVELS - 1)
                self.masks.append(Image.fromarray(np.clip(mask * gain * 255, 0, 255).astype(np.uint8)))
        self.grain: list[Image.Image] = []
        if treatment.grain:
            for _ in range(6):
                noise = rng.normal(128, treatment.grain, (height, width, 1)).clip(0, 255).astype(np.uint8)
                self.grain.append(Image.fromarray(np.repeat(noise, 3, axis=-1)))

    def __call__(self, image: Image.Image) -> Image.Image:
        if self.masks:
            level = int(self.rng.integers(self.LEVELS)) if self.t.flicker else 0
            image = ImageChops.multiply(image, self.masks[level])
        if self.grain:
            image = ImageChops.add(image, self.grain[int(self.rng.integers(len(self.grain)))], 1.0, -128)
        if self.t.dust:
            self._dust(image)
        return image

    def _dust(self, image: Image.Image) -> None:
        """A few specks and the odd vertical scratch, different on every frame."""
        draw, rng = ImageDraw.Draw(image), self.rng
        w, h = image.size
        unit = h / 360
        for _ in range(rng.poisson(6 * self.t.dust)):
            x, y, r = rng.uniform(0, w), rng.uniform(0, h), rng.uniform(0.5, 2.0) * unit
            shade = (20, 16, 12) if rng.random() < 0.7 else (235, 228, 210)
            draw.ellipse((x - r, y - r * rng.uniform(0.5, 1.5), x + r, y + r), fill=shade)
        if rng.random() < 0.35 * self.t.dust:
            x = rng.uniform(0.1, 0.9) * w
            draw.line((x, 0, x + rng.normal(0, 3 * unit), h), fill=(225, 218, 200), width=max(1, round(unit * 0.6)))


def render_offline(
    prompt: VideoPrompt,
    preset: str | None,
    width: int,
    height: int,
    seconds: float,
    seed: int,
    out_path: str | os.PathLike[str],
    reference: Image.Image | None = None,
    progress: Callable[[float], None] | None = None,
    fps: int = FPS,
    titles: bool = True,
) -> VideoInfo:
    """Render ``seconds`` × ``fps`` frames of the prompt to an H.264 MP4 at ``out_path``; return its info."""
    import av

    if width < 16 or height < 16 or seconds <= 0 or fps <= 0:
        raise ValueError(f"cannot render {width}×{height} for {seconds} s at {fps} fps")
    width, height = width - width % 2, height - height % 2
    treatment = style_preset(preset).treatment
    rng = np.random.default_rng(seed)
    count = max(1, round(seconds * fps))
    speed = motion_speed(prompt.motion)
    move = camera_move(prompt.motion) or camera_move(prompt_words(prompt))
    shot: Scene | KenBurns
    if reference is not None:
        shot = KenBurns(cover_crop(reference, width, height), reference, move, speed, treatment, rng, fps)
        inner = (width, height)
    else:
        move = move or ("dolly in", "pan left", "pan right", "orbit")[int(rng.integers(4))]
        scale = 0.5 if width * height > 960 * 540 else 1.0
        inner = (round(width * scale), round(height * scale))
        shot = Scene(prompt, treatment, inner, camera_path(move, speed), move.startswith("dolly"), rng, fps)
    finish = Finish(treatment, *inner, rng)
    cards = Titles(prompt, width, height, count / fps) if titles else None
    jitter = treatment.jitter * inner[1] / 720
    hold = max(1, treatment.hold)
    from_image = cast("Callable[[Image.Image], av.VideoFrame]", av.VideoFrame.from_image)  # untyped stub

    def frames() -> Iterator[av.VideoFrame]:
        drawn = None
        for index in range(count):
            if index % hold == 0 or drawn is None:
                shake = (0.0, 0.0)
                if jitter and index:
                    dx, dy = rng.normal(0, jitter, 2)
                    shake = (float(dx), float(dy))
                raw = shot.frame(index, count, shake)
                drawn = finish(raw)
                if reference is not None and index < fps / 2:  # the reference itself first, then ease the finish in
                    drawn = Image.blend(raw, drawn, index / (fps / 2))
            frame = from_image(drawn).reformat(
                width=width,
                height=height,
                format="yuv420p",
                interpolation="BICUBIC",
                dst_colorspace="ITU709",
                dst_color_range="MPEG",
            )
            yield frame if cards is None else cards.apply(frame, index / fps)

    with mp4_writer(Path(out_path), width, height, fps) as writer:
        for index, frame in enumerate(_ahead(frames())):
            writer.add(frame)
            if progress and index % max(1, count // 20) == 0:
                progress(index / count)
    if progress:
        progress(1.0)
    return probe(out_path)


def _ahead(frames: Iterator[T], depth: int = 6) -> Iterator[T]:
    """Draw frames on a second thread while this one encodes: Pillow and x264 both release the GIL."""
    queue: Queue[T | object] = Queue(maxsize=depth)
    done = object()
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in frames:
                while not stop.is_set():
                    try:
                        queue.put(item, timeout=0.1)
                        break
                    except Full:
                        continue
                if stop.is_set():
                    return
            queue.put(done)
        except BaseException as exc:  # handed to the consumer, which raises it
            queue.put(exc)

    worker = threading.Thread(target=produce, name="render-frames", daemon=True)
    worker.start()
    try:
        while (item := queue.get()) is not done:
            if isinstance(item, BaseException):
                raise item
            yield cast(T, item)
    finally:
        stop.set()
        worker.join()
