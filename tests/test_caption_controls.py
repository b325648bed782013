"""Caption controls: what a model can follow (words to use and avoid, a length, a language) reaches
it in the instruction, through the real openai SDK against the fake chat server; what the studio does
itself (template with {filename}, {folder}, {subject}; a trigger word) shapes the saved caption; a
long caption gets a soft note and is never cut; the offline captioner says it cannot translate."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest

from core.captions import service as captions
from core.captions.compare import compare_providers, keep_caption
from core.captions.controls import CaptionControls, counter, file_parts, parse_words
from core.captions.export import export_captions_zip
from core.captions.providers import build_provider
from core.captions.providers import openai_compat as oc
from core.config import Settings
from core.errors import StudioError
from db import captions as queries
from tests.helpers.imaging import sample_photo
from tests.helpers.studio import snapshot


def jpeg_of(name: str) -> bytes:
    out = io.BytesIO()
    sample_photo(name).save(out, "JPEG", quality=90)
    return out.getvalue()


@pytest.fixture
def openai_provider(openai_chat_server):
    oc.clear_clients()
    yield build_provider("openai", Settings.load(environ=openai_chat_server.client_settings(), secrets={}))
    oc.clear_clients()


def test_words_length_and_language_reach_the_model_and_the_template_shapes_the_saved_caption(
    studio, openai_chat_server, openai_provider
):
    openai_chat_server.caption = "Un chat roux dort sur un rebord de fenêtre ensoleillé"
    controls = CaptionControls(
        template="{folder}/{filename}: {caption}",
        prefix="ohwx",
        include=parse_words("chat, fenêtre"),
        avoid=parse_words("image; photo"),
        target_chars=80,
        language="French",
    )
    outcome = captions.caption_image(
        studio, captions.Upload("trip/cat.jpg", jpeg_of("chelsea")), "alt_text", "", openai_provider, controls=controls
    )

    assert outcome.ok, outcome.error
    sent = openai_chat_server.chat_requests[0].json()["messages"][0]["content"][0]["text"]
    assert "Use these words or phrases: chat; fenêtre." in sent
    assert "Do not use these words or phrases: image; photo." in sent
    assert "Aim for about 80 characters." in sent and "Write the caption in French." in sent
    expected = "ohwx, trip/cat: Un chat roux dort sur un rebord de fenêtre ensoleillé"
    assert outcome.text == expected
    with studio.db.session() as session:
        assert queries.get_caption(session, outcome.caption_id).text == expected
    assert outcome.notes == ()


def test_a_long_alt_text_gets_a_soft_note_and_is_never_cut(studio, openai_chat_server, openai_provider):
    long_words = "A ginger cat " + "sleeps on a sunny windowsill beside a potted plant and a stack of books, " * 3
    openai_chat_server.caption = long_words
    outcome = captions.caption_image(
        studio,
        captions.Upload("cat.jpg", jpeg_of("chelsea")),
        "alt_text",
        "",
        openai_provider,
        controls=CaptionControls(avoid=("books",)),
    )
    assert outcome.text == long_words.strip()
    assert outcome.notes == (
        f"{len(long_words.strip())} characters: longer than the 125 characters suggested for alt text (125).",
        "Contains words you asked to avoid: books.",
    )


def test_the_offline_captioner_fills_subject_and_refuses_another_language(studio, offline_captioner):
    controls = CaptionControls(template="{subject} | {caption}")
    [outcome] = captions.caption_batch(
        studio, [captions.Upload("coffee.jpg", jpeg_of("coffee"))], "alt_text", "", offline_captioner, controls=controls
    )
    assert outcome.ok and outcome.text.startswith("a cup of coffee | ")

    before = snapshot(studio)
    with pytest.raises(StudioError, match="writes English only; pick watsonx or an OpenAI-compatible provider"):
        captions.caption_batch(
            studio,
            [captions.Upload("coffee.jpg", jpeg_of("coffee"))],
            "alt_text",
            "",
            offline_captioner,
            controls=CaptionControls(language="German"),
        )
    assert snapshot(studio) == before


@pytest.mark.parametrize(
    ("controls", "words"),
    [
        (CaptionControls(template="{filename}"), "needs {caption}"),
        (CaptionControls(template="{caption} {nope}"), "has {nope}"),
        (CaptionControls(target_chars=5), "between 20 and 2,000"),
        (CaptionControls(language="Klingon"), "Pick an output language"),
    ],
)
def test_controls_that_cannot_work_are_refused_before_any_image_is_read(studio, offline_captioner, controls, words):
    with pytest.raises(StudioError) as refused:
        captions.caption_batch(studio, [], "alt_text", "", offline_captioner, controls=controls)
    assert words in refused.value.message


def test_the_live_counter_and_the_small_parsers():
    assert counter("x" * 130, "alt_text") == ("130 / 125 characters", True)
    assert counter("x" * 50, "detailed") == ("50 characters", False)
    assert counter("x" * 50, "detailed", target=40) == ("50 / 40 characters", True)
    assert parse_words(" Sunset, red kayak;sunset\ncalm ") == ("Sunset", "red kayak", "calm")
    assert file_parts("holiday/2026/beach.day.jpg") == ("beach.day", "2026")
    assert file_parts("cat.png") == ("cat", "")


def test_compare_providers_saves_every_caption_and_the_kept_one_stands_for_its_image(
    studio, openai_chat_server, openai_provider, offline_captioner
):
    openai_chat_server.caption = "A steaming latte in a white cup on a wooden table"
    uploads = [captions.Upload("latte.jpg", jpeg_of("coffee")), captions.Upload("cat.jpg", jpeg_of("chelsea"))]
    seen: list[tuple[int, int]] = []
    compared = compare_providers(
        studio,
        uploads,
        "alt_text",
        "",
        [offline_captioner, openai_provider],
        on_progress=lambda d, t: seen.append((d, t)),
    )

    assert [c.name for c in compared] == ["latte.jpg", "cat.jpg"]
    assert [[o.provider for o in c.outcomes] for c in compared] == [["offline", "openai"]] * 2
    assert all(o.ok for c in compared for o in c.outcomes)
    assert seen == [(n, 4) for n in range(1, 5)]
    latte_offline, latte_openai = compared[0].outcomes

    def standing(all_versions: bool = False) -> set[int]:
        data = captions.export_captions_csv(studio, captions.CaptionFilter(), all_versions=all_versions)
        return {int(row["caption_id"]) for row in csv.DictReader(io.StringIO(data.decode("utf-8-sig")))}

    cat_openai = compared[1].outcomes[1]
    assert standing() == {latte_openai.caption_id, cat_openai.caption_id}  # the newest stands by default
    keep_caption(studio, latte_offline.caption_id)
    assert standing() == {latte_offline.caption_id, cat_openai.caption_id}
    assert len(standing(all_versions=True)) == 4  # the others stay as versions
    buffer = io.BytesIO()
    export_captions_zip(studio, [latte_offline.caption_id, latte_openai.caption_id], buffer)
    with zipfile.ZipFile(buffer) as archive:
        assert archive.read("latte.txt").decode().strip() == latte_offline.text


def test_comparing_needs_two_or_three_different_providers(studio, offline_captioner):
    with pytest.raises(StudioError, match="Pick two or three different providers"):
        compare_providers(studio, [], "alt_text", "", [offline_captioner, offline_captioner])
