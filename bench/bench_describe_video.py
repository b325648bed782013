""" "Describe this video": the size of the one chat request for 8 keyframes against sending the video's
frames naively.

An 8 s 1280x720 24 fps clip (a slow pan over scikit-image's "chelsea" photo, upscaled) is imported
into a fresh data folder. Then:

* Media Studio: ``describe.video_request`` (8 keyframes, 512 px wide, as JPEG data URLs) inside the
  one user message both cloud APIs take, as the JSON body the SDK sends;
* naive: every decoded frame (192) at full size as a JPEG data URL in the same message (and, to
  separate the two savings, every frame at the keyframes' 512 px).

Sizes are the JSON body's bytes; the time is building the request (decode, scale, encode).

Run: .venv/bin/python -m bench.bench_describe_video
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

import av
import numpy as np
import skimage.data
from PIL import Image

from core.captions.images import prepare_picture
from core.captions.providers.base import CaptionRequest, vision_message
from core.config import Settings
from core.studio import open_studio
from core.videos import describe, imports, library
from core.videos.av.write import write_mp4

WIDTH, HEIGHT, FPS, SECONDS = 1280, 720, 24, 8
MAX_LONG_SIDE = 1120  # both cloud providers' limit


def pan_frames() -> list[np.ndarray]:
    photo = Image.fromarray(skimage.data.chelsea()).resize((1600, 1064), Image.Resampling.LANCZOS)
    pixels = np.asarray(photo)
    count = FPS * SECONDS
    return [pixels[100:820, x : x + WIDTH] for x in np.linspace(0, 1600 - WIDTH, count).astype(int)]


def body_bytes(request: CaptionRequest) -> int:
    body = {"model": "meta-llama/llama-4-maverick-17b-128e-instruct-fp8", "messages": [vision_message(request)]}
    return len(json.dumps(body).encode())


def naive_request(path: Path, long_side: int = WIDTH) -> CaptionRequest:
    with av.open(str(path)) as container:
        frames = [prepare_picture(f.to_image(), long_side) for f in container.decode(video=0)]
    return CaptionRequest(image=frames[0], extra_images=tuple(frames[1:]), instruction="...", style="video_text")


def main() -> None:
    with tempfile.TemporaryDirectory() as home:
        clip = Path(home) / "pan.mp4"
        write_mp4(pan_frames(), clip, fps=FPS)
        studio = open_studio(Settings.load(environ={"MEDIA_STUDIO_HOME": str(Path(home) / "studio")}, secrets={}))
        generation_id = imports.import_video(studio, "pan.mp4", clip.read_bytes())
        view = library.generation(studio, generation_id)
        assert view is not None
        variation_id = view.variations[0].id

        started = time.perf_counter()
        ours = describe.video_request(studio, variation_id, MAX_LONG_SIDE)
        ours_s = time.perf_counter() - started
        started = time.perf_counter()
        naive = naive_request(studio.media.video_path(view.variations[0].video_sha256 or ""))
        naive_s = time.perf_counter() - started
        small = naive_request(studio.media.video_path(view.variations[0].video_sha256 or ""), describe.KEYFRAME_WIDTH)
        studio.db.dispose()

    ours_bytes, naive_bytes = body_bytes(ours), body_bytes(naive)
    print(f"clip: {WIDTH}x{HEIGHT}, {SECONDS} s at {FPS} fps")
    print(f"Describe this video: {len(ours.images)} keyframes, {ours_bytes:,} bytes, {ours_s:.2f} s")
    print(f"naive (every frame, full size): {len(naive.images)} frames, {naive_bytes:,} bytes, {naive_s:.2f} s")
    print(f"ratio: naive / ours = {naive_bytes / ours_bytes:.1f}x")
    small_bytes = body_bytes(small)
    print(f"every frame at {describe.KEYFRAME_WIDTH} px: {small_bytes:,} bytes, {small_bytes / ours_bytes:.1f}x ours")


if __name__ == "__main__":
    main()
