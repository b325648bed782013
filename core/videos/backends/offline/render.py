"""The offline renderer: a real, browser-playable MP4 animatic of a prompt, made on the CPU.

It stands in for a cloud video model (no key, no network, tests, demos) and shows what a prompt
asks for: colour words set the palette, motion words the camera, scene nouns what is drawn
(skyline, forest, sea, dunes, planet, snow, fireflies, …), and the style preset its finish. The
scene is a few parallax layers built once with numpy; each frame only crops, resamples and
composites them (Pillow, C speed), at half the output size above 960×540 — the layers are soft,
and the upscale rides along with the RGB→YUV conversion. Titles are laid into the full-size luma
plane, so they stay sharp. With a reference image it is a Ken Burns move over that image instead,
whose first frame is the image itself (the API's rule for an input reference).
"""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from queue import Full, Queue

import numpy as np
from PIL import Image, ImageChops, ImageDraw, ImageFont, ImageOps

from core.videos.av.media import VideoInfo, mp4_writer, probe
from core.videos.prompt import (
    RGB,
    Treatment,
    VideoPrompt,
    camera_move,
    colours_in,
    motifs_in,
    motion_speed,
    style_preset,
)

FPS = 24
FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu", "/usr/share/fonts/TTF")
SEPIA = (np.array([38, 24, 12], np.float32), np.array([250, 236, 205], np.float32))
LUMA = np.array([0.2126, 0.7152, 0.0722], np.float32)


def cover_crop(image: Image.Image, width: int, height: int) -> Image.Image:
    """Scale ``image`` to cover width×height, centre-crop the rest: one resample, exact size."""
    image = ImageOps.exif_transpose(image).convert("RGB")
    scale = max(width / image.width, height / image.height)
    box_w, box_h = width / scale, height / scale
    left, top = (image.width - box_w) / 2, (image.height - box_h) / 2
    return image.resize((width, height), Image.Resampling.LANCZOS, box=(left, top, left + box_w, top + box_h))


def grade(pixels: np.ndarray, treatment: Treatment) -> np.ndarray:
    """A preset's colour grade on float RGB (0–255), any leading shape; returns float32 0–255."""
    x = pixels.astype(np.float32) / 255
    luma = x @ LUMA
    x = luma[..., None] + (x - luma[..., None]) * treatment.saturation
    x = ((x - 0.5) * treatment.contrast + 0.5) * treatment.brightness
    if treatment.grade != "colour":
        tone = np.clip(((luma - 0.5) * treatment.contrast + 0.5) * treatment.brightness, 0, 1)[..., None]
        if treatment.grade == "mono":
            x = np.repeat(tone, 3, axis=-1)
        else:  # sepia: dark brown to cream
            x = (SEPIA[0] + (SEPIA[1] - SEPIA[0]) * tone) / 255
    x = np.clip(x, 0, 1)
    if treatment.posterize:  # steps of brightness, hue kept: cut-paper layers, not a colour-banded GIF
        levels = treatment.posterize - 1
        tone = np.maximum(x @ LUMA, 1e-3)[..., None]
        x = np.clip(x * (np.maximum(np.round(tone * levels), 0.5) / levels) / tone, 0, 1)
    return x * 255


# ── camera ──────────────────────────────────────────────────────────────────────────────────────


def _ease(t: float) -> float:
    return t - math.sin(2 * math.pi * t) / (2 * math.pi) * 0.7  # mostly even speed, soft at both ends


def camera_path(move: str, speed: float = 1.0) -> Callable[[float], tuple[float, float, float]]:
    """t in [0, 1] → (x, y, zoom): x and y are offsets in frame widths/heights at parallax depth 1."""
    a, z = 0.07 * speed, 0.2 * speed

    def at(t: float) -> tuple[float, float, float]:
        e = _ease(t)
        if move == "pan left":
            return a * (1 - 2 * e), 0.0, 1.02
        if move == "pan right":
            return a * (2 * e - 1), 0.0, 1.02
        if move == "tilt up":
            return 0.0, 0.8 * a * (1 - 2 * e), 1.02
        if move == "tilt down":
            return 0.0, 0.8 * a * (2 * e - 1), 1.02
        if move in ("zoom in", "dolly in"):
            return 0.0, 0.0, 1 + z * e
        if move in ("zoom out", "dolly out"):
            return 0.0, 0.0, 1 + z * (1 - e)
        if move == "orbit":
            angle = math.pi * (e - 0.5)
            return 1.3 * a * math.sin(angle), 0.2 * a * math.cos(angle), 1.05 + 0.03 * math.cos(angle)
        return 0.004 * math.sin(2 * math.pi * t), 0.003 * math.sin(2 * math.pi * t * 0.7 + 1), 1 + 0.012 * t

    return at


# ── the scene: palette, parallax layers, particles ───────────────────────────────────────────


def smooth_noise(rng: np.random.Generator, height: int, width: int, cells: tuple[int, int] = (6, 10)) -> np.ndarray:
    """Soft value noise in [0, 1]: a small random grid upscaled bicubically."""
    grid = Image.fromarray(rng.random(cells, dtype=np.float32), "F")
    return np.clip(np.asarray(grid.resize((width, height), Image.Resampling.BICUBIC)), 0, 1)


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
GROUND_COLOURS = {
    "desert": ((214, 170, 110), (150, 104, 60)),
    "snow": ((220, 228, 240), (160, 172, 196)),
    "forest": ((30, 80, 46), (12, 34, 20)),
    "city": ((40, 44, 62), (16, 18, 28)),
}


def _mix(a, b, amount: float) -> np.ndarray:
    return np.asarray(a, np.float32) + (np.asarray(b, np.float32) - np.asarray(a, np.float32)) * amount


def palette(words: str, motifs: set[str], treatment: Treatment, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """The scene's colours: a base for the time of day, the named colours, then the preset's pull."""
    base = next((k for k in ("space", "night", "sunset", "dawn") if k in motifs), "day")
    colours = {k: np.asarray(v, np.float32) for k, v in BASE_PALETTES[base].items()}
    for motif, (mid, near) in GROUND_COLOURS.items():
        if motif in motifs:
            colours["mid"], colours["near"] = _mix(colours["mid"], mid, 0.7), _mix(colours["near"], near, 0.7)
    named = colours_in(words)
    if named:
        first, second = named[0], named[1] if len(named) > 1 else None
        third = named[2] if len(named) > 2 else (second or first)
        colours["accent"], colours["sun"] = _mix(colours["accent"], first, 0.8), _mix(colours["sun"], first, 0.45)
        colours["low"] = _mix(colours["low"], first, 0.55)
        colours["top"] = _mix(colours["top"], second, 0.6) if second else _mix(colours["top"], first, 0.25)
        colours["mid"] = _mix(colours["mid"], np.asarray(third, np.float32) * 0.6, 0.3)
        colours["near"] = _mix(colours["near"], colours["mid"] * 0.4, 0.4)
        colours["far"] = _mix(colours["far"], colours["low"], 0.35)
    shift = rng.normal(0, 10, 3).astype(np.float32)  # each variation is tinted a little differently
    for index, key in enumerate(colours):
        colours[key] = np.clip(colours[key] + shift, 0, 255)
        if treatment.palette and treatment.pull:
            colours[key] = _mix(colours[key], treatment.palette[index % len(treatment.palette)], treatment.pull)
    return colours


def _inside(box: tuple[float, float, float, float], size: tuple[int, int]) -> tuple[float, float, float, float]:
    """Float rounding can push a view box a hair past the picture, which Pillow refuses."""
    return max(0.0, box[0]), max(0.0, box[1]), min(float(size[0]), box[2]), min(float(size[1]), box[3])


class _Layer:
    """One parallax plane: colour and coverage a little larger than the frame, and its depth."""

    def __init__(
        self, colour: np.ndarray, alpha: np.ndarray | None, depth: float, margin: tuple[int, int], treatment: Treatment
    ):
        self.colour = Image.fromarray(grade(colour, treatment).astype(np.uint8))
        if alpha is not None:
            alpha = np.broadcast_to(np.clip(alpha, 0, 1) * 255, colour.shape[:2]).astype(np.uint8)
        self.alpha = None if alpha is None else Image.fromarray(alpha)
        self.depth, self.margin = depth, margin

    def draw_onto(self, frame: Image.Image | None, size, camera, dolly: bool, shake) -> Image.Image:
        (w, h), (ox, oy, zoom), (mx, my) = size, camera, self.margin
        scale = 1 + (zoom - 1) * (self.depth if dolly else 1)
        vw, vh = w / scale, h / scale
        cx = min(max(mx + w / 2 + self.depth * (ox * w + shake[0]), vw / 2), self.colour.width - vw / 2)
        cy = min(max(my + h / 2 + self.depth * (oy * h + shake[1]), vh / 2), self.colour.height - vh / 2)
        box = _inside((cx - vw / 2, cy - vh / 2, cx + vw / 2, cy + vh / 2), self.colour.size)
        view = self.colour.resize(size, Image.Resampling.BILINEAR, box=box)
        if frame is None:
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
        path: Callable[[float], tuple[float, float, float]],
        dolly: bool,
        rng: np.random.Generator,
        fps: int = FPS,
    ):
        self.size, self.path, self.dolly, self.rng, self.fps = size, path, dolly, rng, fps
        w, h = size
        words = prompt.words
        self.motifs = motifs_in(words) | ({treatment.particles} if treatment.particles else set())
        self.colours = palette(words, self.motifs, treatment, rng)
        travel = [path(t / 32) for t in range(33)]
        reach = (max(abs(c[0]) for c in travel), max(abs(c[1]) for c in travel))
        self.horizon = 0.56 + rng.uniform(-0.07, 0.07)
        self.sun = (rng.uniform(0.15, 0.85), rng.uniform(0.12, self.horizon - 0.12))
        self.layers = []
        for depth, build in zip(self.DEPTHS, (self._backdrop, self._middle, self._near)):
            margin = (math.ceil(depth * (reach[0] * w + 6)) + 4, math.ceil(depth * (reach[1] * h + 6)) + 4)
            u = (np.arange(w + 2 * margin[0], dtype=np.float32) - margin[0]) / w
            v = (np.arange(h + 2 * margin[1], dtype=np.float32) - margin[1]) / h
            colour, alpha = build(u[None, :], v[:, None])
            self.layers.append(_Layer(colour, alpha, depth, margin, treatment))
        self.particles = Particles(self.motifs, self.colours, treatment, size, rng)

    def _sky_rows(self, v: np.ndarray) -> np.ndarray:
        c = self.colours
        t = np.clip(v / self.horizon, 0, 1) ** 1.3
        return _mix(c["top"], c["low"], t[..., None])

    def _backdrop(self, u, v):
        c, h_ = self.colours, self.horizon
        w, h = self.size
        aspect = w / h
        colour = np.broadcast_to(self._sky_rows(v), (v.shape[0], u.shape[1], 3)).copy()
        dist = np.hypot((u - self.sun[0]) * aspect, v - self.sun[1])
        glow = np.exp(-((dist / 0.45) ** 2))[..., None] * (0.25 if "night" in self.motifs else 0.6)
        colour += (c["accent"] - colour * 0.5) * glow
        disc = np.clip((0.06 - dist) * h, 0, 1)[..., None]
        colour = _mix(colour, c["sun"], disc)
        if self.motifs & {"night", "space"}:
            stars = (self.rng.random(colour.shape[:2]) > 0.9975) * (v < h_ + 0.1)
            colour = np.maximum(colour, stars[..., None] * self.rng.uniform(120, 255, colour.shape[:2])[..., None])
        else:
            clouds = np.clip(smooth_noise(self.rng, *colour.shape[:2], cells=(10, 4)) * 2.2 - 1.3, 0, 0.45)
            above = np.clip(h_ - v, 0, 0.15) / 0.15  # clouds thin out towards the horizon
            colour = _mix(colour, _mix(c["low"], (255, 255, 255), 0.5), (clouds * above)[..., None])
        if "space" not in self.motifs:  # a far ridge fading into the haze
            sharp = "mountains" in self.motifs
            x = u[0] * 6.0
            ridge = sum(
                a * (np.abs(np.sin(f * x + p)) if sharp else np.sin(f * x + p) * 0.5 + 0.5)
                for a, f, p in zip((0.6, 0.3, 0.15), (0.7, 1.9, 4.3), self.rng.uniform(0, 6, 3))
            )
            top = h_ + 0.02 - ridge * (0.22 if sharp else 0.08)
            cover = np.clip((v - top) * h, 0, 1)[..., None]
            haze = _mix(c["far"], c["low"], np.clip((v - top) / 0.3, 0, 1)[..., None] * -0.4 + 0.4)
            colour = _mix(colour, haze, cover)
        return colour, None

    def _middle(self, u, v):
        c, h_ = self.colours, self.horizon
        w, h = self.size
        width = u.shape[1]
        colour = np.broadcast_to(
            _mix(c["mid"], c["near"], np.clip((v - h_) / 0.5, 0, 1)[..., None]), (v.shape[0], width, 3)
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
            colour = _mix(rows, c["sun"], np.clip(streak, 0, 1)[..., None] * 0.8) + ripple[..., None] * 12
            return colour, np.clip((v - h_) * h + 0.5, 0, 1)
        x = u[0]
        if "city" in motifs:
            top = np.full(width, 2.0, np.float32)
            left = 0
            while left < width:
                span = min(int(rng.uniform(0.03, 0.09) * w) + 2, width - left)
                height = rng.uniform(0.1, 0.42) * (1.3 if rng.random() < 0.15 else 1.0)
                top[left : left + span] = h_ + 0.06 - height
                rows = (v[:, 0] > h_ + 0.06 - height)[:, None]
                cells = (np.arange(span) % 7 < 3)[None, :] & ((np.arange(v.shape[0]) % 9) < 4)[:, None]
                lit = rng.random((v.shape[0] // 9 + 1, span // 7 + 1)) < 0.35
                lit = np.repeat(np.repeat(lit, 9, axis=0), 7, axis=1)[: v.shape[0], :span]
                windows = (rows & cells & lit)[..., None]
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

    def _near(self, u, v):
        c = self.colours
        w, h = self.size
        colour = np.broadcast_to(
            _mix(c["near"], c["near"] * 0.5, np.clip((v - 0.8) / 0.3, 0, 1)[..., None]), (v.shape[0], u.shape[1], 3)
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

    def frame(self, index: int, count: int, shake=(0.0, 0.0)) -> Image.Image:
        camera = self.path(index / max(1, count - 1))
        image = None
        for layer in self.layers:
            image = layer.draw_onto(image, self.size, camera, self.dolly, shake)
        self.particles.draw_onto(image, index / self.fps, camera, self.dolly)
        return image


class Particles:
    """Snow, rain, fireflies, balloons, confetti or floating dust, nearer than everything else."""

    KINDS = ("rain", "snow", "balloons", "fireflies", "confetti")
    # kind → (how many, fall speed in frame heights per second, sideways sway in frame widths)
    MOTION = {
        "rain": (140, 1.6, 0.02),
        "snow": (110, 0.18, 0.06),
        "balloons": (14, -0.1, 0.03),
        "fireflies": (40, -0.02, 0.05),
        "confetti": (70, 0.12, 0.05),
        "dust": (24, -0.02, 0.03),
    }
    CANDY = ((255, 64, 129), (64, 196, 255), (255, 214, 0), (120, 220, 90))

    def __init__(self, motifs: set[str], colours, treatment: Treatment, size, rng: np.random.Generator):
        self.size = size
        w, h = size
        kind = next((k for k in self.KINDS if k in motifs), "dust")
        count, fall, spread = self.MOTION[kind]
        self.u, self.v = rng.uniform(-0.15, 1.15, count), rng.uniform(-0.15, 1.15, count)
        self.depth = rng.uniform(1.1, 1.7, count)
        self.fall = fall * rng.uniform(0.7, 1.3, count)
        self.sway, self.phase = rng.uniform(0, spread, count), rng.uniform(0, 2 * math.pi, count)
        tints = [colours["accent"], colours["sun"]] + [np.asarray(p, np.float32) for p in treatment.palette]
        unit = h / 360
        self.sprites = []
        for index in range(count):
            tint = tints[index % len(tints)]
            if kind in ("balloons", "confetti"):
                tint = np.asarray(self.CANDY[index % len(self.CANDY)], np.float32)
            self.sprites.append(self._sprite(kind, tint, unit * rng.uniform(0.6, 1.4), treatment))

    @staticmethod
    def _sprite(kind: str, tint: np.ndarray, unit: float, treatment: Treatment) -> Image.Image:
        k = 4  # drawn 4× larger and shrunk: smooth edges
        shapes = {
            "rain": (1.2, 14),
            "snow": (4, 4),
            "balloons": (22, 34),
            "fireflies": (8, 8),
            "confetti": (4, 6),
            "dust": (14, 14),
        }
        sw, sh = (max(2, round(s * unit)) for s in shapes[kind])
        sprite = Image.new("RGBA", (sw * k, sh * k), (0, 0, 0, 0))
        draw = ImageDraw.Draw(sprite)
        rgb = tuple(int(x) for x in tint)
        if kind == "rain":
            draw.line((sw * k, 0, 0, sh * k), fill=(200, 210, 230, 150), width=max(1, k))
        elif kind == "balloons":
            draw.line((sw * k / 2, sw * k * 1.05, sw * k / 2, sh * k), fill=(230, 230, 230, 200), width=k)
            draw.ellipse((0, 0, sw * k - 1, sw * k * 1.15), fill=rgb + (255,))
            draw.ellipse((sw * k * 0.2, sw * k * 0.15, sw * k * 0.42, sw * k * 0.4), fill=(255, 255, 255, 170))
        elif kind == "confetti":
            draw.rectangle((0, 0, sw * k, sh * k), fill=rgb + (255,))
        else:
            white = kind == "snow"
            for step in range(6):  # a soft glow: nested discs
                inset = step * sw * k / 12
                alpha = (60 if kind == "dust" else 90) * (step + 1) // 6
                draw.ellipse(
                    (inset, inset, sw * k - inset, sh * k - inset), fill=((240, 244, 255) if white else rgb) + (alpha,)
                )
        pixels = np.asarray(sprite.resize((sw, sh), Image.Resampling.LANCZOS)).copy()
        pixels[..., :3] = grade(pixels[..., :3], treatment).astype(np.uint8)  # rain and snow too
        return Image.fromarray(pixels, "RGBA")

    def draw_onto(self, image: Image.Image, seconds: float, camera, dolly: bool) -> None:
        (w, h), (ox, oy, zoom) = self.size, camera
        u = (self.u + self.sway * np.sin(seconds * 1.3 + self.phase) + 0.15) % 1.3 - 0.15
        v = (self.v + self.fall * seconds + 0.15) % 1.3 - 0.15
        scale = 1 + (zoom - 1) * (self.depth if dolly else 1)
        xs = (w / 2 + ((u - 0.5) - self.depth * ox) * scale * w).astype(int)
        ys = (h / 2 + ((v - 0.5) - self.depth * oy) * scale * h).astype(int)
        for x, y, sprite in zip(xs, ys, self.sprites):
            if -sprite.width < x < w and -sprite.height < y < h:
                image.paste(sprite, (x, y), sprite)


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
        changes = (
            treatment.grade != "colour"
            or treatment.posterize
            or (treatment.saturation, treatment.contrast, treatment.brightness) != (1, 1, 1)
        )
        self.graded = Image.fromarray(grade(np.asarray(self.source), treatment).astype(np.uint8)) if changes else None
        directions = {
            "pan left": (-1, 0),
            "pan right": (1, 0),
            "tilt up": (0, -1),
            "tilt down": (0, 1),
            "orbit": (1, -0.4),
            "static": (0, 0),
        }
        angle = rng.uniform(0, 2 * math.pi)
        self.direction = directions.get(move or "", (0.6 * math.cos(angle), 0.6 * math.sin(angle)))
        self.zoom = 1 + (0.05 if move == "static" else 0.18) * min(speed, 1.6)

    def frame(self, index: int, count: int, shake=(0.0, 0.0)) -> Image.Image:
        if index == 0:
            return self.first
        e = _ease(index / max(1, count - 1))
        zoom = 1 + (self.zoom - 1) * e
        sw, sh = self.source.size
        room = (1 - 1 / zoom) / 2  # how far the view may move before it leaves the picture
        cx = sw * (0.5 + self.direction[0] * room) + shake[0]
        cy = sh * (0.5 + self.direction[1] * room) + shake[1]
        vw, vh = sw / zoom, sh / zoom
        cx, cy = min(max(cx, vw / 2), sw - vw / 2), min(max(cy, vh / 2), sh - vh / 2)
        box = _inside((cx - vw / 2, cy - vh / 2, cx + vw / 2, cy + vh / 2), self.source.size)
        if self.graded is None:
            return self.source.resize(self.size, Image.Resampling.BILINEAR, box=box)
        graded = self.graded.resize(self.size, Image.Resampling.BILINEAR, box=box)
        ease_in = index / (self.fps / 2)
        if ease_in >= 1:
            return graded
        return Image.blend(self.source.resize(self.size, Image.Resampling.BILINEAR, box=box), graded, ease_in)


# ── finishing: vignette, paper, flicker and grain, applied to every frame ─────────────────────


class _Finish:
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
        self.masks = []
        if treatment.vignette or treatment.paper or treatment.flicker:  # one multiply does all three
            for level in range(self.LEVELS):
                gain = 1 - treatment.flicker * level / (self.LEVELS - 1)
                self.masks.append(Image.fromarray(np.clip(mask * gain * 255, 0, 255).astype(np.uint8)))
        self.grain = []
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


# ── titles, laid into the YUV planes at full size ───────────────────────────────────────────────


def _font(size: int, bold: bool) -> ImageFont.ImageFont:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    for folder in FONT_DIRS:
        if os.path.exists(os.path.join(folder, name)):
            return ImageFont.truetype(os.path.join(folder, name), size)
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow without FreeType: the small bitmap font
        return ImageFont.load_default()


def _wrap(text: str, font: ImageFont.ImageFont, width: float, max_lines: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and font.getlength(f"{lines[-1]} {word}") <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        while lines[-1] and font.getlength(lines[-1] + " …") > width:
            lines[-1] = lines[-1].rsplit(" ", 1)[0] if " " in lines[-1] else lines[-1][:-1]
        lines[-1] += " …"
    return lines


class _Titles:
    """Scene cards: the scene as a title for the first half, the visual details for the second."""

    FADE = 0.4  # seconds

    def __init__(self, prompt: VideoPrompt, width: int, height: int, seconds: float):
        self.cards = []
        # (text, from, until as fractions of the clip, font size as a fraction of the height, bold)
        for text, start, end, size, bold in (
            (prompt.scene, 0.0, 0.5, 15, True),
            (prompt.visual, 0.55, 0.97, 24, False),
        ):
            text = " ".join(text.split())
            if text:
                self.cards.append((start * seconds, end * seconds, self._card(text, width, height, size, bold)))

    @staticmethod
    def _card(text: str, width: int, height: int, divisor: int, bold: bool):
        font = _font(max(10, height // divisor), bold)
        lines = _wrap(text, font, width * 0.84, 2)
        line_h = font.getbbox("Ag")[3] + max(2, height // 120)
        band_h = min(height, (len(lines) * line_h + height // 12)) // 2 * 2  # a tiny frame clips the card
        card = Image.new("LA", (width, band_h), (0, 0))
        shade = np.linspace(0, 150, band_h, dtype=np.float32)[:, None] ** 0.6 / 150**0.6 * 150
        card.putalpha(Image.fromarray(np.broadcast_to(shade, (band_h, width)).astype(np.uint8)))
        draw = ImageDraw.Draw(card)
        y = band_h - len(lines) * line_h - height // 24
        for line in lines:
            x = (width - font.getlength(line)) / 2
            draw.text((x + 2, y + 2), line, font=font, fill=(0, 255))
            draw.text((x, y), line, font=font, fill=(240, 255))
            y += line_h
        luma_alpha = np.asarray(card, dtype=np.float32)
        value = 16 + luma_alpha[..., 0] * (219 / 255)  # limited-range luma of the grey card
        alpha = luma_alpha[..., 1] / 255
        chroma_alpha = alpha.reshape(band_h // 2, 2, width // 2, 2).mean(axis=(1, 3))
        return height - band_h, value, alpha, chroma_alpha

    def apply(self, frame, t: float):
        for start, end, (top, value, alpha, chroma_alpha) in self.cards:
            fade = min(1.0, max(0.0, (t - start) / self.FADE), max(0.0, (end - t) / self.FADE))
            if fade <= 0:
                continue
            planes = [np.frombuffer(p, np.uint8).reshape(p.height, p.line_size)[:, : p.width] for p in frame.planes]
            rows = slice(top, top + value.shape[0])
            luma = planes[0][rows].astype(np.float32)
            planes[0][rows] = (luma + (value - luma) * (alpha * fade)).astype(np.uint8)
            half = slice(top // 2, top // 2 + chroma_alpha.shape[0])
            for chroma in planes[1:]:  # the card is grey: pull colour towards neutral
                c = chroma[half].astype(np.float32)
                chroma[half] = (c + (128 - c) * (chroma_alpha * fade)).astype(np.uint8)
        return frame


# ── the renderer ────────────────────────────────────────────────────────────────────────────────


def render_offline(
    prompt: VideoPrompt,
    preset: str | None,
    width: int,
    height: int,
    seconds: int,
    seed: int,
    out_path: str | os.PathLike,
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
    move = camera_move(prompt.motion) or camera_move(prompt.words)
    if reference is not None:
        shot = KenBurns(cover_crop(reference, width, height), reference, move, speed, treatment, rng, fps)
        inner = (width, height)
    else:
        move = move or ("dolly in", "pan left", "pan right", "orbit")[int(rng.integers(4))]
        scale = 0.5 if width * height > 960 * 540 else 1.0
        inner = (round(width * scale), round(height * scale))
        shot = Scene(prompt, treatment, inner, camera_path(move, speed), move.startswith("dolly"), rng, fps)
    finish = _Finish(treatment, *inner, rng)
    cards = _Titles(prompt, width, height, count / fps) if titles else None
    jitter = treatment.jitter * inner[1] / 720
    hold = max(1, treatment.hold)

    def frames() -> Iterator[av.VideoFrame]:
        drawn = None
        for index in range(count):
            if index % hold == 0 or drawn is None:
                shake = tuple(rng.normal(0, jitter, 2)) if jitter and index else (0.0, 0.0)
                raw = shot.frame(index, count, shake)
                drawn = finish(raw)
                if reference is not None and index < fps / 2:  # the reference itself first, then ease the finish in
                    drawn = Image.blend(raw, drawn, index / (fps / 2))
            frame = av.VideoFrame.from_image(drawn).reformat(
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


def _ahead(frames: Iterator, depth: int = 6) -> Iterator:
    """Draw frames on a second thread while this one encodes: Pillow and x264 both release the GIL."""
    queue: Queue = Queue(maxsize=depth)
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
            yield item
    finally:
        stop.set()
        worker.join()
