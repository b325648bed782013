"""Loop, blend and recut: every output is a browser-playable MP4 of the promised length, made of the
promised frames, and a refused edit leaves neither an output nor a changed source behind.

Test clips are written here with PyAV directly (not through ``core.videos``). Each frame carries a
flat colour per clip, a sliding square (so neighbouring frames differ as in real footage) and a
barcode of its frame number, which survives H.264 and lets a test read back which source frame
ended up where.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import av
import numpy as np
import pytest

from core.errors import StudioError, UnsupportedVideo
from core.videos.kinds import BlendMode, LoopLength, LoopMode
from core.videos.ops.blend import blend_videos
from core.videos.ops.loop import loop_video
from core.videos.ops.mix import influence_curve
from core.videos.ops.recut import RecutResult, recut_video
from core.videos.ops.storyboard import keyframe_times, storyboard
from tests.helpers.video import decode, make_audio_only, make_cut_after_header, make_odd_mov, mean_abs_diff, mp4_boxes

BITS, BLOCK = 10, 16  # barcode: 8 bits of frame number (Gray code) + 2 of clip number, 16-pixel blocks
COLOURS = {0: (200, 60, 40), 1: (40, 90, 200), 2: (60, 170, 70)}


def picture(width: int, height: int, clip: int, index: int, count: int) -> np.ndarray:
    pixels = np.empty((height, width, 3), np.uint8)
    pixels[:] = COLOURS[clip]
    side = height // 4
    left = int((width - side) * index / max(1, count - 1))
    pixels[height // 3 : height // 3 + side, left : left + side] = 255
    code = (index ^ index >> 1) | clip << 8  # Gray code: neighbouring frames differ by one block
    for bit in range(BITS):
        pixels[-2 * BLOCK : -BLOCK, 8 + bit * BLOCK : 8 + (bit + 1) * BLOCK] = 255 if code >> bit & 1 else 0
    return pixels


def barcode(pixels: np.ndarray) -> tuple[int, int]:
    """(clip, frame number) read back from a decoded frame."""
    row = pixels[-2 * BLOCK + BLOCK // 2, :, :].astype(np.float32).mean(axis=-1)
    code = sum(1 << bit for bit in range(BITS) if row[8 + bit * BLOCK + BLOCK // 2] > 128)
    index = gray = code & 0xFF
    while gray := gray >> 1:
        index ^= gray
    return code >> 8, index


def write_clip(
    path: Path, clip: int, seconds: float = 3, fps: int = 24, width: int = 320, height: int = 180, x264_params: str = ""
) -> Path:
    """H.264 with B-frames and a closed GOP of one second, yuv420p BT.709, +faststart: what the library holds."""
    count = round(seconds * fps)
    with av.open(str(path), "w", format="mp4", options={"movflags": "+faststart"}) as out:
        stream = out.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.codec_context.gop_size = fps
        stream.codec_context.colorspace = stream.codec_context.color_primaries = stream.codec_context.color_trc = 1
        stream.codec_context.color_range = 1
        stream.options = {
            "preset": "veryfast",
            "crf": "18",
            "sc_threshold": "0",
            **({"x264-params": x264_params} if x264_params else {}),
        }
        for index in range(count):
            frame = av.VideoFrame.from_ndarray(picture(width, height, clip, index, count), format="rgb24").reformat(
                format="yuv420p", dst_colorspace="ITU709", dst_color_range="MPEG"
            )
            frame.pts = index
            out.mux(stream.encode(frame))
        out.mux(stream.encode())
    return path


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def assert_browser_playable(path: Path, width: int, height: int, fps: float, frames: int):
    video = decode(path)
    assert (video.codec, video.pix_fmt) == ("h264", "yuv420p")
    assert (video.width, video.height) == (width, height)
    assert float(video.fps) == pytest.approx(fps, rel=1e-3)
    assert len(video.frames) == frames  # duration = frames / fps: outputs are constant frame rate
    kinds = [kind for kind, _, _ in mp4_boxes(path)]
    assert kinds.index("moov") < kinds.index("mdat"), "+faststart: the index comes before the media"
    return video


def packets(path: Path) -> list[bytes]:
    with av.open(str(path)) as container:
        return [bytes(p) for p in container.demux(container.streams.video[0]) if p.size]


@pytest.fixture(scope="module")
def clips(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("edits")
    return {
        "a": write_clip(folder / "a.mp4", 0),
        "b": write_clip(folder / "b.mp4", 1, seconds=2),
        "c": write_clip(folder / "c.mp4", 2, seconds=2),
        "b_4x3_30fps": write_clip(folder / "b-4x3.mp4", 1, seconds=2, fps=30, width=240, height=180),
        # Open GOPs: the frames just before each keyframe are decoded after it and refer across it.
        "open_gop": write_clip(folder / "open-gop.mp4", 0, x264_params="open-gop=1:keyint=24:min-keyint=24"),
    }


@pytest.fixture(scope="module")
def decoded(clips) -> dict[str, list[np.ndarray]]:
    return {name: decode(path).frames for name, path in clips.items()}


# ── loop ────────────────────────────────────────────────────────────────────────────────────────


def test_crossfade_loop_is_seamless_across_every_repeat(clips, decoded, tmp_path):
    source = sha256(clips["a"])
    out = tmp_path / "loop.mp4"
    info = loop_video(clips["a"], out, 0.5, 2.5, length=LoopLength.NORMAL, mode=LoopMode.CROSSFADE, crossfade_s=0.5)
    section, fade = 48, 12  # 2 s and 0.5 s at 24 fps
    cycle = section - fade
    video = assert_browser_playable(out, 320, 180, 24, 4 * cycle)
    assert info.duration == pytest.approx(4 * cycle / 24, abs=0.01)
    frames = video.frames
    assert barcode(frames[0]) == (0, 12 + fade), "a cycle starts crossfade_s into the section"
    steps = [mean_abs_diff(frames[i], frames[i + 1]) for i in range(len(frames) - 1)]
    ordinary = float(np.median([steps[i] for i in range(len(steps)) if (i + 1) % cycle]))
    seams = [steps[repeat * cycle - 1] for repeat in (1, 2, 3)]
    assert max(seams) <= 1.5 * ordinary, (seams, ordinary)
    assert max(steps) <= 2 * ordinary, "the fade spreads the tail-to-head change: no jump inside it either"
    hard_cut = mean_abs_diff(decoded["a"][12 + section - 1], decoded["a"][12])
    assert hard_cut > 3 * ordinary, "without the crossfade this seam would jump"
    assert sha256(clips["a"]) == source


def test_pingpong_loop_plays_forward_then_backward(clips, tmp_path):
    out = tmp_path / "pingpong.mp4"
    loop_video(clips["a"], out, 1.0, 1.5, length=LoopLength.LONG, mode=LoopMode.PINGPONG)
    forward = list(range(24, 36))  # 1.0–1.5 s: frames 24 … 35
    cycle = forward + forward[-2:0:-1]
    video = assert_browser_playable(out, 320, 180, 24, 4 * len(cycle))  # long = 8× the section = 4 cycles
    assert [barcode(frame) for frame in video.frames] == [(0, index) for index in cycle * 4]


def test_pingpong_reverses_gop_by_gop_when_the_section_is_too_long_to_keep(clips, tmp_path, monkeypatch):
    monkeypatch.setattr("core.videos.ops.loop.REVERSE_MEMORY", 320 * 180 * 3 // 2 * 5)  # room for five frames
    out = tmp_path / "pingpong.mp4"
    loop_video(clips["a"], out, 0.5, 2.75, length=LoopLength.SHORT, mode=LoopMode.PINGPONG)
    forward = list(range(12, 66))
    video = assert_browser_playable(out, 320, 180, 24, 2 * len(forward) - 2)
    assert [barcode(frame)[1] for frame in video.frames] == forward + forward[-2:0:-1]


# ── blend ───────────────────────────────────────────────────────────────────────────────────────


def test_mix_frame_is_the_weighted_average_of_the_sources(clips, decoded, tmp_path):
    out = tmp_path / "mix.mp4"
    blend_videos(clips["a"], clips["b"], out, mode=BlendMode.MIX, weight=0.3)
    video = assert_browser_playable(out, 320, 180, 24, 48)  # as long as the shorter clip, B (2 s)
    for index in (10, 30):
        a, b = (decoded[name][index].astype(np.float32) for name in ("a", "b"))
        assert mean_abs_diff(video.frames[index], 0.7 * a + 0.3 * b) < 2.5
        assert mean_abs_diff(video.frames[index], 0.3 * a + 0.7 * b) > 10  # the weight is B's


def test_transition_shows_a_then_crossfades_into_b_from_its_start(clips, decoded, tmp_path):
    out = tmp_path / "transition.mp4"
    info = blend_videos(clips["a"], clips["b"], out, mode=BlendMode.TRANSITION, at_s=1.0, transition_s=0.5)
    video = assert_browser_playable(out, 320, 180, 24, 24 + 48)  # at_s + B's duration
    assert info.duration == pytest.approx(3.0, abs=0.01)
    for index in range(24):
        assert mean_abs_diff(video.frames[index], decoded["a"][index]) < 2
    for index in range(36, 72):
        assert mean_abs_diff(video.frames[index], decoded["b"][index - 24]) < 2
    for index in range(24, 36):  # B's weight rises (i + 1) / (n + 1) over the transition's n frames
        weight = (index - 24 + 1) / 13
        expected = (1 - weight) * decoded["a"][index].astype(np.float32) + weight * decoded["b"][index - 24]
        assert mean_abs_diff(video.frames[index], expected) < 2.5


def test_transition_defaults_to_the_end_of_a(clips, tmp_path):
    out = tmp_path / "xfade.mp4"
    blend_videos(clips["a"], clips["b"], out, mode=BlendMode.TRANSITION, transition_s=1.0)
    assert_browser_playable(out, 320, 180, 24, 48 + 48)  # (3 − 1) s of A, then B's 2 s


def test_custom_curve_moves_from_a_to_b(clips, decoded, tmp_path):
    out = tmp_path / "custom.mp4"
    blend_videos(clips["a"], clips["b"], out, mode=BlendMode.CUSTOM, curve=[(1.0, 1.0), (0.0, 0.0)])
    video = assert_browser_playable(out, 320, 180, 24, 48)
    weights = influence_curve([(0.0, 0.0), (1.0, 1.0)], 48)
    for index in (0, 20, 47):
        a, b = (decoded[name][index].astype(np.float32) for name in ("a", "b"))
        assert mean_abs_diff(video.frames[index], (1 - weights[index]) * a + weights[index] * b) < 2.5


def test_blend_partner_of_another_size_and_rate_is_cover_cropped_and_resampled(clips, tmp_path):
    out = tmp_path / "mixed.mp4"
    blend_videos(clips["a"], clips["b_4x3_30fps"], out, mode=BlendMode.MIX, weight=1.0)
    video = assert_browser_playable(out, 320, 180, 24, 48)
    sides = np.concatenate([video.frames[20][:100, :4], video.frames[20][:100, -4:]])  # above the barcode
    assert mean_abs_diff(sides, np.broadcast_to(COLOURS[1], sides.shape)) < 4, "covered: no black bars"


def test_influence_curve_interpolates_linearly_and_holds_its_ends():
    assert influence_curve([(0.0, 0.0), (0.5, 1.0), (1.0, 0.0)], 5) == pytest.approx([0, 0.5, 1, 0.5, 0])
    assert influence_curve([(0.75, 0.8), (0.25, 0.2)], 5) == pytest.approx([0.2, 0.2, 0.5, 0.8, 0.8])
    assert influence_curve([(0.5, 0.4)], 3) == pytest.approx([0.4, 0.4, 0.4])
    with pytest.raises(StudioError, match="between 0 and 1"):
        influence_curve([(0.0, 1.5)], 3)


# ── recut ───────────────────────────────────────────────────────────────────────────────────────


def test_keyframe_aligned_recut_copies_packets_in_the_new_order(clips, tmp_path):
    out = tmp_path / "recut.mp4"
    sources = {name: sha256(clips[name]) for name in ("a", "b")}
    assert keyframe_times(clips["a"]) == [0.0, 1.0, 2.0]
    result = recut_video([(clips["b"], 1.0, 2.0), (clips["a"], 2.0, 3.0), (clips["a"], 0.0, 1.0)], out)
    assert isinstance(result, RecutResult) and result.remuxed
    video = assert_browser_playable(out, 320, 180, 24, 72)
    assert result.info.duration == pytest.approx(3.0, abs=0.01)
    expected = [(1, i) for i in range(24, 48)] + [(0, i) for i in range(48, 72)] + [(0, i) for i in range(24)]
    assert [barcode(frame) for frame in video.frames] == expected
    a, b = packets(clips["a"]), packets(clips["b"])
    assert packets(out) == b[24:48] + a[48:72] + a[:24], "byte for byte: no re-encode"
    assert {name: sha256(clips[name]) for name in ("a", "b")} == sources


def test_misaligned_cut_is_re_encoded_frame_exact(clips, tmp_path):
    out = tmp_path / "recut.mp4"
    result = recut_video([(clips["a"], 0.5, 1.25), (clips["c"], 0.0, 1.0)], out)
    assert not result.remuxed
    video = assert_browser_playable(out, 320, 180, 24, 18 + 24)
    expected = [(0, i) for i in range(12, 30)] + [(2, i) for i in range(24)]
    assert [barcode(frame) for frame in video.frames] == expected


def test_open_gop_source_is_re_encoded_rather_than_copied_broken(clips, tmp_path):
    out = tmp_path / "recut.mp4"
    result = recut_video([(clips["open_gop"], 1.0, 2.0), (clips["open_gop"], 0.0, 1.0)], out)
    assert not result.remuxed, "copying would cut the leading B-frames off from the pictures they refer to"
    video = assert_browser_playable(out, 320, 180, 24, 48)
    assert [barcode(frame) for frame in video.frames] == [(0, i) for i in [*range(24, 48), *range(24)]]


def test_recut_of_mismatched_clips_is_normalised_to_the_first(clips, tmp_path):
    out = tmp_path / "recut.mp4"
    result = recut_video([(clips["a"], 0.0, 1.0), (clips["b_4x3_30fps"], 0.0, 2.0)], out)
    assert not result.remuxed
    video = assert_browser_playable(out, 320, 180, 24, 24 + 48)
    colours = [tuple(int(v) for v in frame[:8, :8].reshape(-1, 3).mean(axis=0)) for frame in video.frames]
    assert all(mean_abs_diff(c, COLOURS[0]) < 6 for c in colours[:24])
    assert all(mean_abs_diff(c, COLOURS[1]) < 6 for c in colours[24:])


def test_odd_sized_mpeg4_source_loops_to_even_sized_h264(tmp_path):
    source = make_odd_mov(tmp_path / "camera.mov")  # 255×143 MPEG-4 Part 2, 1 s at 24 fps
    out = tmp_path / "loop.mp4"
    loop_video(source, out, 0.0, 1.0, length=LoopLength.SHORT, mode=LoopMode.PINGPONG)
    assert_browser_playable(out, 254, 142, 24, 2 * 24 - 2)


def test_storyboard_gives_timed_thumbnails_across_the_clip(clips):
    tiles = storyboard(clips["a"], count=6, tile_width=160)
    assert len(tiles) == 6 and all(image.size == (160, 90) for _, image in tiles)
    times = [t for t, _ in tiles]
    assert times == sorted(times) and times[0] >= 0 and times[-1] < 3


# ── refusals ────────────────────────────────────────────────────────────────────────────────────


@pytest.fixture(scope="module")
def bad(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("bad")
    noise = folder / "noise.mp4"
    noise.write_bytes(np.random.default_rng(3).bytes(4096))
    return {
        "noise": noise,
        "audio": make_audio_only(folder / "song.m4a"),
        "cut": make_cut_after_header(folder / "cut.mp4"),
    }


def edit(operation: str, source: Path, clips: dict[str, Path], dst: Path, start: float = 0.0, end: float = 1.0):
    if operation == "loop":
        return loop_video(source, dst, start, end)
    if operation == "blend":
        return blend_videos(source, clips["b"], dst, mode=BlendMode.MIX)
    if operation == "blend partner":
        return blend_videos(clips["a"], source, dst, mode=BlendMode.TRANSITION, transition_s=0.5)
    return recut_video([(source, start, end)], dst)


@pytest.mark.parametrize("operation", ["loop", "blend", "blend partner", "recut"])
@pytest.mark.parametrize("kind, message", [("noise", "not a video file"), ("audio", "audio file")])
def test_unreadable_source_is_refused_with_nothing_written(operation, kind, message, bad, clips, tmp_path):
    before = sha256(bad[kind])
    with pytest.raises(UnsupportedVideo, match=message):
        edit(operation, bad[kind], clips, tmp_path / "out.mp4")
    assert list(tmp_path.iterdir()) == [] and sha256(bad[kind]) == before


@pytest.mark.parametrize("operation", ["loop", "blend", "blend partner", "recut"])
def test_source_damaged_inside_the_selection_is_refused(operation, bad, clips, tmp_path):
    with av.open(str(bad["cut"])) as container:  # the frames whose packets survived the cut; the last is torn
        readable = sum(1 for p in container.demux(container.streams.video[0]) if p.size) / 24
    with pytest.raises(UnsupportedVideo, match="damaged"):
        edit(operation, bad["cut"], clips, tmp_path / "out.mp4", 0.5, readable)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("operation", ["loop", "recut"])
@pytest.mark.parametrize(
    "start, end, message",
    [(2.0, 1.0, "is empty"), (1.0, 1.0, "is empty"), (2.5, 4.0, "lies outside"), (-0.5, 1.0, "lies outside")],
)
def test_empty_reversed_or_outside_selection_is_refused(operation, start, end, message, clips, tmp_path):
    before = sha256(clips["a"])
    with pytest.raises(StudioError, match=message):
        edit(operation, clips["a"], clips, tmp_path / "out.mp4", start, end)
    assert list(tmp_path.iterdir()) == [] and sha256(clips["a"]) == before


def test_missing_blend_partner_is_named(clips, tmp_path):
    with pytest.raises(StudioError, match=r"blend partner “gone\.mp4” no longer exists"):
        blend_videos(clips["a"], tmp_path / "gone.mp4", tmp_path / "out.mp4")
    assert list(tmp_path.iterdir()) == []


def test_missing_segment_source_is_named(clips, tmp_path):
    with pytest.raises(StudioError, match=r"“gone\.mp4” no longer exists"):
        recut_video([(clips["a"], 0.0, 1.0), (tmp_path / "gone.mp4", 0.0, 1.0)], tmp_path / "out.mp4")
    assert list(tmp_path.iterdir()) == []


def test_an_edit_never_writes_over_its_source(clips):
    before = sha256(clips["a"])
    with pytest.raises(ValueError, match="overwrite a source"):
        loop_video(clips["a"], clips["a"], 0.0, 1.0)
    assert sha256(clips["a"]) == before


def test_empty_segment_list_is_refused(tmp_path):
    with pytest.raises(StudioError, match="nothing to recut"):
        recut_video([], tmp_path / "out.mp4")
    assert list(tmp_path.iterdir()) == []


def test_transition_outside_a_is_refused(clips, tmp_path):
    with pytest.raises(StudioError, match="must lie within"):
        blend_videos(
            clips["a"], clips["b"], tmp_path / "out.mp4", mode=BlendMode.TRANSITION, at_s=2.5, transition_s=1.0
        )
    assert list(tmp_path.iterdir()) == []


def test_progress_reports_whole_percents_up_to_done(clips, tmp_path):
    seen: list[float] = []
    loop_video(clips["a"], tmp_path / "loop.mp4", 0.0, 1.0, length=LoopLength.SHORT, progress=seen.append)
    assert seen == sorted(seen) and seen[-1] == 1.0 and len(seen) > 10
    assert all(abs(value * 100 - round(value * 100)) < 1e-9 for value in seen)
