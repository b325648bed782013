"""What the words of a prompt ask of the offline renderer: colours, a camera move, its speed, motifs.

The renderer has no model to read a prompt, so it looks for plain words: colour words become its
palette, motion words its camera move ("slow pan left"), and scene nouns (city, forest, sea,
night, snow, …) what it draws. The tables are here, apart from the prompt itself, because only
the renderer reads them; a cloud model gets the prompt's text as written.
"""

from __future__ import annotations

import re

from core.videos.prompt import RGB, VideoPrompt


def prompt_words(prompt: VideoPrompt) -> str:
    """Every part of the prompt in one lower-case string, for the word lookups below."""
    return " ".join((prompt.scene, prompt.visual, prompt.motion, prompt.extra)).lower()


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

# motif → the words that ask for it; the scene draws a motif (a skyline, trees, snow) when one appears
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
        named = COLOUR_WORDS.get(word) or COLOUR_WORDS.get(word.removesuffix("s"))  # "blues", "embers"
        if named and not any(match.start() in span for span in taken):
            found.append((match.start(), named))
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
    """The ``MOTIFS`` whose words appear in ``text`` (whole words): what the scene will draw."""
    text = text.lower()
    return {
        motif for motif, words in MOTIFS.items() if any(re.search(rf"\b{re.escape(word)}\b", text) for word in words)
    }
