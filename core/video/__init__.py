"""Video: the local media operations and the offline renderer; remote back-ends join as one module each.

``media`` inspects, validates and writes browser-playable MP4 (PyAV only, no system ffmpeg);
``prompt`` is the structured prompt and the style presets; ``render`` draws an animatic of a
prompt on the CPU. Nothing here imports av or touches the database at import time.
"""

from core.video.media import VideoInfo, poster, probe, spritesheet, transcode_to_browser, validate_video, write_mp4
from core.video.prompt import STYLE_PRESETS, InvalidPrompt, VideoPrompt, validate_prompt
from core.video.render import cover_crop, render_offline

__all__ = [
    "STYLE_PRESETS", "InvalidPrompt", "VideoInfo", "VideoPrompt", "cover_crop", "poster", "probe",
    "render_offline", "spritesheet", "transcode_to_browser", "validate_prompt", "validate_video", "write_mp4",
]
