"""Image sets, made through the real openai SDK (``images.generate``/``images.edit``) against a fake of the
Images API, and offline as an honest still.

Guarantees: a set of n images is n queued variations, each one JSON request with the model, ``n=1``,
a size every GPT image model takes, the quality and format (never ``response_format``); the
``b64_json`` image is decoded, cropped to the set's exact aspect and stored with a poster; the token
usage and the cost (price per image) are recorded on the variation; a failure (400, 401, 429 after
its retries, 500 after its retries, a retired model, a moderation refusal) is a failed variation
with the service's own words and never the key; a remix is one multipart ``images.edit`` whose
source is a named image file; offline, a still is drawn and labelled; Animate and Caption hand
over the finished still.
"""

from __future__ import annotations

import io

import pytest
from PIL import Image

from core.config import Settings
from core.studio import open_studio
from core.videos import image_sets
from core.videos import library as videos
from core.videos.backends import openai_images
from core.videos.create import DraftReference, VideoSettings, reference_bytes
from core.videos.jobs.runner import JobRunner
from core.videos.kinds import MediaKind, VariationStatus
from core.videos.prompt import VideoPrompt
from tests.fakes.images_server import FakeImages, multipart

PARTS = VideoPrompt(scene="A red fox in fresh snow", visual="soft morning light", motion="")
KEY = "sk-FAKE-img"


@pytest.fixture
def images_server():
    with FakeImages(api_key=KEY) as server:
        yield server


@pytest.fixture
def image_studio(tmp_path, images_server):
    environ = {"MEDIA_STUDIO_HOME": str(tmp_path / "home"), **images_server.settings()}
    studio = open_studio(Settings.load(environ=environ, secrets={}))
    yield studio
    studio.db.dispose()
    openai_images.clear_clients()


def runner(studio) -> JobRunner:
    return JobRunner(studio, tick_s=0.02, backoff_s=0.01, deadline_s=0.3)


def make_set(studio, n=2, aspect="16:9", model="gpt-image-2.5-flare", fmt="png", backend="openai-images", scene=None):
    settings = VideoSettings(aspect=aspect, variations=n, backend=backend, model=model, kind=MediaKind.IMAGE)
    parts = PARTS if scene is None else VideoPrompt(scene=scene, visual="", motion="")
    return image_sets.create_image_set(studio, parts, settings, quality="high", output_format=fmt)


def test_a_set_of_two_images_is_two_generate_requests_decoded_cropped_and_costed(image_studio, images_server):
    image_sets.set_image_price(image_studio, "gpt-image-2.5-flare", 0.04)
    set_id = make_set(image_studio, n=2)
    view = videos.generation(image_studio, set_id)
    assert view is not None and view.media_kind == MediaKind.IMAGE and view.estimated_cost_usd == 0.08
    runner(image_studio).run_until_idle(timeout=30)

    sent = [r.json() for r in images_server.generations]
    assert len(sent) == 2
    for body in sent:
        assert body["model"] == "gpt-image-2.5-flare" and body["n"] == 1 and body["size"] == "1536x1024"
        assert body["quality"] == "high" and body["output_format"] == "png" and "response_format" not in body
        assert body["prompt"].startswith("Scene: A red fox in fresh snow")
    assert images_server.generations[0].headers["authorization"] == f"Bearer {KEY}"
    view = videos.generation(image_studio, set_id)
    assert view is not None and [v.status for v in view.variations] == [VariationStatus.COMPLETED] * 2
    digests = {v.video_sha256 for v in view.variations}
    assert len(digests) == 2  # two distinct images
    for variation in view.variations:
        path = image_sets.image_path(image_studio, variation.video_sha256 or "")
        assert path is not None and path.suffix == ".png"
        with Image.open(path) as image:
            assert image.size == (1536, 864)  # 3:2 from the service, cropped to 16:9 here
        assert videos.poster_path(image_studio, variation.video_sha256 or "").exists()
        assert image_sets.usage(image_studio, variation.id) == {
            "input_tokens": 50,
            "output_tokens": 4160,
            "total_tokens": 4210,
        }
    rows = videos.generation_rows(image_studio, videos.GenerationFilter(media_kinds=("image",)))
    assert rows[0][14] == 0.08  # cost_usd: 2 images × $0.04


def test_a_square_jpeg_is_stored_as_sent(image_studio, images_server):
    set_id = make_set(image_studio, n=1, aspect="1:1", fmt="jpeg")
    runner(image_studio).run_until_idle(timeout=30)
    view = videos.generation(image_studio, set_id)
    assert view is not None and not view.local_crop
    path = image_sets.image_path(image_studio, view.variations[0].video_sha256 or "")
    assert path is not None and path.suffix == ".jpg"
    assert images_server.generations[0].json()["size"] == "1024x1024"


@pytest.mark.parametrize(
    ("status", "message", "code", "words"),
    [
        (400, "Invalid value for 'quality'.", "invalid_value", "refused the request (HTTP 400): Invalid value"),
        (401, "Incorrect API key provided: sk-FAKE-img.", "invalid_api_key", "rejected the API key (HTTP 401)"),
        (429, "Rate limit reached for images per minute.", "rate_limit_exceeded", "rate-limiting"),
        (500, "The server had an error processing your request.", None, "server error (HTTP 500)"),
    ],
)
def test_a_failure_is_a_failed_variation_with_the_services_words(
    image_studio, images_server, status, message, code, words
):
    images_server.fail_next(status, message, code, count=50, **{"retry-after-ms": "10"})
    set_id = make_set(image_studio, n=1)
    runner(image_studio).run_until_idle(timeout=30)
    view = videos.generation(image_studio, set_id)
    assert view is not None
    variation = view.variations[0]
    assert variation.status == VariationStatus.FAILED and variation.video_sha256 is None
    assert words in (variation.error or "")
    assert KEY not in (variation.error or "")
    if status in (429, 500):
        assert len(images_server.generations) > 1  # retried until the deadline


def test_a_retired_model_fails_with_the_retirement_words(image_studio, images_server):
    set_id = make_set(image_studio, n=1, model="gpt-image-1")
    runner(image_studio).run_until_idle(timeout=30)
    view = videos.generation(image_studio, set_id)
    assert view is not None
    error = view.variations[0].error or ""
    assert "does not offer the model gpt-image-1 (HTTP 404)" in error and "shut down on October 23, 2026" in error
    assert len(images_server.generations) == 1  # not retried


def test_a_moderation_refusal_fails_with_the_services_words(image_studio, images_server):
    set_id = make_set(image_studio, n=1, scene="BLOCKED scene")
    runner(image_studio).run_until_idle(timeout=30)
    view = videos.generation(image_studio, set_id)
    assert view is not None
    error = view.variations[0].error or ""
    assert "refused the prompt under its content policy" in error and "rejected by the safety system" in error


def test_a_remix_is_one_multipart_edit_with_a_named_image_file(image_studio, images_server):
    image_sets.set_image_price(image_studio, "gpt-image-2.5-flare", 0.05)
    set_id = make_set(image_studio, n=1, fmt="webp")
    runner(image_studio).run_until_idle(timeout=30)
    view = videos.generation(image_studio, set_id)
    assert view is not None
    new_id = image_sets.queue_remix(image_studio, view.variations[0].id, "make it night")
    runner(image_studio).run_until_idle(timeout=30)

    assert len(images_server.edits) == 1
    fields = multipart(images_server.edits[0])
    [(name, kind, data)] = fields["image"]
    assert name == "source.webp" and kind == "image/webp" and Image.open(io.BytesIO(data)).size == (1536, 864)
    assert fields["prompt"][0][2] == b"make it night" and fields["n"][0][2] == b"1"
    assert fields["output_format"][0][2] == b"webp"
    view = videos.generation(image_studio, set_id)
    assert view is not None
    remix = next(v for v in view.variations if v.id == new_id)
    assert remix.status == VariationStatus.COMPLETED and remix.parent_id == view.variations[0].id
    rows = videos.generation_rows(image_studio, videos.GenerationFilter())
    assert rows[0][14] == 0.1


def test_test_connection_answers_in_one_sentence(image_studio, images_server, tmp_path):
    from core import connections

    ok = connections.check_connection(openai_images.KEY, image_studio.settings)
    assert ok.ok and ok.sentence.startswith("Connected: gpt-image-2.5-flare at the image service")
    assert images_server.requests[-1].path == "/v1/models/gpt-image-2.5-flare"
    wrong = Settings.load(environ=images_server.settings(OPENAI_IMAGE_API_KEY="sk-FAKE-bad"), secrets={})
    refused = connections.check_connection(openai_images.KEY, wrong)
    assert (
        not refused.ok and "rejected the API key (HTTP 401)" in refused.sentence and "sk-FAKE" not in refused.sentence
    )
    gone = Settings.load(environ={"OPENAI_IMAGE_BASE_URL": "http://127.0.0.1:9/v1"}, secrets={})
    unreachable = connections.check_connection(openai_images.KEY, gone)
    assert not unreachable.ok and unreachable.sentence.startswith("Cannot reach the image service")


def test_offline_an_image_set_is_a_labelled_still(studio):
    set_id = make_set(studio, n=2, aspect="9:16", backend="offline")
    JobRunner(studio, tick_s=0.02).run_until_idle(timeout=60)
    view = videos.generation(studio, set_id)
    assert view is not None and view.model == "offline-still" and view.backend == "offline"
    assert [v.status for v in view.variations] == [VariationStatus.COMPLETED] * 2
    path = image_sets.image_path(studio, view.variations[0].video_sha256 or "")
    assert path is not None
    with Image.open(path) as image:
        assert image.size == (864, 1536)
    assert image_sets.backend_statuses(studio)[0].label.startswith("Offline still")
    assert videos.library(studio, videos.GenerationFilter(media_kinds=("video",)))[0] == 0
    assert videos.library(studio, videos.GenerationFilter(media_kinds=("image",)))[0] == 1


def test_animate_and_caption_hand_over_the_finished_still(studio):
    set_id = make_set(studio, n=1, aspect="1:1", backend="offline")
    JobRunner(studio, tick_s=0.02).run_until_idle(timeout=60)
    view = videos.generation(studio, set_id)
    assert view is not None
    variation = view.variations[0]
    stored = image_sets.image_path(studio, variation.video_sha256 or "")
    assert stored is not None

    draft = image_sets.animate(studio, variation.id, "offline", "offline-animatic")
    assert draft["kind"] == "video" and draft["aspect"] == "1:1" and draft["seconds"] == 4
    assert draft["scene"] == PARTS.scene and draft["variations"] == 1
    kept = reference_bytes(studio, DraftReference(draft["reference_sha256"], draft["reference_name"]))
    assert kept == stored.read_bytes()

    name, data = image_sets.caption_handoff(studio, variation.id)
    assert name.endswith(".png") and data == stored.read_bytes()


def test_each_aspect_asks_a_size_every_gpt_image_model_takes_and_says_when_it_crops():
    square, wide, tall = (image_sets.plan(a, "openai-images") for a in ("1:1", "16:9", "9:16"))
    assert (square.request_size, square.width, square.height, square.local_crop) == ("1024x1024", 1024, 1024, False)
    assert (wide.request_size, wide.width, wide.height, wide.local_crop) == ("1536x1024", 1536, 864, True)
    assert (tall.request_size, tall.width, tall.height, tall.local_crop) == ("1024x1536", 864, 1536, True)
    assert "crops the centre to 16:9" in wide.note
    for plan in (square, wide, tall):
        assert plan.width % 16 == 0 and plan.height % 16 == 0 and 1 / 3 <= plan.width / plan.height <= 3
    assert "offline still" in image_sets.plan("16:9", "offline").note


def test_a_still_is_never_offered_as_a_clip_to_blend_recut_compare_or_put_on_a_storyboard(studio):
    from core.videos import edits, storyboard
    from tests.helpers.studio import add_generation_row, finished_set

    still_set = make_set(studio, n=1, aspect="1:1", backend="offline")
    JobRunner(studio, tick_s=0.02).run_until_idle(timeout=60)
    video_set = finished_set(studio, "A kite over dunes", ["a" * 64])
    add_generation_row(studio, "Still queued")
    still = videos.generation(studio, still_set).variations[0].id
    clip = videos.generation(studio, video_set).variations[0].id

    assert set(edits.partner_choices(studio, exclude=-1)) == {clip}  # the finished still is left out
    assert set(storyboard.clip_choices(studio)) == {clip}
    assert still not in edits.partner_choices(studio, exclude=clip) and clip not in edits.partner_choices(studio, clip)
