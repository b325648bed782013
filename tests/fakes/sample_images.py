"""Sample images for provider tests: a photo larger than any provider's limit, ready to send.

``prepare`` is ``core.captions.images.prepare_image``: what the app does before it calls a provider.
"""

from __future__ import annotations

import io

from PIL import Image

from core.captions.images import prepare_image
from core.captions.providers.base import CaptionProvider, CaptionRequest, PreparedImage

INSTRUCTION = "Write alt text for this image: one concise sentence."


def photo_bytes(width: int = 2400, height: int = 1600) -> bytes:
    """A JPEG larger than the providers' 1120 px limit, with some structure in it."""
    image = Image.new("RGB", (width, height), (30, 90, 160))
    for x in range(0, width, 200):
        image.paste((220, 120 + x % 100, 40), (x, 0, x + 100, height))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def prepare(data: bytes, max_long_side: int) -> PreparedImage:
    return prepare_image(data, max_long_side)


def caption_request(provider: CaptionProvider, instruction: str = INSTRUCTION) -> CaptionRequest:
    """A request with a 2400x1600 photo prepared for ``provider``'s limit."""
    return CaptionRequest(
        image=prepare(photo_bytes(), provider.max_long_side), instruction=instruction, style="alt_text"
    )
