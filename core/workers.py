"""Where jobs run, and whether the workers that run them are alive.

By default each web server runs the job runner on a thread of its own (``internal``). With
``MEDIA_STUDIO_JOBS=external`` web servers only queue work, and ``python -m core.worker`` processes
(any number, on any machine that shares the database and the media folder) take it: the lease
protocol in ``core/videos/jobs/runner.py`` makes each step run once whoever takes it. Each worker
beats into the database every few seconds; the app shows the beats and the queue (``health``).
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from core.studio import Studio
from db import workers as queries
from db.models import utcnow

BEAT_S = 5.0  # how often a worker says it is alive
SILENT_AFTER_S = 3 * BEAT_S  # a worker silent this long is shown as not answering
FORGET_AFTER = timedelta(days=1)  # a worker silent this long is dropped from the list


class JobsMode(StrEnum):
    INTERNAL = "internal"  # each web server runs jobs itself
    EXTERNAL = "external"  # only worker processes run jobs


def jobs_mode(studio: Studio) -> JobsMode:
    raw = (studio.settings.get("MEDIA_STUDIO_JOBS") or JobsMode.INTERNAL).strip().lower()
    return JobsMode.EXTERNAL if raw == JobsMode.EXTERNAL else JobsMode.INTERNAL


def worker_id() -> str:
    """This process, as the health panel names it: host and pid."""
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass(frozen=True)
class WorkerView:
    id: str
    host: str
    pid: int | None
    started_at: str | None
    last_beat: datetime
    silent_s: float  # since the last beat
    running: int
    state: str  # "running", "stopping", "stopped", "not answering"


@dataclass(frozen=True)
class Health:
    mode: JobsMode
    workers: tuple[WorkerView, ...]
    queued: int
    running: int

    @property
    def live_workers(self) -> int:
        return sum(1 for w in self.workers if w.state in {"running", "stopping"})


def beat(studio: Studio, wid: str, running: int, state: str, started_at: str) -> None:
    host, _, pid = wid.rpartition(":")
    info = {"host": host, "pid": int(pid) if pid.isdigit() else None, "running": running, "state": state}
    with studio.db.session() as session:
        queries.beat(session, wid, {**info, "started_at": started_at})


def health(studio: Studio, now: datetime | None = None) -> Health:
    now = now or utcnow()
    views = []
    with studio.db.session() as session:
        for wid, last, info in queries.heartbeats(session):
            silent = (now - last).total_seconds()
            if now - last > FORGET_AFTER:
                queries.forget(session, wid)
                continue
            state = str(info.get("state") or "running")
            if state != "stopped" and silent > SILENT_AFTER_S:
                state = "not answering"
            pid = info.get("pid")
            views.append(
                WorkerView(
                    id=wid,
                    host=str(info.get("host") or wid.rpartition(":")[0]),
                    pid=pid if isinstance(pid, int) else None,
                    started_at=info.get("started_at") if isinstance(info.get("started_at"), str) else None,
                    last_beat=last,
                    silent_s=max(0.0, silent),
                    running=int(info.get("running") or 0),
                    state=state,
                )
            )
        queued, running = queries.queue_counts(session)
    return Health(mode=jobs_mode(studio), workers=tuple(views), queued=queued, running=running)
