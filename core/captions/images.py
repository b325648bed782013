"""Stage 2 of captioning: an upload validated by ``core.images``, made ready for one provider.

What a provider receives is RGB, upright and no larger than its limit on the long side, as a
JPEG data URL.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.captions.providers.base import PreparedImage
from core.images import ValidatedImage, data_url, downscale, encode_jpeg, validate_image

if TYPE_CHECKING:
    from PIL import Image


def prepare_for_provider(validated: ValidatedImage, max_long_side: int) -> PreparedImage:
    return prepare_picture(validated.image, max_long_side)


def prepare_picture(image: Image.Image, max_long_side: int) -> PreparedImage:
    """An RGB picture the studio made itself (a video's keyframe), ready to send."""
    small = downscale(image, max_long_side)
    jpeg = encode_jpeg(small)
    return PreparedImage(image=small, jpeg=jpeg, data_url=data_url(jpeg))


def prepare_image(data: bytes, max_long_side: int, name: str = "image") -> PreparedImage:
    """Validate and encode in one step (what providers' tests and benchmarks use)."""
    return prepare_for_provider(validate_image(data, name, max_long_side), max_long_side)
