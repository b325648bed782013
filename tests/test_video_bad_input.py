"""Bad input on Create video and import: one clear sentence, and nothing saved."""

import pytest

from core.errors import StudioError
from core.videos import create, imports
from core.videos import library as videos
from core.videos.prompt import MAX_PROMPT_CHARS, VideoPrompt
from tests.helpers.studio import snapshot
from tests.helpers.video import (
    make_audio_only,
    make_mp4,
    make_odd_mov,
    make_random_bytes,
    make_truncated_moov,
    make_webm,
)

OK_PARTS = VideoPrompt(scene="a paper boat on a puddle", visual="bright", motion="static")
OFFLINE = create.VideoSettings()


def _library(studio):
    return videos.library(studio, videos.GenerationFilter())[0], snapshot(studio)[2]


@pytest.mark.parametrize(
    "parts, prompt_text, words",
    [
        (VideoPrompt("", "", ""), None, "empty"),
        (OK_PARTS, "   ", "empty"),
        (OK_PARTS, "x" * (MAX_PROMPT_CHARS + 1), "limit is 32,000"),
    ],
)
def test_an_empty_or_overlong_prompt_is_refused_and_nothing_is_saved(studio, parts, prompt_text, words):
    before = _library(studio)
    with pytest.raises(StudioError, match=words):
        create.create_generation(studio, parts, OFFLINE, prompt_text=prompt_text)
    assert _library(studio) == before


@pytest.mark.parametrize(
    "name, data, words",
    [
        ("notes.png", b"not a picture at all", "text file"),
        ("empty.jpg", b"", "empty"),
    ],
)
def test_a_reference_that_is_not_an_image_is_refused_and_nothing_is_saved(studio, name, data, words):
    before = _library(studio)
    with pytest.raises(StudioError, match=words):
        create.create_generation(studio, OK_PARTS, OFFLINE, reference=(name, data))
    assert _library(studio) == before


def test_1080p_on_a_model_that_cannot_make_it_is_explained(studio):
    settings = create.VideoSettings(resolution="1080p", backend="openai-videos", model="sora-2")
    with pytest.raises(StudioError, match="720p only"):
        create.create_generation(studio, OK_PARTS, settings)


@pytest.mark.parametrize(
    "maker, words",
    [
        (make_audio_only, "audio file"),
        (make_truncated_moov, ""),
        (lambda p: make_random_bytes(p), ""),
        (lambda p: make_odd_mov(p, width=1, height=1), "only 1×1 pixels"),  # issue #8: was a ValueError
    ],
)
def test_a_corrupt_or_audio_only_import_is_refused_and_nothing_is_saved(studio, tmp_path, maker, words):
    path = maker(tmp_path / "clip.mp4")
    before = _library(studio)
    with pytest.raises(StudioError) as refused:
        imports.import_video(studio, "clip.mp4", path.read_bytes())
    assert "clip.mp4" in refused.value.message and words in refused.value.message.lower()
    assert _library(studio) == before
    assert [p for p in studio.media.scratch().rglob("*")] == []


def test_an_h264_mp4_is_imported_as_is_and_a_webm_is_transcoded(studio, tmp_path):
    import av

    mp4 = make_mp4(tmp_path / "a.mp4")
    webm = make_webm(tmp_path / "b.webm")
    first = imports.import_video(studio, "a.mp4", mp4.read_bytes())
    second = imports.import_video(studio, "b.webm", webm.read_bytes())
    for generation_id in (first, second):
        view = videos.generation(studio, generation_id)
        assert view.source == "import" and view.variations[0].status == "completed"
        with av.open(str(videos.video_path(studio, view.variations[0].video_sha256))) as container:
            ctx = container.streams.video[0].codec_context
            assert (ctx.name, ctx.pix_fmt) == ("h264", "yuv420p")
    assert (
        videos.video_path(studio, videos.generation(studio, first).variations[0].video_sha256).read_bytes()
        == mp4.read_bytes()
    )  # already browser-playable: kept byte for byte


@pytest.mark.parametrize("maker", [make_mp4, make_webm], ids=["kept as is", "transcoded"])
def test_importing_the_same_file_twice_makes_one_set_and_names_it(studio, tmp_path, maker):
    """Guards issue #8: importing the same file twice made two sets."""
    from core.errors import AlreadyInLibrary

    data = maker(tmp_path / f"clip.{'mp4' if maker is make_mp4 else 'webm'}").read_bytes()
    first = imports.import_video(studio, "clip", data)
    before = _library(studio)
    with pytest.raises(AlreadyInLibrary, match=f"already in the library as set #{first}") as refused:
        imports.import_video(studio, "clip again", data)
    assert refused.value.generation_id == first
    assert _library(studio) == before  # nothing added: no set, no file
