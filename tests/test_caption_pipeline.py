"""Captioning end to end in core/: bad inputs change nothing, one failure never sinks a batch,
and what is saved is whole (the original by content hash, a thumbnail, and the rows)."""

import hashlib
from urllib.parse import parse_qsl, unquote, urlsplit

import numpy as np
import pytest

from core import downloads
from core.captions import service as captions
from core.captions.providers.base import CaptionResult
from core.errors import ProviderError, StudioError
from core.images import validate_image
from db import captions as queries
from tests.helpers.corpus import bad_corpus, encode, good_corpus, photo
from tests.helpers.studio import snapshot


@pytest.mark.parametrize("name", sorted(bad_corpus()))
def test_a_refused_input_has_a_clear_message_and_leaves_the_studio_unchanged(studio, offline_captioner, name):
    data, word = bad_corpus()[name]
    before = snapshot(studio)
    outcome = captions.caption_image(studio, captions.Upload(name, data), "alt_text", "", offline_captioner)
    assert outcome.error is not None  # refused
    assert word.lower() in outcome.error.lower()
    assert name in outcome.error
    assert snapshot(studio) == before


@pytest.mark.parametrize("name", sorted(good_corpus()))
def test_awkward_but_valid_images_are_captioned_and_saved(studio, offline_captioner, name):
    data = good_corpus()[name]
    outcome = captions.caption_image(studio, captions.Upload(name, data), "detailed", "", offline_captioner)
    assert outcome.ok and outcome.text is not None, outcome.error
    assert outcome.text.strip()
    assets, count, files = snapshot(studio)
    assert (assets, count) == (1, 1)
    digest = hashlib.sha256(data).hexdigest()
    original = [f for f in files if f.startswith("originals/")]
    assert len(original) == 1 and digest in original[0]
    assert (studio.media.root / original[0]).read_bytes() == data  # the library keeps the original


def test_exif_orientation_is_applied_before_captioning():
    upright = validate_image(good_corpus()["exif-rotated.jpg"])
    assert upright.height > upright.width  # a landscape photo tagged 'rotate 90°' becomes portrait


def test_cmyk_and_sixteen_bit_keep_their_colours():
    ref_mean = np.asarray(photo("coffee").convert("L"), dtype=float).mean()
    for name in ("cmyk.jpg", "sixteen-bit.png"):
        mean = np.asarray(validate_image(good_corpus()[name]).image.convert("L"), dtype=float).mean()
        assert abs(mean - ref_mean) < 12, name  # not inverted, not blown out to white


def test_one_bad_image_in_a_batch_gets_its_own_error_and_the_others_are_saved(studio, offline_captioner):
    good = encode(photo("chelsea"))
    uploads = [
        captions.Upload("cat.jpg", good),
        captions.Upload("notes.png", b"not an image"),
        captions.Upload("coffee.png", encode(photo("coffee"), "PNG")),
    ]
    seen = []
    outcomes = captions.caption_batch(
        studio,
        uploads,
        "alt_text",
        "",
        offline_captioner,
        on_progress=lambda done, total, o: seen.append((done, total, o.name)),
    )
    assert [o.ok for o in outcomes] == [True, False, True]
    assert "notes.png" in (outcomes[1].error or "")
    assert seen == [(1, 3, "cat.jpg"), (2, 3, "notes.png"), (3, 3, "coffee.png")]
    assert snapshot(studio)[:2] == (2, 2)


class _Refusing:
    key, label, model, max_long_side = "offline", "A provider that fails", "none", 1120
    follows_instructions = True

    def caption(self, request):
        raise ProviderError("The service said no.")

    def rewrite(self, instruction):
        raise ProviderError("The service said no.")


class _Answering(_Refusing):
    def caption(self, request):
        return CaptionResult(text="A tabby cat.", model="m", prompt_tokens=3, completion_tokens=4)


def test_a_provider_failure_saves_nothing(studio):
    before = snapshot(studio)
    outcome = captions.caption_image(studio, captions.Upload("cat.jpg", encode(photo())), "alt_text", "", _Refusing())
    assert outcome.error == "The service said no."
    assert snapshot(studio) == before


def test_a_database_failure_removes_the_files_it_wrote(studio, monkeypatch):
    before = snapshot(studio)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(queries, "add_caption", broken)
    outcome = captions.caption_image(studio, captions.Upload("cat.jpg", encode(photo())), "alt_text", "", _Answering())
    assert not outcome.ok
    assert snapshot(studio) == before


def test_custom_style_without_a_prompt_is_refused_before_any_work(studio):
    with pytest.raises(StudioError, match="needs a prompt"):
        captions.caption_batch(studio, [captions.Upload("a.jpg", encode(photo()))], "custom", "  ", _Answering())


def test_the_same_image_twice_is_stored_once(studio):
    data = encode(photo())
    for _ in range(2):
        assert captions.caption_image(studio, captions.Upload("cat.jpg", data), "alt_text", "", _Answering()).ok
    assets, count, files = snapshot(studio)
    assert (assets, count) == (1, 2)
    assert len([f for f in files if f.startswith("originals/")]) == 1


def test_edit_regenerate_search_and_delete(studio):
    first = captions.caption_image(studio, captions.Upload("cat.jpg", encode(photo())), "alt_text", "", _Answering())
    assert first.caption_id is not None
    captions.edit_caption(studio, first.caption_id, "A sleepy ginger cat on a rug.")
    total, rows = captions.history(studio, captions.CaptionFilter(search="ginger"))
    assert total == 1 and rows[0].edited
    # The thumbnail is a signed link on the file route (never a data: URL), naming the stored JPEG.
    url = urlsplit(rows[0].thumbnail or "")
    assert url.path.startswith(downloads.ROUTE + "/media/thumbs/")
    query = dict(parse_qsl(url.query, keep_blank_values=True))
    relative = unquote(url.path.removeprefix(downloads.ROUTE + "/"))
    served = downloads.resolve(studio.home, relative, query["name"], query["expires"], query["sig"])
    assert served.read_bytes()[:3] == b"\xff\xd8\xff"
    assert captions.history(studio, captions.CaptionFilter(search="tabby"))[0] == 0  # the old text left the index
    with pytest.raises(StudioError):
        captions.edit_caption(studio, first.caption_id, "   ")
    again = captions.regenerate(studio, first.caption_id, _Answering())
    assert again.ok and again.caption_id is not None and again.caption_id != first.caption_id
    captions.delete_caption(studio, first.caption_id)
    assert snapshot(studio)[:2] == (1, 1)  # the image stays: the regenerated caption still uses it
    captions.delete_caption(studio, again.caption_id)
    assert snapshot(studio) == (0, 0, [])  # last caption gone: the files go after the commit


def test_the_search_box_cannot_break_the_query(studio):
    captions.caption_image(studio, captions.Upload("cat.jpg", encode(photo())), "alt_text", "", _Answering())
    for text in ['"', "cat*", "AND OR NOT", "(", "NEAR(", "'; DROP TABLE captions; --", "ТАББИ"]:
        captions.history(studio, captions.CaptionFilter(search=text))
    assert captions.history(studio, captions.CaptionFilter(search="TAB"))[0] == 1  # prefix, case-insensitive


def test_a_truncated_camera_photo_is_refused_even_when_decoded_at_reduced_scale(studio, offline_captioner):
    from tests.helpers.corpus import big_photo

    data = big_photo(12)
    before = snapshot(studio)
    outcome = captions.caption_image(
        studio, captions.Upload("cut.jpg", data[: len(data) * 2 // 3]), "alt_text", "", offline_captioner
    )
    assert not outcome.ok and "truncated" in (outcome.error or "")
    assert snapshot(studio) == before


def test_generate_again_captions_only_what_is_new_for_these_settings(studio, offline_captioner):
    """Guards issue #8: History held 7–9 rows per image after pressing Generate a few times."""
    cat, cup = captions.Upload("cat.jpg", encode(photo("chelsea"))), captions.Upload("cup.jpg", encode(photo("coffee")))
    done: dict[str, captions.CaptionOutcome] = {}
    results, new = captions.caption_new(studio, [cat, cup, cat], "alt_text", "", offline_captioner, done)
    assert new == 2 and [o.name for _, o in results] == ["cat.jpg", "cup.jpg", "cat.jpg"]  # one run per file
    done.update(results)
    again, new = captions.caption_new(studio, [cat, cup], "alt_text", "", offline_captioner, done)
    assert new == 0 and [o.caption_id for _, o in again] == [o.caption_id for _, o in results[:2]]
    assert snapshot(studio)[1] == 2  # two captions in History, not four
    _, new = captions.caption_new(studio, [cat], "social", "", offline_captioner, done)
    assert new == 1 and snapshot(studio)[1] == 3  # other settings are another caption


def test_history_keeps_the_offline_caption_clean_and_its_certainty_beside_it(studio, offline_captioner):
    """Issue #8: "(92% sure)" and an account of the method were saved inside the caption text."""
    for style in ("alt_text", "detailed", "social"):
        outcome = captions.caption_image(
            studio, captions.Upload("cat.jpg", encode(photo("chelsea"))), style, "", offline_captioner
        )
        assert outcome.ok and outcome.confidence is not None and outcome.confidence > 0.6
        assert "%" not in outcome.text and "Described on this computer" not in outcome.text, outcome.text
    _, rows = captions.history(studio, captions.CaptionFilter(search="cat"))
    assert len(rows) == 3 and not any("%" in row.text or "sure" in row.text for row in rows)


def test_a_caption_below_the_low_confidence_mark_needs_checking():
    from core.captions.providers.base import LOW_CONFIDENCE, certainty, needs_checking

    assert LOW_CONFIDENCE == 0.5
    assert needs_checking(0.49) and needs_checking(0.0)
    assert not needs_checking(0.5) and not needs_checking(0.92)
    assert not needs_checking(None)  # a cloud model that gives no figure is not flagged
    assert (certainty(0.92), certainty(1.0), certainty(0.001)) == ("92% sure", "99% sure", "1% sure")


def test_only_a_provider_that_says_so_is_taken_to_ignore_instructions(offline_captioner):
    from core.captions.providers.base import follows_instructions

    assert follows_instructions(_Answering()) is True  # a multimodal model reads the prompt
    assert follows_instructions(offline_captioner) is False
