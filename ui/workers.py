"""Job workers' health (Settings): where jobs run, each worker's last heartbeat, the queue; and the
warning every page's progress panel shows when jobs wait and no worker is there to take them."""

from __future__ import annotations

import streamlit as st

import ui
from core import workers

STATE_LABELS = {
    "running": "running",
    "stopping": "finishing its steps",
    "stopped": "stopped",
    "not answering": "not answering",
}


def ago(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s ago"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min ago"
    return f"{seconds / 3600:.0f} h ago"


def no_worker_warning(health: workers.Health) -> None:
    if health.mode is workers.JobsMode.EXTERNAL and health.live_workers == 0 and health.queued + health.running:
        st.warning(
            "No job worker is running, so these wait in the queue. Start one with `python -m core.worker` "
            "(this studio runs jobs in separate workers: MEDIA_STUDIO_JOBS=external).",
            icon=":material/engineering:",
        )


def workers_section() -> None:
    health = workers.health(ui.studio())
    st.subheader("Job workers")
    if health.mode is workers.JobsMode.EXTERNAL:
        st.caption(
            "Jobs run in separate worker processes (MEDIA_STUDIO_JOBS=external): start them with "
            "`python -m core.worker` on any machine that shares the database and the data folder."
        )
    else:
        st.caption(
            "Jobs run inside this web server. For a team, set MEDIA_STUDIO_JOBS=external and run "
            "`python -m core.worker` processes instead (see docs/deploy.md)."
        )
    queued_col, running_col, live_col = st.columns(3)
    queued_col.metric("Queued", f"{health.queued:,}")
    running_col.metric("Running", f"{health.running:,}")
    if health.mode is workers.JobsMode.EXTERNAL or health.workers:  # else this server runs the jobs
        live_col.metric("Workers answering", f"{health.live_workers:,}")
    if health.workers:
        rows = [
            {
                "Worker": w.host,
                "Process": w.pid,
                "State": STATE_LABELS.get(w.state, w.state),
                "Last heartbeat": ago(w.silent_s),
                "Steps in flight": w.running,
                "Started": w.started_at or "",
            }
            for w in health.workers
        ]
        st.table(rows, hide_index=True)
    elif health.mode is workers.JobsMode.EXTERNAL:
        st.info("No worker has reported yet.", icon=":material/engineering:")
    no_worker_warning(health)
