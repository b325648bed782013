"""The structured video prompt, the style presets, and what the words of a prompt ask for.

A prompt is written in three parts (scene, visual details, motion) because video models follow a
prompt better when the shot is described the way a cinematographer would: what is there, how it
looks, how the camera moves. ``compose()`` joins the parts into the one text the API receives.

The same words drive the offline renderer: colour words become its palette, motion words its
camera move, and scene nouns (city, forest, sea, night, snow, …) what it draws.
"""

from __future__ import annotations

import re
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

    @property
    def words(self) -> str:
        """Every part in one lower-case string, for the renderer's word lookups."""
        return " ".join((self.scene, self.visual, self.motion, self.extra)).lower()


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
    return STYLE_PRESETS[name or "None"]


# ── what the words ask for ──────────────────────────────────────────────────────────────────────

COLOUR_WORDS: dict[str, RGB] = {
    # plain colours
    "red": (200, 40, 40),
    "crimson": (170, 20, 50),
    "scarlet": (230, 40, 30),
    "maroon": (110, 20, 30),
    "orange": (240, 130, 30),
    "amber": (255, 175, 40),
    "golden": (240, 185, 60),
    "gold": (230, 180, 50),
    "yellow": (245, 215, 60),
    "lemon": (250, 240, 110),
    "green": (60, 160, 70),
    "emerald": (20, 150, 100),
    "lime": (160, 220, 60),
    "olive": (110, 120, 50),
    "mint": (160, 230, 190),
    "teal": (20, 140, 140),
    "turquoise": (60, 210, 200),
    "cyan": (40, 200, 230),
    "aqua": (80, 220, 220),
    "blue": (45, 95, 200),
    "azure": (60, 150, 240),
    "navy": (20, 30, 90),
    "cobalt": (30, 70, 170),
    "indigo": (60, 40, 130),
    "violet": (140, 80, 200),
    "purple": (120, 50, 160),
    "lavender": (190, 170, 230),
    "magenta": (210, 40, 170),
    "pink": (240, 140, 180),
    "rose": (230, 110, 140),
    "peach": (250, 190, 150),
    "coral": (250, 120, 100),
    "brown": (120, 80, 45),
    "tan": (200, 165, 120),
    "beige": (225, 210, 180),
    "bronze": (170, 110, 50),
    "copper": (190, 110, 60),
    "rust": (170, 70, 30),
    "silver": (190, 195, 205),
    "white": (240, 240, 240),
    "ivory": (245, 240, 220),
    "cream": (245, 230, 200),
    "grey": (128, 128, 128),
    "gray": (128, 128, 128),
    "charcoal": (55, 55, 60),
    "black": (20, 20, 24),
    "sepia": (150, 110, 70),
    # light and materials that imply a colour
    "neon": (255, 40, 200),
    "pastel": (250, 200, 220),
    "candy": (255, 90, 160),
    "fire": (255, 110, 20),
    "flame": (255, 120, 30),
    "ember": (220, 70, 20),
    "lava": (240, 70, 10),
    "ice": (190, 230, 250),
    "frost": (210, 235, 250),
    "snow": (235, 240, 250),
    "moonlight": (170, 190, 230),
    "sunlight": (255, 220, 150),
    "candlelight": (255, 180, 90),
    "jade": (50, 160, 110),
    "sapphire": (20, 60, 180),
    "ruby": (190, 20, 60),
    "honey": (235, 170, 50),
    "chocolate": (90, 50, 25),
    "cherry": (200, 20, 50),
    "ocean": (20, 100, 160),
    "forest": (30, 90, 45),
    "sand": (220, 195, 140),
}
TWO_WORD_COLOURS: dict[str, RGB] = {
    "sky blue": (120, 190, 240),
    "hot pink": (255, 60, 160),
    "neon pink": (255, 50, 190),
    "neon blue": (40, 120, 255),
    "neon green": (60, 255, 120),
    "deep blue": (15, 40, 120),
    "dark green": (20, 80, 40),
    "blood red": (140, 10, 20),
    "electric blue": (40, 140, 255),
    "burnt orange": (200, 90, 20),
    "baby blue": (160, 200, 240),
    "forest green": (30, 90, 45),
}

MOTIFS: dict[str, tuple[str, ...]] = {
    "city": ("city", "street", "skyline", "building", "skyscraper", "downtown", "rooftop", "town", "alley", "tokyo"),
    "forest": ("forest", "tree", "trees", "woods", "jungle", "pine", "grove"),
    "water": ("ocean", "sea", "lake", "beach", "river", "water", "harbor", "harbour", "shore", "waves", "coast"),
    "desert": ("desert", "dune", "dunes", "sand", "canyon"),
    "mountains": ("mountain", "mountains", "peak", "peaks", "cliff", "valley", "alps", "volcano"),
    "space": ("space", "galaxy", "planet", "nebula", "cosmos", "orbiting", "asteroid", "spaceship"),
    "night": ("night", "midnight", "moon", "moonlit", "moonlight", "stars", "starry"),
    "sunset": ("sunset", "dusk", "twilight", "evening", "golden hour", "sundown"),
    "dawn": ("dawn", "sunrise", "morning", "daybreak"),
    "snow": ("snow", "snowy", "snowfall", "blizzard", "winter", "frost"),
    "rain": ("rain", "rainy", "storm", "drizzle", "downpour"),
    "fireflies": ("firefly", "fireflies", "embers", "sparks", "lanterns", "glowing", "magic"),
    "balloons": ("balloon", "balloons"),
}

# Checked in order, the first match wins: an explicit "static" first, then phrases before single words.
CAMERA_MOVES: tuple[tuple[str, str], ...] = (
    (r"\bstatic\b|\blocked[- ]off\b|\bstill camera\b|\btripod\b|\bno camera movement\b|\bstationary\b", "static"),
    (r"\bzoom(?:s|ing)? out\b|\bzooms? away\b", "zoom out"),
    (r"\bzoom(?:s|ing)?(?: in)?\b|\bcrash zoom\b", "zoom in"),
    (
        r"\b(?:dolly|dollies|dollying|track(?:s|ing)?) (?:out|back)\b|\bpull(?:s|ing)? (?:back|out)\b|\bpullback\b",
        "dolly out",
    ),
    (
        r"\bdolly\b|\bdolly in\b|\bpush(?:es|ing)? in\b|\bpush-in\b|\bfly(?:ing)? (?:through|into|forward)\b"
        r"|\bmoves? forward\b|\bapproach",
        "dolly in",
    ),
    (r"\borbit|\bcircl(?:e|es|ing) (?:around|the)\b|\barc shot\b|\b360\b|\brevolv", "orbit"),
    (r"\bpan(?:s|ning)? (?:to the )?left\b|\bleftward|\bmoves? left\b|\btrack(?:s|ing)? left\b", "pan left"),
    (r"\bpan(?:s|ning)? (?:to the )?right\b|\brightward|\bmoves? right\b|\btrack(?:s|ing)? right\b", "pan right"),
    (r"\btilt(?:s|ing)? down\b|\bcrane down\b|\bdescend", "tilt down"),
    (r"\btilt(?:s|ing)?(?: up)?\b|\bcrane(?: up)?\b|\brises?\b|\brising\b|\bascend|\bpedestal up\b", "tilt up"),
    (r"\bpan(?:s|ning)?\b|\btracking shot\b|\btrucks?\b|\bslides? sideways\b", "pan right"),
)
CAMERA_MOVE_NAMES = (
    "static",
    "pan left",
    "pan right",
    "tilt up",
    "tilt down",
    "zoom in",
    "zoom out",
    "dolly in",
    "dolly out",
    "orbit",
)


def colours_in(text: str) -> list[RGB]:
    """Colours named in ``text``, in order of first mention; two-word names ("sky blue") win over one."""
    text = text.lower()
    found: list[tuple[int, RGB]] = []
    taken: list[range] = []
    for phrase, rgb in TWO_WORD_COLOURS.items():
        for match in re.finditer(rf"\b{phrase}\b", text):
            found.append((match.start(), rgb))
            taken.append(range(match.start(), match.end()))
    for match in re.finditer(r"[a-z]+", text):
        word = match.group()
        rgb = COLOUR_WORDS.get(word) or COLOUR_WORDS.get(word.removesuffix("s"))  # "blues", "embers"
        if rgb and not any(match.start() in span for span in taken):
            found.append((match.start(), rgb))
    seen: list[RGB] = []
    for _, rgb in sorted(found):
        if rgb not in seen:
            seen.append(rgb)
    return seen


def camera_move(text: str) -> str | None:
    """The camera move the words describe, one of ``CAMERA_MOVE_NAMES``, or ``None`` if they name none."""
    text = text.lower()
    for pattern, move in CAMERA_MOVES:
        if re.search(pattern, text):
            return move
    return None


def motion_speed(text: str) -> float:
    """How far the camera travels, relative to normal: "slowly" is less, "fast" and "whip" more."""
    text = text.lower()
    if re.search(r"\b(fast|quick(?:ly)?|rapid(?:ly)?|whip|swift(?:ly)?|rush(?:ing)?|dramatic)\b", text):
        return 1.6
    if re.search(r"\b(slow(?:ly)?|gentle|gently|subtle|drift(?:s|ing)?|lazy|lazily|calm)\b", text):
        return 0.6
    return 1.0


def motifs_in(text: str) -> set[str]:
    text = text.lower()
    return {
        motif for motif, words in MOTIFS.items() if any(re.search(rf"\b{re.escape(word)}\b", text) for word in words)
    }
