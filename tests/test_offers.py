"""Options depend on your plan: the plan chosen in Settings is what Create video offers and what
``create_generation`` accepts; a request the plan lacks is refused before anything is written."""

import pytest
from sqlalchemy import func, select

from core.errors import StudioError
from core.videos import create, offers
from core.videos.kinds import BackendKey
from core.videos.prompt import VideoPrompt
from db import state as stored
from db.models import Generation

API = BackendKey.OPENAI_VIDEOS
PARTS = VideoPrompt(scene="a lighthouse at dusk", visual="", motion="slow push in")


def _sets(studio) -> int:
    with studio.db.session() as session:
        return session.scalar(select(func.count()).select_from(Generation))


def _api(**changes) -> create.VideoSettings:
    values = {"backend": API, "model": "sora-2", "seconds": 4, "variations": 1, "resolution": "720p"}
    return create.VideoSettings(**{**values, **changes})


def test_the_default_plan_for_the_video_api_offers_every_option_sora_2_pro_has(studio):
    offer = offers.offer(studio, API)
    assert offer.plan == "Pro"
    assert offer.resolutions_for("sora-2-pro") == ("720p", "1080p")
    assert offer.resolutions_for("sora-2") == ("720p",)  # HD is a pro model's, on any plan
    assert offer.durations == (4, 8, 12) and offer.variation_counts == (1, 2, 4)
    create.create_generation(studio, PARTS, _api(model="sora-2-pro", resolution="1080p", seconds=12, variations=4))
    assert _sets(studio) == 1


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"seconds": 12}, "Your Standard plan makes clips of 4 s or 8 s."),
        ({"variations": 4}, "Your Standard plan makes 1 or 2 variations at a time."),
        ({"model": "sora-2-pro"}, "Your Standard plan does not include sora-2-pro; pick sora-2"),
    ],
)
def test_a_request_the_standard_plan_lacks_is_refused_with_a_sentence_and_nothing_is_written(studio, changes, words):
    offers.choose_plan(studio, API, "Standard")
    with pytest.raises(StudioError) as refused:
        create.create_generation(studio, PARTS, _api(**changes))
    assert refused.value.message.startswith(words)
    assert _sets(studio) == 0
    create.create_generation(studio, PARTS, _api(seconds=8, variations=2))  # what it does offer still works
    assert _sets(studio) == 1


def test_the_chosen_plan_is_kept_across_restarts_and_the_offline_renderer_keeps_everything(studio):
    offers.choose_plan(studio, API, "Standard")
    again = offers.offer(studio, API)
    assert (again.plan, again.models, again.durations, again.variation_counts) == (
        "Standard",
        ("sora-2",),
        (4, 8),
        (1, 2),
    )
    offline = offers.offer(studio, BackendKey.OFFLINE)
    assert offline.durations == (4, 8, 12) and offline.resolutions == ("720p", "1080p")
    create.create_generation(studio, PARTS, create.VideoSettings(seconds=12, variations=4, resolution="1080p"))
    assert _sets(studio) == 1


def test_a_custom_plan_offers_exactly_the_options_picked(studio):
    options = {"models": ["sora-2-pro"], "resolutions": ["1080p"], "durations": [12], "variation_counts": [1, 4]}
    offers.choose_plan(studio, API, offers.CUSTOM, options)
    offer = offers.offer(studio, API)
    assert (offer.plan, offer.models, offer.resolutions, offer.durations, offer.variation_counts) == (
        "Custom",
        ("sora-2-pro",),
        ("1080p",),
        (12,),
        (1, 4),
    )
    with pytest.raises(StudioError, match="makes 1080p only"):
        create.create_generation(studio, PARTS, _api(model="sora-2-pro", seconds=12))
    create.create_generation(studio, PARTS, _api(model="sora-2-pro", resolution="1080p", seconds=12, variations=4))


def test_a_custom_plan_without_a_duration_is_refused_and_the_plan_before_is_kept(studio):
    offers.choose_plan(studio, API, "Standard")
    with pytest.raises(StudioError, match="at least one model, resolution, duration and variation count"):
        offers.choose_plan(
            studio,
            API,
            offers.CUSTOM,
            {"models": ["sora-2"], "resolutions": ["720p"], "durations": [], "variation_counts": [1]},
        )
    assert offers.offer(studio, API).plan == "Standard"


def test_a_damaged_stored_plan_falls_back_to_the_default_rather_than_breaking_the_composer(studio):
    with studio.db.session() as session:
        stored.put_value(session, "plan:openai-videos", {"plan": "Custom", "options": {"durations": ["x"]}})
    assert offers.offer(studio, API).plan == "Pro"
    with studio.db.session() as session:
        stored.put_value(session, "plan:openai-videos", "Enterprise")
    assert offers.offer(studio, API).plan == "Pro"


def test_a_gateways_own_model_is_not_refused_by_a_plan_that_does_not_name_it(studio):
    offers.choose_plan(studio, API, "Standard")
    offer = offers.offer(studio, API, models=["my-gateway-video", "sora-2", "sora-2-pro"])
    assert offer.models == ("my-gateway-video", "sora-2")
    create.create_generation(studio, PARTS, _api(model="my-gateway-video"))
    assert _sets(studio) == 1
