"""Imports are refused with one clear sentence unless they really are videos; what we write plays in a browser."""

from __future__ import annotations

import av
import numpy as np
import pytest

from core.errors import UnsupportedVideo
from core.videos.av.previews import poster, spritesheet
from core.videos.av.read import probe, validate_video
from core.videos.av.write import transcode_to_browser, write_mp4
from tests.helpers.video import (
    decode,
    make_mp4,
    mean_abs_diff,
    moving_frames,
    mp4_boxes,
)


def assert_browser_playable(path, width, height):
    video = decode(path)
    assert (video.codec, video.pix_fmt, video.width, video.height) == ("h264", "yuv420p", width, height)
    kinds = [kind for kind, _, _ in mp4_boxes(path)]
    assert kinds.index("moov") < kinds.index("mdat"), "the index must come first (+faststart)"
    return video


# ── validation refuses what is not a video, in one sentence ────────────────────────────────────


@pytest.mark.parametrize(
    "kind, says",
    [
        ("empty", "“empty.mp4” is empty (0 bytes)."),
        ("random_bytes", "“noise.mp4” is not a video file we can read."),
        ("subtitle_lookalike", "“lyrics-noise.mp4” is not a video file we can read."),
        (
            "png_named_mp4",
            "“still.mp4” holds a single still picture (png), not a video; import it as an image instead.",
        ),
        ("audio_only", "“song.m4a” is an audio file (sound only, no picture), not a video."),
        ("truncated_moov", "“cut-index.mp4” is an incomplete MP4/MOV file: its index (the moov box) is missing"),
        ("cut_after_header", "“cut-half.mp4” is cut short: it declares 4.0 s but its picture stops at"),
    ],
)
def test_validate_refuses_with_one_clear_sentence(sample_media, kind, says):
    with pytest.raises(UnsupportedVideo) as refused:
        validate_video(getattr(sample_media, kind))
    message = refused.value.message
    assert message.startswith(says)
    assert message.endswith(".") and "\n" not in message


def test_random_bytes_that_open_as_subtitles_are_still_refused(sample_media):
    with av.open(str(sample_media.subtitle_lookalike)) as container:  # FFmpeg reads them as LRC lyrics
        assert [stream.type for stream in container.streams] == ["subtitle"]
    with pytest.raises(UnsupportedVideo):
        probe(sample_media.subtitle_lookalike)


def test_a_file_cut_after_its_header_is_caught_even_without_a_full_decode(sample_media):
    assert probe(sample_media.cut_after_header).duration == pytest.approx(4.0)  # the header still promises 4 s
    with pytest.raises(UnsupportedVideo, match="cut short"):
        validate_video(sample_media.cut_after_header, thorough=False)


def test_validate_refuses_absurd_sizes_and_lengths(tmp_path):
    with pytest.raises(UnsupportedVideo, match="4160×64; the largest we accept is 4096 pixels a side"):
        validate_video(make_mp4(tmp_path / "wide.mp4", width=4160, height=64, seconds=0.25))
    with pytest.raises(UnsupportedVideo, match="lasts 10 min 02 s; the longest we accept is 10 minutes"):
        validate_video(make_mp4(tmp_path / "long.mp4", width=32, height=32, seconds=602, fps=1))


# ── validation accepts real videos and says what they are ──────────────────────────────────────


def test_validate_accepts_an_mp4_and_describes_it(sample_media):
    info = validate_video(sample_media.mp4)
    assert (info.width, info.height, info.fps, info.frames, info.codec, info.pix_fmt, info.has_audio) == (
        256,
        144,
        24.0,
        48,
        "h264",
        "yuv420p",
        False,
    )
    assert info.duration == pytest.approx(2.0)
    assert validate_video(sample_media.mp4_with_sound).has_audio


def test_validate_accepts_a_webm_and_transcoding_makes_it_browser_playable(sample_media, tmp_path):
    info = validate_video(sample_media.webm)
    assert info.codec in ("vp9", "vp8", "mpeg4")
    out = tmp_path / "recording.mp4"
    converted = transcode_to_browser(sample_media.webm, out)
    video = assert_browser_playable(out, 256, 144)
    assert info.frames is not None  # a thorough validation counts every frame
    assert abs(len(video.frames) - info.frames) <= 1
    assert converted.duration == pytest.approx(info.duration, abs=0.1)
    assert converted.has_audio == info.has_audio
    assert mean_abs_diff(video.frames[10], moving_frames(256, 144, 48)[10]) < 12  # the same pictures


def test_transcoding_an_odd_sized_mov_gives_even_sides(sample_media, tmp_path):
    assert validate_video(sample_media.odd_mov).codec == "mpeg4"
    out = tmp_path / "camera.mp4"
    info = transcode_to_browser(sample_media.odd_mov, out)
    assert (info.width, info.height) == (254, 142)
    assert_browser_playable(out, 254, 142)


def test_a_phone_video_flagged_as_rotated_is_shown_and_transcoded_upright(sample_media, tmp_path):
    info = validate_video(sample_media.rotated_mov)
    assert (info.width, info.height, info.rotation) == (36, 64, 90)
    out = tmp_path / "portrait.mp4"
    transcode_to_browser(sample_media.rotated_mov, out)
    first = assert_browser_playable(out, 36, 64).frames[0]
    # Turned a quarter counter-clockwise (PyAV's sense of the flag): the stored top-left is now bottom-left.
    assert first[-8:, :8].mean() > 200 and first[:8, :8].mean() < 50 and first[-8:, -8:].mean() < 50


def test_transcoding_keeps_the_sound_as_aac(sample_media, tmp_path):
    out = tmp_path / "with-sound.mp4"
    transcode_to_browser(sample_media.mp4_with_sound, out)
    with av.open(str(out)) as container:
        assert container.streams.audio[0].codec_context.name == "aac"


def test_transcoding_a_broken_file_refuses_and_writes_nothing(sample_media, tmp_path):
    with pytest.raises(UnsupportedVideo):
        transcode_to_browser(sample_media.truncated_moov, tmp_path / "out.mp4")
    assert list(tmp_path.iterdir()) == []


# ── writing ─────────────────────────────────────────────────────────────────────────────────────


def test_write_mp4_is_h264_yuv420p_faststart_with_even_sides(tmp_path):
    out = tmp_path / "clip.mp4"
    info = write_mp4(moving_frames(101, 61, 72), out, fps=24)
    video = assert_browser_playable(out, 100, 60)
    assert len(video.frames) == 72 and info.frames == 72 and info.duration == pytest.approx(3.0)


def test_write_mp4_puts_a_keyframe_every_second(tmp_path):
    out = tmp_path / "clip.mp4"
    write_mp4(moving_frames(128, 72, 96), out, fps=24)
    with av.open(str(out)) as container:
        stream = container.streams.video[0]
        time_base = stream.time_base
        assert time_base is not None
        keyframes = [
            round(float(p.pts * time_base) * 24) for p in container.demux(stream) if p.is_keyframe and p.pts is not None
        ]
    assert keyframes[:4] == [0, 24, 48, 72]


def test_an_interrupted_write_keeps_the_old_file_and_leaves_no_partial(tmp_path):
    out = tmp_path / "clip.mp4"
    write_mp4(moving_frames(64, 36, 10), out)
    before = out.read_bytes()

    def frames_then_failure():
        yield from moving_frames(64, 36, 10)
        raise RuntimeError("the renderer crashed")

    with pytest.raises(RuntimeError):
        write_mp4(frames_then_failure(), out)
    assert out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["clip.mp4"]


# ── posters and sprite sheets ───────────────────────────────────────────────────────────────────


def test_poster_is_the_full_size_frame_a_third_of_the_way_in(sample_media):
    image = poster(sample_media.mp4)  # its only keyframe is the first: the exact frame is decoded
    assert image.size == (256, 144) and image.mode == "RGB"
    video = decode(sample_media.mp4)
    assert mean_abs_diff(image, video.frames[16]) < 1  # 2 s × ⅓ at 24 fps
    assert mean_abs_diff(poster(sample_media.mp4, at_seconds=1.5), video.frames[36]) < 1


def test_poster_takes_the_keyframe_nearest_a_third_when_there_is_one(tmp_path):
    out = tmp_path / "clip.mp4"
    write_mp4(moving_frames(128, 72, 84), out)  # 3.5 s, keyframes at 0, 1, 2 and 3 s
    assert mean_abs_diff(poster(out), decode(out).frames[24]) < 1  # ⅓ of 3.5 s is 1.17 s: the 1 s keyframe


def test_spritesheet_is_a_strip_of_evenly_spaced_tiles(sample_media):
    strip = spritesheet(sample_media.mp4)
    assert strip.size == (1600, 90)
    tiles = [np.asarray(strip)[:, i * 160 : (i + 1) * 160] for i in range(10)]
    assert mean_abs_diff(tiles[0], tiles[-1]) > 5  # the square has moved


def test_spritesheet_can_be_a_grid(sample_media):
    assert spritesheet(sample_media.mp4, tiles=12, tile_width=100, columns=4).size == (400, 168)


def test_frames_decoded_from_another_file_keep_their_timing_when_written(tmp_path):
    """A decoded frame carries its source's time base; the writer must not let it stretch time."""
    import av

    from core.videos.av.read import probe
    from core.videos.av.write import mp4_writer
    from tests.helpers.video import make_mp4

    source = make_mp4(tmp_path / "src.mp4", seconds=2)
    with av.open(str(source)) as container, mp4_writer(tmp_path / "out.mp4", 256, 144, 24) as writer:
        for frame in container.decode(video=0):
            writer.add(frame)
    info = probe(tmp_path / "out.mp4")
    assert abs(info.duration - 2.0) < 0.1 and abs(info.fps - 24) < 0.5
