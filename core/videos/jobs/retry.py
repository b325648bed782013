"""When a transient service fault is tried again, and what the page says meanwhile and at the end.

A fault the service may get over (429, 5xx, a timeout, a malformed answer, a damaged download) is
tried again after a wait: the service's ``Retry-After`` when it sent one, else an exponential
backoff; either is capped (a ``Retry-After`` of a day must not park a job out of sight) and never
reaches past the job's deadline, so the last try happens at the deadline and the job then gives
up with one message that says so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class RetryPolicy:
    deadline_s: float = 3600.0  # from the first try; after it a transient fault is final
    backoff_s: float = 2.0  # the first wait when the service named none; it doubles each try
    max_backoff_s: float = 60.0
    max_retry_after_s: float = 600.0  # a service asking for longer is asked again after this

    def wait_s(self, attempts: int, retry_after_s: float | None) -> float:
        """The wait before the next try, after ``attempts`` tries (at least one)."""
        if retry_after_s is not None:
            return min(max(0.0, retry_after_s), self.max_retry_after_s)
        return min(self.max_backoff_s, self.backoff_s * 2.0 ** max(0, attempts - 1))

    def next_try(self, now: datetime, deadline: datetime, attempts: int, retry_after_s: float | None) -> datetime:
        """When to try again: after the wait, but never after the deadline."""
        return min(now + timedelta(seconds=self.wait_s(attempts, retry_after_s)), deadline)


def gave_up(elapsed_s: float, reason: str) -> str:
    """The one message of a job that stopped trying: how long it tried, and the service's last fault."""
    return f"Gave up after {duration_words(elapsed_s)} of trying: {reason}"


def duration_words(seconds: float) -> str:
    """'40 seconds', '1 minute', '60 minutes', '3 hours': whole units, as a person would say it."""
    seconds = max(0.0, seconds)
    if seconds < 90:
        return _count(round(seconds), "second")
    if seconds < 90 * 60:
        return _count(round(seconds / 60), "minute")
    return _count(round(seconds / 3600), "hour")


def next_try_words(wait_s: float) -> str:
    """'waiting for the service, next try in 10 min' (or in N s when under a minute)."""
    if wait_s <= 0.5:
        return "waiting for the service, trying again now"
    if wait_s < 60:
        return f"waiting for the service, next try in {math.ceil(wait_s)} s"
    return f"waiting for the service, next try in {math.ceil(wait_s / 60)} min"


def _count(n: int, unit: str) -> str:
    return f"{n} {unit}{'' if n == 1 else 's'}"
