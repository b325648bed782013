"""Create video keeps your work: the form is a draft in the database (every field, the hand-edited
prompt, every setting and the reference image's bytes), it outlives the studio that wrote it, user
presets can be changed and deleted (built-in ones cannot), and Recall gives back every setting."""

import pytest

from core.config import Settings
from core.errors import StudioError
from core.studio import open_studio
from core.videos import create, edits
from core.videos import library as videos
from core.videos.jobs.runner import JobRunner
from core.videos.prompt import STYLE_PRESETS, VideoPrompt
from tests.helpers.corpus import encode, photo

FULL_DRAFT_SETTINGS = create.VideoSettings(
    aspect="9:16",
    resolution="1080p",
    seconds=8,
    variations=2,
    preset=next(iter(STYLE_PRESETS.keys() - {"None"})),
    backend="openai-videos",
    model="sora-2-pro",
)


def png_bytes(size: tuple[int, int]) -> bytes:
    return encode(photo("coffee").resize(size), "PNG")


def _full_draft(studio, image: bytes) -> create.Draft:
    return create.Draft(
        VideoPrompt("A lighthouse at dusk", "teal sea, soft mist", "slow dolly in", "no people"),
        FULL_DRAFT_SETTINGS,
        "My own words: a lighthouse seen from a boat",
        create.keep_reference(studio, "first frame.png", image),
    )


def test_a_draft_comes_back_from_the_database_with_every_field_and_the_same_image_bytes(studio):
    image = png_bytes((64, 48))
    assert create.load_draft(studio) is None
    draft = _full_draft(studio, image)
    create.save_draft(studio, draft)
    loaded = create.load_draft(studio)
    assert loaded == draft
    assert loaded is not None and loaded.reference is not None
    assert loaded.reference.name == "first frame.png"
    assert create.reference_bytes(studio, loaded.reference) == image


def test_saving_again_replaces_the_draft_and_clearing_forgets_it(studio):
    create.save_draft(studio, create.Draft(VideoPrompt("one", "", "")))
    create.save_draft(studio, create.Draft(VideoPrompt("two", "", ""), prompt_text=None))
    loaded = create.load_draft(studio)
    assert loaded is not None and loaded.parts.scene == "two" and loaded.prompt_text is None
    create.clear_draft(studio)
    assert create.load_draft(studio) is None


def test_a_draft_survives_reopening_the_studio_on_the_same_data_folder(studio, tmp_path):
    image = png_bytes((40, 30))
    draft = _full_draft(studio, image)
    create.save_draft(studio, draft)
    studio.db.dispose()
    reopened = open_studio(Settings.load(environ={"MEDIA_STUDIO_HOME": str(tmp_path / "home")}, secrets={}))
    try:
        loaded = create.load_draft(reopened)
        assert loaded == draft
        assert loaded is not None and loaded.reference is not None
        assert create.reference_bytes(reopened, loaded.reference) == image
    finally:
        reopened.db.dispose()


def test_a_draft_from_an_older_version_loads_what_it_can(studio):
    from db import state

    with studio.db.session() as session:
        state.put_value(
            session, create.DRAFT_KEY, {"parts": {"scene": "a fox", "mood": "?"}, "settings": {"seconds": 8}}
        )
    loaded = create.load_draft(studio)
    assert loaded is not None and loaded.parts.scene == "a fox" and loaded.settings.seconds == 8
    with studio.db.session() as session:
        state.put_value(session, create.DRAFT_KEY, ["not", "a", "draft"])
    assert create.load_draft(studio) is None


def test_a_missing_reference_file_reads_as_none_not_a_crash(studio):
    assert create.reference_bytes(studio, create.DraftReference("ab" * 32, "gone.jpg")) is None


def test_user_presets_can_get_new_words_and_be_deleted(studio):
    create.save_preset(studio, "Pastel", "pastel watercolour")
    create.update_preset(studio, "Pastel", "soft pastel chalk")
    assert create.user_presets(studio) == {"Pastel": "soft pastel chalk"}
    parts = VideoPrompt("a fox", "", "")
    assert create.compose_prompt(studio, parts, "Pastel").endswith("Style: soft pastel chalk")
    create.delete_preset(studio, "Pastel")
    assert create.user_presets(studio) == {}
    assert "Pastel" not in create.preset_names(studio)


@pytest.mark.parametrize(
    "change, words",
    [
        (lambda s: create.update_preset(s, "Nobody's", "words"), "no preset called"),
        (lambda s: create.delete_preset(s, "Nobody's"), "no preset called"),
        (lambda s: create.update_preset(s, next(iter(STYLE_PRESETS)), "words"), "built-in"),
        (lambda s: create.delete_preset(s, next(iter(STYLE_PRESETS))), "built-in"),
        (lambda s: create.update_preset(s, "Mine", "   "), "needs the words"),
    ],
)
def test_preset_changes_are_refused_with_one_clear_sentence(studio, change, words):
    create.save_preset(studio, "Mine", "my words")
    with pytest.raises(StudioError, match=words):
        change(studio)
    assert create.user_presets(studio) == {"Mine": "my words"}


def test_recall_gives_back_the_variations_count_model_and_reference_image(studio):
    image = png_bytes((320, 180))
    settings = create.VideoSettings(variations=2, seconds=4)
    generation_id = create.create_generation(
        studio, VideoPrompt("a fox in snow", "", "slow pan"), settings, reference=("fox.png", image)
    )
    JobRunner(studio).run_until_idle(timeout=120)
    view = videos.generation(studio, generation_id)
    assert view is not None
    recalled = edits.recall(studio, view.variations[1].id)
    assert recalled["variations"] == 2 and recalled["model"] == settings.model and recalled["seconds"] == 4
    reference = create.DraftReference(recalled["reference_sha256"], recalled["reference_name"])
    stored = create.reference_bytes(studio, reference)
    assert stored is not None and stored[:2] == b"\xff\xd8"  # the set's first frame, as it was sent


def test_recall_of_a_set_without_a_reference_says_so(studio):
    generation_id = create.create_generation(studio, VideoPrompt("a fox", "", ""), create.VideoSettings(seconds=4))
    JobRunner(studio).run_until_idle(timeout=120)
    view = videos.generation(studio, generation_id)
    assert view is not None
    recalled = edits.recall(studio, view.variations[0].id)
    assert recalled["variations"] == 1 and recalled["reference_sha256"] is None and recalled["reference_name"] is None
