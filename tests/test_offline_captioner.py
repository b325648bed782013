"""The offline captioner names what is in the picture, in the requested style; how sure it is goes in
``CaptionResult.confidence``, and the caption text is only the caption (hedging words, no figures, no
account of how it was made).

Real models on scikit-image's bundled sample photos: a cat (chelsea), a cup of espresso
(coffee) and a person (astronaut, found by the face detector: ImageNet has no "person").
"""

from __future__ import annotations

import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from core.captions.providers import offline
from core.captions.providers.offline import OfflineCaptioner
from core.captions.styles import STYLES
from core.captions.vision.colours import colour_names, dominant_colours, orientation
from core.captions.vision.text import restore_spaces
from core.errors import ProviderError
from tests.helpers.imaging import SAMPLE_PHOTOS, caption_request, sample_photo

REPO = Path(__file__).resolve().parents[1]
EXPECTED_SUBJECT = {
    "chelsea": r"\bcat\b",
    "coffee": r"espresso|\bcup\b|coffee",
    "astronaut": r"\bperson\b|\bface\b",
}
HEDGES = re.compile(r"very likely|probably|possibly|perhaps", re.IGNORECASE)
METHOD_TALK = re.compile(r"%|\bsure\b|Described on this computer|classifier|ImageNet|detector|offline", re.IGNORECASE)


@pytest.fixture(scope="module")
def captioner() -> OfflineCaptioner:
    return OfflineCaptioner()


@pytest.fixture(scope="module")
def findings() -> dict[str, offline.Findings]:
    """The models run once per photo; the phrasing tests reuse what they saw."""
    return {name: offline.look(sample_photo(name)) for name in SAMPLE_PHOTOS}


@pytest.fixture(scope="module")
def sign() -> Image.Image:
    image = Image.new("RGB", (900, 400), "white")
    ImageDraw.Draw(image).text((40, 140), "OPEN DAILY", fill="black", font=ImageFont.load_default(size=90))
    return image


def test_it_presents_itself_as_a_caption_provider_that_cannot_follow_instructions(captioner):
    from core.captions.providers.base import follows_instructions

    assert captioner.key == "offline"
    assert captioner.label == "Offline captioner (on this computer)"
    assert "efficientnet-lite0" in captioner.model
    assert captioner.max_long_side == 1120
    assert follows_instructions(captioner) is False


@pytest.mark.parametrize("name", SAMPLE_PHOTOS)
def test_alt_text_names_the_subject_of_each_sample_photo(captioner, name):
    result = captioner.caption(caption_request(sample_photo(name), "alt_text"))
    assert re.search(EXPECTED_SUBJECT[name], result.text, re.IGNORECASE), result.text
    assert result.model == captioner.model
    assert result.confidence is not None and 0.6 <= result.confidence <= 1.0
    assert HEDGES.search(result.text)  # its doubt in words, as good alt text has it


@pytest.mark.parametrize("name", SAMPLE_PHOTOS)
def test_every_style_names_the_subject_and_keeps_certainty_out_of_the_text(findings, name):
    for style in STYLES:
        text, confidence = offline._PHRASERS[style](findings[name])
        assert re.search(EXPECTED_SUBJECT[name], text, re.IGNORECASE), (style, text)
        assert "%" not in text and "Described on this computer" not in text, (style, text)
        assert not METHOD_TALK.search(text), (style, text)
        assert 0.0 <= confidence <= 1.0


def test_the_saved_caption_has_no_percentage_but_the_result_keeps_the_confidence(captioner):
    for style in STYLES:
        result = captioner.caption(caption_request(sample_photo("chelsea"), style, "Write a haiku"))
        assert "%" not in result.text and "Described on this computer" not in result.text, result.text
        assert result.confidence == pytest.approx(0.91, abs=0.08)


def test_captions_describe_the_picture_not_the_file(findings):
    for name in SAMPLE_PHOTOS:
        for style in STYLES:
            text, _ = offline._PHRASERS[style](findings[name])
            assert not re.search(r"\d+\s*[x×]\s*\d+|pixels|jpe?g|\bbytes\b|kB\b", text, re.IGNORECASE), text


def test_alt_text_is_one_short_sentence(findings):
    for name in SAMPLE_PHOTOS:
        text, _ = offline.alt_text(findings[name])
        assert len(text) <= 125, text
        assert text.endswith(".") and text.count(". ") == 0, text


def test_alt_text_stays_short_and_keeps_its_hedge_when_there_is_much_text(findings):
    from dataclasses import replace

    from core.captions.vision.text import TextLine

    wordy = replace(
        findings["coffee"], text=[TextLine("Grand opening of the new espresso bar on the corner " * 4, 0.95)]
    )
    text, _ = offline.alt_text(wordy)
    assert len(text) <= 125 and text.startswith("Very likely a cup of coffee") and text.endswith("."), text


def test_detailed_gives_the_kind_its_alternatives_colours_and_faces(findings):
    cat, _ = offline.detailed(findings["chelsea"])
    assert re.search(r"(possibly|probably) an? (tiger|tabby) cat", cat), cat  # the exact kind, hedged
    assert "It could also be an Egyptian Mau" in cat, cat  # the runner-up guesses, in words
    assert re.search(r"main colours are .*(brown|orange|grey)", cat)
    person, _ = offline.detailed(findings["astronaut"])
    assert "One face is visible" in person, person
    assert "helmet" not in person and "could also be" not in person  # ImageNet guesses about a person are noise


def test_social_is_upbeat_with_two_or_three_hashtags(findings):
    for name in SAMPLE_PHOTOS:
        text, _ = offline.social(findings[name])
        assert 2 <= len(re.findall(r"#\w+", text)) <= 3, text
        assert "!" in text


def test_a_custom_prompt_gets_the_detailed_description_without_a_note_in_the_caption(captioner):
    """The page says the prompt is ignored before Generate; the saved caption is only the caption."""
    result = captioner.caption(caption_request(sample_photo("chelsea"), "custom", "Write a haiku"))
    detailed = captioner.caption(caption_request(sample_photo("chelsea"), "detailed"))
    assert result.text == detailed.text and result.text.startswith("This is very likely a cat"), result.text


def test_an_unknown_style_is_a_provider_error(captioner):
    request = caption_request(sample_photo("coffee"), "alt_text")
    with pytest.raises(ProviderError):
        captioner.caption(type(request)(image=request.image, instruction="", style="sonnet"))


def test_visible_text_is_read_and_quoted(captioner, sign):
    result = captioner.caption(caption_request(sign, "alt_text"))
    assert '"OPEN DAILY"' in result.text, result.text
    assert result.confidence > 0.8  # the reading is sure even where the classifier is not


def test_a_broken_text_reader_costs_only_the_text(captioner, monkeypatch):
    from core.captions.vision import text

    def unavailable(image):
        raise text.TextReaderUnavailable("rapidocr-onnxruntime is not installed.")

    monkeypatch.setattr(text, "read_text", unavailable)
    result = captioner.caption(caption_request(sample_photo("chelsea"), "detailed"))
    assert re.search(r"\bcat\b", result.text) and "readable text" not in result.text


def test_missing_face_cascades_are_a_clear_provider_error(captioner, monkeypatch):
    from core.captions.vision import faces

    def unavailable(image):
        raise faces.FaceDetectorUnavailable("This OpenCV build has no Haar cascades.")

    monkeypatch.setattr(faces, "detect_faces", unavailable)
    with pytest.raises(ProviderError, match="could not load its local models"):
        captioner.caption(caption_request(sample_photo("coffee"), "alt_text"))


@pytest.mark.parametrize("size", [(1120, 1), (1, 1120), (1, 1), (30, 30)])
def test_strips_and_specks_are_captioned_without_error(captioner, size):
    result = captioner.caption(caption_request(Image.new("RGB", size, (30, 90, 200)), "alt_text"))
    assert result.text.startswith("Very likely a plain blue picture"), result.text  # not "perhaps a bird"


def test_concurrent_captions_build_each_model_once_and_agree(captioner):
    from core.captions.vision import efficientnet

    efficientnet._build_session.cache_clear()
    requests = [caption_request(sample_photo(name), "alt_text") for name in SAMPLE_PHOTOS]
    expected = [captioner.caption(r).text for r in requests]
    efficientnet._build_session.cache_clear()
    with ThreadPoolExecutor(max_workers=3) as pool:
        results = list(pool.map(captioner.caption, requests * 2))
    assert [r.text for r in results] == expected * 2
    assert efficientnet._build_session.cache_info().misses == 1


def test_importing_the_provider_loads_no_model_library():
    code = (
        "import sys, core.captions.providers.offline; "
        "heavy = {'onnx', 'onnxruntime', 'cv2', 'rapidocr_onnxruntime', 'torch'} & set(sys.modules); "
        "assert not heavy, heavy"
    )
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True, timeout=60)


@pytest.mark.parametrize(
    "rgb, name",
    [
        ((220, 20, 30), "red"),
        ((250, 140, 0), "orange"),
        ((240, 220, 30), "yellow"),
        ((30, 160, 40), "green"),
        ((30, 60, 200), "blue"),
        ((120, 40, 160), "purple"),
        ((250, 150, 190), "pink"),
        ((120, 70, 30), "brown"),
        ((230, 215, 180), "beige"),
        ((250, 250, 250), "white"),
        ((128, 128, 128), "grey"),
        ((10, 10, 10), "black"),
    ],
)
def test_colours_get_everyday_names(rgb, name):
    assert colour_names(np.array([rgb], dtype=np.uint8))[0] == name


def test_dominant_colours_are_ranked_by_area():
    pixels = np.zeros((100, 100, 3), np.uint8)
    pixels[:, :70] = (30, 60, 200)
    pixels[:, 70:] = (250, 250, 250)
    shares = dominant_colours(Image.fromarray(pixels))
    assert [c.name for c in shares] == ["blue", "white"]
    assert shares[0].share == pytest.approx(0.7, abs=0.03)


def test_orientation():
    assert orientation(1200, 800) == "landscape"
    assert orientation(800, 1200) == "portrait"
    assert orientation(1000, 950) == "square"


def test_lost_spaces_are_restored_where_the_case_shows_them():
    assert restore_spaces("OpenNow") == "Open Now"
    assert restore_spaces("background.These markers") == "background. These markers"
    assert restore_spaces("iPhone") == "iPhone"
    assert restore_spaces("EXIT") == "EXIT"
