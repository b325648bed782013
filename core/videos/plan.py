"""From what the user picks (aspect ratio, resolution, duration) to what a back-end is asked for.

The Videos API takes only four sizes and durations of 4, 8 or 12 s. A setting it cannot make
(1:1) is made locally: the nearest API size is requested and centre-cropped afterwards, and
the plan says so, so the page can label it. The offline renderer makes any even size itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.errors import StudioError

ASPECT_RATIOS = ("16:9", "9:16", "1:1")
RESOLUTIONS = ("720p", "1080p")
DURATIONS = (4, 8, 12)
VARIATION_COUNTS = (1, 2, 4)
API_SIZES = {
    ("16:9", "720p"): "1280x720",
    ("9:16", "720p"): "720x1280",
    ("16:9", "1080p"): "1792x1024",
    ("9:16", "1080p"): "1024x1792",
}
PRO_MODELS = ("sora-2-pro",)


@dataclass(frozen=True)
class OutputPlan:
    request_size: str  # what the back-end is asked for, "WxH"
    width: int  # what the library will hold
    height: int
    local_crop: bool  # True when the back-end cannot make the aspect ratio and we crop
    note: str  # a sentence for the page when the plan differs from the literal choice

    @property
    def request_dims(self) -> tuple[int, int]:
        w, h = self.request_size.split("x")
        return int(w), int(h)


def plan_output(aspect: str, resolution: str, backend: str, model: str = "") -> OutputPlan:
    if aspect not in ASPECT_RATIOS or resolution not in RESOLUTIONS:
        raise StudioError(f"Unknown format {aspect} at {resolution}.")
    lines = 720 if resolution == "720p" else 1080
    if backend == "offline":
        long_side = lines * 16 // 9
        width, height = {"16:9": (long_side, lines), "9:16": (lines, long_side), "1:1": (lines, lines)}[aspect]
        return OutputPlan(f"{width}x{height}", width, height, False, "")
    if resolution == "1080p" and model not in PRO_MODELS:
        raise StudioError(f"{model or 'This model'} makes 720p only; pick 720p or the sora-2-pro model.")
    if aspect == "1:1":
        size = API_SIZES[("16:9", resolution)]
        w, h = (int(v) for v in size.split("x"))
        return OutputPlan(
            size,
            h,
            h,
            True,
            f"The Videos API has no square size: it makes {w}×{h} and the studio crops the "
            f"centre to {h}×{h} on this computer.",
        )
    size = API_SIZES[(aspect, resolution)]
    w, h = (int(v) for v in size.split("x"))
    note = f"The Videos API's HD size is {w}×{h}." if resolution == "1080p" else ""
    return OutputPlan(size, w, h, False, note)


def estimate_cost(price_per_second: float, seconds: int, variations: int) -> float:
    return round(price_per_second * seconds * variations, 4)
