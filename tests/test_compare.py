"""Compare, in core: what is compared (each variation's own prompt, how it was made, duration, size and
whether it is its set's cover) and what the picker offers, on a real SQLite library."""

import pytest

from core import trash
from core.errors import StudioError
from core.videos import compare, library
from core.videos import operations as ops
from core.videos.kinds import Operation, VariationStatus
from db import videos as queries
from tests.helpers.studio import add_generation_row


def _finish(studio, variation_id, seconds=4.0, size=250_000):
    """Mark a variation made, as the job runner would (the file itself is not needed here)."""
    with studio.db.session() as session:
        variation = queries.get_variation(session, variation_id)
        variation.status = VariationStatus.COMPLETED
        variation.progress = 100.0
        variation.video_sha256 = f"{variation_id:064x}"
        variation.duration_s = seconds
        variation.bytes = size


def _set(studio, prompt, variations=2, ready=None, size=(1280, 720)):
    """A set of ``variations``; the first ``ready`` of them (all by default) finished; its variation ids."""
    generation = add_generation_row(studio, prompt, variations=variations, size=size)
    with studio.db.session() as session:
        ids = [v.id for v in queries.get_generation(session, generation.id).variations]
    for variation_id in ids[: variations if ready is None else ready]:
        _finish(studio, variation_id)
    return generation.id, ids


def _edit(studio, source_id, params, seconds):
    with studio.db.session() as session:
        source = queries.get_variation(session, source_id)
        made = queries.add_variation(session, source, params.operation, ops.to_json(params))
    _finish(studio, made, seconds=seconds)
    return made


def test_items_keep_the_order_asked_for_and_each_says_its_own_facts(studio):
    fox, (fox_1, fox_2) = _set(studio, "A red fox trots through fresh snow")
    boat, (boat_1,) = _set(studio, "A paper boat on a river", variations=1, size=(720, 1280))
    loop = _edit(studio, fox_2, ops.Loop(0.5, 2.5), seconds=7.5)
    items = compare.compare_items(studio, [boat_1, loop, fox_1, loop])
    assert [i.variation_id for i in items] == [boat_1, loop, fox_1]  # the order asked for, once each
    first, looped, original = items
    assert (first.generation_id, first.width, first.height, first.prompt) == (
        boat,
        720,
        1280,
        "A paper boat on a river",
    )
    assert first.label == f"Set #{boat} · variation 1"
    assert (looped.generation_id, looped.operation, looped.duration_s) == (fox, Operation.LOOP, 7.5)
    assert "loop of 0.50–2.50 s" in looped.made  # what changed, not just "loop"
    assert original.operation == Operation.GENERATE and original.duration_s == 4.0 and original.bytes == 250_000


def test_a_remix_shows_its_own_prompt_and_the_change(studio):
    _, (source,) = _set(studio, "A lighthouse on a cliff at dusk", variations=1)
    remix = _edit(studio, source, ops.Remix.build("A lighthouse on a cliff at dusk", "make it snow", "Mild"), 4.0)
    (item,) = compare.compare_items(studio, [remix])
    assert item.prompt.startswith("A lighthouse on a cliff at dusk\nRemix:") and "make it snow" in item.prompt
    assert item.made == "remix (Mild): “make it snow”"


def test_unfinished_and_trashed_variations_are_left_out(studio):
    _, (done, making) = _set(studio, "Balloons over a canyon", ready=1)
    _, (gone, kept) = _set(studio, "A steam train at sunrise")
    trashed_set, (in_trashed_set, _) = _set(studio, "A snowy pine forest")
    trash.trash_variation(studio, gone)
    trash.trash_set(studio, trashed_set)
    items = compare.compare_items(studio, [done, making, gone, kept, in_trashed_set, 999_999])
    assert [i.variation_id for i in items] == [done, kept]


def test_is_cover_follows_keep_this_one(studio):
    generation_id, (first, second) = _set(studio, "Fireflies over a meadow")
    assert [i.is_cover for i in compare.compare_items(studio, [first, second])] == [True, False]  # the first ready
    library.set_cover(studio, generation_id, second)
    assert [i.is_cover for i in compare.compare_items(studio, [first, second])] == [False, True]
    view = library.generation(studio, generation_id)
    assert view is not None and view.cover is not None and view.cover.id == second


def test_choices_offer_the_compared_first_then_their_sets_then_recent_ready_ones(studio):
    _, (old_1,) = _set(studio, "An old harbour town", variations=1)
    galaxy, (a_1, a_2, a_3) = _set(studio, "A galaxy and a ringed planet", variations=3)
    _, (b_1, b_making) = _set(studio, "A volcano glowing at midnight", ready=1)
    _, (new_1, new_2) = _set(studio, "Waves on a coral beach at noon")
    choices = compare.compare_choices(studio, [a_3, b_1], recent=2)
    assert list(choices) == [a_3, b_1, a_1, a_2, new_2, new_1]  # old_1 is past the two most recent
    assert b_making not in choices and old_1 not in choices
    assert choices[a_3] == f"Set #{galaxy} · variation 3 · A galaxy and a ringed planet"


def test_choices_fold_and_shorten_a_long_prompt_to_one_line():
    label = compare.choice_label(7, 0, "A very\nlong prompt " + "with many words " * 10)
    assert label.startswith("Set #7 · variation 1 · A very long prompt with") and label.endswith("…")
    assert "\n" not in label and len(label) < 70


@pytest.mark.parametrize("count", [0, 1, 5])
def test_compare_refuses_fewer_than_two_or_more_than_four(count):
    with pytest.raises(StudioError) as refused:
        compare.check_count(count)
    assert ("at least two" if count < 2 else "at most four") in refused.value.message


@pytest.mark.parametrize("count", [2, 3, 4])
def test_compare_takes_two_to_four(count):
    compare.check_count(count)
