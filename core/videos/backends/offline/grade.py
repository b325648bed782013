"""A style preset's colour grade: saturation, contrast, brightness, greys or sepia, posterized steps.

It is applied once, to the scene's layers and sprites as they are built and to a reference image,
never per frame, so a preset's look costs the frame loop nothing; the scene, the particles and the
Ken Burns move all share it, which is why it is a module of its own.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from core.videos.prompt import Treatment

SEPIA = (np.array([38, 24, 12], np.float32), np.array([250, 236, 205], np.float32))  # dark brown, cream
LUMA = np.array([0.2126, 0.7152, 0.0722], np.float32)  # Rec. 709 weights


def grade(pixels: NDArray[Any], treatment: Treatment) -> NDArray[np.floating[Any]]:
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


def changes_colour(treatment: Treatment) -> bool:
    """Whether ``grade`` changes anything: a plain preset leaves a reference image untouched."""
    return bool(
        treatment.grade != "colour"
        or treatment.posterize
        or (treatment.saturation, treatment.contrast, treatment.brightness) != (1, 1, 1)
    )
