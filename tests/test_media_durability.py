"""The media folder on shared storage (NFS or any POSIX file system mounted on several machines):
every file reaches the disk before it takes its real name, the folder's entry is flushed after,
and nothing relies on file locks (``flock`` is unreliable on NFS)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from db.media import POSTERS, SPRITES, VIDEOS, MediaStore, sha256_hex

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def journal(monkeypatch):
    """Every fsync (of a file or of a folder) and every rename, in order."""
    events: list[tuple[str, str]] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd):
        target = os.readlink(f"/proc/self/fd/{fd}")
        events.append(("fsync-folder" if os.path.isdir(target) else "fsync-file", target))
        return real_fsync(fd)

    def replace(source, target):
        events.append(("rename", f"{os.fspath(source)} -> {os.fspath(target)}"))
        return real_replace(source, target)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    return events


def _durable(events: list[tuple[str, str]], final: Path) -> bool:
    """The file was flushed under its temporary name, renamed onto ``final``, then its folder flushed."""
    renames = [i for i, (kind, what) in enumerate(events) if kind == "rename" and what.endswith(f"-> {final}")]
    if len(renames) != 1:
        return False
    at = renames[0]
    source = events[at][1].split(" -> ")[0]
    flushed_before = ("fsync-file", source) in events[:at]
    flushed_after = ("fsync-folder", str(final.parent)) in events[at + 1 :]
    return flushed_before and flushed_after


def test_a_finished_video_and_its_previews_are_flushed_before_and_after_their_rename(tmp_path, journal):
    store = MediaStore(tmp_path / "media")
    made = {}
    for name, data in (
        ("video", b"\x00\x00\x00\x18ftypmp42" * 1000),
        ("poster", b"\xff\xd8p"),
        ("sprite", b"\xff\xd8s"),
    ):
        made[name] = store.scratch() / f"job-7-{name}"
        made[name].write_bytes(data)
    digest, created = store.add_video(made["video"], made["poster"], made["sprite"])
    assert created
    for kind, extension in ((VIDEOS, ".mp4"), (POSTERS, ".jpg"), (SPRITES, ".jpg")):
        assert _durable(journal, store.path_for(digest, kind, extension)), (kind, journal)


def test_bytes_put_and_pending_files_placed_are_durable_too(tmp_path, journal):
    store = MediaStore(tmp_path / "media")
    data = b"an original image"
    path, created = store.put(data, "originals", ".jpg")
    assert created and _durable(journal, path)

    folder = store.pending()
    other = b"a thumbnail"
    pending = store.write_pending(folder, other, "thumbs", ".jpg", sha256_hex(other))
    assert pending is not None and ("fsync-file", str(pending)) in journal
    store.place(pending)
    assert _durable(journal, store.path_for(sha256_hex(other), "thumbs", ".jpg"))


def test_two_machines_storing_the_same_bytes_end_with_one_whole_file(tmp_path):
    """Two stores on one shared folder (as two machines would mount it) store one video at once."""
    first, second = MediaStore(tmp_path / "media"), MediaStore(tmp_path / "media")
    data = os.urandom(256 * 1024)
    sources = []
    for n, store in enumerate((first, second)):
        source = store.scratch() / f"machine-{n}.mp4"
        source.write_bytes(data)
        sources.append(source)
    results = [first.put_file(sources[0], VIDEOS, ".mp4"), second.put_file(sources[1], VIDEOS, ".mp4")]
    assert results[0][0] == results[1][0] == sha256_hex(data)
    assert results[0][1].read_bytes() == data
    assert [r[2] for r in results] == [True, False]
    assert not any(s.exists() for s in sources)
    assert [p.name for p in first.scratch().iterdir()] == []


def test_no_code_takes_a_file_lock():
    lock = re.compile(r"import fcntl|from fcntl|\bfcntl\.|\blockf\(|\bflock\(")
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("core", "db", "ui", "pages")
        for path in (ROOT / folder).rglob("*.py")
        if lock.search(path.read_text())
    ]
    assert offenders == []
