"""An offline still: one frame of the animatic renderer, for an image set made with no image service.

It is labelled "offline still" wherever it is shown: a drawing of the prompt's words (palette,
scene, preset), not an AI image. Two frames are rendered without title cards and the second is kept.
"""

from __future__ import annotations

import io
from pathlib import Path

from core.videos.prompt import VideoPrompt

LABEL = "Offline still (drawn on this computer)"
MODEL = "offline-still"
STILL_FPS = 2  # two frames in one second: the fewest the renderer draws, and no title card


def render_still(
    parts: dict[str, str], prompt: str, preset: str, width: int, height: int, seed: int, scratch: Path
) -> bytes:
    """The still as PNG bytes at ``width``×``height``; ``scratch`` is a temporary MP4 path it removes."""
    from core.videos.av.previews import poster
    from core.videos.backends.offline.render import render_offline

    words = VideoPrompt(
        scene=parts.get("scene", "") or prompt,
        visual=parts.get("visual", ""),
        motion=parts.get("motion", ""),
        extra=parts.get("extra", ""),
    )
    try:
        render_offline(words, preset, width, height, 1, seed, scratch, fps=STILL_FPS, titles=False)
        image = poster(scratch, at_seconds=0.5)
    finally:
        scratch.unlink(missing_ok=True)
    buffer = io.BytesIO()
    image.convert("RGB").resize((width, height)).save(buffer, "PNG")
    return buffer.getvalue()
