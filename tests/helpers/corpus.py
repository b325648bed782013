"""Images made by code for the tests: scikit-image's sample photos and a corpus of bad inputs.

Nothing here is committed as a binary; every file is generated when a test asks for it.
"""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
from PIL import Image


def photo(name: str = "chelsea") -> Image.Image:
    """One of scikit-image's bundled sample photos (chelsea, coffee, astronaut, …) as RGB."""
    from skimage import data

    return Image.fromarray(getattr(data, name)()).convert("RGB")


def encode(image: Image.Image, fmt: str = "JPEG", **params) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **params)
    return buffer.getvalue()


def big_photo(megapixels: float = 12.0, name: str = "coffee") -> bytes:
    """A camera-sized JPEG (default 12 MP, 4:3) made by upscaling a sample photo."""
    width = int((megapixels * 1e6 * 4 / 3) ** 0.5)
    height = int(width * 3 / 4)
    return encode(photo(name).resize((width, height), Image.Resampling.BICUBIC), "JPEG", quality=92)


def _png_chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def decompression_bomb_png(side: int = 40_000) -> bytes:
    """A few hundred bytes of PNG that claims to be side×side pixels."""
    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)  # 8-bit greyscale
    body = zlib.compress(b"\x00" * (side + 1) * 4, 9)  # the first rows only
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", body) + _png_chunk(b"IEND", b"")


def jpeg_claiming(width: int = 10_000, height: int = 10_000) -> bytes:
    """About 1.6 KB of real JPEG (a 64×64 photo) whose frame header claims ``width``×``height``.

    libjpeg paints the blocks it has no data for grey, so it decodes without an error.
    """
    data = encode(photo("chelsea").resize((64, 64)), "JPEG", quality=75)
    frame = data.index(b"\xff\xc0")  # baseline frame header: marker, length, precision, height, width
    return data[: frame + 5] + struct.pack(">HH", height, width) + data[frame + 9 :]


def float_tiff_with_non_finite() -> bytes:
    """The coffee photo as a 32-bit float TIFF (0..1) with a +inf, a -inf and a NaN pixel."""
    pixels = np.asarray(photo("coffee").convert("L"), dtype=np.float32) / 255
    pixels[10, 10], pixels[20, 20], pixels[30, 30] = np.inf, -np.inf, np.nan
    return encode(Image.fromarray(pixels, "F"), "TIFF")


def zero_size_png() -> bytes:
    """A well-formed PNG (every checksum right) whose header says 0×0 pixels."""
    header = struct.pack(">IIBBBBB", 0, 0, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(b""))
        + _png_chunk(b"IEND", b"")
    )


def png_with_bad_header_checksum() -> bytes:
    """A real PNG photo whose IHDR chunk's CRC is wrong (one flipped byte in transit)."""
    data = bytearray(encode(photo("chelsea"), "PNG"))
    crc = 8 + 8 + 13  # signature, IHDR length and type, IHDR payload
    data[crc] ^= 0xFF
    return bytes(data)


def long_name(length: int = 300, extension: str = ".jpg") -> str:
    """A file name of ``length`` characters ending in ``extension`` (longer than any database column)."""
    stem = "holiday photo from the beach at sunset " * (length // 10 + 1)
    return stem[: length - len(extension)] + extension


def exif_rotated_jpeg() -> bytes:
    """A landscape JPEG whose EXIF says 'rotate 90° clockwise to display' (orientation 6)."""
    image = photo("chelsea")
    exif = Image.Exif()
    exif[0x0112] = 6
    return encode(image, "JPEG", exif=exif.tobytes())


def good_corpus() -> dict[str, bytes]:
    """Awkward but valid images: each must be captioned."""
    base = photo("coffee")
    rgba = base.convert("RGBA")
    rgba.putalpha(Image.linear_gradient("L").resize(base.size))
    sixteen = (np.asarray(base.convert("L"), dtype=np.uint16) * 257).astype(np.uint16)
    palette = base.convert("P", palette=Image.Palette.ADAPTIVE, colors=64)
    palette.info["transparency"] = 0
    frames = [photo("chelsea").rotate(angle) for angle in (0, 10, 20)]
    gif = io.BytesIO()
    frames[0].save(gif, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    return {
        "cmyk.jpg": encode(base.convert("CMYK"), "JPEG"),
        "sixteen-bit.png": encode(Image.fromarray(sixteen), "PNG"),
        "palette-transparent.png": encode(palette, "PNG", transparency=0),
        "rgba.png": encode(rgba, "PNG"),
        "animated.gif": gif.getvalue(),
        "exif-rotated.jpg": exif_rotated_jpeg(),
        "one-pixel.png": encode(Image.new("RGB", (1, 1), (200, 30, 30)), "PNG"),
        "wide-strip.png": encode(Image.new("RGB", (20_000, 20), (30, 90, 200)), "PNG"),
        "photo.webp": encode(base, "WEBP"),
        "photo.bmp": encode(base, "BMP"),
        "photo.tiff": encode(base, "TIFF"),
    }


def bad_corpus() -> dict[str, tuple[bytes, str]]:
    """Inputs that must be refused, with a word the refusal message must contain."""
    jpeg = encode(photo("chelsea"), "JPEG")
    return {
        "empty.jpg": (b"", "empty"),
        "truncated.jpg": (jpeg[: len(jpeg) // 2], "truncated"),
        "notes.png": (b"Shopping list\n- milk\n- eggs\n", "text file"),
        "page.jpg": (b"<!DOCTYPE html><html><body><h1>Hello</h1></body></html>", "HTML"),
        "bomb.png": (decompression_bomb_png(), "decompression bomb"),
        "drawing.svg": (
            b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
            b'<rect width="10" height="10" fill="red"/></svg>',
            "SVG",
        ),
        "random.jpg": (bytes(np.random.default_rng(7).integers(0, 256, 4096, dtype=np.uint8)), "not an image"),
    }
