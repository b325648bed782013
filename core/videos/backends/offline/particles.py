"""Snow, rain, fireflies, balloons, confetti or floating dust: the nearest layer of a scene.

Each particle is a small sprite drawn once (graded with the preset, like the layers behind it) and
pasted every frame where its fall and sway put it; the particles sit nearer than the ground, so
the camera moves them most. A prompt gets the first kind its words name, and floating dust if none.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageDraw

from core.videos.backends.offline.camera import Camera
from core.videos.backends.offline.grade import grade
from core.videos.prompt import RGB, Treatment


class Particles:
    """Snow, rain, fireflies, balloons, confetti or floating dust, nearer than everything else."""

    KINDS = ("rain", "snow", "balloons", "fireflies", "confetti")
    # kind → (how many, fall speed in frame heights per second, sideways sway in frame widths)
    MOTION: ClassVar[dict[str, tuple[int, float, float]]] = {
        "rain": (140, 1.6, 0.02),
        "snow": (110, 0.18, 0.06),
        "balloons": (14, -0.1, 0.03),
        "fireflies": (40, -0.02, 0.05),
        "confetti": (70, 0.12, 0.05),
        "dust": (24, -0.02, 0.03),
    }
    CANDY: tuple[RGB, ...] = ((255, 64, 129), (64, 196, 255), (255, 214, 0), (120, 220, 90))

    def __init__(
        self,
        motifs: set[str],
        colours: Mapping[str, NDArray[np.floating[Any]]],
        treatment: Treatment,
        size: tuple[int, int],
        rng: np.random.Generator,
    ):
        self.size = size
        h = size[1]
        kind = next((k for k in self.KINDS if k in motifs), "dust")
        count, fall, spread = self.MOTION[kind]
        self.u, self.v = rng.uniform(-0.15, 1.15, count), rng.uniform(-0.15, 1.15, count)
        self.depth = rng.uniform(1.1, 1.7, count)
        self.fall = fall * rng.uniform(0.7, 1.3, count)
        self.sway, self.phase = rng.uniform(0, spread, count), rng.uniform(0, 2 * math.pi, count)
        tints = [colours["accent"], colours["sun"]] + [np.asarray(p, np.float32) for p in treatment.palette]
        unit = h / 360
        self.sprites: list[Image.Image] = []
        for index in range(count):
            tint = tints[index % len(tints)]
            if kind in ("balloons", "confetti"):
                tint = np.asarray(self.CANDY[index % len(self.CANDY)], np.float32)
            self.sprites.append(self._sprite(kind, tint, unit * rng.uniform(0.6, 1.4), treatment))

    @staticmethod
    def _sprite(kind: str, tint: NDArray[np.floating[Any]], unit: float, treatment: Treatment) -> Image.Image:
        """One particle of ``kind`` in ``tint``, ``unit`` pixels to the 360th of the frame height, graded."""
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
            draw.ellipse((0, 0, sw * k - 1, sw * k * 1.15), fill=(*rgb, 255))
            draw.ellipse((sw * k * 0.2, sw * k * 0.15, sw * k * 0.42, sw * k * 0.4), fill=(255, 255, 255, 170))
        elif kind == "confetti":
            draw.rectangle((0, 0, sw * k, sh * k), fill=(*rgb, 255))
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

    def draw_onto(self, image: Image.Image, seconds: float, camera: Camera, dolly: bool) -> None:
        """Paste every particle where it is ``seconds`` into the clip, as the camera sees it."""
        (w, h), (ox, oy, zoom) = self.size, camera
        u = (self.u + self.sway * np.sin(seconds * 1.3 + self.phase) + 0.15) % 1.3 - 0.15
        v = (self.v + self.fall * seconds + 0.15) % 1.3 - 0.15
        scale = 1 + (zoom - 1) * (self.depth if dolly else 1)
        xs = (w / 2 + ((u - 0.5) - self.depth * ox) * scale * w).astype(int)
        ys = (h / 2 + ((v - 0.5) - self.depth * oy) * scale * h).astype(int)
        for x, y, sprite in zip(xs, ys, self.sprites):
            if -sprite.width < x < w and -sprite.height < y < h:
                image.paste(sprite, (x, y), sprite)
