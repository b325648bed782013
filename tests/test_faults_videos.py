"""The Videos API misbehaving, and what the studio does about it: the real ``openai`` SDK and the
real job runner against the fake ``/v1/videos``, one test per fault.

Guarantees: a paid create is sent once and a video downloaded once, however long the call takes
and however many servers share the data folder (the lease is renewed while a step runs), and a
step whose server died is taken over within one lease; a ``Retry-After`` of a day waits at most
ten minutes and never past the job's deadline, each try counted once, and the progress panel
says "waiting for the service, next try in N min"; a malformed 200 (invalid JSON, a web page, no
id) or a bad download (a web page, a body cut off without a length) is the service's transient
fault — tried again, blamed on the service in one sentence that names no file of ours; a storm of
500s ends at the deadline with one message that does not contradict itself.

"40 s" calls are scaled down: the lease is 1 s and a slow call takes 3 s — longer than the lease
is what matters.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest

from core import sweep
from core.studio import open_studio
from core.videos import library as videos
from db.models import Variation
from tests.helpers.studio import assert_rows_and_files_agree, create_api_generation, fast_runner

LEASE_S = 1.0
SLOW_S = 3.0  # a call that takes three leases
ROOT = Path(__file__).resolve().parents[1]


# --- helpers ---------------------------------------------------------------------------------------------
def row(studio, generation_id):
    """The set's one variation, as stored."""
    with studio.db.session() as session:
        [variation] = session.query(Variation).filter_by(generation_id=generation_id).all()
        session.expunge(variation)
        return variation


def wait_for(check, timeout=30.0, every=0.02):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        found = check()
        if found:
            return found
        time.sleep(every)
    raise AssertionError(f"still waiting after {timeout} s")


def run_until(runner, studio, generation_id, condition, timeout=30.0):
    """Tick ``runner`` in this thread until the stored variation meets ``condition``; return the row."""

    def met():
        runner.tick()
        variation = row(studio, generation_id)
        return variation if condition(variation) else None

    return wait_for(met, timeout)


def panel_line(studio):
    """What the progress panel shows for the one job being made: its line and the reason below it."""
    [job] = videos.job_progress(studio)
    return job.line, job.reason


def assert_blames_the_service_and_names_no_file(message, studio):
    assert message.startswith("The video service")
    assert message.count(". ") == 0 and message.endswith(".")  # one sentence
    assert "tmp" not in message and ".mp4" not in message and str(studio.home) not in message
    assert "tried again" not in message


@pytest.fixture
def second_server(api_studio):
    """Another server process's view of the same data folder: its own database engine and media store."""
    other = open_studio(api_studio.settings)
    yield other
    other.db.dispose()


def run_on_two_servers(api_studio, other, generation_id):
    runners = [fast_runner(s, lease_s=LEASE_S).start() for s in (api_studio, other)]
    try:
        return wait_for(lambda: (v := row(api_studio, generation_id)).status in ("completed", "failed") and v, 60)
    finally:
        for runner in runners:
            runner.stop()


# --- slow calls: leases renewed while a step runs ----------------------------------------------------------
def test_a_create_slower_than_the_lease_is_sent_once_by_two_servers_on_one_data_folder(
    api_studio, second_server, videos_server
):
    videos_server.delay_next(SLOW_S, endpoint="create")  # its video exists only once it answers
    generation_id = create_api_generation(api_studio)

    done = run_on_two_servers(api_studio, second_server, generation_id)

    assert (done.status, done.error, done.attempts) == ("completed", None, 1)
    assert len(videos_server.requests_for("create")) == 1 and len(videos_server.videos) == 1
    assert videos_server.requests_for("list") == []  # nobody had to reconcile: nobody took it over
    assert len(videos_server.downloads("video")) == 1


def test_a_download_slower_than_the_lease_is_fetched_once_by_two_servers_on_one_data_folder(
    api_studio, second_server, videos_server
):
    videos_server.delay_next(SLOW_S, endpoint="content")  # the video itself, the first content asked for
    generation_id = create_api_generation(api_studio)

    done = run_on_two_servers(api_studio, second_server, generation_id)

    assert (done.status, done.error) == ("completed", None)
    assert len(videos_server.requests_for("create")) == 1
    assert len(videos_server.downloads("video")) == 1
    assert list(api_studio.media.scratch().iterdir()) == []


def test_a_download_whose_server_died_is_taken_over_within_the_lease(api_studio, videos_server):
    videos_server.delay_next(60, endpoint="content")  # the dying server's download never ends
    generation_id = create_api_generation(api_studio)
    ambient = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "DATABASE_URL", "MEDIA_STUDIO"))}
    env = {**ambient, "MEDIA_STUDIO_HOME": str(api_studio.home), **videos_server.client_settings()}
    script = (
        "import time; from core.studio import open_studio; from core.videos.jobs.runner import JobRunner; "
        f"JobRunner(open_studio(), tick_s=0.05, lease_s={LEASE_S}).start(); time.sleep(120)"
    )
    dying = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, env=env)
    try:
        wait_for(lambda: videos_server.downloads("video"), timeout=60)
        dying.kill()  # kill -9 in the middle of the download
        dying.wait(10)
    finally:
        dying.kill()
    killed_at = time.monotonic()
    assert row(api_studio, generation_id).status == "downloading"

    runner = fast_runner(api_studio, lease_s=LEASE_S).start()
    try:
        wait_for(lambda: len(videos_server.downloads("video")) == 2, timeout=30)
        taken_over_after = time.monotonic() - killed_at
        done = wait_for(lambda: (v := row(api_studio, generation_id)).status != "downloading" and v, timeout=30)
    finally:
        runner.stop()
    assert taken_over_after < LEASE_S + 1.5  # the dead server's last renewal was at most one lease ago
    assert (done.status, done.error) == ("completed", None)
    assert len(videos_server.requests_for("create")) == 1  # the create was never sent again
    assert len(videos_server.downloads("video")) == 2
    sweep.sweep(api_studio, grace=timedelta(0))  # what the next start does: the dead server's partial file goes
    assert_rows_and_files_agree(api_studio)
    assert [p for p in api_studio.media.scratch().rglob("*") if p.is_file()] == []


# --- Retry-After, the deadline, and counting tries once ---------------------------------------------------
def test_a_retry_after_of_a_day_waits_ten_minutes_and_the_panel_says_so(api_studio, videos_server):
    videos_server.fail_next(429, count=30, endpoint="create", headers={"retry-after": "86400"})
    generation_id = create_api_generation(api_studio)
    runner = fast_runner(api_studio)

    waiting = run_until(runner, api_studio, generation_id, lambda v: v.error is not None)

    assert (waiting.status, waiting.attempts) == ("submitting", 1)
    wait_s = (waiting.next_attempt_at - waiting.started_at).total_seconds()
    assert 590 <= wait_s <= 605  # capped at ten minutes, not a day
    assert waiting.next_attempt_at <= waiting.deadline_at
    line, reason = panel_line(api_studio)
    assert line == f"Set #{generation_id} · variation 1 · waiting for the service, next try in 10 min · 0%"
    assert re.fullmatch(r"The video service at \S+ is rate-limiting requests \(HTTP 429\): Rate limit .*\.", reason)
    runner.stop()
    assert len(videos_server.requests_for("create")) == 1


def test_a_service_that_keeps_asking_to_wait_gives_up_at_the_deadline_with_one_message(api_studio, videos_server):
    videos_server.fail_next(429, count=30, endpoint="create", headers={"retry-after": "86400"})
    generation_id = create_api_generation(api_studio)
    started = time.monotonic()

    fast_runner(api_studio, deadline_s=2.0).run_until_idle(timeout=30)

    done = row(api_studio, generation_id)
    assert time.monotonic() - started < 10  # the last try came at the deadline, not a day later
    assert done.status == "failed"
    assert re.fullmatch(
        r"Gave up after \d seconds of trying: The video service at \S+ is rate-limiting requests \(HTTP 429\): "
        r"Rate limit reached for requests\.",
        done.error,
    )
    assert "tried again" not in done.error
    assert len(videos_server.requests_for("create")) == 2  # the first try, and one at the deadline
    assert done.attempts == 2  # each 429 counted once


def test_thirty_rate_limits_on_submit_count_thirty_one_tries(api_studio, videos_server):
    videos_server.fail_next(429, count=30, endpoint="create", headers={"retry-after": "0"})
    generation_id = create_api_generation(api_studio)

    fast_runner(api_studio).run_until_idle(timeout=60)

    done = row(api_studio, generation_id)
    assert (done.status, done.error, done.attempts) == ("completed", None, 31)
    assert len(videos_server.requests_for("create")) == 31 and len(videos_server.videos) == 1


# --- malformed answers: the service's transient fault ---------------------------------------------------
FAULTS = {
    "invalid_json": "JSON that cannot be read",
    "html": "a web page",
    "no_id": "a video object without an id",
}


@pytest.mark.parametrize("fault", FAULTS)
def test_a_malformed_answer_to_the_create_is_reconciled_not_sent_again(api_studio, videos_server, fault):
    videos_server.break_next(fault, endpoint="create")  # the service made the video; its answer was mangled
    generation_id = create_api_generation(api_studio)
    runner = fast_runner(api_studio, backoff_s=0.1)

    waiting = run_until(runner, api_studio, generation_id, lambda v: v.error is not None)

    assert (waiting.status, waiting.remote_id, waiting.attempts) == ("submitting", None, 1)
    assert waiting.error.endswith(f"answered the request to make the video with {FAULTS[fault]}.")
    assert_blames_the_service_and_names_no_file(waiting.error, api_studio)
    assert panel_line(api_studio)[0].startswith(f"Set #{generation_id} · variation 1 · waiting for the service")
    runner.run_until_idle(timeout=30)
    done = row(api_studio, generation_id)
    assert (done.status, done.error, done.attempts) == ("completed", None, 1)
    assert done.remote_id == next(iter(videos_server.videos))  # adopted from the list
    assert len(videos_server.requests_for("create")) == 1 and len(videos_server.videos) == 1
    assert len(videos_server.requests_for("list")) == 1
    assert len(videos_server.downloads("video")) == 1


@pytest.mark.parametrize("fault", FAULTS)
def test_a_malformed_answer_to_a_poll_is_tried_again_and_the_job_is_not_abandoned(api_studio, videos_server, fault):
    videos_server.break_next(fault, count=2, endpoint="retrieve")
    generation_id = create_api_generation(api_studio)
    runner = fast_runner(api_studio, backoff_s=0.1)

    waiting = run_until(runner, api_studio, generation_id, lambda v: v.error is not None)

    assert waiting.status == "in_progress" and waiting.remote_id is not None
    assert waiting.error.endswith(f"answered a status check with {FAULTS[fault]}.")
    assert_blames_the_service_and_names_no_file(waiting.error, api_studio)
    runner.run_until_idle(timeout=30)
    done = row(api_studio, generation_id)
    assert (done.status, done.error, done.attempts) == ("completed", None, 3)  # the submit and two bad polls
    assert len(videos_server.requests_for("create")) == 1
    assert len(videos_server.requests_for("retrieve")) == videos_server.polls_to_complete
    assert len(videos_server.downloads("video")) == 1


# --- bad downloads: downloaded again while the link lasts ------------------------------------------------
@pytest.mark.parametrize(
    "fault, words",
    [
        ("html", "sent a web page or an error document instead of the video file."),
        ("cut_without_length", "sent a video file that is damaged or cut short."),
    ],
)
def test_a_bad_download_is_downloaded_again_and_the_message_names_no_file(api_studio, videos_server, fault, words):
    videos_server.break_next(fault, endpoint="content")  # the video, the first content asked for
    generation_id = create_api_generation(api_studio)
    runner = fast_runner(api_studio, backoff_s=0.1)

    waiting = run_until(runner, api_studio, generation_id, lambda v: v.error is not None)

    assert waiting.status == "downloading" and waiting.error.endswith(words)
    assert_blames_the_service_and_names_no_file(waiting.error, api_studio)
    runner.run_until_idle(timeout=30)
    done = row(api_studio, generation_id)
    assert (done.status, done.error) == ("completed", None)
    assert len(videos_server.requests_for("create")) == 1
    assert len(videos_server.downloads("video")) == 2
    assert list(api_studio.media.scratch().iterdir()) == []


# --- a storm of 500s ---------------------------------------------------------------------------------------
def test_a_storm_of_server_errors_ends_at_the_deadline_with_one_message(api_studio, videos_server):
    videos_server.fail_next(500, count=1000)  # every endpoint, for good
    generation_id = create_api_generation(api_studio)
    started = time.monotonic()

    # tries at 0, 0.25, 0.75 and 1.75 s (the backoff doubles), then one at the 3 s deadline
    fast_runner(api_studio, deadline_s=3.0, backoff_s=0.25).run_until_idle(timeout=30)

    done = row(api_studio, generation_id)
    assert time.monotonic() - started < 10
    assert done.status == "failed"
    assert re.fullmatch(
        r"Gave up after \d seconds of trying: The video service at \S+ had a server error \(HTTP 500\): "
        r"The server had an error while processing your request\.",
        done.error,
    )
    assert len(videos_server.requests_for("create")) == 1  # later tries reconcile first, and that failed too
    assert len(videos_server.requests) == 5
    assert done.attempts == 5
    assert videos.generation(api_studio, generation_id).variations[0].error == done.error
