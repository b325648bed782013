"""Collecting what a crash leaves behind, at start-up and every half hour after.

A process killed mid-way can leave: a caption save's pending files (written before its rows
committed; see ``core.captions.service``), work folders and partial downloads under the scratch
folder, ``.incoming-*`` files half-written into the store, and stored files whose row never
committed (an import or a render moved its video into place, then died before the commit).

``sweep`` settles each, touching only what is older than a grace period, so a live process (this
one or another server on the same data folder) never loses a file it is still writing:
- a pending file whose row committed is moved into place (the save had finished but for the move);
  any other pending file is removed;
- scratch entries and ``.incoming-*`` files are removed;
- a stored file that no row, live or trashed, owns (nor the Create video draft) is removed.
Afterwards no file is an orphan and no row points at a missing file.
"""

from __future__ import annotations

import logging
import shutil
import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from core.studio import Studio
from db import trash as queries
from db.engine import refresh_statistics
from db.media import REFERENCES, STAGING

log = logging.getLogger(__name__)

GRACE = timedelta(minutes=15)  # far longer than any save between its write and its commit
EVERY = timedelta(minutes=30)


@dataclass(frozen=True)
class SweepReport:
    placed: int = 0  # pending files moved into place (their rows had committed)
    scratch_removed: int = 0  # work folders, partial downloads, pending and half-written files
    orphans_removed: int = 0  # stored files no row owns

    @property
    def total(self) -> int:
        return self.placed + self.scratch_removed + self.orphans_removed


def _newest_mtime(path: Path) -> float:
    """The latest change anywhere inside ``path`` (a folder still being written is young)."""
    try:
        newest = path.lstat().st_mtime
        if path.is_dir():
            for inner in path.rglob("*"):
                newest = max(newest, inner.lstat().st_mtime)
        return newest
    except FileNotFoundError:
        return time.time()


def _remove(path: Path) -> bool:
    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
    except FileNotFoundError:
        return False
    return True


def _draft_reference(studio: Studio) -> str | None:
    from core.videos import create

    draft = create.load_draft(studio)
    return draft.reference.sha256 if draft and draft.reference else None


def sweep(studio: Studio, grace: timedelta = GRACE) -> SweepReport:
    """Settle what dead processes left; see the module's docstring. Safe to run at any time."""
    cutoff = time.time() - grace.total_seconds()
    media = studio.media
    with studio.db.session() as session:
        used = queries.used_digests(session)
    draft = _draft_reference(studio)
    if draft:
        used.setdefault(REFERENCES, set()).add(draft)

    placed = 0
    for path, digest, kind in media.pending_files():
        if _newest_mtime(path) > cutoff:
            continue
        if digest in used.get(kind, set()):
            media.place(path)
            placed += 1
        else:
            path.unlink(missing_ok=True)

    scratch_removed = 0
    for entry in sorted(media.scratch().iterdir()):
        if _newest_mtime(entry) <= cutoff and _remove(entry):
            scratch_removed += 1

    orphans_removed = 0
    for kind_folder in sorted(p for p in media.root.iterdir() if p.is_dir()):
        if kind_folder in (media.scratch(), media.staging()) or kind_folder.name == STAGING:
            continue
        owned = used.get(kind_folder.name)
        for path in sorted(kind_folder.rglob("*")):
            if not path.is_file() or path.lstat().st_mtime > cutoff:
                continue
            if path.name.startswith(".incoming-"):
                scratch_removed += _remove(path)
            elif owned is not None and path.name.split(".", 1)[0] not in owned:
                orphans_removed += _remove(path)
    report = SweepReport(placed, scratch_removed, orphans_removed)
    if report.total:
        log.info(
            "Sweep: %d pending file(s) placed, %d scratch file(s) and %d orphan file(s) removed",
            placed,
            scratch_removed,
            orphans_removed,
        )
    return report


def start_periodic_sweep(studio: Studio, every: timedelta = EVERY) -> threading.Thread:
    """Sweep every ``every`` in a daemon thread for as long as the process lives (and refresh SQLite's
    planner statistics, ``db.engine.refresh_statistics``)."""

    def loop() -> None:
        while True:
            time.sleep(every.total_seconds())
            try:
                sweep(studio)
                if studio.db.engine.dialect.name == "sqlite":
                    refresh_statistics(studio.db.engine)  # the library has grown since the last time
            except Exception:
                log.exception("The periodic sweep failed; it will run again")

    thread = threading.Thread(target=loop, name="media-studio-sweep", daemon=True)
    thread.start()
    return thread
