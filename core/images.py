"""Images in the studio: check that an upload really is a supported image, then encode it.

Captions send images to providers; Create video uses them as reference frames: both start here.
The format is sniffed from the bytes (Pillow's decoders), never taken from the file name. The
pixels are fully decoded before anything is saved, so a truncated file is refused up front.
What callers receive is RGB and upright (EXIF orientation applied); the library keeps the
original bytes.
"""

from __future__ import annotations

import base64
import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from core.errors import UnsupportedImage

SUPPORTED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF", "BMP", "TIFF")
# Pillow's JPEG opener names multi-picture JPEGs from phones MPO; they are stored as JPEG.
FORMAT_ALIASES = {"MPO": "JPEG"}
MAX_PIXELS = 100_000_000  # a 100-megapixel photo is the largest we decode
MAX_BYTES = 50 * 1024 * 1024  # matches server.maxUploadSize in .streamlit/config.toml
JPEG_QUALITY = 88


@dataclass(frozen=True)
class ValidatedImage:
    """An upload that passed validation: its original bytes and the decoded, normalised pixels."""

    data: bytes
    format: str  # "JPEG", "PNG", … as sniffed from the bytes
    width: int  # of the original, after orientation
    height: int
    image: Image.Image  # RGB, upright, full size


def _describe_non_image(data: bytes) -> str:
    head = data[:512].lstrip().lower()
    if head.startswith(b"<svg") or (head.startswith(b"<?xml") and b"<svg" in data[:4096].lower()):
        return "is an SVG (vector) file; export it as PNG or JPEG first"
    if head.startswith((b"<!doctype html", b"<html")) or b"<html" in head:
        return "is an HTML page, not an image"
    if head.startswith(b"%pdf"):
        return "is a PDF document, not an image"
    try:
        data[:4096].decode("utf-8")
        return "is a text file, not an image"
    except UnicodeDecodeError:
        return "is not an image in a supported format (JPEG, PNG, WebP, GIF, BMP or TIFF)"


def _to_rgb(image: Image.Image) -> Image.Image:
    """Flatten every mode Pillow can hand us onto RGB; transparency goes onto white."""
    import numpy as np  # only for high-bit-depth images: keep it off every page's import path

    if image.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I"):
        # Pillow's own convert() clips 16-bit values at 255 (a white picture): scale instead.
        arr = np.asarray(image, dtype=np.uint32 if image.mode == "I" else np.uint16).astype(np.float64)
        top = 65535.0 if image.mode != "I" or arr.max() > 255 else 255.0
        grey = np.clip(arr * (255.0 / top), 0, 255).astype(np.uint8)
        return Image.fromarray(grey, "L").convert("RGB")
    if image.mode == "F":
        arr = np.asarray(image, dtype=np.float64)
        lo, hi = float(np.nanmin(arr)), float(np.nanmax(arr))
        scaled = (arr - lo) * (255.0 / (hi - lo)) if hi > lo else np.zeros_like(arr)
        return Image.fromarray(scaled.astype(np.uint8), "L").convert("RGB")
    if image.mode == "P":
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    if image.mode == "RGB":
        return image
    return image.convert("RGB")  # CMYK, YCbCr, L, 1, LAB, HSV


def _swaps_sides(image: Image.Image) -> bool:
    return image.getexif().get(0x0112) in (5, 6, 7, 8)  # EXIF orientations that turn by 90°


def validate_image(data: bytes, name: str = "image", max_long_side: int | None = None) -> ValidatedImage:
    """Decode ``data`` fully or raise ``UnsupportedImage`` with a sentence naming ``name``.

    With ``max_long_side``, a large JPEG is decoded at a reduced DCT scale that is still at least
    that big (every block is still read, so a truncated file is still refused): a 12-megapixel
    photo decodes several times faster. ``width``/``height`` are always the original's.
    """
    if not data:
        raise UnsupportedImage(f"“{name}” is empty (0 bytes).")
    if len(data) > MAX_BYTES:
        raise UnsupportedImage(f"“{name}” is {len(data) / 2**20:.0f} MB; the limit is {MAX_BYTES // 2**20} MB.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # our own limit applies
            opened = Image.open(io.BytesIO(data), formats=SUPPORTED_FORMATS)
            fmt = FORMAT_ALIASES.get(opened.format or "", opened.format or "")
            width, height = opened.size
            if width * height > MAX_PIXELS:
                raise UnsupportedImage(
                    f"“{name}” is {width}×{height} pixels ({width * height / 1e6:.0f} megapixels); "
                    f"the limit is {MAX_PIXELS // 1_000_000} megapixels."
                )
            if _swaps_sides(opened):
                width, height = height, width
            if max_long_side and fmt == "JPEG" and max(width, height) > 2 * max_long_side:
                scale = max_long_side / max(width, height)
                opened.draft("RGB", (max(1, round(opened.width * scale)), max(1, round(opened.height * scale))))
            opened.seek(0)  # animated GIF/WebP: the first frame
            opened.load()
            upright = ImageOps.exif_transpose(opened)
            rgb = _to_rgb(upright)
            rgb.load()
    except UnsupportedImage:
        raise
    except Image.DecompressionBombError:
        raise UnsupportedImage(f"“{name}” declares an enormous size (a decompression bomb) and was refused.") from None
    except UnidentifiedImageError:
        raise UnsupportedImage(f"“{name}” {_describe_non_image(data)}.") from None
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        detail = "is truncated" if "truncated" in str(exc).lower() else "is damaged and cannot be decoded"
        raise UnsupportedImage(f"“{name}” {detail}.") from None
    if fmt not in SUPPORTED_FORMATS:
        raise UnsupportedImage(f"“{name}” is a {fmt} file; use JPEG, PNG, WebP, GIF, BMP or TIFF.")
    return ValidatedImage(data=data, format=fmt, width=width, height=height, image=rgb)


def downscale(image: Image.Image, max_long_side: int) -> Image.Image:
    """Shrink so the long side is at most ``max_long_side``; never enlarge; keep at least 1 px."""
    long_side = max(image.size)
    if long_side <= max_long_side:
        return image
    scale = max_long_side / long_side
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    # reduce() first does a cheap integer box shrink, then a Lanczos pass for the rest.
    factor = int(1 / scale) // 2
    source = image.reduce(factor) if factor >= 2 else image
    return source.resize(size, Image.Resampling.LANCZOS)


def encode_jpeg(image: Image.Image, quality: int = JPEG_QUALITY) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality, optimize=True)
    return buffer.getvalue()


def data_url(jpeg: bytes) -> str:
    return "data:image/jpeg;base64," + base64.b64encode(jpeg).decode("ascii")


def thumbnail_jpeg(image: Image.Image, long_side: int = 256) -> bytes:
    """A small JPEG for tables and result cards."""
    return encode_jpeg(downscale(image, long_side), quality=80)


def cover_crop(image: Image.Image, width: int, height: int) -> Image.Image:
    """Scale ``image`` to cover width×height, centre-crop the rest: one resample, exact size."""
    image = ImageOps.exif_transpose(image).convert("RGB")
    scale = max(width / image.width, height / image.height)
    box_w, box_h = width / scale, height / scale
    left, top = (image.width - box_w) / 2, (image.height - box_h) / 2
    return image.resize((width, height), Image.Resampling.LANCZOS, box=(left, top, left + box_w, top + box_h))
