"""Each operation's parameters are one typed value: they survive the trip through
``variations.operation_params`` unchanged, old rows missing a field get its default, and where
each runs is decided in one place."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from core.errors import StudioError
from core.videos import operations as ops
from core.videos.kinds import BackendKey, BlendMode, LoopLength, LoopMode, Operation, VariationStatus

EXAMPLES: list[ops.OperationParams] = [
    ops.Generate(),
    ops.Imported(file="holiday.mov"),
    ops.Remix.build("A lighthouse at dusk", "  make it   snow ", "Subtle"),
    ops.Loop(0.5, 2.25, LoopLength.LONG, LoopMode.PINGPONG),
    ops.Blend(BlendMode.CUSTOM, None, 0.5, ((0.0, 0.0), (0.5, 1.0), (1.0, 0.0))),
    ops.Blend(BlendMode.TRANSITION, 1.5),
    ops.Recut((ops.RecutSegment(3, 0.0, 1.0), ops.RecutSegment(7, 0.5, 2.0))),
]


@pytest.mark.parametrize("params", EXAMPLES, ids=lambda p: type(p).__name__)
def test_parameters_survive_the_round_trip_through_the_database_column(params):
    assert ops.from_json(params.operation, ops.to_json(params)) == params


def test_the_stored_json_keeps_the_keys_earlier_versions_wrote():
    assert json.loads(ops.to_json(ops.Loop(0.0, 1.0))) == {
        "start_s": 0.0,
        "end_s": 1.0,
        "length": "normal",
        "mode": "crossfade",
    }
    assert json.loads(ops.to_json(ops.Generate())) == {}
    stored = ops.to_json(ops.Recut((ops.RecutSegment(3, 0.0, 1.0),)))
    assert json.loads(stored) == {"segments": [{"variation_id": 3, "start_s": 0.0, "end_s": 1.0}]}


def test_an_older_row_missing_optional_fields_gets_the_defaults():
    assert ops.from_json("loop", '{"start_s": 1, "end_s": 3}') == ops.Loop(
        1.0, 3.0, LoopLength.NORMAL, LoopMode.CROSSFADE
    )
    assert ops.from_json("blend", "{}") == ops.Blend()
    assert ops.from_json("generate", None) == ops.Generate()


@pytest.mark.parametrize(
    ("operation", "backend", "step"),
    [
        (Operation.GENERATE, BackendKey.OFFLINE, ops.Step.RENDER),
        (Operation.GENERATE, BackendKey.OPENAI_VIDEOS, ops.Step.REMOTE),
        (Operation.REMIX, BackendKey.OPENAI_VIDEOS, ops.Step.REMOTE),  # the API remixes its own videos
        (Operation.REMIX, BackendKey.OFFLINE, ops.Step.RENDER),
        (Operation.REMIX, BackendKey.IMPORT, ops.Step.RENDER),  # an import has no remote id
        (Operation.LOOP, BackendKey.OPENAI_VIDEOS, ops.Step.EDIT),  # edits always run here
        (Operation.BLEND, BackendKey.OFFLINE, ops.Step.EDIT),
        (Operation.RECUT, BackendKey.OPENAI_VIDEOS, ops.Step.EDIT),
    ],
)
def test_where_each_operation_runs(operation, backend, step):
    assert ops.step_for(operation, backend) == step


def test_an_import_never_runs():
    with pytest.raises(StudioError):
        ops.step_for(Operation.IMPORT, BackendKey.IMPORT)


@pytest.mark.parametrize(
    ("params", "duration", "says"),
    [
        (ops.Loop(2.0, 1.0), 4.0, "empty or reversed"),
        (ops.Loop(1.0, 1.1), 4.0, "quarter of a second"),
        (ops.Loop(1.0, 9.0), 4.0, "outside the clip"),
        (ops.Blend(BlendMode.MIX, weight=1.5), 4.0, "mix weight"),
        (ops.Blend(BlendMode.CUSTOM, curve=((0.0, 0.0),)), 4.0, "two control points"),
        (ops.Blend(BlendMode.CUSTOM, curve=((0.0, 0.0), (2.0, 1.0))), 4.0, "Control points"),
        (ops.Blend(BlendMode.TRANSITION, at_s=6.0), 4.0, "outside the clip"),
    ],
)
def test_bad_parameters_are_refused_with_a_sentence(params, duration, says):
    with pytest.raises(StudioError, match=says):
        params.validate(duration)


def test_a_remix_needs_words_and_a_known_strength():
    with pytest.raises(StudioError, match="in words"):
        ops.Remix.build("A lighthouse", "   ", "Mild")
    with pytest.raises(StudioError, match="remix strength"):
        ops.Remix.build("A lighthouse", "snow", "Wild")
    assert ops.Remix.build("A lighthouse", "snow", "Custom").prompt == "snow"


def test_the_database_accepts_every_state_the_enum_names_and_no_other(studio):
    from tests.helpers.studio import queue_offline

    queue_offline(studio, n=1)
    with studio.db.engine.begin() as connection:
        for state in VariationStatus:
            if state is not VariationStatus.COMPLETED:  # completed also needs a video (its own constraint)
                connection.execute(text("UPDATE variations SET status = :s"), {"s": str(state)})
    with pytest.raises(IntegrityError), studio.db.engine.begin() as connection:
        connection.execute(text("UPDATE variations SET status = 'paused'"))
