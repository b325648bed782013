"""A caption written into a copy of an image is read back by an independent reader (exiftool, from
Debian's libimage-exiftool-perl, installed by the test set-up) from EXIF ImageDescription and XMP
dc:description, and from IPTC Caption-Abstract where the file already had IPTC; the picture itself
is unchanged and the file's own metadata (camera, date, orientation) is kept."""

from __future__ import annotations

import io
import json
import shutil
import subprocess

import numpy as np
import pytest
from PIL import Image

from core.captions.embed import sniff, with_caption
from core.errors import UnsupportedImage

CAPTION = "A red kayak on a calm lake at dawn — “mist” & <reeds>, café au lait"
FORMATS: dict[str, tuple[str, dict[str, object]]] = {
    "jpeg": ("JPEG", {"quality": 90}),
    "png": ("PNG", {}),
    "webp": ("WEBP", {"quality": 80}),
    "webp-lossless-alpha": ("WEBP", {"lossless": True}),
    "tiff": ("TIFF", {"compression": "tiff_lzw"}),
}


def exiftool(path, *tags: str) -> dict:
    tool = shutil.which("exiftool")
    assert tool, "exiftool is missing: scripts/setup.sh dev installs libimage-exiftool-perl"
    answer = subprocess.run([tool, "-j", "-G1", "-a", *tags, str(path)], capture_output=True, text=True, timeout=60)
    assert answer.returncode == 0, answer.stderr
    return json.loads(answer.stdout)[0]


def picture(kind: str) -> bytes:
    pixels = (np.random.default_rng(7).random((48, 80, 3)) * 255).astype("uint8")
    image = Image.fromarray(pixels)
    if kind.endswith("alpha"):
        image.putalpha(200)
    fmt, options = FORMATS[kind]
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def pixels_of(data: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(data)) as image:
        return np.asarray(image.convert("RGBA"))


@pytest.mark.parametrize("kind", FORMATS)
def test_the_caption_is_read_back_from_exif_and_xmp_and_the_picture_is_unchanged(tmp_path, kind):
    original = picture(kind)
    written = with_caption(original, CAPTION)
    path = tmp_path / f"copy.{kind.split('-')[0]}"
    path.write_bytes(written)

    found = exiftool(path, "-ImageDescription", "-XMP-dc:Description", "-Warning", "-Error")

    assert found["IFD0:ImageDescription"] == CAPTION
    assert found["XMP-dc:Description"] == CAPTION
    assert "ExifTool:Warning" not in found and "ExifTool:Error" not in found
    assert sniff(written) == sniff(original)
    assert np.array_equal(pixels_of(written), pixels_of(original))
    if kind == "jpeg":  # the compressed scan is copied byte for byte, never re-encoded
        assert written[written.index(b"\xff\xda") :] == original[original.index(b"\xff\xda") :]


def test_a_jpeg_keeps_its_camera_date_and_orientation_and_its_iptc_caption_is_replaced(tmp_path):
    source = tmp_path / "camera.jpg"
    source.write_bytes(picture("jpeg"))
    tool = shutil.which("exiftool")
    assert tool
    subprocess.run(
        [
            tool,
            "-q",
            "-overwrite_original",
            "-IPTC:Keywords=kayak",
            "-IPTC:Caption-Abstract=old words",
            "-EXIF:Make=Canon",
            "-EXIF:Orientation#=6",
            "-EXIF:DateTimeOriginal=2026:01:02 03:04:05",
            str(source),
        ],
        check=True,
        timeout=60,
    )
    copy = tmp_path / "copy.jpg"
    copy.write_bytes(with_caption(source.read_bytes(), "Ein Kajak im Nebel — neu"))

    found = exiftool(copy, "-IPTC:all", "-ImageDescription", "-Make", "-Orientation", "-DateTimeOriginal", "-Warning")

    assert found["IPTC:Caption-Abstract"] == "Ein Kajak im Nebel — neu"
    assert found["IPTC:Keywords"] == "kayak"
    assert found["IFD0:ImageDescription"] == "Ein Kajak im Nebel — neu"
    assert (found["IFD0:Make"], found["IFD0:Orientation"]) == ("Canon", "Rotate 90 CW")
    assert found["ExifIFD:DateTimeOriginal"] == "2026:01:02 03:04:05"
    assert "ExifTool:Warning" not in found  # the IPTC digest was renewed with the record
    assert "old words" not in copy.read_bytes().decode("latin-1")


def test_a_file_without_iptc_gets_none_and_writing_twice_leaves_one_caption(tmp_path):
    once = with_caption(picture("jpeg"), "first words")
    twice = with_caption(once, "second words")
    path = tmp_path / "twice.jpg"
    path.write_bytes(twice)

    found = exiftool(path, "-IPTC:all", "-ImageDescription", "-XMP-dc:Description")

    assert not any(key.startswith("IPTC:") for key in found)
    assert found["IFD0:ImageDescription"] == "second words"
    assert twice.count(b"http://ns.adobe.com/xap/1.0/") == 1 and b"first words" not in twice


@pytest.mark.parametrize("data", [b"GIF89a\x01\x00\x01\x00", b"not an image at all", b"\xff\xd8\xff\xe0\x00\x10JFIF"])
def test_what_cannot_carry_a_caption_is_refused_with_a_sentence(data):
    with pytest.raises(UnsupportedImage) as refused:
        with_caption(data, "words")
    assert refused.value.message.endswith(".") and "\n" not in refused.value.message
