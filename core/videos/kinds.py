"""The words the video half of the studio is made of: states, operations, back-ends, modes.

Each is a ``StrEnum``, so a member *is* its string: it is stored in the database as is, the
CHECK constraints are built from these members, and the UI shows ``label``s, never raw values.
This module imports nothing of the studio's, so ``db/models.py`` may build its constraints from it.
"""

from __future__ import annotations

from enum import StrEnum


class VariationStatus(StrEnum):
    """Where one variation is; only the job runner moves it (see ``core.videos.jobs``)."""

    QUEUED = "queued"
    SUBMITTING = "submitting"
    IN_PROGRESS = "in_progress"
    DOWNLOADING = "downloading"
    COMPLETED = "completed"
    FAILED = "failed"

    @property
    def label(self) -> str:
        return _STATUS_LABELS[self]


ACTIVE = (VariationStatus.QUEUED, VariationStatus.SUBMITTING, VariationStatus.IN_PROGRESS, VariationStatus.DOWNLOADING)
RUNNING = ACTIVE[1:]  # holding a slot: at most ``max_running`` of these at once
_STATUS_LABELS = {
    VariationStatus.QUEUED: "waiting for a free slot",
    VariationStatus.SUBMITTING: "sending to the service",
    VariationStatus.IN_PROGRESS: "rendering",
    VariationStatus.DOWNLOADING: "downloading",
    VariationStatus.COMPLETED: "ready",
    VariationStatus.FAILED: "failed",
}


class SetStatus(StrEnum):
    """A whole set at a glance, from its variations' states (what the library filters by)."""

    COMPLETED = "completed"
    ACTIVE = "active"
    FAILED = "failed"
    PARTLY_FAILED = "partly failed"


class RemoteState(StrEnum):
    """A job's state as the Videos API reports it."""

    QUEUED = "queued"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    FAILED = "failed"


class Operation(StrEnum):
    """How a variation was made."""

    GENERATE = "generate"
    IMPORT = "import"
    REMIX = "remix"
    LOOP = "loop"
    BLEND = "blend"
    RECUT = "recut"
    EXTEND = "extend"
    STORYBOARD = "storyboard"

    @property
    def label(self) -> str:
        return _OPERATION_LABELS.get(self, self.value)


_OPERATION_LABELS = {
    Operation.GENERATE: "generated",
    Operation.IMPORT: "imported",
    Operation.EXTEND: "extended",
    Operation.STORYBOARD: "from storyboard",
}


class MediaKind(StrEnum):
    """What a set holds: videos, or still images (the composer's "Type")."""

    VIDEO = "video"
    IMAGE = "image"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Source(StrEnum):
    """How a set entered the library."""

    GENERATE = "generate"
    IMPORT = "import"


class BackendKey(StrEnum):
    """Who makes a set's videos. ``IMPORT`` marks sets made elsewhere and imported."""

    OFFLINE = "offline"
    OPENAI_VIDEOS = "openai-videos"
    OPENAI_IMAGES = "openai-images"
    IMPORT = "import"


class LoopLength(StrEnum):
    SHORT = "short"
    NORMAL = "normal"
    LONG = "long"


class LoopMode(StrEnum):
    CROSSFADE = "crossfade"
    PINGPONG = "pingpong"


class BlendMode(StrEnum):
    TRANSITION = "transition"
    MIX = "mix"
    CUSTOM = "custom"


def sql_in(column: str, members: type[StrEnum]) -> str:
    """A CHECK constraint's ``column IN (...)`` over every member of an enum."""
    return f"{column} IN ({', '.join(repr(m.value) for m in members)})"
