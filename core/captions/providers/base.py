"""The one small protocol every caption provider implements.

A provider receives an image that ``core.captions.images`` has already validated, oriented, converted
to RGB and downscaled to the provider's limit, plus the full instruction text. It returns the
caption and what it cost. Providers never touch the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from PIL import Image


@dataclass(frozen=True)
class PreparedImage:
    """An image ready to send: RGB pixels and the JPEG data URL built from them."""

    image: Image.Image  # RGB, EXIF orientation applied, long side <= the provider's limit
    jpeg: bytes  # the JPEG bytes inside ``data_url``
    data_url: str  # "data:image/jpeg;base64,..."

    @property
    def width(self) -> int:
        return self.image.width

    @property
    def height(self) -> int:
        return self.image.height


@dataclass(frozen=True)
class CaptionRequest:
    image: PreparedImage
    instruction: str  # what the model is asked to do (style + the user's prompt)
    style: str  # one of core.captions.styles.STYLES keys, for providers that phrase captions themselves
    user_prompt: str = ""  # the user's own words, if any


def vision_message(request: CaptionRequest) -> dict[str, Any]:
    """The one user chat message both cloud APIs take: the instruction and the image as a data URL."""
    return {
        "role": "user",
        "content": [
            {"type": "text", "text": request.instruction},
            {"type": "image_url", "image_url": {"url": request.image.data_url}},
        ],
    }


@dataclass(frozen=True)
class CaptionResult:
    text: str
    model: str
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    confidence: float | None = None  # 0..1 where the provider can say how sure it is


class CaptionProvider(Protocol):
    key: str  # "watsonx", "openai" or "offline"
    label: str  # shown in the UI
    model: str
    max_long_side: int  # images are downscaled to this many pixels on the long side

    def caption(self, request: CaptionRequest) -> CaptionResult:
        """Caption one image. Raises ``core.errors.ProviderError`` with a clear sentence on failure."""
        ...
