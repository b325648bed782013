"""One SDK client per distinct configuration, built on first use and reused after that.

Building a client can cost a network call (watsonx fetches an IAM token) and each client keeps
its own connection pool, so the providers and back-ends share this small cache instead of
building one per request. The key is the frozen config dataclass the client is built from.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

ConfigT = TypeVar("ConfigT", bound=Hashable)
ClientT = TypeVar("ClientT")


class ClientCache(Generic[ConfigT, ClientT]):
    """``get(config)`` builds with ``build(config)`` once per config; the least recently used go past ``maxsize``."""

    def __init__(self, build: Callable[[ConfigT], ClientT], maxsize: int = 4):
        self._cached = functools.lru_cache(maxsize=maxsize)(build)

    def get(self, config: ConfigT) -> ClientT:
        return self._cached(config)

    def clear(self) -> None:
        """Forget every built client (tests, or after the settings change)."""
        self._cached.cache_clear()
