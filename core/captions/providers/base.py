"""The one small protocol every caption provider implements.

A provider receives an image that ``core.captions.images`` has already validated, oriented, converted
to RGB and downscaled to the provider's limit, plus the full instruction text. It returns the
caption and what it cost. Providers never touch the database.

How sure a provider is travels beside the caption (``CaptionResult.confidence``), never inside its
text: the page shows it as a badge and flags a caption below ``LOW_CONFIDENCE`` for a person to check.
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
    extra_images: tuple[PreparedImage, ...] = ()  # more pictures of the same thing (a video's keyframes)

    @property
    def images(self) -> tuple[PreparedImage, ...]:
        return (self.image, *self.extra_images)


def vision_message(request: CaptionRequest) -> dict[str, Any]:
    """The one user chat message both cloud APIs take: the instruction, then every image as a data URL
    (Llama 4 Maverick and the OpenAI-compatible servers accept several images in one message)."""
    images = [{"type": "image_url", "image_url": {"url": image.data_url}} for image in request.images]
    return {"role": "user", "content": [{"type": "text", "text": request.instruction}, *images]}


def text_message(instruction: str) -> dict[str, Any]:
    """A user chat message with no image, for a text-only ask (Improve prompt)."""
    return {"role": "user", "content": instruction}


@dataclass(frozen=True)
class CaptionResult:
    text: str
    model: str
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    confidence: float | None = None  # 0..1 where the provider can say how sure it is


LOW_CONFIDENCE = 0.5  # below this, a caption is flagged for a person to check


def needs_checking(confidence: float | None) -> bool:
    """True when the provider said it is less than ``LOW_CONFIDENCE`` sure of its caption."""
    return confidence is not None and confidence < LOW_CONFIDENCE


def certainty(confidence: float) -> str:
    """The badge's words, e.g. "92% sure"; never "100%" nor "0%": no model is either."""
    return f"{min(99, max(1, round(confidence * 100)))}% sure"


class CaptionProvider(Protocol):
    """What every caption provider is; ``follows_instructions`` is False for one that cannot follow
    the user's own words (the offline captioner), so the page can say so before Generate."""

    key: str  # "watsonx", "openai" or "offline"
    label: str  # shown in the UI
    model: str
    max_long_side: int  # images are downscaled to this many pixels on the long side
    follows_instructions: bool

    def caption(self, request: CaptionRequest) -> CaptionResult:
        """Caption one image. Raises ``core.errors.ProviderError`` with a clear sentence on failure."""
        ...

    def rewrite(self, instruction: str) -> str:
        """Answer a text-only instruction with the provider's text model (Improve prompt); raises
        ``ProviderError`` with one sentence when it fails or when the provider cannot write text."""
        ...


def follows_instructions(provider: CaptionProvider) -> bool:
    """Whether ``provider`` reads the prompt box."""
    return provider.follows_instructions
