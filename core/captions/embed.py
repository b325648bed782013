"""A caption written into a copy of an image file, where photo tools and CMSs look for it: EXIF
``ImageDescription`` and XMP ``dc:description`` (and IPTC ``Caption-Abstract`` where the file
already carries IPTC), for JPEG, PNG, WebP and TIFF.

The pixels are never decoded and re-encoded: JPEG segments, PNG chunks and WebP RIFF chunks are
rewritten around the compressed image data, so an export is byte-for-byte the original picture
with new metadata. (A TIFF's directory holds its metadata beside the strips, so it is re-saved
with its own compression, which is lossless for every compression Pillow writes.) The original in
the library is never touched: every function here takes bytes and returns new bytes.
"""

from __future__ import annotations

import hashlib
import io
import struct
import zlib
from xml.sax.saxutils import escape

from core.errors import UnsupportedImage

IMAGE_DESCRIPTION = 0x010E  # EXIF/TIFF tag
XMP_TAG = 700  # TIFF tag holding an XMP packet
XMP_JPEG_HEADER = b"http://ns.adobe.com/xap/1.0/\x00"
EXIF_HEADER = b"Exif\x00\x00"
PHOTOSHOP_HEADER = b"Photoshop 3.0\x00"
IPTC_RESOURCE, IPTC_DIGEST_RESOURCE = 0x0404, 0x0425
CAPTION_ABSTRACT = (2, 120)
FORMATS = ("jpeg", "png", "webp", "tiff")


def sniff(data: bytes) -> str | None:
    """The format of ``data`` from its first bytes (never from a file name)."""
    if data[:3] == b"\xff\xd8\xff":
        return "jpeg"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data[:4] in (b"II*\x00", b"MM\x00*"):
        return "tiff"
    return None


def with_caption(data: bytes, caption: str) -> bytes:
    """A copy of the image ``data`` carrying ``caption`` in its EXIF, XMP (and existing IPTC)."""
    kind = sniff(data)
    if kind is None:
        raise UnsupportedImage("Captions can be written into JPEG, PNG, WebP and TIFF files only.")
    writer = {"jpeg": _jpeg, "png": _png, "webp": _webp, "tiff": _tiff}[kind]
    try:
        return writer(data, caption)
    except (struct.error, ValueError, IndexError, OSError) as exc:
        raise UnsupportedImage(f"The {kind.upper()} file is damaged, so no caption could be written into it.") from exc


def xmp_packet(caption: str) -> bytes:
    """An XMP packet whose ``dc:description`` (x-default) is ``caption``."""
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f'<dc:description><rdf:Alt><rdf:li xml:lang="x-default">{escape(caption)}</rdf:li></rdf:Alt></dc:description>'
        "</rdf:Description></rdf:RDF></x:xmpmeta>"
        '<?xpacket end="w"?>'
    ).encode()


def exif_block(data: bytes, caption: str) -> bytes:
    """The image's own EXIF (kept: camera, date, orientation) with ``ImageDescription`` set, as a TIFF
    structure without the ``Exif\\0\\0`` prefix."""
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        exif = image.getexif()
        exif.get_ifd(0x8769)  # load the Exif sub-IFD so it is written back
        exif.get_ifd(0x8825)  # and GPS
    exif[IMAGE_DESCRIPTION] = caption.encode("utf-8")  # UTF-8 in the ASCII tag, as exiftool and Windows read it
    block = exif.tobytes()
    return block[len(EXIF_HEADER) :] if block.startswith(EXIF_HEADER) else block


# --- JPEG: APP1 (EXIF), APP1 (XMP), APP13 (IPTC) segments ---------------------------------------------


def _segments(data: bytes) -> tuple[list[tuple[int, bytes]], bytes]:
    """The marker segments before the scan, and everything from the scan on (kept as is)."""
    position, found = 2, list[tuple[int, bytes]]()
    while position < len(data):
        if data[position] != 0xFF:
            raise ValueError("not a marker")
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
            continue
        if marker == 0xDA or marker == 0xD9:  # start of scan / end of image: the rest is image data
            return found, data[position:]
        (length,) = struct.unpack(">H", data[position + 2 : position + 4])
        found.append((marker, data[position + 4 : position + 2 + length]))
        position += 2 + length
    raise ValueError("no scan")


def _segment(marker: int, payload: bytes) -> bytes:
    if len(payload) + 2 > 0xFFFF:
        raise ValueError("segment too long")
    return bytes((0xFF, marker)) + struct.pack(">H", len(payload) + 2) + payload


def _jpeg(data: bytes, caption: str) -> bytes:
    segments, rest = _segments(data)
    exif = EXIF_HEADER + exif_block(data, caption)
    xmp = XMP_JPEG_HEADER + xmp_packet(caption)
    head = [s for s in segments if s[0] == 0xE0]  # JFIF stays first
    body = []
    for marker, payload in segments:
        if marker == 0xE0 or (marker == 0xE1 and payload.startswith((EXIF_HEADER, XMP_JPEG_HEADER))):
            continue  # replaced below
        if marker == 0xED and payload.startswith(PHOTOSHOP_HEADER):
            payload = PHOTOSHOP_HEADER + _photoshop_with_caption(payload[len(PHOTOSHOP_HEADER) :], caption)
        body.append((marker, payload))
    out = [b"\xff\xd8", *(_segment(m, p) for m, p in head), _segment(0xE1, exif), _segment(0xE1, xmp)]
    out += [_segment(m, p) for m, p in body]
    return b"".join(out) + rest


def _photoshop_with_caption(resources: bytes, caption: str) -> bytes:
    """Photoshop image resources with the IPTC record's Caption-Abstract set (and its digest renewed)."""
    parsed: list[tuple[int, bytes, bytes]] = []  # (id, name, data)
    position = 0
    while position + 12 <= len(resources) and resources[position : position + 4] == b"8BIM":
        (rid,) = struct.unpack(">H", resources[position + 4 : position + 6])
        name_length = resources[position + 6]
        name_end = position + 7 + name_length + ((name_length + 1) % 2)  # Pascal string, padded to even
        name = resources[position + 6 : name_end]
        (size,) = struct.unpack(">I", resources[name_end : name_end + 4])
        parsed.append((rid, name, resources[name_end + 4 : name_end + 4 + size]))
        position = name_end + 4 + size + (size % 2)
    iptc = next((d for rid, _, d in parsed if rid == IPTC_RESOURCE), None)
    if iptc is None:
        return resources  # no IPTC in this file: leave its resources alone
    new_iptc = iptc_with_caption(iptc, caption)
    digest = hashlib.md5(new_iptc, usedforsecurity=False).digest()
    out = []
    for rid, name, payload in parsed:
        if rid == IPTC_RESOURCE:
            payload = new_iptc
        elif rid == IPTC_DIGEST_RESOURCE:
            payload = digest
        out.append(b"8BIM" + struct.pack(">H", rid) + name + struct.pack(">I", len(payload)) + payload)
        out.append(b"\x00" * (len(payload) % 2))
    return b"".join(out)


def iptc_with_caption(iptc: bytes, caption: str) -> bytes:
    """IPTC-IIM datasets with record 2:120 (Caption-Abstract) replaced or added, UTF-8 declared."""
    datasets: list[tuple[int, int, bytes]] = []
    position = 0
    while position + 5 <= len(iptc) and iptc[position] == 0x1C:
        record, number = iptc[position + 1], iptc[position + 2]
        (size,) = struct.unpack(">H", iptc[position + 3 : position + 5])
        datasets.append((record, number, iptc[position + 5 : position + 5 + size]))
        position += 5 + size
    text = caption.encode("utf-8")[:2000]  # the IIM limit for Caption-Abstract
    datasets = [d for d in datasets if (d[0], d[1]) != CAPTION_ABSTRACT and (d[0], d[1]) != (1, 90)]
    datasets.insert(0, (1, 90, b"\x1b%G"))  # coded character set: UTF-8
    datasets.append((*CAPTION_ABSTRACT, text.decode("utf-8", "ignore").encode("utf-8")))
    datasets.sort(key=lambda d: d[0])
    return b"".join(bytes((0x1C, r, n)) + struct.pack(">H", len(d)) + d for r, n, d in datasets)


# --- PNG: eXIf and iTXt (XML:com.adobe.xmp) chunks -------------------------------------------------


def _chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def _png(data: bytes, caption: str) -> bytes:
    exif = _chunk(b"eXIf", exif_block(data, caption))
    xmp = _chunk(b"iTXt", b"XML:com.adobe.xmp\x00\x00\x00\x00\x00" + xmp_packet(caption))
    out, position, placed = [data[:8]], 8, False
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        end = position + 12 + length
        whole = data[position:end]
        payload = data[position + 8 : position + 8 + length]
        if kind == b"eXIf" or (kind == b"iTXt" and payload.startswith(b"XML:com.adobe.xmp\x00")):
            position = end
            continue
        if kind == b"IDAT" and not placed:  # metadata goes before the image data
            out += [exif, xmp]
            placed = True
        out.append(whole)
        position = end
    if not placed:
        raise ValueError("no image data")
    return b"".join(out)


# --- WebP: a VP8X header with the EXIF and XMP flags, and "EXIF" / "XMP " chunks ---------------------


def _webp(data: bytes, caption: str) -> bytes:
    chunks: list[tuple[bytes, bytes]] = []
    position = 12
    while position + 8 <= len(data):
        kind = data[position : position + 4]
        (size,) = struct.unpack("<I", data[position + 4 : position + 8])
        chunks.append((kind, data[position + 8 : position + 8 + size]))
        position += 8 + size + (size % 2)
    vp8x = next((p for k, p in chunks if k == b"VP8X"), None)
    if vp8x is None:
        from PIL import Image

        with Image.open(io.BytesIO(data)) as image:
            width, height, alpha = image.width, image.height, "A" in image.getbands()
        flags = 0x10 if alpha else 0
        vp8x = bytes((flags, 0, 0, 0)) + (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
    flags = vp8x[0] | 0x08 | 0x04  # EXIF and XMP present
    kept = [(k, p) for k, p in chunks if k not in (b"VP8X", b"EXIF", b"XMP ")]
    ordered = [
        (b"VP8X", bytes((flags,)) + vp8x[1:]),
        *kept,
        (b"EXIF", exif_block(data, caption)),
        (b"XMP ", xmp_packet(caption)),
    ]
    body = b"WEBP" + b"".join(k + struct.pack("<I", len(p)) + p + b"\x00" * (len(p) % 2) for k, p in ordered)
    return b"RIFF" + struct.pack("<I", len(body)) + body


# --- TIFF: tags 270 (ImageDescription) and 700 (XMP) in the first directory -------------------------


def _tiff(data: bytes, caption: str) -> bytes:
    from PIL import Image, ImageSequence

    with Image.open(io.BytesIO(data)) as image:
        compression = image.info.get("compression", "raw")
        if compression in ("jpeg", "tiff_jpeg"):
            compression = "tiff_adobe_deflate"  # never re-encode lossy: deflate keeps the pixels as decoded
        pages = [page.copy() for page in ImageSequence.Iterator(image)]
        info = image.getexif()
    info[IMAGE_DESCRIPTION] = caption.encode("utf-8")
    info[XMP_TAG] = xmp_packet(caption)
    out = io.BytesIO()
    pages[0].save(
        out,
        format="TIFF",
        compression=compression,
        tiffinfo=info,
        save_all=len(pages) > 1,
        append_images=pages[1:],
    )
    return out.getvalue()
