"""The one protocol every video back-end implements, and what the job runner needs from it.

Two shapes of back-end exist: a *remote* one (the OpenAI Videos API) that is submitted to,
polled and downloaded from, and a *local* one (the offline renderer) that renders in the worker.
Back-ends never touch the database: the job runner is the only code that moves a job between
states, and it stores ``remote_id`` before it polls so that a restart resumes instead of
submitting twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Literal, Protocol, runtime_checkable

from core.errors import StudioError
from core.videos.kinds import RemoteState

Variant = Literal["video", "thumbnail", "spritesheet"]


class VideoServiceError(StudioError):
    """A video service refused or failed a request; ``message`` is one sentence for the page.

    ``transient`` errors (429, 5xx, timeouts, connection failures, malformed answers, damaged
    downloads) are retried by the runner with backoff until the job's deadline; others end the job
    with ``message`` as its error. ``message`` says what happened, not what happens next: the
    runner adds that.
    """

    def __init__(
        self,
        message: str,
        *,
        transient: bool = False,
        retry_after_s: float | None = None,
        status: int | None = None,
        code: str | None = None,
    ):
        super().__init__(message)
        self.transient = transient
        self.retry_after_s = retry_after_s
        self.status = status
        self.code = code


@dataclass(frozen=True)
class VideoRequest:
    """One variation to make, in the back-end's own terms (already mapped from the UI settings)."""

    prompt: str
    size: str  # "1280x720", "720x1280", "1792x1024", "1024x1792"
    seconds: int  # 4, 8 or 12
    model: str
    reference_jpeg: bytes | None = None  # first frame, already cover-cropped to exactly ``size``
    seed: int = 0  # which variation of the set (the offline renderer varies its look by it)
    style_preset: str = "None"
    parts: dict[str, str] = field(default_factory=dict)  # scene / visual / motion / extra, for the offline renderer


@dataclass(frozen=True)
class RemoteJob:
    """What a remote service says about a job."""

    remote_id: str
    state: RemoteState
    progress: float  # 0–100
    error: str | None = None  # the service's own error text when the job failed
    poll_after_s: float | None = None  # from the ``openai-poll-after-ms`` header, when sent
    remixed_from: str | None = None
    expires_at: datetime | None = None  # naive UTC: when a completed job's downloads stop working


@runtime_checkable
class RemoteVideoBackend(Protocol):
    key: str
    label: str
    model: str

    def submit(self, request: VideoRequest) -> RemoteJob: ...

    def poll(self, remote_id: str) -> RemoteJob: ...

    def download(self, remote_id: str, variant: Variant, destination: Path) -> None:
        """Write the asset to ``destination`` (a temporary path the runner renames into place)."""
        ...

    def remix(self, remote_id: str, prompt: str) -> RemoteJob: ...

    def extend(self, source: str | Path, prompt: str, seconds: int) -> RemoteJob:
        """Continue ``source`` (the service's id of a completed video, or an MP4 to upload) by
        ``seconds`` of what ``prompt`` says happens next; the new job's video holds both."""
        ...

    def delete(self, remote_id: str) -> None: ...


@runtime_checkable
class LocalVideoBackend(Protocol):
    key: str
    label: str
    model: str

    def render(self, request: VideoRequest, destination: Path, progress: Callable[[float], None] | None = None) -> None:
        """Render the MP4 to ``destination``; call ``progress`` with 0–100 as it goes."""
        ...


VideoBackend = RemoteVideoBackend | LocalVideoBackend
