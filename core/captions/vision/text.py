"""Text visible in a picture, read by RapidOCR (PP-OCRv4 models shipped inside its wheel).

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

if TYPE_CHECKING:
    from PIL import Image

MIN_LINE_SCORE = 0.8  # recogniser confidence below this is mostly misreads of textures
MIN_LINE_CHARS = 2
# The detector's input is capped at this long side (RapidOCR's default instead scales the
# short side *up* to 736, which makes a phone photo several times slower to read).
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


_lock = threading.Lock()  # one engine, one caller at a time: its detector mutates shared settings


@lru_cache(maxsize=1)
def _engine() -> Any:
    try:
        from rapidocr_onnxruntime import RapidOCR
    except ImportError as exc:
        raise TextReaderUnavailable("rapidocr-onnxruntime is not installed.") from exc
    return RapidOCR(det_limit_type="max", det_limit_side_len=DETECT_LONG_SIDE)


def restore_spaces(text: str) -> str:
    """Undo the recogniser's lost spaces where the case changes show the word boundaries."""
    text = _SENTENCE_BOUNDARY.sub(" ", " ".join(text.split()))
    if " " in text:
        return text
    return _CAMEL_BOUNDARY.sub(" ", text)


def read_text(image: Image.Image) -> list[TextLine]:
    """Confident lines of text, top to bottom."""
    from core.captions.vision.memory import release_freed_memory

    with _lock:
        engine = _engine()
        # use_cls=False: the upside-down-text classifier costs time and photos are already upright.
        result, _elapsed = engine(image.convert("RGB"), use_cls=False)
        release_freed_memory()  # the detector's feature maps (~100 MB on a phone photo) were just freed
    lines = []
    for _box, text, score in result or []:
        text = restore_spaces(str(text))
        if float(score) >= MIN_LINE_SCORE and len(text) >= MIN_LINE_CHARS and _HAS_WORD_CHAR.search(text):
            lines.append(TextLine(text, float(score)))
    return lines
