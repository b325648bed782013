"""The offline renderer as a video back-end: an animatic of the prompt, made on this computer.

It is labelled in the UI as an offline preview, not an AI model. The package, in the order a
render uses it: ``words`` (what the prompt's words ask for), ``camera`` (the move), ``grade`` (a
preset's colours), ``scenes`` and ``particles`` (what is drawn), ``titles`` (the cards) and
``render`` (the frame pipeline, the finish and the MP4).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

from core.videos.backends.base import VideoRequest

KEY = "offline"
LABEL = "Offline preview (animatic on this computer)"
MODEL = "offline-animatic"


class OfflineRenderer:
    key = KEY
    label = LABEL
    model = MODEL

    def render(self, request: VideoRequest, destination: Path, progress: Callable[[float], None] | None = None) -> None:
        from PIL import Image

        from core.videos.backends.offline.render import render_offline
        from core.videos.prompt import VideoPrompt

        parts = request.parts or {}
        prompt = VideoPrompt(
            scene=parts.get("scene", "") or request.prompt,
            visual=parts.get("visual", ""),
            motion=parts.get("motion", ""),
            extra=parts.get("extra", ""),
        )
        width, height = (int(v) for v in request.size.split("x"))
        reference = Image.open(io.BytesIO(request.reference_jpeg)).convert("RGB") if request.reference_jpeg else None
        render_offline(
            prompt,
            request.style_preset,
            width,
            height,
            request.seconds,
            request.seed,
            destination,
            reference=reference,
            progress=(lambda f: progress(f * 100)) if progress else None,
        )
