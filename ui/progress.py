"""The video job runner (one per server process) and the live progress panel the pages share."""

from __future__ import annotations

import streamlit as st

import ui
from core import workers
from core.videos import library as videos
from core.videos.jobs.runner import JobRunner
from ui.workers import no_worker_warning


@st.cache_resource(show_spinner=False)
def job_runner() -> JobRunner:
    """Started once per server process; it resumes whatever a previous process left unfinished."""
    return JobRunner(ui.studio()).start()


def ensure_runner() -> JobRunner | None:
    """This server's runner, started on first use; None when only worker processes run jobs."""
    if workers.jobs_mode(ui.studio()) is workers.JobsMode.EXTERNAL:
        return None
    runner = job_runner()
    if not runner.alive:  # a runner that died is replaced, never left silent
        job_runner.clear()
        runner = job_runner()
    return runner


def progress_panel() -> None:
    """Live progress of every video being made; it ticks only while something is being made, so an
    idle page is not rerun every second."""
    jobs = videos.job_progress(ui.studio())
    if jobs:
        # Remember them now, so the fragment refreshes the whole page even if they finish before its first tick.
        st.session_state.setdefault("_active_generations", set()).update(j.generation_id for j in jobs)
        _live_progress()


@st.fragment(run_every=1.0)
def _live_progress() -> None:
    """Refreshes itself each second; the rest of the page never waits for it. A job the service made
    wait says so ("waiting for the service, next try in 10 min") with the service's reason below."""
    jobs = videos.job_progress(ui.studio())
    seen = st.session_state.setdefault("_active_generations", set())
    if not jobs:
        if seen:  # something just finished: refresh the page once so the grid shows it
            seen.clear()
            st.rerun(scope="app")
        return
    with st.container(border=True):
        st.markdown(f"**Making {len(jobs)} video{'s' if len(jobs) != 1 else ''}…**")
        if workers.jobs_mode(ui.studio()) is workers.JobsMode.EXTERNAL:
            no_worker_warning(workers.health(ui.studio()))
        for job in jobs:
            seen.add(job.generation_id)
            st.progress(int(job.progress) / 100, text=job.line)
            if job.reason:
                st.caption(ui.plain(job.reason))
