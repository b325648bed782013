"""One claimed variation as the job runner's steps see it: everything they need, read in one go."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.videos.backends.base import VideoRequest
from core.videos.kinds import VariationStatus
from core.videos.operations import OperationParams


class Stopped(Exception):
    """The runner is stopping: leave the row as it is for the next runner."""


@dataclass(frozen=True)
class Job:
    id: int
    status: VariationStatus
    remote_id: str | None
    attempts: int
    started_at: datetime | None
    deadline_at: datetime | None
    backend: str
    request: VideoRequest
    width: int
    height: int
    local_crop: bool
    price_per_second: float
    params: OperationParams
    parent_video: str | None = None  # digest of the source variation's video
    parent_remote_id: str | None = None
    partner_video: str | None = None
