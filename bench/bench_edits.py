"""Loop, blend and recut (core.videos.ops) against the ffmpeg command line doing the same edit.

Two 8 s 1280×720 24 fps clips are made with PyAV (a textured picture panning, with shapes moving
over it, encoded as the library stores videos). ffmpeg gets the same filter graph and the same
encoder settings (libx264 -preset veryfast -crf 20 -pix_fmt yuv420p -movflags +faststart), so the
comparison is of the work, not of the settings. The ffmpeg binary is the one shipped by the PyPI
package imageio-ffmpeg (benchmark-only: `pip install -r requirements-bench.txt`).
Run: .venv/bin/python -m bench.bench_edits [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from core.videos.av.read import probe
from core.videos.av.write import write_mp4
from core.videos.kinds import BlendMode, LoopLength, LoopMode
from core.videos.ops.blend import blend_videos
from core.videos.ops.loop import loop_video
from core.videos.ops.recut import recut_video

WIDTH, HEIGHT, FPS, SECONDS = 1280, 720, 24, 8
X264 = ["-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-pix_fmt", "yuv420p", "-movflags", "+faststart"]
FFMPEG_TIMEOUT = 300  # seconds


def footage(seed: int) -> list[np.ndarray]:
    """A camera-like picture: soft colour fields plus grain-free detail, panning, with moving discs."""
    rng = np.random.default_rng(seed)
    from PIL import Image

    big_w, big_h = WIDTH + 400, HEIGHT
    soft = np.asarray(
        Image.fromarray(rng.integers(0, 255, (9, 20, 3), dtype=np.uint8)).resize(
            (big_w, big_h), Image.Resampling.BICUBIC
        ),
        np.float32,
    )
    detail = np.asarray(
        Image.fromarray(rng.integers(0, 255, (big_h // 4, big_w // 4), dtype=np.uint8)).resize(
            (big_w, big_h), Image.Resampling.BILINEAR
        ),
        np.float32,
    )[..., None]
    canvas = np.clip(soft * 0.8 + detail * 0.25, 0, 255).astype(np.uint8)
    yy, xx = np.mgrid[0:HEIGHT, 0:WIDTH]
    frames = []
    for index in range(SECONDS * FPS):
        t = index / (SECONDS * FPS)
        frame = canvas[:, int(400 * t) : int(400 * t) + WIDTH].copy()
        for disc in range(3):
            cx, cy = WIDTH * (0.2 + 0.6 * ((t + disc / 3) % 1)), HEIGHT * (0.3 + 0.2 * disc)
            frame[(xx - cx) ** 2 + (yy - cy) ** 2 < 60**2] = (255 - 80 * disc, 80 * disc, 120)
        frames.append(frame)
    return frames


def ffmpeg_exe() -> str:
    try:
        import imageio_ffmpeg
    except ImportError:
        raise SystemExit(
            "the benchmark needs imageio-ffmpeg: .venv/bin/pip install -r requirements-bench.txt"
        ) from None
    return imageio_ffmpeg.get_ffmpeg_exe()


def ffmpeg(*args: str) -> Callable[[], object]:
    command = [ffmpeg_exe(), "-nostdin", "-y", "-hide_banner", "-loglevel", "error", *args]
    return lambda: subprocess.run(command, check=True, timeout=FFMPEG_TIMEOUT, capture_output=True)


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median wall time and median CPU time (this process's threads plus any child's)."""
    walls, cpus = [], []
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        wall = time.perf_counter()
        fn()
        walls.append(time.perf_counter() - wall)
        after = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(sum(a.ru_utime + a.ru_stime - b.ru_utime - b.ru_stime for a, b in zip(after, before)))
    return statistics.median(walls), statistics.median(cpus)


def show(seconds: float) -> str:
    return f"{seconds:.2f} s" if seconds >= 1 else f"{seconds * 1000:.0f} ms"


def main(repeat: int = 3) -> None:
    folder = Path(tempfile.mkdtemp(prefix="bench-edits-"))
    a, b = folder / "a.mp4", folder / "b.mp4"
    write_mp4(footage(1), a, fps=FPS)
    write_mp4(footage(2), b, fps=FPS)
    ours, theirs = folder / "ours.mp4", folder / "ffmpeg.mp4"
    out = str(theirs)
    # Crossfade loop of the whole clip, 0.5 s fade, "short" (2 cycles of 7.5 s).
    loop_graph = (
        "[0:v]split=3[m][t][h];[m]trim=start=0.5:end=7.5,setpts=PTS-STARTPTS[mid];"
        "[t]trim=start=7.5:end=8,setpts=PTS-STARTPTS[tail];[h]trim=start=0:end=0.5,setpts=PTS-STARTPTS[head];"
        "[tail][head]xfade=transition=fade:duration=0.5:offset=0[fade];"
        "[mid][fade]concat=n=2:v=1:a=0,loop=loop=1:size=180:start=0[v]"
    )
    pingpong_graph = (
        "[0:v]split[f][r];[r]reverse,trim=start_frame=1:end_frame=191,setpts=PTS-STARTPTS[b];"
        "[f][b]concat=n=2:v=1:a=0[v]"
    )
    recut_graph = (
        "[0:v]split=2[x][y];[x]trim=start=4.5:end=7.25,setpts=PTS-STARTPTS[s0];"
        "[y]trim=start=0.5:end=3,setpts=PTS-STARTPTS[s1];[1:v]trim=start=2.2:end=4.9,setpts=PTS-STARTPTS[s2];"
        "[s0][s1][s2]concat=n=3:v=1:a=0[v]"
    )
    aligned_graph = (
        "[0:v]split=2[x][y];[x]trim=start=4:end=8,setpts=PTS-STARTPTS[s0];"
        "[y]trim=start=0:end=4,setpts=PTS-STARTPTS[s1];[s0][s1]concat=n=2:v=1:a=0[v]"
    )
    concat_list = folder / "aligned.txt"
    concat_list.write_text(f"file '{a}'\ninpoint 4\noutpoint 8\nfile '{a}'\ninpoint 0\noutpoint 4\n")
    cases = [
        (
            "loop, crossfade 0.5 s, short (2 × 7.5 s)",
            lambda: loop_video(a, ours, 0, 8, length=LoopLength.SHORT, mode=LoopMode.CROSSFADE, crossfade_s=0.5),
            ffmpeg("-i", str(a), "-filter_complex", loop_graph, "-map", "[v]", *X264, out),
            "split+trim+xfade+concat+loop",
        ),
        (
            "loop, ping-pong, short (8 s forward + back)",
            lambda: loop_video(a, ours, 0, 8, length=LoopLength.SHORT, mode=LoopMode.PINGPONG),
            ffmpeg("-i", str(a), "-filter_complex", pingpong_graph, "-map", "[v]", *X264, out),
            "split+reverse+concat",
        ),
        (
            "blend, transition at 7 s, 1 s",
            lambda: blend_videos(a, b, ours, mode=BlendMode.TRANSITION, at_s=7, transition_s=1.0),
            ffmpeg(
                "-i",
                str(a),
                "-i",
                str(b),
                "-filter_complex",
                "[0:v][1:v]xfade=transition=fade:duration=1:offset=7[v]",
                "-map",
                "[v]",
                *X264,
                out,
            ),
            "xfade=fade",
        ),
        (
            "blend, mix 50/50",
            lambda: blend_videos(a, b, ours, mode=BlendMode.MIX, weight=0.5),
            ffmpeg(
                "-i",
                str(a),
                "-i",
                str(b),
                "-filter_complex",
                "[0:v][1:v]mix=inputs=2:weights='1 1'[v]",
                "-map",
                "[v]",
                *X264,
                out,
            ),
            "mix",
        ),
        (
            "blend, mix 50/50 (ffmpeg blend expression)",
            lambda: blend_videos(a, b, ours, mode=BlendMode.MIX, weight=0.5),
            ffmpeg(
                "-i",
                str(a),
                "-i",
                str(b),
                "-filter_complex",
                "[0:v][1:v]blend=all_expr='A*(1-0.5)+B*0.5'[v]",
                "-map",
                "[v]",
                *X264,
                out,
            ),
            "blend=all_expr",
        ),
        (
            "recut, 3 cuts off keyframes (re-encode)",
            lambda: recut_video([(a, 4.5, 7.25), (a, 0.5, 3.0), (b, 2.2, 4.9)], ours),
            ffmpeg("-i", str(a), "-i", str(b), "-filter_complex", recut_graph, "-map", "[v]", *X264, out),
            "trim+concat",
        ),
        (
            "recut, 2 cuts on keyframes (ours: packet remux)",
            lambda: recut_video([(a, 4.0, 8.0), (a, 0.0, 4.0)], ours),
            ffmpeg("-f", "concat", "-safe", "0", "-i", str(concat_list), "-c", "copy", "-movflags", "+faststart", out),
            "concat demuxer, -c copy",
        ),
        (
            "recut, same 2 cuts one frame off (ours: re-encode)",
            lambda: recut_video([(a, 4.0 + 1 / FPS, 8.0), (a, 0.0, 4.0)], ours),
            ffmpeg("-i", str(a), "-filter_complex", aligned_graph, "-map", "[v]", *X264, out),
            "trim+concat",
        ),
    ]
    rows = []
    for label, our_fn, their_fn, graph in cases:
        our_wall, our_cpu = timed(our_fn, repeat)
        result = our_fn()
        remuxed = getattr(result, "remuxed", None)
        our_len = probe(ours).duration
        their_wall, their_cpu = timed(their_fn, repeat)
        their_len = probe(theirs).duration
        note = f"{our_len:.2f} s / {their_len:.2f} s out" + ("; remuxed" if remuxed else "")
        rows.append((label, our_wall, our_cpu, their_wall, their_cpu, graph, note))
    print(
        f"CPU cores: {os.cpu_count()}; source {SECONDS} s {WIDTH}×{HEIGHT} {FPS} fps; median of {repeat}; "
        f"ffmpeg {ffmpeg_exe().rsplit('-', 1)[-1]}\n"
    )
    print(
        "| edit | ours wall | ours CPU | ffmpeg wall | ffmpeg CPU | ffmpeg / ours (wall) | ffmpeg graph "
        "| output (ours / ffmpeg) |"
    )
    print("|---|---:|---:|---:|---:|---:|---|---|")
    for label, our_wall, our_cpu, their_wall, their_cpu, graph, note in rows:
        print(
            f"| {label} | {show(our_wall)} | {show(our_cpu)} | {show(their_wall)} | {show(their_cpu)} | "
            f"{their_wall / our_wall:.1f}× | `{graph}` | {note} |"
        )
    for path in folder.iterdir():
        path.unlink()
    folder.rmdir()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    main(parser.parse_args().repeat)
