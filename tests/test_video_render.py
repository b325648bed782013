"""The offline renderer makes real, browser-playable animatics of a prompt; the prompt is checked first."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from PIL import Image

from core.images import cover_crop
from core.videos.backends.offline.render import render_offline
from core.videos.backends.offline.words import camera_move, colours_in
from core.videos.prompt import MAX_PROMPT_CHARS, STYLE_PRESETS, InvalidPrompt, VideoPrompt, validate_prompt
from tests.helpers.video import decode, mean_abs_diff, mp4_boxes

PROMPT = VideoPrompt(
    scene="A lighthouse on a rocky cliff above the sea at dusk",
    visual="Golden light, teal water, soft haze",
    motion="Slow pan right across the bay",
)


def channel_spread(frames: list[np.ndarray]) -> np.ndarray:
    """Per pixel, how far apart R, G and B are: 0 everywhere for a grey picture."""
    stack = np.stack(frames).astype(np.int16)
    return stack.max(axis=-1) - stack.min(axis=-1)


@pytest.fixture(scope="module")
def renders(tmp_path_factory):
    folder = tmp_path_factory.mktemp("renders")
    made = {}

    def render(name, **kwargs):
        if name not in made:
            options: dict[str, Any] = dict(prompt=PROMPT, preset="None", width=320, height=180, seconds=2, seed=1)
            options.update(kwargs)
            path = folder / f"{name}.mp4"
            info = render_offline(out_path=path, **options)
            made[name] = (path, info, decode(path))
        return made[name]

    return render


def reference_picture() -> Image.Image:
    """A square picture with structure everywhere, so a wrong crop or offset shows."""
    y, x = np.mgrid[0:400, 0:400]
    pixels = np.stack([(x * 255 // 400), (y * 255 // 400), ((x // 25 + y // 25) % 2) * 200 + 30], axis=-1)
    return Image.fromarray(pixels.astype(np.uint8))


# ── the output is a browser-playable MP4 of the asked size and length ──────────────────────────


def test_render_is_h264_yuv420p_of_the_requested_size_and_length(renders):
    _path, info, video = renders("base", seconds=3)
    assert (video.codec, video.pix_fmt, video.width, video.height) == ("h264", "yuv420p", 320, 180)
    assert video.fps == 24
    assert abs(len(video.frames) - 3 * 24) <= 1
    assert abs(info.duration - 3.0) <= 1 / 24
    assert (info.width, info.height, info.codec) == (320, 180, "h264")


def test_render_puts_the_index_before_the_media_data(renders):
    path, _, _ = renders("base", seconds=3)
    kinds = [kind for kind, _, _ in mp4_boxes(path)]
    assert "moov" in kinds and "mdat" in kinds
    assert kinds.index("moov") < kinds.index("mdat")


def test_720p_render_is_browser_playable(renders):
    path, _info, video = renders("hd", width=1280, height=720, seconds=1)
    assert (video.codec, video.pix_fmt, video.width, video.height) == ("h264", "yuv420p", 1280, 720)
    assert abs(len(video.frames) - 24) <= 1
    kinds = [kind for kind, _, _ in mp4_boxes(path)]
    assert kinds.index("moov") < kinds.index("mdat")


def test_odd_sizes_are_rounded_down_to_even(renders):
    _, _info, video = renders("odd", width=321, height=181, seconds=1)
    assert (video.width, video.height) == (320, 180)


# ── it depicts the prompt, and variations differ ────────────────────────────────────────────────


def test_two_seeds_give_visibly_different_variations(renders):
    _, _, first = renders("base", seconds=3)
    _, _, second = renders("seed2", seconds=3, seed=2)
    differences = [mean_abs_diff(a, b) for a, b in zip(first.frames[::12], second.frames[::12])]
    assert min(differences) > 10


def test_the_same_seed_renders_the_same_picture(renders):
    _, _, first = renders("base", seconds=3)
    _, _, again = renders("base-again", seconds=3)
    assert max(mean_abs_diff(a, b) for a, b in zip(first.frames[::12], again.frames[::12])) < 1


def test_the_camera_moves_on_a_pan_and_barely_on_a_static_shot(renders):
    static = VideoPrompt(PROMPT.scene, PROMPT.visual, "Static camera, locked off")
    pan_right = VideoPrompt(PROMPT.scene, PROMPT.visual, "The camera pans right")
    _, _, still = renders("static", prompt=static, titles=False)
    _, _, pan = renders("pan", prompt=pan_right, titles=False)
    assert mean_abs_diff(pan.frames[0], pan.frames[-1]) > 2 * mean_abs_diff(still.frames[0], still.frames[-1])


def test_film_noir_frames_are_grey_and_the_plain_preset_is_not(renders):
    _, _, plain = renders("base", seconds=3)
    _, _, noir = renders("noir", preset="Film Noir")
    noir_spread = channel_spread(noir.frames[::6])
    assert noir_spread.mean() < 2 and np.percentile(noir_spread, 99) < 8
    assert channel_spread(plain.frames[::12]).mean() > 15


def test_archival_is_sepia_warm_and_unlike_the_plain_look(renders):
    _, _, plain = renders("base", seconds=3)
    _, _, archival = renders("archival", preset="Archival")
    mean = np.stack(archival.frames[::6]).reshape(-1, 3).mean(axis=0)
    assert mean[0] > mean[1] > mean[2]  # browns: red over green over blue
    assert mean_abs_diff(plain.frames[24], archival.frames[24]) > 10


@pytest.mark.parametrize("preset", sorted(STYLE_PRESETS))
def test_every_preset_renders(renders, preset):
    _, _info, video = renders(f"preset-{preset}", preset=preset, width=256, height=144, seconds=1)
    assert (video.codec, video.width, video.height) == ("h264", 256, 144)
    assert abs(len(video.frames) - 24) <= 1


# ── with a reference image ──────────────────────────────────────────────────────────────────────


def test_a_reference_render_starts_on_the_reference_cover_cropped(renders):
    reference = reference_picture()
    _, _, video = renders("reference", width=256, height=144, reference=reference)
    expected = cover_crop(reference, 256, 144)
    # Not 0: 4:2:0 chroma halves the colour resolution of the sharp checkerboard.
    assert mean_abs_diff(video.frames[0], expected) < 5
    assert mean_abs_diff(video.frames[0], reference.resize((256, 144))) > 15  # cropped, not squashed
    assert mean_abs_diff(video.frames[-1], expected) > 10  # and then the camera moves


def test_a_reference_render_starts_on_the_reference_whatever_the_preset(renders):
    reference = reference_picture()
    _, _, video = renders("reference-noir", width=256, height=144, reference=reference, preset="Film Noir")
    assert mean_abs_diff(video.frames[0], cover_crop(reference, 256, 144)) < 5
    assert channel_spread(video.frames[-1:]).mean() < 3  # the look eases in after the first frame


def test_cover_crop_fills_the_exact_size_from_the_centre():
    stripes = np.zeros((300, 900, 3), np.uint8)
    stripes[:, :300], stripes[:, 300:600], stripes[:, 600:] = (255, 0, 0), (0, 255, 0), (0, 0, 255)
    square = cover_crop(Image.fromarray(stripes), 200, 200)
    assert square.size == (200, 200)
    assert np.asarray(square)[5:-5, 5:-5].mean(axis=(0, 1)).round().tolist() == [0, 255, 0]
    tall = cover_crop(Image.fromarray(stripes), 720, 1280)
    assert tall.size == (720, 1280)


# ── progress and failure ────────────────────────────────────────────────────────────────────────


def test_progress_climbs_to_one(tmp_path):
    reports: list[float] = []
    render_offline(PROMPT, "None", 256, 144, 1, 3, tmp_path / "clip.mp4", progress=reports.append)
    assert len(reports) >= 5
    assert reports == sorted(reports) and reports[-1] == 1.0 and 0 <= reports[0] < 0.2


def test_an_interrupted_render_leaves_no_file_behind(tmp_path):
    def cancel(fraction):
        if fraction > 0.3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        render_offline(PROMPT, "None", 256, 144, 2, 3, tmp_path / "clip.mp4", progress=cancel)
    assert list(tmp_path.iterdir()) == []


# ── the prompt ──────────────────────────────────────────────────────────────────────────────────


def test_compose_labels_each_part_and_skips_empty_ones():
    text = VideoPrompt("A fox in the snow", "Soft blue light", "Slow dolly in").compose()
    assert text == "Scene: A fox in the snow.\nVisual details: Soft blue light.\nMotion: Slow dolly in."
    assert VideoPrompt("A fox.", "", "  ", "Shot on 35 mm!").compose() == "Scene: A fox.\nShot on 35 mm!"


def test_compose_appends_the_style_of_a_preset():
    text = PROMPT.compose("Film Noir")
    assert text.splitlines()[-1].startswith("Style: Film noir: black-and-white")
    assert PROMPT.compose("None") == PROMPT.compose()


def test_the_six_presets_are_offered():
    assert list(STYLE_PRESETS) == [
        "None",
        "Archival",
        "Film Noir",
        "Cardboard & Papercraft",
        "Whimsical Stop Motion",
        "Balloon World",
    ]


def test_validate_prompt_refuses_empty_and_too_long_prompts():
    with pytest.raises(InvalidPrompt, match="empty"):
        validate_prompt("   \n ")
    with pytest.raises(InvalidPrompt, match="32,001 characters long; the limit is 32,000"):
        validate_prompt("x" * (MAX_PROMPT_CHARS + 1))
    assert validate_prompt("  " + "x" * MAX_PROMPT_CHARS + "\n") == "x" * MAX_PROMPT_CHARS
    with pytest.raises(InvalidPrompt, match="limit is 10"):
        validate_prompt("x" * 11, max_chars=10)


def test_colour_words_are_found_in_order_of_mention():
    assert colours_in("Golden light over teal water under a sky blue dome, golden again") == [
        (240, 185, 60),
        (20, 140, 140),
        (120, 190, 240),
    ]
    assert colours_in("a quiet morning") == []


@pytest.mark.parametrize(
    "words, move",
    [
        ("slow pan left across the harbour", "pan left"),
        ("the camera pans to the right", "pan right"),
        ("zoom in on her face", "zoom in"),
        ("zooming out to reveal the city", "zoom out"),
        ("dolly in through the door", "dolly in"),
        ("pull back from the table", "dolly out"),
        ("orbit around the statue", "orbit"),
        ("tilt up to the sky", "tilt up"),
        ("tilt down to the river", "tilt down"),
        ("static shot, locked off", "static"),
        ("a cat sleeps", None),
    ],
)
def test_motion_words_name_a_camera_move(words, move):
    assert camera_move(words) == move
