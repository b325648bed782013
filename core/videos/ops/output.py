"""Where an edit's frames go: a new file beside the library, never over one of its sources, written
at one constant frame rate with progress in whole percents.

Every edit writes a new browser-playable MP4 (see ``core.videos.av.write``) at ``dst``; nothing
appears there unless the whole video was written. Outputs are silent: sound is not carried over.
Progress is reported in whole percents because the job runner's callback writes to the database.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import av

    from core.videos.av.write import BrowserMP4
    from core.videos.ops.source import IndexedSource

Progress = Callable[[float], None] | None


class Output:
    """An ``mp4_writer`` at ``rate`` fed frames in order, reporting whole percents of ``total`` frames.

    ``share`` is the part of the edit's progress this writing stands for (the rest comes after it).
    """

    def __init__(self, writer: BrowserMP4, rate: Fraction, total: int, progress: Progress, share: float = 1.0):
        self.writer, self.time_base, self.total = writer, 1 / rate, max(1, total)
        self.progress, self.share, self.written, self.reported = progress, share, 0, -1

    def add(self, frame: av.VideoFrame) -> None:
        """Write the next frame, and report progress when it reaches a new whole percent."""
        # The writer numbers frames in its own time base; a decoded frame still carries its source's,
        # and the encoder would rescale the new numbers from it.
        frame.time_base = self.time_base
        self.writer.add(frame)
        self.written += 1
        if self.progress:
            percent = int(100 * self.share * min(1.0, self.written / self.total))
            if percent > self.reported:
                self.reported = percent
                self.progress(percent / 100)


def check_dst(dst: str | os.PathLike[str], sources: Iterable[IndexedSource]) -> Path:
    """``dst`` as a path, refused (``ValueError``) when it is one of the sources: edits only read them."""
    dst = Path(dst)
    if any(dst.resolve() == source.path.resolve() for source in sources):
        raise ValueError(f"refusing to overwrite a source: {dst}")
    return dst
