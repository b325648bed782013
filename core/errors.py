"""Errors a user can cause or meet, each carrying one clear sentence for the page.

Anything that is not a ``StudioError`` is a bug: it is logged with its traceback.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

T = TypeVar("T")


class StudioError(Exception):
    """Base of every error the UI shows to the user as-is."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class UnsupportedImage(StudioError):
    """The upload is not an image we can caption (wrong type, corrupt, too large)."""


class BackendUnavailable(StudioError):
    """A provider is not configured, or its settings are incomplete."""


class ProviderError(StudioError):
    """The provider was reached but the request failed (auth, rate limit, server error, timeout)."""


class UnsupportedVideo(StudioError):
    """The file is not a video we can import (empty, damaged, audio-only, a still image, too large)."""


class AlreadyInLibrary(StudioError):
    """The file is already in the library; ``generation_id`` is the set that holds it."""

    def __init__(self, message: str, generation_id: int):
        super().__init__(message)
        self.generation_id = generation_id


class NoLongerExists(StudioError):
    """The thing the user acted on was deleted meanwhile (in another tab, by another worker)."""


def must_exist(found: T | None, what: str = "That video") -> T:
    """``found``, or the one sentence a page shows when it is gone: "<what> no longer exists."."""
    if found is None:
        raise NoLongerExists(f"{what} no longer exists.")
    return found


@contextmanager
def translated(translate: Callable[[Exception], Exception]) -> Iterator[None]:
    """Raise what ``translate`` makes of an exception in the block, chained to it.

    ``translate`` returns the exception itself when it does not recognise it (a bug): that one goes up unchanged.
    """
    try:
        yield
    except Exception as exc:
        error = translate(exc)
        if error is exc:
            raise
        raise error from exc
