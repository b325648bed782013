"""The vision model feeds the composer, through the caption provider protocol, for every provider.

Guarantees: Describe this image sends one user message (the JSON instruction and the image) and fills
scene, visual details and motion from the JSON answer (a ``` fence is unwrapped); Improve prompt sends a
text-only message and returns the rewritten fields, "Anything else" untouched; an answer that is not
the JSON asked for is one clear sentence and nothing changes; the offline captioner describes from what
it sees and says plainly that it cannot rewrite text. Describe this video sends several keyframes in one
message and saves a title and alt text on the variation, which the library search finds and the export
carries; an invalid answer saves nothing.
"""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from core.captions.providers import build_provider
from core.captions.providers import openai_compat as oc
from core.captions.providers import watsonx as wx
from core.config import Settings
from core.errors import ProviderError
from core.videos import create, describe, imports, library
from core.videos.export import export_sets_zip
from core.videos.prompt import VideoPrompt
from tests.fakes.sample_images import photo_bytes
from tests.helpers.imaging import sample_photo

ANSWER = {
    "scene": "A lighthouse on a cliff at dusk.",
    "visual": "Golden light, teal sea, soft mist.",
    "motion": "Slow dolly in; gulls circle the lamp.",
}
BEFORE = VideoPrompt(scene="lighthouse", visual="dusk", motion="zoom", extra="no people")


@pytest.fixture(autouse=True)
def fresh_clients():
    oc.clear_clients()
    wx.clear_clients()
    yield
    oc.clear_clients()
    wx.clear_clients()


@pytest.fixture(params=["openai", "watsonx"])
def cloud(request):
    """(provider, fake server) for each cloud provider against its local fake."""
    server = request.getfixturevalue("openai_chat_server" if request.param == "openai" else "watsonx_server")
    settings = Settings.load(environ=server.client_settings(), secrets={})
    return build_provider(request.param, settings), server


def _only_message(server) -> dict:
    [chat] = server.chat_requests
    [message] = chat.json()["messages"]
    assert message["role"] == "user"
    return message


def test_describe_image_sends_one_message_with_the_instruction_and_the_image_and_fills_the_fields(studio, cloud):
    provider, server = cloud
    server.caption = json.dumps(ANSWER)

    parts = describe.describe_image(studio, photo_bytes(), "cliff.jpg", provider)

    assert parts == VideoPrompt(**ANSWER)
    text_part, image_part = _only_message(server)["content"]
    assert text_part == {"type": "text", "text": describe.DESCRIBE_INSTRUCTION}
    assert image_part["image_url"]["url"].startswith("data:image/jpeg;base64,")


def test_a_fenced_json_answer_is_unwrapped(studio, cloud):
    provider, server = cloud
    server.caption = "```json\n" + json.dumps(ANSWER) + "\n```"

    assert describe.describe_image(studio, photo_bytes(), "cliff.jpg", provider) == VideoPrompt(**ANSWER)


@pytest.mark.parametrize(
    "junk, words",
    [
        ("A lighthouse on a cliff, golden light, slow dolly in.", "did not answer with valid JSON"),
        (json.dumps({"scene": "A lighthouse."}), 'without a text for each of "scene", "visual", "motion"'),
        (json.dumps(["scene", "visual", "motion"]), "without a text for each"),
    ],
)
def test_an_answer_that_is_not_the_json_asked_for_is_one_clear_sentence_and_changes_nothing(studio, cloud, junk, words):
    provider, server = cloud
    server.caption = junk
    draft_before = create.load_draft(studio)

    with pytest.raises(ProviderError) as refused:
        describe.describe_image(studio, photo_bytes(), "cliff.jpg", provider)
    with pytest.raises(ProviderError) as refused_improve:
        describe.improve_prompt(studio, BEFORE, provider)

    for exc in (refused.value, refused_improve.value):
        assert words in exc.message and "nothing was changed" in exc.message
        assert exc.message.count(". ") == 0 and "\n" not in exc.message  # one sentence
    assert create.load_draft(studio) == draft_before


def test_improve_prompt_sends_a_text_only_message_and_keeps_anything_else(studio, cloud):
    provider, server = cloud
    server.caption = json.dumps(ANSWER)

    after = describe.improve_prompt(studio, BEFORE, provider)

    assert after == VideoPrompt(**ANSWER, extra="no people")
    content = _only_message(server)["content"]
    assert isinstance(content, str)  # no image parts
    assert content.startswith(describe.IMPROVE_INSTRUCTION)
    assert json.loads(content.removeprefix(describe.IMPROVE_INSTRUCTION)) == {
        "scene": "lighthouse",
        "visual": "dusk",
        "motion": "zoom",
    }


def test_improve_prompt_needs_some_words_and_asks_nothing_without(studio, cloud):
    provider, server = cloud

    with pytest.raises(ProviderError, match="Write at least the scene"):
        describe.improve_prompt(studio, VideoPrompt("", " ", ""), provider)
    assert server.chat_requests == []


def _jpeg(name: str) -> bytes:
    out = io.BytesIO()
    sample_photo(name).save(out, "JPEG", quality=90)
    return out.getvalue()


def test_offline_describes_the_subject_and_colours_and_says_it_cannot_improve(studio, offline_captioner):
    parts = describe.describe_image(studio, _jpeg("chelsea"), "cat.jpg", offline_captioner)

    assert "cat" in parts.scene.lower()
    assert "colours" in parts.visual and parts.motion
    with pytest.raises(ProviderError) as refused:
        describe.improve_prompt(studio, BEFORE, offline_captioner)
    assert "offline captioner cannot rewrite" in refused.value.message


# --- Describe this video (the lightbox) ------------------------------------------------------------

VIDEO_ANSWER = {"title": "Lighthouse at dusk", "alt_text": "A lighthouse beam sweeps over a misty sea at dusk."}


@pytest.fixture
def imported_video(studio, sample_media):
    """(set id, variation id) of a ready 2 s video in the library."""
    generation_id = imports.import_video(studio, "clip.mp4", sample_media.mp4.read_bytes())
    return generation_id, library.generation(studio, generation_id).variations[0].id


def test_describe_video_sends_several_keyframes_in_one_message_and_saves_title_and_alt_text(
    studio, cloud, imported_video
):
    provider, server = cloud
    server.caption = json.dumps(VIDEO_ANSWER)
    generation_id, variation_id = imported_video

    text = describe.describe_video(studio, variation_id, provider)

    assert text == describe.VideoText(**VIDEO_ANSWER)
    text_part, *images = _only_message(server)["content"]
    assert text_part["type"] == "text" and '"title"' in text_part["text"] and '"alt_text"' in text_part["text"]
    assert 4 <= len(images) <= describe.KEYFRAMES
    assert all(p["type"] == "image_url" and p["image_url"]["url"].startswith("data:image/jpeg;") for p in images)
    [variation] = library.generation(studio, generation_id).variations
    assert (variation.title, variation.alt_text) == (VIDEO_ANSWER["title"], VIDEO_ANSWER["alt_text"])


def test_the_library_search_finds_a_set_by_its_title_and_alt_text(studio, cloud, imported_video):
    provider, server = cloud
    server.caption = json.dumps(VIDEO_ANSWER)
    generation_id, variation_id = imported_video
    describe.describe_video(studio, variation_id, provider)

    for search in ("lighthouse", "Misty SEA", "beam dusk"):
        _, found = library.library(studio, library.GenerationFilter(search=search))
        assert [g.id for g in found] == [generation_id], search
    assert library.library(studio, library.GenerationFilter(search="lighthouse volcano"))[0] == 0


def test_the_export_carries_title_and_alt_text_and_the_txt_is_the_alt_text(studio, cloud, imported_video):
    provider, server = cloud
    server.caption = json.dumps(VIDEO_ANSWER)
    generation_id, variation_id = imported_video
    describe.describe_video(studio, variation_id, provider)

    buffer = io.BytesIO()
    export_sets_zip(studio, [generation_id], buffer)

    with zipfile.ZipFile(buffer) as archive:
        [line] = archive.read("metadata.jsonl").decode().splitlines()
        [txt] = [n for n in archive.namelist() if n.endswith(".txt")]
        assert archive.read(txt).decode().strip() == VIDEO_ANSWER["alt_text"]
    record = json.loads(line)
    assert (record["title"], record["alt_text"]) == (VIDEO_ANSWER["title"], VIDEO_ANSWER["alt_text"])


def test_an_invalid_answer_about_a_video_saves_nothing(studio, cloud, imported_video):
    provider, server = cloud
    server.caption = "A lighthouse at dusk."
    generation_id, variation_id = imported_video

    with pytest.raises(ProviderError, match="did not answer with valid JSON"):
        describe.describe_video(studio, variation_id, provider)

    [variation] = library.generation(studio, generation_id).variations
    assert variation.title is None and variation.alt_text is None


def test_offline_describes_a_video_from_its_first_keyframe(studio, offline_captioner, imported_video):
    generation_id, variation_id = imported_video

    text = describe.describe_video(studio, variation_id, offline_captioner)

    assert text.title and text.alt_text.startswith("Video: ")
    [variation] = library.generation(studio, generation_id).variations
    assert variation.alt_text == text.alt_text
