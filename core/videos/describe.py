"""The vision model feeds the composer: Describe this image and Improve prompt in Create video, and
Describe this video in the lightbox (a few keyframes in one message; a title and alt text saved on the
variation, found by the library search and exported with it).

Both go through the caption provider protocol, so every provider answers or says plainly that it
cannot. The model is asked for strict JSON with Create video's three fields; an answer wrapped in a
``` fence is unwrapped, anything else is refused with one sentence and the form is left as it was.
The offline captioner answers the same JSON from the subject and colours it sees, and cannot
rewrite text (it says so).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

from core.captions.images import prepare_image, prepare_picture
from core.captions.providers.base import CaptionProvider, CaptionRequest
from core.captions.styles import VIDEO_PROMPT, VIDEO_TEXT
from core.errors import NoLongerExists, ProviderError, StudioError, must_exist
from core.studio import Studio
from core.text import clean
from core.videos.kinds import MediaKind, VariationStatus
from core.videos.prompt import VideoPrompt
from db import described as described_queries
from db import videos as video_queries

PROMPT_FIELDS = ("scene", "visual", "motion")
FIELD_LIMIT = 2000  # characters kept per field: a runaway answer does not flood the form
_FENCE = re.compile(r"^```[a-zA-Z]*\s*\n?(.*?)\n?\s*```$", re.DOTALL)

DESCRIBE_INSTRUCTION = (
    "This image will be the first frame of a short video. Describe it for a video model as JSON with exactly "
    'three string fields: {"scene": what is there (subject, place, time of day), "visual": how it looks '
    '(light, colours, lens, texture), "motion": how the subject and the camera could move}. '
    "Answer with the JSON object only, no other text."
)
VIDEO_FIELDS = ("title", "alt_text")
KEYFRAMES = 8  # pictures sent for one video: enough to see what happens, in one message
KEYFRAME_WIDTH = 512  # pixels: what a model needs to tell the subject and the action apart
TITLE_CHARS = 200  # variations.title's column
VIDEO_INSTRUCTION = (
    "These {count} pictures are keyframes of one short video, in order. Answer with a JSON object with exactly "
    'two string fields: "title" (a short title, under 60 characters) and "alt_text" (one or two sentences that '
    "describe the video for someone who cannot see it: the subject, the setting and what happens). "
    "Answer with the JSON object only, no other text."
)
IMPROVE_INSTRUCTION = (
    "Improve this video prompt for a text-to-video model: make each part concrete and visual, keep its "
    "meaning, one or two sentences per part. Answer with a JSON object with exactly three string fields, "
    '"scene", "visual" and "motion", and no other text.\nThe prompt:\n'
)


def parse_json_fields(answer: str, fields: Sequence[str], who: str) -> dict[str, str]:
    """The answer's JSON object holding a string for each of ``fields``, or ``ProviderError`` naming
    what was wrong in one sentence (nothing is changed by the caller then)."""
    text = answer.strip()
    fenced = _FENCE.match(text)
    if fenced:
        text = fenced.group(1).strip()
    asked = ", ".join(f'"{f}"' for f in fields)
    try:
        data = json.loads(text)
    except ValueError:
        raise ProviderError(
            f"{who} did not answer with valid JSON (asked for {asked}); nothing was changed — try again."
        ) from None
    if not isinstance(data, dict) or any(not isinstance(data.get(f), str) for f in fields):
        raise ProviderError(f"{who} answered JSON without a text for each of {asked}; nothing was changed — try again.")
    return {f: " ".join(data[f].split())[:FIELD_LIMIT] for f in fields}


def describe_image(studio: Studio, image_bytes: bytes, name: str, provider: CaptionProvider) -> VideoPrompt:
    """Scene, visual details and motion for a reference image, from ``provider`` (``studio`` is the
    studio the form belongs to; nothing is stored)."""
    prepared = prepare_image(image_bytes, provider.max_long_side, name)
    request = CaptionRequest(image=prepared, instruction=DESCRIBE_INSTRUCTION, style=VIDEO_PROMPT)
    fields = parse_json_fields(provider.caption(request).text, PROMPT_FIELDS, provider.label)
    return VideoPrompt(scene=fields["scene"], visual=fields["visual"], motion=fields["motion"])


def improve_prompt(studio: Studio, parts: VideoPrompt, provider: CaptionProvider) -> VideoPrompt:
    """The three fields rewritten by ``provider``'s text model; "Anything else" is kept as written."""
    if not any((parts.scene.strip(), parts.visual.strip(), parts.motion.strip())):
        raise ProviderError("Write at least the scene before asking to improve the prompt.")
    current = json.dumps({f: getattr(parts, f) for f in PROMPT_FIELDS}, ensure_ascii=False)
    fields = parse_json_fields(provider.rewrite(IMPROVE_INSTRUCTION + current), PROMPT_FIELDS, provider.label)
    return VideoPrompt(scene=fields["scene"], visual=fields["visual"], motion=fields["motion"], extra=parts.extra)


@dataclass(frozen=True)
class VideoText:
    """What "Describe this video" saves on a variation."""

    title: str
    alt_text: str


def video_request(studio: Studio, variation_id: int, max_long_side: int, count: int = KEYFRAMES) -> CaptionRequest:
    """One request holding ``count`` keyframes across the variation's video (the first as ``image``)."""
    from core.videos.ops.storyboard import storyboard

    with studio.db.session() as session:
        variation = must_exist(video_queries.get_variation(session, variation_id), "That variation")
        if variation.generation.media_kind == MediaKind.IMAGE:
            raise StudioError("Describe this video works on videos; caption a still in Caption Studio.")
        if variation.status != VariationStatus.COMPLETED or not variation.video_sha256:
            raise StudioError("That variation is not ready yet: describe it once its video is made.")
        path = studio.media.video_path(variation.video_sha256)
    if not path.is_file():
        raise NoLongerExists("That variation's video file is missing from the data folder.")
    frames = [prepare_picture(image, max_long_side) for _, image in storyboard(path, count, KEYFRAME_WIDTH)]
    if not frames:
        raise StudioError("No picture of that video could be decoded, so it cannot be described.")
    instruction = VIDEO_INSTRUCTION.format(count=len(frames))
    return CaptionRequest(image=frames[0], extra_images=tuple(frames[1:]), instruction=instruction, style=VIDEO_TEXT)


def describe_video(studio: Studio, variation_id: int, provider: CaptionProvider) -> VideoText:
    """Ask ``provider`` for a title and alt text from the video's keyframes and save them on the
    variation; an answer that is not the JSON asked for saves nothing."""
    request = video_request(studio, variation_id, provider.max_long_side)
    fields = parse_json_fields(provider.caption(request).text, VIDEO_FIELDS, provider.label)
    text = VideoText(title=clean(fields["title"])[:TITLE_CHARS], alt_text=clean(fields["alt_text"]))
    if not text.title or not text.alt_text:
        raise ProviderError(f"{provider.label} answered an empty title or alt text; nothing was saved — try again.")
    with studio.db.session() as session:
        if not described_queries.set_variation_text(session, variation_id, text.title, text.alt_text):
            raise NoLongerExists("That variation no longer exists.")
    return text
