"""The video job runner (one per server process) and the live progress panel the pages share."""

from __future__ import annotations

import streamlit as st

import ui
from core.videos import library as videos
from core.videos.jobs.runner import JobRunner


@st.cache_resource(show_spinner=False)
def job_runner() -> JobRunner:
    """Started once per server process; it resumes whatever a previous process left unfinished."""
    return JobRunner(ui.studio()).start()


def ensure_runner() -> JobRunner:
    runner = job_runner()
    if not runner.alive:  # a runner that died is replaced, never left silent
        job_runner.clear()
        runner = job_runner()
    return runner


def progress_panel() -> None:
    """Live progress of every video being made; it ticks only while something is being made, so an
    idle page is not rerun every second."""
    jobs = videos.active_jobs(ui.studio())
    if jobs:
        # Remember them now, so the fragment refreshes the whole page even if they finish before its first tick.
        st.session_state.setdefault("_active_generations", set()).update(j[0] for j in jobs)
        _live_progress()


@st.fragment(run_every=1.0)
def _live_progress() -> None:
    """Refreshes itself each second; the rest of the page never waits for it."""
    jobs = videos.active_jobs(ui.studio())
    seen = st.session_state.setdefault("_active_generations", set())
    if not jobs:
        if seen:  # something just finished: refresh the page once so the grid shows it
            seen.clear()
            st.rerun(scope="app")
        return
    with st.container(border=True):
        st.markdown(f"**Making {len(jobs)} video{'s' if len(jobs) != 1 else ''}…**")
        for generation_id, position, status, progress in jobs:
            seen.add(generation_id)
            st.progress(
                int(progress) / 100,
                text=f"Set #{generation_id} · variation {position + 1} · {status.label} · {progress:.0f}%",
            )
