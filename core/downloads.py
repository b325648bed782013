"""Download links for files in the data folder: an export waiting in ``exports/`` or a video or image
in ``media/``. The link is signed and expires, and the studio's own server answers it from disk
(``core/routes.py``), so the browser downloads a file of any size without the server reading it into
memory, as Streamlit's download button does.

The signing key is a random file in the data folder, made once and never shown, so every web server
that shares the data folder accepts the same links.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import math
import os
import secrets
import time
from pathlib import Path, PurePosixPath
from urllib.parse import quote, urlencode

from core.errors import StudioError

ROUTE = "/api/files"  # the studio's own route, beside Streamlit's /_stcore/ and /media/
KEY_FILE = "download.key"
LINK_TTL_S = 24 * 3600  # as long as an export is kept (core/bundle.KEEP_EXPORTS_S)
BUCKET_S = 3600
FOLDERS = ("exports", "media")  # what a link may point into; never the database or the key


class DownloadRefused(StudioError):
    """A link that is forged, expired, or points at a file that is gone; ``status`` is the HTTP code."""

    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.status = status


def link(
    home: Path,
    path: Path,
    name: str = "",
    *,
    now: float | None = None,
    ttl_s: float = LINK_TTL_S,
    bucket_s: float = BUCKET_S,
) -> str:
    """A server-relative URL for ``path`` (inside one of ``FOLDERS``): downloaded as ``name``, or shown
    in the page (a player's source) when ``name`` is empty. It lives at least ``ttl_s``; the expiry is
    rounded up to ``bucket_s``, so reruns within the hour draw the same URL and the browser keeps
    what it already fetched (a video keeps playing)."""
    relative = _relative(home, path)
    expires = int(math.ceil(((time.time() if now is None else now) + ttl_s) / bucket_s) * bucket_s)
    query = urlencode({"name": name, "expires": expires, "sig": _sign(home, relative, name, expires)})
    return f"{ROUTE}/{quote(relative)}?{query}"


def resolve(home: Path, relative: str, name: str, expires: str, sig: str, *, now: float | None = None) -> Path:
    """The file a link names, or ``DownloadRefused``: the signature is checked before anything on disk."""
    try:
        deadline = int(expires)
    except ValueError:
        raise DownloadRefused("This download link is not valid.", 400) from None
    if not hmac.compare_digest(_sign(home, relative, name, deadline), sig):
        raise DownloadRefused("This download link is not valid.", 403)
    if (time.time() if now is None else now) > deadline:
        raise DownloadRefused("This download link has expired: prepare the file again.", 410)
    path = home / relative
    try:
        _relative(home, path)
    except ValueError:
        raise DownloadRefused("This download link is not valid.", 403) from None
    if not path.is_file():
        raise DownloadRefused("This file is no longer there: prepare it again.", 404)
    return path


def _relative(home: Path, path: Path) -> str:
    relative = PurePosixPath(path.resolve().relative_to(home.resolve()).as_posix())
    if relative.parts[:1] not in {(folder,) for folder in FOLDERS} or len(relative.parts) < 2:
        raise ValueError(f"{path} is not in a folder the studio serves")
    return str(relative)


def _sign(home: Path, relative: str, name: str, expires: int) -> str:
    message = "\n".join((relative, name, str(expires))).encode()
    return hmac.new(_key(home), message, hashlib.sha256).hexdigest()


@functools.cache
def _key(home: Path) -> bytes:
    """The data folder's signing key, made on first use and read once per process (it never changes).
    It is written aside and linked into place, so servers starting together (even on a shared NFS
    folder) all end up with the same key."""
    path = home / KEY_FILE
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    draft = home / f".{KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}"
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, secrets.token_bytes(32))
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.link(draft, path)  # fails if another process linked its key first: that one wins
    except FileExistsError:
        pass
    finally:
        draft.unlink()
    return path.read_bytes()
