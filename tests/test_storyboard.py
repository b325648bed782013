"""Storyboard: cards on a timeline made into one video. On the Videos API (the real SDK against the
fake /v1/videos): one create, then one extension of the previous result per later card with that
card's words and the seconds up to the next card, resumed after a restart without any request sent
twice. Offline: one animatic segment per card, cut where cards are close and dissolved where they
are far apart, read back frame by frame. Every variation keeps its storyboard."""

import io
import itertools
import json
import time

import numpy as np
import pytest
from PIL import Image

from core.errors import StudioError
from core.videos import edits, storyboard
from core.videos import library as videos
from core.videos import operations as ops
from core.videos.backends import openai_videos
from core.videos.create import VideoSettings
from core.videos.jobs.job import Stopped
from core.videos.jobs.runner import JobRunner
from core.videos.timeline import Card, CardKind
from db.models import Generation, Variation
from tests.helpers.corpus import encode, photo
from tests.helpers.studio import create_api_generation, fast_runner, queue_offline
from tests.helpers.video import decode

API = VideoSettings(seconds=4, backend="openai-videos", model="sora-2")
THREE_CARDS = ops.Storyboard(
    (
        Card(CardKind.TEXT, 0.0, "A red fox wakes in its den"),
        Card(CardKind.TEXT, 4.0, "The fox steps out into the snow"),
        Card(CardKind.TEXT, 8.0, "The fox runs across the frozen lake"),
    ),
    16.0,
)


def _generate(studio, board, settings=API, **where):
    return storyboard.generate(studio, storyboard.StoryboardDraft(board, settings, **where))


def _variation(studio, variation_id):
    with studio.db.session() as session:
        found = session.get(Variation, variation_id)
        session.expunge(found)
        return found


# --- the Videos API: a chain of a create and extensions -------------------------------------------------


def test_the_first_card_is_a_create_and_each_later_card_extends_the_previous_result(api_studio, videos_server):
    videos_server.polls_to_complete = 2
    generation_id, variation_id = _generate(api_studio, THREE_CARDS)
    assert videos_server.requests == []  # the rows first, then the requests
    fast_runner(api_studio).run_until_idle(timeout=60)
    [create] = videos_server.create_forms
    assert (create.fields["prompt"], create.fields["seconds"]) == ("A red fox wakes in its den", "4")
    first, second = videos_server.extend_forms
    assert (first.fields["prompt"], first.fields["seconds"]) == ("The fox steps out into the snow", "4")
    assert (second.fields["prompt"], second.fields["seconds"]) == ("The fox runs across the frozen lake", "8")
    done = _variation(api_studio, variation_id)
    assert done.status == "completed", done.error
    made = json.loads(done.chain_remote_ids)
    assert first.fields["video[id]"] == made[0] and second.fields["video[id]"] == made[1]
    assert videos_server.extended_from[done.remote_id] == made[1]  # the video kept is the last extension
    assert done.duration_s == pytest.approx(16.0, abs=0.3)
    assert [r.method for r in videos_server.requests if r.path.endswith(("/videos", "/extensions"))] == ["POST"] * 3
    view = videos.generation(api_studio, generation_id)
    assert view.variations[0].operation == "storyboard"
    assert edits.lineage(api_studio, variation_id).summary == "from storyboard: 3 cards over 16 s"


def test_an_image_first_card_is_the_creates_reference_fitted_to_the_size(api_studio, videos_server):
    digest = storyboard.keep_image(api_studio, "fox.png", encode(photo("astronaut"), "PNG"))
    board = ops.Storyboard((Card(CardKind.IMAGE, 0.0, "The astronaut waves", image_sha256=digest),), 8.0)
    _, variation_id = _generate(api_studio, board)
    fast_runner(api_studio).run_until_idle(timeout=60)
    [create] = videos_server.create_forms
    assert create.fields["seconds"] == "8" and videos_server.extend_forms == []
    assert Image.open(io.BytesIO(create.files["input_reference"].data)).size == (1280, 720)
    assert _variation(api_studio, variation_id).status == "completed"


def test_a_restart_in_the_middle_of_the_chain_resumes_without_sending_anything_twice(api_studio, videos_server):
    videos_server.polls_to_complete = 2
    _, variation_id = _generate(api_studio, THREE_CARDS)
    first = fast_runner(api_studio, lease_s=0.5)
    for _ in range(400):  # until the second card's extension has been sent and its id stored
        first.tick()
        if videos_server.extend_forms and _variation(api_studio, variation_id).remote_id:
            break
        time.sleep(0.02)
    first.stop(wait=True)  # as if the server process went away mid-chain
    mid = _variation(api_studio, variation_id)
    assert (mid.chain_step, len(json.loads(mid.chain_remote_ids))) == (1, 1)
    fast_runner(api_studio, lease_s=0.5).run_until_idle(timeout=60)
    assert _variation(api_studio, variation_id).status == "completed"
    assert len(videos_server.create_forms) == 1
    assert [f.fields["prompt"] for f in videos_server.extend_forms] == [
        "The fox steps out into the snow",
        "The fox runs across the frozen lake",
    ]


def test_an_extension_whose_answer_was_lost_is_adopted_not_sent_again(api_studio, videos_server):
    videos_server.polls_to_complete = 2
    _, variation_id = _generate(api_studio, THREE_CARDS)
    real = openai_videos.OpenAIVideosBackend(api_studio.settings)

    class DiesAfterSending:  # the service accepts the extension; the process dies before storing its id
        key, label, model = real.key, real.label, real.model

        def __getattr__(self, name):
            return getattr(real, name)

        def extend(self, source, prompt, seconds):
            real.extend(source, prompt, seconds)
            raise Stopped()

    dying = JobRunner(api_studio, backend_for=lambda key: DiesAfterSending(), tick_s=0.05, lease_s=0.5)
    for _ in range(400):
        dying.tick()
        if videos_server.extend_forms:
            break
        time.sleep(0.02)
    dying.stop(wait=True)
    lost = _variation(api_studio, variation_id)
    assert lost.remote_id is None and lost.attempts == 1 and lost.chain_step == 1
    fast_runner(api_studio, lease_s=0.5).run_until_idle(timeout=60)
    assert _variation(api_studio, variation_id).status == "completed"
    assert len(videos_server.create_forms) == 1 and len(videos_server.extend_forms) == 2


@pytest.mark.parametrize(
    "cards, total, words",
    [
        ((Card(CardKind.TEXT, 0.0, "a"), Card(CardKind.TEXT, 3.0, "b")), 8.0, "Card 1 lasts 3 s"),
        ((Card(CardKind.TEXT, 0.0, "a"), Card(CardKind.CLIP, 4.0, variation_id=1)), 8.0, "library clip"),
        ((Card(CardKind.TEXT, 0.0, "a"),), 90.0, "up to 60 seconds"),
        ((Card(CardKind.TEXT, 0.0, "   "),), 8.0, "without words"),
    ],
)
def test_a_storyboard_the_videos_api_cannot_make_is_refused_before_anything_is_saved(api_studio, cards, total, words):
    with pytest.raises(StudioError, match=words):
        _generate(api_studio, ops.Storyboard(cards, total))
    with api_studio.db.session() as session:
        assert session.query(Generation).count() == 0


# --- offline: an animatic of the cards ---------------------------------------------------------------------


def _small(studio, generation_id, size=(160, 90)):
    """Tests render small: the set's size, as if chosen so."""
    with studio.db.session() as session:
        generation = session.get(Generation, generation_id)
        generation.width, generation.height = size
        generation.request_size = f"{size[0]}x{size[1]}"


def _changes(frames):
    """How much each frame differs from the one before (index i: frame i against i − 1)."""
    return np.array(
        [0.0] + [float(np.abs(b.astype(int) - a.astype(int)).mean()) for a, b in itertools.pairwise(frames)]
    )


def test_offline_cards_close_together_are_cut_at_their_times(studio):
    clip_set = queue_offline(
        studio,
        n=1,
        size=(160, 90),
        seconds=2,
        parts={"scene": "green forest", "visual": "", "motion": "static", "extra": ""},
    )
    JobRunner(studio).run_until_idle(timeout=120)
    clip = videos.generation(studio, clip_set).variations[0]
    picture = Image.new("RGB", (320, 180), (240, 240, 240))
    picture.paste((20, 20, 200), (0, 0, 160, 180))
    buffer = io.BytesIO()
    picture.save(buffer, "PNG")
    digest = storyboard.keep_image(studio, "stripes.png", buffer.getvalue())
    board = ops.Storyboard(
        (
            Card(CardKind.TEXT, 0.0, "red desert dunes at noon"),
            Card(CardKind.IMAGE, 1.5, "", image_sha256=digest),
            Card(CardKind.CLIP, 3.0, variation_id=clip.id, start_s=0.5),
        ),
        4.5,
    )
    generation_id, variation_id = _generate(studio, board, VideoSettings())
    _small(studio, generation_id)
    JobRunner(studio).run_until_idle(timeout=120)
    done = _variation(studio, variation_id)
    assert done.status == "completed", done.error
    out = decode(videos.video_path(studio, done.video_sha256))
    assert (out.codec, out.width, out.height, len(out.frames)) == ("h264", 160, 90, 108)  # 4.5 s at 24 fps
    assert done.duration_s == pytest.approx(4.5, abs=0.05)
    changes = _changes(out.frames)
    cuts = sorted(int(i) for i in np.argsort(changes)[-2:])
    assert cuts == [36, 72]  # 1.5 s and 3 s: where the cards are
    assert changes[[36, 72]].min() > 4 * np.median(changes)
    assert mean_rgb(out.frames[40])[2] > mean_rgb(out.frames[40])[0]  # the image card: its blue half shows
    source = decode(videos.video_path(studio, clip.video_sha256)).frames
    assert float(np.abs(out.frames[72].astype(int) - source[12].astype(int)).mean()) < 6  # the clip from 0.5 s


def mean_rgb(frame):
    return frame.reshape(-1, 3).mean(axis=0)


def test_offline_cards_far_apart_dissolve_into_each_other_around_the_card_time(studio):
    board = ops.Storyboard(
        (Card(CardKind.TEXT, 0.0, "red desert dunes at noon"), Card(CardKind.TEXT, 4.0, "blue sea at night, static")),
        5.0,
    )
    generation_id, variation_id = _generate(studio, board, VideoSettings())
    _small(studio, generation_id)
    JobRunner(studio).run_until_idle(timeout=120)
    out = decode(videos.video_path(studio, _variation(studio, variation_id).video_sha256))
    assert len(out.frames) == 120
    changes = _changes(out.frames)
    before, after, middle = out.frames[83], out.frames[108], out.frames[96]
    jump = float(np.abs(after.astype(int) - before.astype(int)).mean())
    assert changes[84:108].max() < jump / 4  # no single cut: the change is spread over the dissolve
    halfway = (before.astype(int) + after.astype(int)) / 2
    assert float(np.abs(middle.astype(int) - halfway).mean()) < jump / 4  # half of each at the card time


# --- opening a variation's storyboard -----------------------------------------------------------------------


def test_a_plain_generation_opens_as_one_card_and_generating_adds_a_variation(studio):
    generation_id = queue_offline(studio, n=1, size=(160, 90), seconds=2)
    JobRunner(studio).run_until_idle(timeout=120)
    plain = videos.generation(studio, generation_id).variations[0]
    draft = storyboard.open_variation(studio, plain.id)
    assert [c.kind for c in draft.board.cards] == [CardKind.TEXT] and draft.board.total_s == 2.0
    assert "lighthouse" in draft.board.cards[0].prompt
    assert (draft.generation_id, draft.variation_id) == (generation_id, plain.id)
    board = storyboard.add_card(draft.board, Card(CardKind.TEXT, 1.0, "the lamp turns red"))
    _, new_id = storyboard.generate(studio, storyboard.StoryboardDraft(board, draft.settings, generation_id, plain.id))
    JobRunner(studio).run_until_idle(timeout=120)
    view = videos.generation(studio, generation_id)
    assert [v.id for v in view.variations] == [plain.id, new_id]
    found = edits.lineage(studio, new_id)
    assert found.operation.label == "from storyboard" and [p.variation_id for p in found.parents] == [plain.id]
    reopened = storyboard.open_variation(studio, new_id)
    assert reopened.board == board  # a storyboard variation keeps its cards


def test_cards_are_added_moved_nudged_edited_and_deleted_in_time_order():
    board = ops.Storyboard((Card(CardKind.TEXT, 0.0, "a"),), 12.0)
    board = storyboard.add_card(board, Card(CardKind.TEXT, 8.0, "c"))
    board = storyboard.add_card(board, Card(CardKind.TEXT, 4.0, "b"))
    assert [(c.prompt, c.at_s) for c in board.cards] == [("a", 0.0), ("b", 4.0), ("c", 8.0)]
    assert board.lengths == [4.0, 4.0, 4.0]
    board = storyboard.move_card(board, 2, 2.0)
    assert [c.prompt for c in board.cards] == ["a", "c", "b"]
    board = storyboard.nudge_card(board, 1, +10.0)  # never onto or past its neighbour
    assert board.cards[1].at_s == 3.5
    board = storyboard.edit_card(board, 1, prompt="see")
    board = storyboard.delete_card(board, 0)
    assert [(c.prompt, c.at_s) for c in board.cards] == [("see", 0.0), ("b", 4.0)]
    assert ops.from_json("storyboard", ops.to_json(board)) == board


def test_an_api_set_is_extended_by_a_storyboard_made_from_one_of_its_variations(api_studio, videos_server):
    videos_server.polls_to_complete = 2
    generation_id = create_api_generation(api_studio)
    fast_runner(api_studio).run_until_idle(timeout=60)
    source = videos.generation(api_studio, generation_id).variations[0]
    draft = storyboard.open_variation(api_studio, source.id)
    board = storyboard.add_card(draft.board, Card(CardKind.TEXT, 4.0, "the fox dives into the snow"))
    board = storyboard.set_total(board, 8.0)
    storyboard.generate(api_studio, storyboard.StoryboardDraft(board, draft.settings, generation_id, source.id))
    fast_runner(api_studio).run_until_idle(timeout=60)
    assert len(videos_server.create_forms) == 2 and len(videos_server.extend_forms) == 1
    assert [v.status for v in videos.generation(api_studio, generation_id).variations] == ["completed"] * 2


@pytest.mark.parametrize(
    "cards, total, words",
    [
        ((Card(CardKind.TEXT, 0.0, "a"), Card(CardKind.TEXT, 9.0, "b")), 8.0, "Card 2 starts at 9 s, after the end"),
        ((Card(CardKind.TEXT, 0.0, "a"), Card(CardKind.TEXT, 7.8, "b")), 8.0, "at least 0.5 s"),
        ((Card(CardKind.TEXT, 1.0, "a"),), 8.0, "first card must start at 0"),
        ((Card(CardKind.TEXT, 0.0, "a"), Card(CardKind.IMAGE, 4.0)), 8.0, "image card without an image"),
        ((Card(CardKind.CLIP, 0.0),), 8.0, "clip card without a clip"),
        ((Card(CardKind.CLIP, 0.0, variation_id=999),), 8.0, "clip no longer exists"),
        ((), 8.0, "empty"),
    ],
)
def test_an_offline_storyboard_that_cannot_be_made_is_refused_in_one_sentence(studio, cards, total, words):
    with pytest.raises(StudioError, match=words):
        _generate(studio, ops.Storyboard(cards, total), VideoSettings())


def test_the_chain_has_one_progress_bar_weighted_by_each_cards_seconds():
    from core.videos.jobs.chain import overall

    assert THREE_CARDS.lengths == [4.0, 4.0, 8.0]
    assert overall(THREE_CARDS, 0, 0.0) == 0.0
    assert overall(THREE_CARDS, 0, 100.0) == pytest.approx(25.0)  # the first card is a quarter of the video
    assert overall(THREE_CARDS, 1, 50.0) == pytest.approx(37.5)
    assert overall(THREE_CARDS, 2, 100.0) == 99.0  # 100 only once the video is downloaded and stored
