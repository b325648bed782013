"""Build the images providers receive, from scikit-image's bundled sample photos (no download)."""

from __future__ import annotations

import base64
import io

import numpy as np
from PIL import Image

from core.captions.providers.base import CaptionRequest, PreparedImage
from core.captions.styles import build_instruction

SAMPLE_PHOTOS = ("chelsea", "coffee", "astronaut")  # a cat, a cup of espresso, a person


def sample_photo(name: str) -> Image.Image:
    """One of scikit-image's sample photos as an RGB PIL image."""
    import skimage.data

    pixels = np.asarray(getattr(skimage.data, name)())
    return Image.fromarray(pixels[..., :3] if pixels.ndim == 3 else pixels).convert("RGB")


def prepare(image: Image.Image, max_long_side: int = 1120) -> PreparedImage:
    """RGB, downscaled to ``max_long_side``, with its JPEG bytes and data URL, as core.captions.images makes it."""
    image = image.convert("RGB")
    if max(image.size) > max_long_side:
        image = image.copy()
        image.thumbnail((max_long_side, max_long_side), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=88)
    jpeg = buffer.getvalue()
    return PreparedImage(image=image, jpeg=jpeg, data_url="data:image/jpeg;base64," + base64.b64encode(jpeg).decode())


def caption_request(image: Image.Image, style: str, user_prompt: str = "") -> CaptionRequest:
    instruction = build_instruction(style, user_prompt) if style != "custom" or user_prompt else ""
    return CaptionRequest(image=prepare(image), instruction=instruction, style=style, user_prompt=user_prompt)


SAVE_OPTIONS: dict[str, dict[str, object]] = {
    "JPEG": {"quality": 88},
    "PNG": {},
    "WEBP": {"quality": 80},
    "TIFF": {"compression": "tiff_lzw"},
}


def noise_image(fmt: str, seed: int, size: tuple[int, int] = (64, 40)) -> bytes:
    """A small, distinct picture encoded as ``fmt`` (JPEG, PNG, WEBP or TIFF)."""
    pixels = (np.random.default_rng(seed).random((size[1], size[0], 3)) * 255).astype("uint8")
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, fmt, **SAVE_OPTIONS[fmt])
    return out.getvalue()


def store_captioned_image(studio, data: bytes, fmt: str, name: str, text: str, style: str = "alt_text") -> int:
    """An image and one caption of it, written through db/ as a finished caption would be; the caption's id."""
    import hashlib

    from db import captions as caption_queries
    from db.media import EXTENSIONS, ORIGINALS

    digest = hashlib.sha256(data).hexdigest()
    studio.media.put(data, ORIGINALS, EXTENSIONS[fmt], digest)
    with studio.db.session() as session:
        asset = caption_queries.add_asset(
            session, sha256=digest, display_name=name, format=fmt, width=64, height=40, size=len(data)
        )
        return caption_queries.add_caption(
            session, asset, style=style, prompt="", provider="offline", model="offline-captioner", text=text
        ).id
