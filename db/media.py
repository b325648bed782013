"""The media folder: files stored by the SHA-256 of their bytes, never by a user-supplied name.

Writes go to a temporary file in the same folder, or in ``tmp/`` inside the store (so a rename never
crosses file systems), are flushed to disk (fsync), and are renamed into place, after which the
folder itself is flushed: a crash, on a local disk or on NFS shared by several machines, never leaves
half a file under a real name. No file lock is ever taken (``flock`` is unreliable on NFS); two
machines storing the same bytes at once both rename identical content onto one name, which is
harmless. Storing the same bytes twice is a no-op.

The layout is known here and nowhere else: ``<kind>/<first two hex digits>/<digest><ext>``. A
video's poster and hover sprite are stored under the *video's* digest, so one hash finds all three.
"""

from __future__ import annotations

import base64
import hashlib
import os
import tempfile
import uuid
from pathlib import Path

# The folders of the store.
ORIGINALS, THUMBS = "originals", "thumbs"  # captioned images and their History thumbnails
VIDEOS, POSTERS, SPRITES, REFERENCES = "videos", "posters", "sprites", "references"
IMAGES = "images"  # a still image variation (an image set's), stored in the format it was made in
IMAGE_EXTENSIONS = (".png", ".jpg", ".webp")
# One variation's files, as stored: a video, its poster and sprite; or an image (in one of its
# formats) and its poster. A purge stages each that exists.
VIDEO_FILES = (
    (VIDEOS, ".mp4"),
    (POSTERS, ".jpg"),
    (SPRITES, ".jpg"),
    *((IMAGES, extension) for extension in IMAGE_EXTENSIONS),
)
STAGING = ".purging"  # files a purge is about to remove (see core/trash.py)
PENDING = "pending-"  # under scratch: a caption save's files, written before its rows commit
SPRITE_TILES = 10  # frames in a hover sprite strip, side by side

EXTENSIONS = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp", "GIF": ".gif", "BMP": ".bmp", "TIFF": ".tif"}


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _fsync_folder(folder: Path) -> None:
    """Flush a folder's entries (a rename into it) to disk; a file system that cannot is left as it is."""
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def durable_replace(source: Path | str, target: Path) -> None:
    """Move a finished file onto its real name: its bytes reach the disk first, then the rename, then
    the folder's new entry, so no crash leaves a short or empty file under ``target``."""
    with open(source, "rb") as fh:
        os.fsync(fh.fileno())
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(source, target)
    _fsync_folder(target.parent)


class MediaStore:
    def __init__(self, root: Path):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    def path_for(self, digest: str, kind: str, extension: str) -> Path:
        if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
            raise ValueError("not a SHA-256 hex digest")
        return self.root / kind / digest[:2] / f"{digest}{extension}"

    def put(self, data: bytes, kind: str, extension: str, digest: str | None = None) -> tuple[Path, bool]:
        """Store ``data``; return its path and whether this call created the file."""
        digest = digest or sha256_hex(data)
        path = self.path_for(digest, kind, extension)
        if path.exists():
            return path, False
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".incoming-", suffix=extension)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
            _fsync_folder(path.parent)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return path, True

    def put_file(self, source: Path, kind: str, extension: str) -> tuple[str, Path, bool]:
        """Move a finished temporary file into the store by its hash (one rename, same filesystem).

        Returns the digest, the stored path and whether it was new; ``source`` is gone afterwards.
        """
        digest = hashlib.sha256()
        with open(source, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
        hexdigest = digest.hexdigest()
        path = self.path_for(hexdigest, kind, extension)
        if path.exists():
            Path(source).unlink()
            return hexdigest, path, False
        durable_replace(source, path)
        return hexdigest, path, True

    def scratch(self) -> Path:
        """A folder for work in progress on the same filesystem, so finished files move by rename."""
        folder = self.root / "tmp"
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def read(self, digest: str, kind: str, extension: str) -> bytes:
        return self.path_for(digest, kind, extension).read_bytes()

    def remove(self, digest: str, kind: str, extension: str) -> None:
        self.path_for(digest, kind, extension).unlink(missing_ok=True)

    def data_url(self, digest: str, kind: str, extension: str = ".jpg", mime: str = "image/jpeg") -> str | None:
        """The file inline as a ``data:`` URL (for st.html and st.dataframe), or None when it is missing."""
        try:
            data = self.read(digest, kind, extension)
        except FileNotFoundError:
            return None
        return f"data:{mime};base64," + base64.b64encode(data).decode("ascii")

    # --- a video and its previews, under one digest ----------------------------------------------

    def video_path(self, digest: str) -> Path:
        return self.path_for(digest, VIDEOS, ".mp4")

    def add_video(self, video: Path, poster: Path, sprite: Path) -> tuple[str, bool]:
        """Move a finished MP4 and its two previews into the store; return its digest and whether it was new."""
        digest, _, created = self.put_file(video, VIDEOS, ".mp4")
        for source, kind in ((poster, POSTERS), (sprite, SPRITES)):
            durable_replace(source, self.path_for(digest, kind, ".jpg"))
        return digest, created

    # --- a still image and its poster, under one digest (``variations.video_sha256`` names it) ----

    def image_path(self, digest: str) -> Path | None:
        """The stored image of this digest, in whichever format it was made; None when there is none."""
        for extension in IMAGE_EXTENSIONS:
            path = self.path_for(digest, IMAGES, extension)
            if path.exists():
                return path
        return None

    def add_image(self, image: Path, extension: str, poster: Path) -> tuple[str, bool]:
        """Move a finished image (``extension``: one of IMAGE_EXTENSIONS) and its poster JPEG into the
        store; return its digest and whether it was new. An image has no hover sprite."""
        if extension not in IMAGE_EXTENSIONS:
            raise ValueError(f"not an image extension the store keeps: {extension!r}")
        digest, _, created = self.put_file(image, IMAGES, extension)
        durable_replace(poster, self.path_for(digest, POSTERS, ".jpg"))
        return digest, created

    def remove_video(self, digest: str) -> None:
        for kind, extension in VIDEO_FILES:
            self.remove(digest, kind, extension)

    # --- pending files: written before their rows commit, moved into place after ----------------

    def pending(self) -> Path:
        """A fresh folder under scratch for one save's files: ``tmp/pending-<id>/<kind>/<digest><ext>``."""
        folder = self.scratch() / f"{PENDING}{uuid.uuid4().hex}"
        folder.mkdir()
        return folder

    def write_pending(self, folder: Path, data: bytes, kind: str, extension: str, digest: str) -> Path | None:
        """Write ``data`` where ``place`` will find it; None when the store already has that file."""
        if self.path_for(digest, kind, extension).exists():
            return None
        target = folder / kind / f"{digest}{extension}"
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        return target

    def place(self, pending_file: Path) -> None:
        """Move a pending file into the store (one rename); a copy already there wins."""
        digest, _, extension = pending_file.name.partition(".")
        target = self.path_for(digest, pending_file.parent.name, "." + extension)
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            pending_file.unlink(missing_ok=True)
        else:
            durable_replace(pending_file, target)

    def pending_files(self) -> list[tuple[Path, str, str]]:
        """Every pending file left anywhere: (path, digest, kind)."""
        found = []
        for path in sorted(self.scratch().glob(f"{PENDING}*/*/*")):
            digest = path.name.split(".", 1)[0]
            if path.is_file() and len(digest) == 64:
                found.append((path, digest, path.parent.name))
        return found

    # --- staging for a crash-safe purge: files move aside before their rows go --------------------

    def staging(self) -> Path:
        """Where a purge parks the files it will remove: ``.purging/<kind>/<digest><ext>``."""
        return self.root / STAGING

    def stage(self, digest: str, kind: str, extension: str) -> Path | None:
        """Move a stored file into the staging folder (one rename); None when it is not there."""
        source = self.path_for(digest, kind, extension)
        target = self.staging() / kind / source.name
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.replace(source, target)
        except FileNotFoundError:
            return None
        return target

    def staged(self) -> list[tuple[Path, str, str, str]]:
        """Every staged file: (path, digest, kind, extension)."""
        found = []
        for path in sorted(self.staging().glob("*/*")):
            digest = path.name.split(".", 1)[0]
            if path.is_file() and len(digest) == 64:
                found.append((path, digest, path.parent.name, path.name[len(digest) :]))
        return found

    def unstage(self, staged: Path, digest: str, kind: str, extension: str) -> None:
        """Put a staged file back where the store keeps it."""
        target = self.path_for(digest, kind, extension)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staged, target)

    def files(self) -> list[Path]:
        """Every stored file (for tests and maintenance)."""
        return sorted(p for p in self.root.rglob("*") if p.is_file())
