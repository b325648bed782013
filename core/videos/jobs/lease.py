"""The heartbeat that keeps a claimed variation's lease alive while its step runs.

A step can spend longer than the lease in one call (a create the service answers after 40 s, a
long download, a local render), and a lease that ran out meanwhile would let another server take
the row over and send the create again. So while a step runs, its lease is renewed every third
of the lease on a small thread of its own. If the process dies, the renewals stop and the row is
free for another runner within one lease.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from types import TracebackType

log = logging.getLogger(__name__)


class Heartbeat:
    """``with Heartbeat(renew, every_s):`` calls ``renew()`` every ``every_s`` until the block ends.

    ``renew`` returns False when the lease is no longer ours (taken over after this process
    stalled for longer than the lease); the heartbeat then stops, and the step's later writes,
    which all go through ``update_leased``, change nothing.
    """

    def __init__(self, renew: Callable[[], bool], every_s: float, name: str = "lease-heartbeat"):
        self._renew = renew
        self._every_s = every_s
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=name, daemon=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._done.set()
        self._thread.join(timeout=max(5.0, 2 * self._every_s))

    def _beat(self) -> None:
        while not self._done.wait(self._every_s):
            try:
                if not self._renew():
                    log.warning("%s: the lease is no longer ours; its step's writes will be ignored", self._thread.name)
                    return
            except Exception:  # a busy database: the next beat tries again, well within the lease
                log.warning("%s: renewing the lease failed", self._thread.name, exc_info=True)
