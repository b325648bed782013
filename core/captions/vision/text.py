"""Text visible in a picture, read by RapidOCR (PP-OCRv4 models shipped inside its wheel).

Reading has two halves: the detector draws a text map over a copy of the picture, then the
recogniser reads each box found on it from the picture itself. The detector is nearly all the
cost, and most photos show no text, so a picture is probed first: the same detector runs on a copy
``PROBE_LONG_SIDE`` pixels long. Where that map has no text-like pixel, reading stops there;
otherwise the picture is searched on a copy ``DETECT_LONG_SIDE`` pixels long and read. The probe
catches most words from about 2.5% of the long side (28 px on the captioner's 1120 px copy) and
pages of smaller print; a lone smaller line on a photo mostly goes unread. The figures are in
docs/performance.md (bench/bench_offline_batch.py).

Only confident lines are kept: a caption that quotes garbage is worse than one that quotes
nothing. The engine takes about half a second to construct, so it is built on first use and
shared. RapidOCR sometimes drops the spaces between English words ("OpenNow"); where a line has
no spaces we split it at lower-to-upper case changes, and otherwise quote it as read.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from PIL import Image

MIN_LINE_SCORE = 0.8  # recogniser confidence below this is mostly misreads of textures
MIN_LINE_CHARS = 2
PROBE_LONG_SIDE = 448  # a 1120x840 photo is probed at 448x320 (RapidOCR rounds sides to /32): a sixth of its pixels
TEXT_PIXEL = 0.3  # a text-map value above this is text to the detector (its own binarisation threshold)
# The search proper: under half the time and memory (~100 MB, not ~200) of searching 1120 px, for
# print under ~16 px read less often.
DETECT_LONG_SIDE = 736
_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z]{2})(?=[A-Z])")  # two lower-case letters: "iPhone" stays
_SENTENCE_BOUNDARY = re.compile(r"(?<=[a-z][.,;:!?])(?=[A-Z])")
_HAS_WORD_CHAR = re.compile(r"[^\W_]")


class TextReaderUnavailable(RuntimeError):
    """rapidocr-onnxruntime is not installed or its models cannot be loaded."""


@dataclass(frozen=True)
class TextLine:
    text: str
    score: float  # the recogniser's mean character confidence, 0..1


@dataclass(frozen=True)
class _Reader:
    """The engine, and the detector's preprocessing that makes the probe's copy."""

    engine: Any  # rapidocr_onnxruntime.RapidOCR
    shrink: Any  # rapidocr_onnxruntime.ch_ppocr_det.utils.DetPreProcess


_lock = threading.Lock()  # one engine, one caller at a time: its detector mutates shared settings


@lru_cache(maxsize=1)
def _reader() -> _Reader:
    try:
        from rapidocr_onnxruntime import RapidOCR
        from rapidocr_onnxruntime.ch_ppocr_det.utils import DetPreProcess  # type: ignore[import-untyped]
    except ImportError as exc:
        raise TextReaderUnavailable("rapidocr-onnxruntime is not installed.") from exc
    engine = RapidOCR()
    detector = engine.text_det
    search = DetPreProcess(DETECT_LONG_SIDE, "max", detector.mean, detector.std)
    # RapidOCR 1.4 ignores det_limit_side_len under the "max" limit type (it picks 960, 1500 or 2000
    # from the picture's size, so a 1120 px photo was searched at 1120), and its default "min" type
    # scales the short side *up* to 736: set the detector's copy here.
    detector.get_preprocess = lambda _long_side: search
    return _Reader(engine, DetPreProcess(PROBE_LONG_SIDE, "max", detector.mean, detector.std))


def restore_spaces(text: str) -> str:
    """Undo the recogniser's lost spaces where the case changes show the word boundaries."""
    text = _SENTENCE_BOUNDARY.sub(" ", " ".join(text.split()))
    if " " in text:
        return text
    return _CAMEL_BOUNDARY.sub(" ", text)


def _shows_text(reader: _Reader, bgr: np.ndarray) -> bool:
    """The probe: does the detector's map of a small copy have any text-like pixel?"""
    small = reader.shrink(bgr) if max(bgr.shape[:2]) > PROBE_LONG_SIDE else None
    if small is None:  # small already, or a strip too thin to shrink: the full search costs no more
        return True
    return bool((reader.engine.text_det.infer(small)[0] > TEXT_PIXEL).any())


def read_text(image: Image.Image) -> list[TextLine]:
    """Confident lines of text, top to bottom ([] without a search when the probe sees no text)."""
    import cv2

    from core.captions.vision.memory import release_freed_memory

    bgr = cv2.cvtColor(np.asarray(image.convert("RGB")), cv2.COLOR_RGB2BGR)  # RapidOCR's channel order
    with _lock:
        reader = _reader()
        # use_cls=False: the upside-down-text classifier costs time and photos are already upright.
        result = reader.engine(bgr, use_cls=False)[0] if _shows_text(reader, bgr) else None
        release_freed_memory()  # the detector's feature maps (~100 MB after a search) were just freed
    lines = []
    for _box, text, score in result or []:
        text = restore_spaces(str(text))
        if float(score) >= MIN_LINE_SCORE and len(text) >= MIN_LINE_CHARS and _HAS_WORD_CHAR.search(text):
            lines.append(TextLine(text, float(score)))
    return lines
