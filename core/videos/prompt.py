"""The structured video prompt and the style presets: what Create video asks for and sends.

A prompt is written in three parts (scene, visual details, motion) because video models follow a
prompt better when the shot is described the way a cinematographer would: what is there, how it
looks, how the camera moves. ``compose()`` joins the parts into the one text the API receives.

What the words mean to the offline renderer (its palette, camera move and motifs) lives with that
renderer, in ``core.videos.backends.offline.words``; a preset's ``Treatment`` is here because the
preset is one choice in the form, sent to the cloud as words and to the renderer as a look.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from core.errors import StudioError

# The Videos API reference gives the prompt `minLength 1`, `maxLength 32000` (characters):
# https://developers.openai.com/api/reference/resources/videos/methods/create
MAX_PROMPT_CHARS = 32_000

RGB = tuple[int, int, int]


class InvalidPrompt(StudioError):
    """The prompt is empty or longer than the back-end accepts."""


@dataclass(frozen=True)
class VideoPrompt:
    scene: str  # what is there: subject, place, time of day
    visual: str  # how it looks: light, colours, lens, texture
    motion: str  # how things and the camera move
    extra: str = ""  # anything else, sent as written

    def compose(self, preset: str | None = None) -> str:
        """One prompt, a labelled sentence per part; empty parts are left out; the preset's style last."""
        parts = [("Scene", self.scene), ("Visual details", self.visual), ("Motion", self.motion), ("", self.extra)]
        suffix = STYLE_PRESETS[preset].suffix if preset and preset in STYLE_PRESETS else ""
        parts.append(("Style", suffix))
        lines = []
        for label, text in parts:
            text = " ".join(text.split())
            if not text:
                continue
            if text[-1] not in ".!?…\"”'":
                text += "."
            lines.append(f"{label}: {text}" if label else text)
        return "\n".join(lines)


def validate_prompt(text: str, max_chars: int = MAX_PROMPT_CHARS) -> str:
    """The prompt stripped of outer whitespace, or ``InvalidPrompt`` with one sentence."""
    text = (text or "").strip()
    if not text:
        raise InvalidPrompt("The prompt is empty: describe at least the scene.")
    if len(text) > max_chars:
        raise InvalidPrompt(f"The prompt is {len(text):,} characters long; the limit is {max_chars:,}.")
    return text


# ── style presets ───────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Treatment:
    """How the offline renderer finishes a preset's look: grade, grain, vignette, timing."""

    grade: str = "colour"  # "colour" | "mono" (greys) | "sepia" (browns to cream)
    saturation: float = 1.0
    contrast: float = 1.0
    brightness: float = 1.0
    posterize: int = 0  # levels per channel; 0 keeps them all
    grain: float = 0.0  # standard deviation of film grain, in 0–255 levels (costly to encode: keep it low)
    dust: float = 0.0  # specks and scratches per frame, 0–1: reads as old film, cheap to encode
    flicker: float = 0.0  # ± brightness from frame to frame, as a fraction
    vignette: float = 0.0  # how much the corners darken, 0–1
    paper: float = 0.0  # strength of a fibrous card texture, 0–1
    hold: int = 1  # frames each drawing is held: 2 is stop motion "on twos"
    jitter: float = 0.0  # per-drawing camera shake, in pixels at 720p
    palette: tuple[RGB, ...] = ()  # colours the scene palette is pulled towards
    pull: float = 0.0  # how far, 0–1
    particles: str | None = None  # a particle kind the preset always adds


@dataclass(frozen=True)
class StylePreset:
    name: str
    suffix: str  # appended to the composed prompt as "Style: …"
    treatment: Treatment = field(default_factory=Treatment)


STYLE_PRESETS: dict[str, StylePreset] = {
    p.name: p
    for p in (
        StylePreset("None", ""),
        StylePreset(
            "Archival",
            "Archival footage: grainy 16 mm film in faded sepia tones, gentle gate weave and exposure flicker, "
            "soft vignette, the look of a century-old newsreel.",
            Treatment(grade="sepia", contrast=1.15, grain=2.5, dust=1.0, flicker=0.07, vignette=0.55, jitter=0.6),
        ),
        StylePreset(
            "Film Noir",
            "Film noir: black-and-white, hard low-key lighting with deep shadows and bright highlights, "
            "venetian-blind light, 1940s crime-film mood.",
            Treatment(grade="mono", contrast=1.7, brightness=0.95, dust=0.3, vignette=0.65),
        ),
        StylePreset(
            "Cardboard & Papercraft",
            "Cardboard and papercraft diorama: layered cut paper and corrugated card, visible fibres and "
            "hand-cut edges, soft studio light, handmade stop-motion feel.",
            Treatment(
                saturation=0.85,
                posterize=7,
                paper=0.18,
                vignette=0.2,
                hold=2,
                jitter=1.2,
                palette=((196, 154, 108), (233, 214, 180), (120, 86, 56)),
                pull=0.35,
            ),
        ),
        StylePreset(
            "Whimsical Stop Motion",
            "Whimsical stop-motion animation: a handcrafted miniature set of clay and felt, playful "
            "characters, warm practical lights, slightly stepped motion.",
            Treatment(
                saturation=1.2,
                contrast=1.05,
                vignette=0.3,
                hold=2,
                jitter=1.6,
                palette=((255, 183, 197), (167, 219, 216), (255, 231, 150)),
                pull=0.25,
                particles="confetti",
            ),
        ),
        StylePreset(
            "Balloon World",
            "Balloon world: everything is made of glossy inflatable balloons with shiny highlights, "
            "bright candy colours and soft rounded shapes.",
            Treatment(
                saturation=1.35,
                brightness=1.06,
                contrast=1.05,
                palette=((255, 64, 129), (64, 196, 255), (255, 214, 0)),
                pull=0.3,
                particles="balloons",
            ),
        ),
    )
}


def style_preset(name: str | None) -> StylePreset:
    """The built-in preset of that name; no choice, or a user's own preset (which adds words, not a
    look), is the plain "None" preset."""
    return STYLE_PRESETS.get(name or "None", STYLE_PRESETS["None"])
