"""Caption controls: a template with placeholders, a trigger word, words to include or avoid, a
target length and an output language.

What a model can follow (words, length, language) is asked of it in the instruction; what the
studio can do itself (the template, the trigger word) is applied to the caption it returns. Nothing
is ever cut: a caption past the target or the 125-character alt-text guide gets a soft note, and an
avoided word that slips through is pointed out, not silently removed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from core.captions.styles import ALT_TEXT
from core.errors import StudioError

if TYPE_CHECKING:
    from PIL import Image

PLACEHOLDERS = ("{caption}", "{filename}", "{folder}", "{subject}")
ALT_TEXT_GUIDE = 125  # characters: what screen-reader guidance suggests for alt text
LANGUAGES = (
    "English",
    "Arabic",
    "Chinese",
    "Dutch",
    "French",
    "German",
    "Hindi",
    "Italian",
    "Japanese",
    "Korean",
    "Polish",
    "Portuguese",
    "Spanish",
    "Swedish",
    "Turkish",
    "Ukrainian",
)
DEFAULT_LANGUAGE = "English"
MAX_TEMPLATE_CHARS = 500


def parse_words(text: str) -> tuple[str, ...]:
    """Words or phrases typed as "sunset, red kayak; calm": each once, in order."""
    found: list[str] = []
    for part in re.split(r"[,;\n]", text):
        word = " ".join(part.split())
        if word and word.lower() not in (w.lower() for w in found):
            found.append(word)
    return tuple(found)


@dataclass(frozen=True)
class CaptionControls:
    template: str = "{caption}"
    prefix: str = ""  # a trigger word put first
    include: tuple[str, ...] = ()
    avoid: tuple[str, ...] = ()
    target_chars: int | None = None
    language: str = DEFAULT_LANGUAGE

    @property
    def needs_subject(self) -> bool:
        return "{subject}" in self.template

    def check(self, follows_instructions: bool, provider_label: str) -> None:
        """Refuse, before any image is read, what cannot be done; one sentence each."""
        if len(self.template) > MAX_TEMPLATE_CHARS:
            raise StudioError(f"The caption template is longer than {MAX_TEMPLATE_CHARS} characters; shorten it.")
        unknown = set(re.findall(r"\{[^{}]*\}", self.template)) - set(PLACEHOLDERS)
        if unknown:
            raise StudioError(
                f"The caption template has {', '.join(sorted(unknown))}; it takes {', '.join(PLACEHOLDERS)}."
            )
        if "{caption}" not in self.template:
            raise StudioError("The caption template needs {caption}, where the caption itself goes.")
        if self.target_chars is not None and not 20 <= self.target_chars <= 2000:
            raise StudioError("Set the target length between 20 and 2,000 characters.")
        if self.language not in LANGUAGES:
            raise StudioError(f"Pick an output language from the list ({self.language} is not one).")
        if self.language != DEFAULT_LANGUAGE and not follows_instructions:
            raise StudioError(
                f"{provider_label} writes English only; pick watsonx or an OpenAI-compatible provider "
                f"to caption in {self.language}."
            )

    def instruction(self, base: str) -> str:
        """The style's instruction with what the model is asked to follow."""
        asks = []
        if self.include:
            asks.append("Use these words or phrases: " + "; ".join(self.include) + ".")
        if self.avoid:
            asks.append("Do not use these words or phrases: " + "; ".join(self.avoid) + ".")
        if self.target_chars:
            asks.append(f"Aim for about {self.target_chars} characters.")
        if self.language != DEFAULT_LANGUAGE:
            asks.append(f"Write the caption in {self.language}.")
        if not asks:
            return base
        return f"{base}\n\n" + " ".join(asks) + " Reply with the caption only."

    def apply(self, caption: str, filename: str, subject: str = "") -> str:
        """The caption as saved: the template filled, the trigger word first (once)."""
        stem, folder = file_parts(filename)
        values = {"{caption}": caption.strip(), "{filename}": stem, "{folder}": folder, "{subject}": subject}
        text = self.template
        for placeholder, value in values.items():
            text = text.replace(placeholder, value)
        text = " ".join(text.split(" ")).strip()
        prefix = " ".join(self.prefix.split())
        if prefix and not text.startswith(prefix):
            text = f"{prefix}, {text}"
        return text

    def notes(self, caption: str, style: str) -> list[str]:
        """Soft warnings about a caption (never a reason to change it)."""
        found = []
        guide = self.target_chars or (ALT_TEXT_GUIDE if style == ALT_TEXT else None)
        if guide and len(caption) > guide:
            what = "the target" if self.target_chars else "the 125 characters suggested for alt text"
            found.append(f"{len(caption)} characters: longer than {what} ({guide}).")
        lowered = caption.lower()
        slipped = [w for w in self.avoid if re.search(rf"(?<!\w){re.escape(w.lower())}(?!\w)", lowered)]
        if slipped:
            found.append("Contains words you asked to avoid: " + ", ".join(slipped) + ".")
        missing = [w for w in self.include if w.lower() not in lowered]
        if missing:
            found.append("Leaves out: " + ", ".join(missing) + ".")
        return found


def file_parts(name: str) -> tuple[str, str]:
    """(file name without extension, the folder it was in, if the upload said) from an upload name."""
    parts = [p for p in re.split(r"[\\/]", name) if p]
    last = parts[-1] if parts else name
    stem = last.rsplit(".", 1)[0] if "." in last.lstrip(".") else last
    return stem, parts[-2] if len(parts) > 1 else ""


def counter(text: str, style: str, target: int | None = None) -> tuple[str, bool]:
    """The live character counter's words, and whether it is past the guide (a soft warning)."""
    guide = target or (ALT_TEXT_GUIDE if style == ALT_TEXT else None)
    if guide is None:
        return f"{len(text)} characters", False
    return f"{len(text)} / {guide} characters", len(text) > guide


def subject_of(image: Image.Image) -> str:
    """The main subject as the offline vision model names it ("a cat"), for ``{subject}``."""
    from core.captions.providers.offline import look

    return look(image).main_subject()[0]
