"""Hostile media (issue #9): what a phone, a camera or a crafted file hands the studio.

Imports always store an upright, +faststart MP4 whose recorded size is the size that plays, and
copy packets rather than re-encode when only the file's layout is wrong. Images whose data cannot
hold what their header claims, or whose header is broken, are refused as *damaged* (not
"unsupported"), and a refusal changes nothing; odd but real pixels and names are kept.
"""

from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from core.captions import service as captions
from core.captions.providers.base import CaptionResult
from core.images import validate_image
from core.videos import imports
from core.videos import library as videos
from db.captions import DISPLAY_NAME_CHARS, fit_name
from tests.helpers.corpus import (
    encode,
    float_tiff_with_non_finite,
    jpeg_claiming,
    long_name,
    photo,
    png_with_bad_header_checksum,
    zero_size_png,
)
from tests.helpers.studio import snapshot
from tests.helpers.video import (
    make_moov_at_end,
    make_phone_mp4,
    make_trailing_free_box,
    mp4_boxes,
    stream_packets,
)

# ── imports ─────────────────────────────────────────────────────────────────────────────────────


def _stored(studio, generation_id) -> tuple[videos.GenerationView, Path]:
    view = videos.generation(studio, generation_id)
    assert view is not None and view.cover is not None and view.cover.video_sha256
    return view, videos.video_path(studio, view.cover.video_sha256)


def _assert_streamable(path: Path) -> None:
    """The index comes before the media data and nothing follows the boxes but what they hold."""
    boxes = mp4_boxes(path)
    kinds = [kind for kind, _, _ in boxes]
    assert "moov" in kinds and kinds.index("moov") < kinds.index("mdat"), kinds
    assert sum(size for _, _, size in boxes) == path.stat().st_size, boxes  # no bytes after the last box
    assert sum(size for kind, _, size in boxes if kind in ("free", "skip", "wide")) <= 64, boxes


@pytest.mark.parametrize(
    "degrees, shown, aspect, marker",
    [
        (-90, (180, 320), "9:16", "top right"),  # what a phone held upright writes
        (90, (180, 320), "9:16", "bottom left"),
        (180, (320, 180), "16:9", "bottom right"),  # held upside down
    ],
)
def test_a_phone_clip_with_a_rotation_flag_is_stored_upright_at_the_size_it_plays(
    studio, tmp_path, degrees, shown, aspect, marker
):
    """Was: kept as recorded (320×180 with a "turn 90°" flag), recorded as 320×180 "16:9", played 180×320."""
    source = make_phone_mp4(tmp_path / "portrait.mp4", width=320, height=180, degrees=degrees)
    view, stored = _stored(studio, imports.import_video(studio, "portrait.mp4", source.read_bytes()))
    assert (view.width, view.height, view.aspect_ratio, view.resolution) == (*shown, aspect, f"{shown[1]}p")
    with av.open(str(stored)) as container:
        stream = container.streams.video[0]
        ctx = stream.codec_context
        assert (ctx.name, ctx.pix_fmt, (ctx.width, ctx.height)) == ("h264", "yuv420p", shown)
        first = next(container.decode(stream))
        assert first.rotation == 0  # no flag left for a player to apply a second time
        assert container.streams.audio  # the sound came along
        pixels = first.to_ndarray(format="rgb24").astype(float)
    block = 180 // 4
    corners = {
        "top left": pixels[:block, :block],
        "top right": pixels[:block, -block:],
        "bottom left": pixels[-block:, :block],
        "bottom right": pixels[-block:, -block:],
    }
    assert corners.pop(marker).mean() > 220  # the stored picture's top-left marker, turned as the flag said
    assert all(corner.mean() < 140 for corner in corners.values())
    _assert_streamable(stored)
    poster = Image.open(videos.poster_path(studio, view.cover.video_sha256))
    assert (poster.width > poster.height) == (shown[0] > shown[1])  # the grid shows it upright too


@pytest.mark.parametrize(
    "maker",
    [make_moov_at_end, lambda path: make_trailing_free_box(path, megabytes=4)],
    ids=["index at the end", "4 MB free box at the end"],
)
def test_an_mp4_laid_out_badly_is_remuxed_to_faststart_without_re_encoding(studio, tmp_path, maker):
    """Was: kept byte for byte, index last (nothing plays until the whole file is downloaded) or with its padding."""
    source = maker(tmp_path / "camera.mp4")
    view, stored = _stored(studio, imports.import_video(studio, "camera.mp4", source.read_bytes()))
    _assert_streamable(stored)
    assert stream_packets(stored) == stream_packets(source)  # every picture and sound packet, byte for byte
    assert stored.stat().st_size < source.stat().st_size + 64 * 1024
    assert stored.stat().st_size < 1024 * 1024  # the 4 MB of padding is gone
    assert (view.width, view.height, view.aspect_ratio) == (256, 144, "16:9")


# ── images ──────────────────────────────────────────────────────────────────────────────────────


class _Answering:
    key, label, model, max_long_side = "offline", "A provider that answers", "m", 1120
    follows_instructions = True

    def caption(self, request):
        return CaptionResult(text="A photo.", model="m")

    def rewrite(self, instruction):
        return "A photo."


@pytest.mark.parametrize(
    "name, data, message",
    [
        (
            "huge.jpg",
            jpeg_claiming(10_000, 10_000),  # was: captioned "a plain grey picture", decoded at 10000×10000
            "“huge.jpg” is damaged: its header claims 10000×10000 pixels, more than its 1.6 KB of data can hold.",
        ),
        (
            "nothing.png",
            zero_size_png(),  # was: "not an image in a supported format"
            "“nothing.png” is a damaged PNG file and cannot be decoded.",
        ),
        (
            "flipped.png",
            png_with_bad_header_checksum(),  # was: "not an image in a supported format"
            "“flipped.png” is a damaged PNG file and cannot be decoded.",
        ),
        (
            "noise.png",
            bytes(np.random.default_rng(7).integers(0, 256, 4096, dtype=np.uint8)),
            "“noise.png” is not an image in a supported format (JPEG, PNG, WebP, GIF, BMP or TIFF).",
        ),
        (
            "phone.heic",
            b"\0\0\0\x18ftypheic\0\0\0\0mif1heic" + bytes(64),
            "“phone.heic” is a HEIC/HEIF photo, which we cannot read; export it as JPEG or PNG first.",
        ),
    ],
    ids=["short JPEG", "0x0 PNG", "bad IHDR CRC", "noise: unsupported", "HEIC: unsupported"],
)
def test_a_damaged_image_is_called_damaged_and_an_unknown_one_unsupported_and_nothing_is_saved(
    studio, name, data, message
):
    before = snapshot(studio)
    outcome = captions.caption_image(studio, captions.Upload(name, data), "alt_text", "", _Answering())
    assert outcome.error == message
    assert snapshot(studio) == before


def test_an_image_that_really_is_that_big_and_flat_is_not_mistaken_for_a_short_one():
    jpeg = encode(Image.new("L", (10_000, 10_000), 128), "JPEG", progressive=True, optimize=True)  # ~2 bits a block
    assert validate_image(jpeg, "flat.jpg", max_long_side=1120).width == 10_000
    png = encode(Image.new("1", (4_000, 4_000), 1), "PNG", compress_level=9)  # within 1% of deflate's best ratio
    assert validate_image(png, "flat.png").width == 4_000


def test_non_finite_pixels_in_a_float_tiff_are_ignored_and_the_picture_survives(studio, offline_captioner):
    """Was: two ±inf pixels stretched the range to nothing: "a plain black picture"."""
    data = float_tiff_with_non_finite()
    converted = np.asarray(validate_image(data, "cup.tiff").image.convert("L"), dtype=float)
    expected = np.asarray(photo("coffee").convert("L"), dtype=float)
    lo, hi = expected.min(), expected.max()
    assert np.abs(converted - (expected - lo) * 255 / (hi - lo)).mean() < 2
    outcome = captions.caption_image(studio, captions.Upload("cup.tiff", data), "alt_text", "", offline_captioner)
    assert outcome.ok and outcome.text is not None, outcome.error
    assert "plain" not in outcome.text, outcome.text
    assert snapshot(studio)[:2] == (1, 1)


@pytest.mark.parametrize(
    "name, kept",
    [
        ("a" * 300 + ".jpeg", "a" * 249 + "….jpeg"),
        ("a" * 300, "a" * 254 + "…"),  # no extension to keep
        ("a" * 300 + ".not an extension", "a" * 254 + "…"),
        ("short.png", "short.png"),
    ],
    ids=["extension kept", "no extension", "not an extension", "short enough"],
)
def test_a_name_is_shortened_in_its_middle(name, kept):
    assert fit_name(name, DISPLAY_NAME_CHARS) == kept and len(kept) <= DISPLAY_NAME_CHARS


def test_a_300_character_name_keeps_its_extension(studio):
    """Was: cut at 255 characters, ".jpg" and all."""
    name = long_name(300, ".jpg")
    outcome = captions.caption_image(studio, captions.Upload(name, encode(photo())), "alt_text", "", _Answering())
    assert outcome.ok and outcome.name == name  # the page still shows what was uploaded
    _, rows = captions.history(studio, captions.CaptionFilter())
    stored = rows[0].image_name
    assert stored.endswith(".jpg") and len(stored) <= DISPLAY_NAME_CHARS
    assert stored.startswith(name[:200])
