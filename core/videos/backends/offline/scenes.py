"""The prompt drawn as a landscape: a palette from its words, three parallax layers, particles in front.

Everything costly happens once, when the scene is built: each layer is painted with numpy a little
larger than the frame (by as far as the camera will travel), graded, and kept as a Pillow image.
A frame then only crops, resamples and composites the layers (Pillow, C speed), each shifted by
the camera in proportion to its depth, which is what makes the parallax.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from PIL import Image

from core.videos.backends.offline.camera import Camera, CameraPath, view_box
from core.videos.backends.offline.grade import grade
from core.videos.backends.offline.particles import Particles
from core.videos.backends.offline.words import colours_in, motifs_in, prompt_words
from core.videos.prompt import RGB, Treatment, VideoPrompt

Pixels = NDArray[np.floating[Any]]  # float RGB, 0–255, any leading shape
Coverage = NDArray[np.floating[Any]]  # how opaque a layer is, 0–1 per pixel
Grid = NDArray[np.floating[Any]]  # u (a row: across, in frame widths) or v (a column: down, in heights)
Painter = Callable[[Grid, Grid], tuple[Pixels, Coverage | None]]

BASE_PALETTES: dict[str, dict[str, RGB]] = {
    "day": dict(
        top=(64, 128, 218),
        low=(186, 218, 246),
        sun=(255, 250, 226),
        far=(128, 156, 186),
        mid=(74, 126, 84),
        near=(30, 62, 42),
        accent=(255, 238, 200),
    ),
    "sunset": dict(
        top=(62, 44, 112),
        low=(250, 140, 84),
        sun=(255, 226, 160),
        far=(122, 66, 96),
        mid=(62, 34, 64),
        near=(24, 14, 30),
        accent=(255, 170, 90),
    ),
    "dawn": dict(
        top=(104, 150, 212),
        low=(255, 196, 166),
        sun=(255, 242, 208),
        far=(146, 140, 178),
        mid=(84, 96, 124),
        near=(34, 40, 56),
        accent=(255, 204, 172),
    ),
    "night": dict(
        top=(8, 12, 36),
        low=(34, 46, 96),
        sun=(236, 236, 214),
        far=(30, 38, 72),
        mid=(16, 22, 44),
        near=(6, 8, 18),
        accent=(255, 214, 130),
    ),
    "space": dict(
        top=(4, 4, 14),
        low=(22, 16, 48),
        sun=(255, 240, 220),
        far=(40, 30, 80),
        mid=(90, 70, 150),
        near=(20, 16, 40),
        accent=(170, 140, 255),
    ),
}
# motif → (middle ground, near ground): what the land is made of
GROUND_COLOURS: dict[str, tuple[RGB, RGB]] = {
    "desert": ((214, 170, 110), (150, 104, 60)),
    "snow": ((220, 228, 240), (160, 172, 196)),
    "forest": ((30, 80, 46), (12, 34, 20)),
    "city": ((40, 44, 62), (16, 18, 28)),
}


def smooth_noise(
    rng: np.random.Generator, height: int, width: int, cells: tuple[int, int] = (6, 10)
) -> NDArray[np.float32]:
    """Soft value noise in [0, 1]: a small random grid upscaled bicubically."""
    grid = Image.fromarray(rng.random(cells, dtype=np.float32), "F")
    return np.clip(np.asarray(grid.resize((width, height), Image.Resampling.BICUBIC), np.float32), 0, 1)


def mix(a: ArrayLike, b: ArrayLike, amount: float | NDArray[np.floating[Any]]) -> Pixels:
    """``a`` moved towards ``b`` by ``amount`` (0 is a, 1 is b), in float32."""
    start = np.asarray(a, np.float32)
    return start + (np.asarray(b, np.float32) - start) * amount


def palette(words: str, motifs: set[str], treatment: Treatment, rng: np.random.Generator) -> dict[str, Pixels]:
    """The scene's colours: a base for the time of day, the named colours, then the preset's pull."""
    base = next((k for k in ("space", "night", "sunset", "dawn") if k in motifs), "day")
    colours: dict[str, Pixels] = {k: np.asarray(v, np.float32) for k, v in BASE_PALETTES[base].items()}
    for motif, (mid, near) in GROUND_COLOURS.items():
        if motif in motifs:
            colours["mid"], colours["near"] = mix(colours["mid"], mid, 0.7), mix(colours["near"], near, 0.7)
    named = colours_in(words)
    if named:
        first, second = named[0], named[1] if len(named) > 1 else None
        third = named[2] if len(named) > 2 else (second or first)
        colours["accent"], colours["sun"] = mix(colours["accent"], first, 0.8), mix(colours["sun"], first, 0.45)
        colours["low"] = mix(colours["low"], first, 0.55)
        colours["top"] = mix(colours["top"], second, 0.6) if second else mix(colours["top"], first, 0.25)
        colours["mid"] = mix(colours["mid"], np.asarray(third, np.float32) * 0.6, 0.3)
        colours["near"] = mix(colours["near"], colours["mid"] * 0.4, 0.4)
        colours["far"] = mix(colours["far"], colours["low"], 0.35)
    shift = rng.normal(0, 10, 3).astype(np.float32)  # each variation is tinted a little differently
    for index, key in enumerate(colours):
        colours[key] = np.clip(colours[key] + shift, 0, 255)
        if treatment.palette and treatment.pull:
            colours[key] = mix(colours[key], treatment.palette[index % len(treatment.palette)], treatment.pull)
    return colours


class Layer:
    """One parallax plane: colour and coverage a little larger than the frame, and its depth."""

    def __init__(
        self,
        colour: Pixels,
        alpha: Coverage | None,
        depth: float,
        margin: tuple[int, int],
        treatment: Treatment,
    ):
        self.colour = Image.fromarray(grade(colour, treatment).astype(np.uint8))
        coverage = None
        if alpha is not None:
            coverage = np.broadcast_to(np.clip(alpha, 0, 1) * 255, colour.shape[:2]).astype(np.uint8)
        self.alpha = None if coverage is None else Image.fromarray(coverage)
        self.depth, self.margin = depth, margin

    def draw_onto(
        self,
        frame: Image.Image | None,
        size: tuple[int, int],
        camera: Camera,
        dolly: bool,
        shake: tuple[float, float],
    ) -> Image.Image:
        """This layer's view for the camera, pasted over ``frame``; the view itself when there is none."""
        (w, h), (ox, oy, zoom), (mx, my) = size, camera, self.margin
        scale = 1 + (zoom - 1) * (self.depth if dolly else 1)
        cx = mx + w / 2 + self.depth * (ox * w + shake[0])
        cy = my + h / 2 + self.depth * (oy * h + shake[1])
        box = view_box(cx, cy, w / scale, h / scale, self.colour.size)
        view = self.colour.resize(size, Image.Resampling.BILINEAR, box=box)
        if frame is None or self.alpha is None:  # the backdrop: opaque, drawn first
            return view
        frame.paste(view, (0, 0), self.alpha.resize(size, Image.Resampling.BILINEAR, box=box))
        return frame


class Scene:
    """A prompt as a landscape in three parallax layers, with drifting particles in front."""

    DEPTHS = (0.25, 0.6, 1.0)

    def __init__(
        self,
        prompt: VideoPrompt,
        treatment: Treatment,
        size: tuple[int, int],
        path: CameraPath,
        dolly: bool,
        rng: np.random.Generator,
        fps: int,
    ):
        self.size, self.path, self.dolly, self.rng, self.fps = size, path, dolly, rng, fps
        w, h = size
        words = prompt_words(prompt)
        self.motifs = motifs_in(words) | ({treatment.particles} if treatment.particles else set())
        self.colours = palette(words, self.motifs, treatment, rng)
        travel = [path(t / 32) for t in range(33)]
        reach = (max(abs(c[0]) for c in travel), max(abs(c[1]) for c in travel))
        self.horizon = 0.56 + rng.uniform(-0.07, 0.07)
        self.sun = (rng.uniform(0.15, 0.85), rng.uniform(0.12, self.horizon - 0.12))
        self.layers: list[Layer] = []
        painters: tuple[Painter, ...] = (self._backdrop, self._middle, self._near)
        for depth, paint in zip(self.DEPTHS, painters):
            margin = (math.ceil(depth * (reach[0] * w + 6)) + 4, math.ceil(depth * (reach[1] * h + 6)) + 4)
            u = (np.arange(w + 2 * margin[0], dtype=np.float32) - margin[0]) / w
            v = (np.arange(h + 2 * margin[1], dtype=np.float32) - margin[1]) / h
            colour, alpha = paint(u[None, :], v[:, None])
            self.layers.append(Layer(colour, alpha, depth, margin, treatment))
        self.particles = Particles(self.motifs, self.colours, treatment, size, rng)

    def _sky_rows(self, v: Grid) -> Pixels:
        c = self.colours
        t = np.clip(v / self.horizon, 0, 1) ** 1.3
        return mix(c["top"], c["low"], t[..., None])

    def _backdrop(self, u: Grid, v: Grid) -> tuple[Pixels, Coverage | None]:
        """The sky, its sun or moon, clouds or stars, and a far ridge fading into the haze."""
        c, h_ = self.colours, self.horizon
        w, h = self.size
        aspect = w / h
        colour = np.broadcast_to(self._sky_rows(v), (v.shape[0], u.shape[1], 3)).copy()
        dist = np.hypot((u - self.sun[0]) * aspect, v - self.sun[1])
        glow = np.exp(-((dist / 0.45) ** 2))[..., None] * (0.25 if "night" in self.motifs else 0.6)
        colour += (c["accent"] - colour * 0.5) * glow
        disc = np.clip((0.06 - dist) * h, 0, 1)[..., None]
        colour = mix(colour, c["sun"], disc)
        if self.motifs & {"night", "space"}:
            stars = (self.rng.random(colour.shape[:2]) > 0.9975) * (v < h_ + 0.1)
            colour = np.maximum(colour, stars[..., None] * self.rng.uniform(120, 255, colour.shape[:2])[..., None])
        else:
            rows, columns = colour.shape[:2]
            clouds = np.clip(smooth_noise(self.rng, rows, columns, cells=(10, 4)) * 2.2 - 1.3, 0, 0.45)
            above = np.clip(h_ - v, 0, 0.15) / 0.15  # clouds thin out towards the horizon
            colour = mix(colour, mix(c["low"], (255, 255, 255), 0.5), (clouds * above)[..., None])
        if "space" not in self.motifs:  # a far ridge fading into the haze
            sharp = "mountains" in self.motifs
            x = u[0] * 6.0
            ridge = sum(
                a * (np.abs(np.sin(f * x + p)) if sharp else np.sin(f * x + p) * 0.5 + 0.5)
                for a, f, p in zip((0.6, 0.3, 0.15), (0.7, 1.9, 4.3), self.rng.uniform(0, 6, 3))
            )
            top = h_ + 0.02 - ridge * (0.22 if sharp else 0.08)
            cover = np.clip((v - top) * h, 0, 1)[..., None]
            haze = mix(c["far"], c["low"], np.clip((v - top) / 0.3, 0, 1)[..., None] * -0.4 + 0.4)
            colour = mix(colour, haze, cover)
        return colour, None

    def _middle(self, u: Grid, v: Grid) -> tuple[Pixels, Coverage | None]:
        """The middle ground: a planet, the sea, a skyline, trees, dunes or rolling hills."""
        c, h_ = self.colours, self.horizon
        w, h = self.size
        width = u.shape[1]
        colour = np.broadcast_to(
            mix(c["mid"], c["near"], np.clip((v - h_) / 0.5, 0, 1)[..., None]), (v.shape[0], width, 3)
        ).copy()
        rng, motifs = self.rng, self.motifs
        if "space" in motifs:  # a planet with its lit side towards the sun
            px, py, radius = rng.uniform(0.25, 0.75), rng.uniform(0.45, 0.7), rng.uniform(0.18, 0.3)
            dist = np.hypot((u - px) * w / h, v - py)
            light = np.clip(1.2 - np.hypot((u - px + 0.3 * radius) * w / h, v - py + 0.3 * radius) / radius, 0.15, 1.2)
            return c["mid"] * light[..., None] + c["accent"] * 0.2, np.clip((radius - dist) * h, 0, 1)
        if "water" in motifs and not motifs & {"city", "forest", "desert"}:
            rows = self._sky_rows(2 * h_ - v) * 0.75  # the sky mirrored and darkened
            ripple = np.sin(v * h * 0.9 + smooth_noise(rng, v.shape[0], width, (8, 5)) * 12) * 0.5 + 0.5
            streak = np.exp(-((((u - self.sun[0]) * w / h) / (0.04 + (v - h_) * 0.6)) ** 2)) * ripple * (v > h_)
            colour = mix(rows, c["sun"], np.clip(streak, 0, 1)[..., None] * 0.8) + ripple[..., None] * 12
            return colour, np.clip((v - h_) * h + 0.5, 0, 1)
        x = u[0]
        if "city" in motifs:
            top = np.full(width, 2.0, np.float32)
            left = 0
            while left < width:
                span = min(int(rng.uniform(0.03, 0.09) * w) + 2, width - left)
                height = rng.uniform(0.1, 0.42) * (1.3 if rng.random() < 0.15 else 1.0)
                top[left : left + span] = h_ + 0.06 - height
                below_roof = (v[:, 0] > h_ + 0.06 - height)[:, None]
                cells = (np.arange(span) % 7 < 3)[None, :] & ((np.arange(v.shape[0]) % 9) < 4)[:, None]
                lit = rng.random((v.shape[0] // 9 + 1, span // 7 + 1)) < 0.35
                lit = np.repeat(np.repeat(lit, 9, axis=0), 7, axis=1)[: v.shape[0], :span]
                windows = (below_roof & cells & lit)[..., None]
                colour[:, left : left + span] = np.where(windows, c["accent"], colour[:, left : left + span])
                left += span
            return colour, np.clip((v - top[None, :]) * h, 0, 1)
        if "forest" in motifs:
            trees = rng.uniform(x[0], x[-1], int(18 * (x[-1] - x[0])) + 6)
            heights = rng.uniform(0.12, 0.3, trees.size)
            slope = 3.2 * w / h
            top = np.min(h_ + 0.08 - heights[:, None] + np.abs(x[None, :] - trees[:, None]) * slope, axis=0)
            return colour, np.clip((v - np.minimum(top, h_ + 0.08)[None, :]) * h, 0, 1)
        sharp = "desert" in motifs
        profile = sum(
            a * np.sin(f * x * 6 + p) for a, f, p in zip((0.05, 0.025, 0.01), (0.9, 2.1, 5.3), rng.uniform(0, 6, 3))
        )
        top = h_ + 0.07 + profile
        if sharp:  # dunes: a lit face and a shaded face
            colour *= (1.0 + 0.22 * np.tanh(np.gradient(profile, x) * 6))[None, :, None]
        return colour, np.clip((v - top[None, :]) * h, 0, 1)

    def _near(self, u: Grid, v: Grid) -> tuple[Pixels, Coverage | None]:
        """The foreground: a bumpy strip of ground and dark silhouettes framing both edges."""
        c = self.colours
        w, h = self.size
        colour = np.broadcast_to(
            mix(c["near"], c["near"] * 0.5, np.clip((v - 0.8) / 0.3, 0, 1)[..., None]), (v.shape[0], u.shape[1], 3)
        ).copy()
        bumps = smooth_noise(self.rng, 1, u.shape[1], (1, 9))[0]
        cover = np.clip((v - (0.9 + bumps * 0.06)[None, :]) * h, 0, 1)
        for side in (-0.05, 1.05):  # framing silhouettes at both edges: rocks, bushes
            for _ in range(3):
                cx, cy = side + self.rng.uniform(-0.08, 0.08), self.rng.uniform(0.75, 1.05)
                rx, ry = self.rng.uniform(0.06, 0.14), self.rng.uniform(0.1, 0.25)
                blob = 1 - np.hypot((u - cx) / rx, (v - cy) / ry)
                cover = np.maximum(cover, np.clip(blob * min(rx * w, ry * h), 0, 1))
        return colour, cover

    def frame(self, index: int, count: int, shake: tuple[float, float] = (0.0, 0.0)) -> Image.Image:
        """Frame ``index`` of ``count``: the layers back to front for the camera, then the particles."""
        camera = self.path(index / max(1, count - 1))
        image = self.layers[0].draw_onto(None, self.size, camera, self.dolly, shake)
        for layer in self.layers[1:]:
            image = layer.draw_onto(image, self.size, camera, self.dolly, shake)
        self.particles.draw_onto(image, index / self.fps, camera, self.dolly)
        return image
