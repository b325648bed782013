"""Images in the studio: check that an upload really is a supported image, then encode it.

Captions send images to providers; Create video uses them as reference frames: both start here.
The format is sniffed from the bytes (Pillow's decoders), never taken from the file name. The
pixels are fully decoded before anything is saved, so a truncated file is refused up front.
What callers receive is RGB and upright (EXIF orientation applied); the library keeps the
original bytes.

A refusal names its real cause: a file that starts like a JPEG/PNG/… but cannot be opened is
*damaged*; only one that is no image format we know is *unsupported*. Decoders do not always
notice missing data: libjpeg paints what is missing grey and Pillow's PNG reader leaves it black
once the compressed stream ends. So before decoding, the size a header claims is checked against
the least data any encoder needs for it (``least_bytes``): a 1.6 KB "10000×10000" JPEG is refused
as damaged before it costs 300 MB. A file only slightly short still decodes as far as it goes.
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
# Magic numbers of the formats we read: a file that starts with one but cannot be opened is damaged.
SIGNATURES = (
    (b"\xff\xd8\xff", "JPEG"),
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
)
DEFLATE_MAX_RATIO = 1032  # one 258-byte match costs at least 2 bits
# JPEG frame markers (SOF0–SOF15 but DHT, JPG and DAC); C9–CB and CD–CF are arithmetic-coded.
JPEG_FRAMES = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}
JPEG_ARITHMETIC = {0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}
PNG_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}  # by colour type
FORMAT_LABELS = {"WEBP": "WebP"}  # how a refusal names a format, where it differs from Pillow's name


@dataclass(frozen=True)
class ValidatedImage:
    """An upload that passed validation: its original bytes and the decoded, normalised pixels."""

    data: bytes
    format: str  # "JPEG", "PNG", … as sniffed from the bytes
    width: int  # of the original, after orientation
    height: int
    image: Image.Image  # RGB, upright, full size


def sniffed_format(data: bytes) -> str | None:
    """The supported format whose signature ``data`` starts with, if any."""
    for magic, fmt in SIGNATURES:
        if data.startswith(magic):
            return fmt
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    if (
        data[:2] == b"BM"
        and len(data) >= 18
        and int.from_bytes(data[14:18], "little") in (12, 40, 52, 56, 64, 108, 124)
    ):
        return "BMP"  # "BM" then a known info-header size: not a text file that starts with "BM"
    return None


def _describe_non_image(data: bytes) -> str:
    brand = data[8:12] if data[4:8] == b"ftyp" else b""
    if brand in (b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"):
        return "is a HEIC/HEIF photo, which we cannot read; export it as JPEG or PNG first"
    if brand in (b"avif", b"avis"):
        return "is an AVIF image, which we cannot read; export it as JPEG or PNG first"
    if brand:
        return "is a video or audio file, not an image"
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
        finite = np.isfinite(arr)
        # ±inf and NaN (a sensor's dead pixels, a division by zero) would stretch the range to nothing.
        lo, hi = (float(arr[finite].min()), float(arr[finite].max())) if finite.any() else (0.0, 0.0)
        arr = np.nan_to_num(arr, nan=lo, posinf=hi, neginf=lo)
        scaled = np.clip((arr - lo) * (255.0 / (hi - lo)), 0, 255) if hi > lo else np.zeros_like(arr)
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


def least_bytes(data: bytes, fmt: str) -> int | None:
    """The fewest bytes any encoder needs for the picture ``data``'s header describes (None: no bound known).

    JPEG (Huffman-coded): every 8×8 block of every component carries at least one bit of its own.
    PNG: the raw rows, compressed at deflate's best ratio. Other formats' decoders notice short data.
    """
    if fmt == "JPEG":
        return _jpeg_least_bytes(data)
    if fmt == "PNG" and len(data) >= 26 and data[12:16] == b"IHDR":
        width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
        bits = data[24] * PNG_CHANNELS.get(data[25], 1)
        return height * (1 + _ceil(width * bits, 8)) // DEFLATE_MAX_RATIO
    return None


def _jpeg_least_bytes(data: bytes) -> int | None:
    offset = 2
    while offset + 4 <= len(data):
        if data[offset] != 0xFF:
            return None
        marker = data[offset + 1]
        if marker == 0xFF:  # fill byte
            offset += 1
            continue
        length = int.from_bytes(data[offset + 2 : offset + 4], "big")
        if marker in JPEG_FRAMES:
            frame = data[offset + 4 : offset + 2 + length]
            if marker in JPEG_ARITHMETIC or len(frame) < 6 or len(frame) < 6 + 3 * frame[5]:
                return None  # arithmetic coding can spend less than a bit on a flat block
            height, width = int.from_bytes(frame[1:3], "big"), int.from_bytes(frame[3:5], "big")
            sampling = [(frame[7 + 3 * i] >> 4, frame[7 + 3 * i] & 15) for i in range(frame[5])]
            sampling = [hv for hv in sampling if hv[0] and hv[1]]
            if not sampling:
                return None
            h_max, v_max = max(h for h, _ in sampling), max(v for _, v in sampling)
            blocks = sum(_ceil(_ceil(width * h, h_max), 8) * _ceil(_ceil(height * v, v_max), 8) for h, v in sampling)
            return blocks // 8
        if marker == 0xDA or length < 2:  # a scan before any frame header: leave it to the decoder
            return None
        offset += 2 + length
    return None


def _ceil(numerator: int, denominator: int) -> int:
    return -(-numerator // denominator)


def _kilobytes(size: int) -> str:
    return f"{size / 1024:.1f} KB" if size < 1024 * 1024 else f"{size / 2**20:.1f} MB"


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
    fmt = sniffed_format(data) or ""
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
            least = least_bytes(data, fmt)
            if least is not None and len(data) < least:
                raise UnsupportedImage(
                    f"“{name}” is damaged: its header claims {width}×{height} pixels, "
                    f"more than its {_kilobytes(len(data))} of data can hold."
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
        if fmt:  # it starts like a JPEG/PNG/… that Pillow refused to open: a broken header
            raise UnsupportedImage(
                f"“{name}” is a damaged {FORMAT_LABELS.get(fmt, fmt)} file and cannot be decoded."
            ) from None
        raise UnsupportedImage(f"“{name}” {_describe_non_image(data)}.") from None
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        if "truncated" in str(exc).lower():
            raise UnsupportedImage(f"“{name}” is truncated.") from None
        label = FORMAT_LABELS.get(fmt, fmt) or "image"
        raise UnsupportedImage(f"“{name}” is a damaged {label} file and cannot be decoded.") from None
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
