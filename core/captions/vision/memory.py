"""Give freed heap memory back to the operating system after the big, short-lived allocations.

Building the classifier graph and running the text detector allocate tens of MB that are freed
straight after, but glibc keeps freed heap pages mapped, so a long-running Streamlit server would
sit on ~100 MB it no longer uses (measured in bench/bench_offline_captioner.py). ``malloc_trim``
returns them, costs a few milliseconds, and is skipped where the C library has no such call.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from collections.abc import Callable
from functools import lru_cache


@lru_cache(maxsize=1)
def _malloc_trim() -> Callable[[int], int] | None:
    name = ctypes.util.find_library("c")
    try:
        trim: Callable[[int], int] | None = getattr(ctypes.CDLL(name), "malloc_trim", None) if name else None
        return trim
    except OSError:
        return None


def release_freed_memory() -> None:
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
