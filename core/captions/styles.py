"""Caption styles: what each asks the model for.

The instruction text is what a multimodal LLM receives beside the image; the offline captioner,
which cannot follow instructions, phrases its caption by the style key instead.
"""

from __future__ import annotations

from dataclasses import dataclass

ALT_TEXT = "alt_text"
DETAILED = "detailed"
SOCIAL = "social"
CUSTOM = "custom"
# Structured answers asked for outside Caption Studio (not in STYLES): the instruction asks for JSON,
# and the offline captioner answers the same JSON from what its models see.
VIDEO_PROMPT = "video_prompt"  # {"scene", "visual", "motion"}: Describe this image in Create video
VIDEO_TEXT = "video_text"  # {"title", "alt_text"}: Describe this video in the lightbox


@dataclass(frozen=True)
class CaptionStyle:
    key: str
    label: str
    instruction: str


STYLES: dict[str, CaptionStyle] = {
    s.key: s
    for s in (
        CaptionStyle(
            ALT_TEXT,
            "Alt text",
            "Write alt text for this image: one concise sentence (under 125 characters) that says what "
            "it shows for someone who cannot see it. No 'image of' preamble.",
        ),
        CaptionStyle(
            DETAILED,
            "Detailed description",
            "Describe this image in detail: the subject, the setting, colours, lighting, composition "
            "and any visible text, in one or two short paragraphs.",
        ),
        CaptionStyle(
            SOCIAL,
            "Social post",
            "Write a short, engaging social media caption for this image, with two or three relevant "
            "hashtags at the end.",
        ),
        CaptionStyle(CUSTOM, "Custom prompt", ""),
    )
}


def build_instruction(style: str, user_prompt: str = "") -> str:
    """The text part of the chat message. A custom style needs the user's own prompt."""
    if style not in STYLES:
        raise ValueError(f"Unknown caption style {style!r}")
    user_prompt = user_prompt.strip()
    base = STYLES[style].instruction
    if style == CUSTOM:
        return user_prompt
    return f"{base}\n\nAlso take this into account: {user_prompt}" if user_prompt else base
