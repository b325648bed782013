"""One claimed variation as the job runner's steps see it: everything they need, read in one go."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.videos.backends.base import VideoRequest
from core.videos.kinds import MediaKind, VariationStatus
from core.videos.operations import OperationParams, Step, step_for


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
    chain_step: int = 0  # a storyboard on the Videos API: the card being made (its job is ``remote_id``) …
    chain_remote_ids: tuple[str, ...] = ()  # … and the service's ids of the cards already made
    media_kind: str = MediaKind.VIDEO  # an image set's variations are stills (``Step.IMAGE``)

    @property
    def step(self) -> Step:
        """Where this variation is made (``core.videos.jobs.runner.STEPS``)."""
        return step_for(self.params.operation, self.backend, self.media_kind)
