"""Frontal faces with OpenCV's Haar cascade: ImageNet has no "person" class, so people come from here.

The cascade ships inside the opencv-python-headless wheel. It is run on a copy at most
``DETECT_LONG_SIDE`` pixels long (the cascade's cost grows with the pixel count, and faces under
6% of the short side are too small to be the subject anyway). The cascade's level weight is
turned into a rough confidence; weak hits (textures, coins) are dropped.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import cv2
    from PIL import Image

CASCADE_FILE = "haarcascade_frontalface_default.xml"
DETECT_LONG_SIDE = 400
CASCADE_WINDOW = 24  # the cascade's training window: nothing smaller can be a face
MIN_FACE_FRACTION = 0.06  # of the short side
SCALE_FACTOR = 1.15
MIN_NEIGHBOURS = 5
# Level weights seen here: ~6-7 for a clear frontal face, under 2 for false hits on coins.
MIN_LEVEL_WEIGHT = 3.0
WEIGHT_SCALE = 3.0  # confidence = 1 - exp(-weight / WEIGHT_SCALE): weight 3 -> 0.63, 7 -> 0.90


class FaceDetectorUnavailable(RuntimeError):
    """OpenCV is installed without its Haar cascade files (OpenCV 5 dropped them)."""


@dataclass(frozen=True)
class Face:
    x: int  # box in the original image's pixels
    y: int
    width: int
    height: int
    confidence: float  # rough, from the cascade's level weight

    def share_of(self, width: int, height: int) -> float:
        """How much of the picture the face box covers (0..1)."""
        return (self.width * self.height) / max(1, width * height)


_lock = threading.Lock()  # a CascadeClassifier is not documented as safe to share across threads


@lru_cache(maxsize=1)
def _cascade() -> cv2.CascadeClassifier:
    import cv2

    data = getattr(cv2, "data", None)
    if data is None or not hasattr(cv2, "CascadeClassifier"):
        raise FaceDetectorUnavailable("This OpenCV build has no Haar cascades; install opencv-python-headless 4.x.")
    cascade = cv2.CascadeClassifier(data.haarcascades + CASCADE_FILE)
    if cascade.empty():
        raise FaceDetectorUnavailable(f"OpenCV could not load {CASCADE_FILE}.")
    return cascade


def detect_faces(image: Image.Image) -> list[Face]:
    """Confident frontal faces, largest first."""
    import cv2

    grey = np.asarray(image.convert("L"))
    height, width = grey.shape
    scale = min(1.0, DETECT_LONG_SIDE / max(width, height))
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    if min(size) < CASCADE_WINDOW:
        return []  # a strip or a thumbnail too small to hold a face the cascade can see
    if scale < 1.0:
        grey = cv2.resize(grey, size, interpolation=cv2.INTER_AREA)
    grey = cv2.equalizeHist(grey)  # the cascade was trained on normalised lighting
    side = max(CASCADE_WINDOW, int(min(grey.shape) * MIN_FACE_FRACTION))
    with _lock:
        boxes, _levels, weights = _cascade().detectMultiScale3(
            grey, scaleFactor=SCALE_FACTOR, minNeighbors=MIN_NEIGHBOURS, minSize=(side, side), outputRejectLevels=True
        )
    faces = [
        Face(
            round(x / scale),
            round(y / scale),
            round(w / scale),
            round(h / scale),
            1.0 - math.exp(-float(wt) / WEIGHT_SCALE),
        )
        for (x, y, w, h), wt in zip(np.asarray(boxes).reshape(-1, 4), np.asarray(weights).ravel())
        if float(wt) >= MIN_LEVEL_WEIGHT
    ]
    return sorted(faces, key=lambda f: f.width * f.height, reverse=True)
