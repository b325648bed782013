"""``python -m core.worker``: the video job runner as a process of its own.

Run any number of them, on any machines that share the database (``DATABASE_URL``) and the data
folder (``MEDIA_STUDIO_HOME``), and set ``MEDIA_STUDIO_JOBS=external`` on the web servers so they
only queue work. Each job step runs once whoever takes it (the lease protocol in
``core/videos/jobs/runner.py``). A worker killed outright (SIGKILL, a lost machine) loses nothing:
its leases run out and another worker takes its steps over. SIGTERM or Ctrl+C stops taking work,
lets each step in flight finish or release its row at its next checkpoint, and exits 0.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from collections.abc import Sequence
from datetime import UTC, datetime

from core import workers
from core.errors import StudioError
from core.redact import install_log_redaction
from core.studio import open_studio
from core.videos.jobs.runner import JobRunner

log = logging.getLogger("core.worker")


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m core.worker", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--max-running", type=int, default=2, help="jobs running at once across the studio, as this worker counts them"
    )
    parser.add_argument("--lease-s", type=float, default=30.0, help="how long a step's claim lasts without renewal")
    parser.add_argument("--tick-s", type=float, default=0.5, help="how often to look for due work")
    parser.add_argument("--beat-s", type=float, default=workers.BEAT_S, help="how often to record a heartbeat")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    install_log_redaction()
    try:
        studio = open_studio()
    except StudioError as exc:
        print(f"media-studio worker: {exc.message}", file=sys.stderr)
        return 2
    wid = workers.worker_id()
    started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    runner = JobRunner(
        studio, max_running=args.max_running, lease_s=args.lease_s, tick_s=args.tick_s, owner=f"worker-{wid}"
    )
    stop = threading.Event()

    def on_signal(signum: int, _frame: object) -> None:
        log.info("Worker %s: %s received, finishing or releasing the steps in flight", wid, signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    runner.start()
    log.info("Worker %s started (data folder %s)", wid, studio.home)
    try:
        while not stop.is_set():
            try:
                workers.beat(studio, wid, runner.in_flight, "running", started)
            except Exception:  # a busy or unreachable database: the runner's own ticks report it too
                log.warning("Worker %s: the heartbeat could not be written", wid, exc_info=True)
            if not runner.alive:
                log.error("Worker %s: the job runner stopped unexpectedly", wid)
                return 1
            stop.wait(args.beat_s)
        workers.beat(studio, wid, runner.in_flight, "stopping", started)
        runner.stop(wait=True)
        workers.beat(studio, wid, 0, "stopped", started)
        log.info("Worker %s stopped", wid)
        return 0
    finally:
        studio.db.dispose()


if __name__ == "__main__":
    sys.exit(main())
