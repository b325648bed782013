"""Dominant colours as everyday names, and the picture's orientation.

Every pixel of a small thumbnail is put into one named bin by hue, saturation and brightness
(HSV rules match how people name colours better than the nearest RGB swatch does: a dark orange
is "brown", a pale desaturated yellow is "beige"), and the bins covering most pixels win.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from PIL import Image

THUMBNAIL_SIDE = 64  # enough pixels for stable shares, cheap to classify
MIN_SHARE = 0.12  # a colour must cover this much of the picture to be named
PLAIN_MAX_STD = 6.0  # per-channel spread (0..255) under which a picture counts as one flat colour
SQUARE_TOLERANCE = 1.1  # within 10% of each other, width and height count as square

# Hue bins in degrees: (upper bound, name), checked in order; red wraps around 360.
_HUE_NAMES = (
    (15, "red"),
    (40, "orange"),
    (68, "yellow"),
    (160, "green"),
    (185, "teal"),
    (255, "blue"),
    (290, "purple"),
    (335, "pink"),
    (360, "red"),
)


@dataclass(frozen=True)
class ColourShare:
    name: str
    share: float  # 0..1 of the picture


def _hsv(rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Hue in degrees, saturation and value in 0..1, for float RGB in 0..1."""
    high, low = rgb.max(axis=-1), rgb.min(axis=-1)
    delta = high - low
    safe = np.where(delta == 0, 1.0, delta)
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    hue = (
        np.select(
            [high == r, high == g],
            [((g - b) / safe) % 6, (b - r) / safe + 2],
            (r - g) / safe + 4,
        )
        * 60.0
    )
    saturation = np.where(high == 0, 0.0, delta / np.where(high == 0, 1.0, high))
    return hue, saturation, high


def colour_names(rgb: np.ndarray) -> np.ndarray:
    """A colour name for every pixel of an (..., 3) uint8 array."""
    hue, sat, val = _hsv(rgb.astype(np.float32) / 255.0)
    names = np.full(hue.shape, "red", dtype=object)
    lower = 0.0
    for upper, name in _HUE_NAMES:
        names[(hue >= lower) & (hue < upper)] = name
        lower = upper
    warm = (hue < 50) | (hue >= 345)
    names[warm & (val < 0.6) & (sat > 0.25)] = "brown"
    names[((hue >= 300) | (hue < 15)) & (sat < 0.55) & (sat > 0.12) & (val >= 0.7)] = "pink"
    names[(hue >= 20) & (hue < 65) & (sat <= 0.35) & (sat > 0.12) & (val >= 0.7)] = "beige"
    names[(sat <= 0.12) | ((sat <= 0.25) & (val < 0.5))] = "grey"
    names[(sat <= 0.12) & (val >= 0.85)] = "white"
    names[val < 0.18] = "black"
    return names


def thumbnail(image: Image.Image) -> Image.Image:
    """The small copy both colour measures read; pass it to them to shrink the picture once."""
    return image.convert("RGB").resize((THUMBNAIL_SIDE, THUMBNAIL_SIDE))


def dominant_colours(image: Image.Image, limit: int = 3) -> list[ColourShare]:
    """The named colours covering the most of the picture, largest first (at most ``limit``)."""
    thumb = thumbnail(image)  # a thumbnail already: the same size, so an exact copy
    names = colour_names(np.asarray(thumb)).ravel()
    values, counts = np.unique(names, return_counts=True)
    order = np.argsort(counts)[::-1]
    shares = [ColourShare(str(values[i]), float(counts[i] / names.size)) for i in order]
    return [c for c in shares if c.share >= MIN_SHARE][:limit] or shares[:1]


def plain_colour(image: Image.Image) -> str | None:
    """The colour name of a picture that is one flat colour (a blank or a test card), else None."""
    thumb = np.asarray(thumbnail(image), dtype=np.float32)
    if float(thumb.reshape(-1, 3).std(axis=0).max()) > PLAIN_MAX_STD:
        return None
    return str(colour_names(thumb.mean(axis=(0, 1)).round().astype(np.uint8)[None])[0])


def orientation(width: int, height: int) -> str:
    """ "landscape", "portrait" or "square"."""
    if width > height * SQUARE_TOLERANCE:
        return "landscape"
    if height > width * SQUARE_TOLERANCE:
        return "portrait"
    return "square"
