"""The animatic's camera: where it looks at each moment of the clip, and which part of a picture it sees.

A move is a pure function of time, so the scene can measure how far the camera will travel before
it draws anything (its layers are drawn just large enough), and a frame can be redrawn alone.
"""

from __future__ import annotations

import math
from collections.abc import Callable

Camera = tuple[float, float, float]  # (x, y, zoom): offsets in frame widths/heights at parallax depth 1
CameraPath = Callable[[float], Camera]  # t in [0, 1] → where the camera is
Box = tuple[float, float, float, float]  # left, top, right, bottom, in pixels


def ease(t: float) -> float:
    """Progress along a move for t in [0, 1]: mostly even speed, soft at both ends."""
    return t - math.sin(2 * math.pi * t) / (2 * math.pi) * 0.7


def camera_path(move: str, speed: float = 1.0) -> CameraPath:
    """t in [0, 1] → (x, y, zoom): x and y are offsets in frame widths/heights at parallax depth 1."""
    a, z = 0.07 * speed, 0.2 * speed

    def at(t: float) -> Camera:
        e = ease(t)
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


def view_box(cx: float, cy: float, view_w: float, view_h: float, size: tuple[int, int]) -> Box:
    """The view_w×view_h box centred as near (cx, cy) as the picture of ``size`` allows."""
    cx = min(max(cx, view_w / 2), size[0] - view_w / 2)
    cy = min(max(cy, view_h / 2), size[1] - view_h / 2)
    left, top, right, bottom = cx - view_w / 2, cy - view_h / 2, cx + view_w / 2, cy + view_h / 2
    # Float rounding can push the box a hair past the picture, which Pillow refuses.
    return max(0.0, left), max(0.0, top), min(float(size[0]), right), min(float(size[1]), bottom)
