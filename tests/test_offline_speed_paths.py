"""The offline captioner's fast paths keep what it reads: printed words on a photo are still read and
quoted, while a photo the quick probe finds no text on is never searched at full size, and sharing
one colour thumbnail changes no colour.

Photos are scikit-image's samples enlarged to the captioner's 1120 px, as a camera photo reaches it.
"""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from core.captions.providers.offline import OfflineCaptioner
from core.captions.vision import colours, text
from tests.helpers.imaging import SAMPLE_PHOTOS, caption_request, prepare, sample_photo


def camera_sized(name: str) -> Image.Image:
    """A sample photo as the captioner receives a camera photo: 1120 px on the long side."""
    photo = sample_photo(name)
    return prepare(photo.resize((photo.width * 4, photo.height * 4), Image.Resampling.BICUBIC)).image


def with_sign(photo: Image.Image, words: str) -> Image.Image:
    """The photo with a light panel of large printed words on it (about 7% of its height)."""
    photo = photo.copy()
    draw = ImageDraw.Draw(photo)
    draw.rectangle((560, 80, 1060, 220), fill=(245, 242, 235))
    draw.text((590, 100), words, fill=(20, 20, 20), font=ImageFont.load_default(size=80))
    return photo


@pytest.fixture
def full_searches(monkeypatch) -> list[tuple[int, ...]]:
    """Records the size of every full-size text search (RapidOCR's whole pipeline, not the probe)."""
    from rapidocr_onnxruntime import RapidOCR

    searches: list[tuple[int, ...]] = []
    search = RapidOCR.__call__

    def recorded(engine, picture, *args, **kwargs):
        searches.append(np.asarray(picture).shape)
        return search(engine, picture, *args, **kwargs)

    monkeypatch.setattr(RapidOCR, "__call__", recorded)
    return searches


def test_large_printed_words_on_a_photo_are_read_and_quoted(full_searches):
    photo = with_sign(camera_sized("coffee"), "OPEN DAILY")
    assert [line.text for line in text.read_text(photo)] == ["OPEN DAILY"]
    caption = OfflineCaptioner().caption(caption_request(photo, "alt_text"))
    assert '"OPEN DAILY"' in caption.text, caption.text
    assert len(full_searches) == 2  # the probe saw text both times, so the picture was searched


@pytest.mark.parametrize("name", SAMPLE_PHOTOS)
def test_a_photo_without_text_is_not_searched_at_full_size(full_searches, name):
    photo = camera_sized(name)
    assert text.read_text(photo) == []
    assert full_searches == []
    detailed = OfflineCaptioner().caption(caption_request(photo, "detailed"))
    assert "There is no readable text." in detailed.text  # checked, and found none: not "could not read"


def test_the_probe_and_the_full_search_run_at_their_documented_sizes(monkeypatch):
    from rapidocr_onnxruntime.ch_ppocr_det.utils import DetPreProcess  # type: ignore[import-untyped]

    long_sides: list[int] = []  # of every copy the detector is given
    shrink = DetPreProcess.__call__

    def recorded(preprocess, picture):
        prepared = shrink(preprocess, picture)
        long_sides.append(max(prepared.shape[2:]))
        return prepared

    monkeypatch.setattr(DetPreProcess, "__call__", recorded)
    lines = text.read_text(with_sign(camera_sized("chelsea"), "WELCOME"))
    assert [line.text for line in lines] == ["WELCOME"]
    # RapidOCR left to itself searches a 1120 px picture at 1120 px, whatever det_limit_side_len says
    assert long_sides == [text.PROBE_LONG_SIDE, text.DETECT_LONG_SIDE]


@pytest.mark.parametrize(
    "size, words, font_size",
    [((320, 140), "EXIT", 70), ((1120, 28), "BREAKING NEWS", 22)],  # no smaller copy; too thin to shrink
)
def test_pictures_the_probe_cannot_shrink_are_searched_directly(full_searches, size, words, font_size):
    picture = Image.new("RGB", size, (250, 250, 245))
    ImageDraw.Draw(picture).text((20, 2), words, fill="black", font=ImageFont.load_default(size=font_size))
    assert [line.text for line in text.read_text(picture)] == [words]
    assert len(full_searches) == 1


@pytest.mark.parametrize("name", SAMPLE_PHOTOS)
def test_one_shared_colour_thumbnail_names_the_same_colours(name):
    photo = camera_sized(name)
    small = colours.thumbnail(photo)
    assert colours.dominant_colours(small) == colours.dominant_colours(photo)
    assert colours.plain_colour(small) == colours.plain_colour(photo)
    blank = Image.new("RGB", (1120, 840), (30, 90, 200))
    assert colours.plain_colour(colours.thumbnail(blank)) == colours.plain_colour(blank) == "blue"
