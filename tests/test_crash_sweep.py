"""kill -9 in the middle of a caption save (inside its transaction, the write lock held, and between
its commit and the move of its files) and of an import; after a restart and one sweep there is no
orphan file, no temporary file, and no row pointing at a missing file (issue #9). The sweep itself
never takes a file that is younger than its grace period."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import timedelta
from pathlib import Path

import pytest

from core import sweep, trash
from core.config import Settings
from core.studio import open_studio
from db.media import ORIGINALS, POSTERS, THUMBS
from tests.helpers.studio import assert_rows_and_files_agree, finished_set, stored_files
from tests.helpers.video import make_mp4, make_webm

ROOT = Path(__file__).resolve().parents[1]

PRELUDE = """
import os, signal, sys
from pathlib import Path
from core.config import Settings
from core.studio import open_studio
studio = open_studio(Settings.load(environ={"MEDIA_STUDIO_HOME": sys.argv[1]}, secrets={}))

def die(*_args, **_kwargs):
    os.kill(os.getpid(), signal.SIGKILL)
"""

CAPTION_SAVE = """
from core.captions import service
from tests.helpers.corpus import encode, photo
provider = service.open_provider("offline", studio.settings)
{patch}
service.caption_image(studio, service.Upload("coffee.jpg", encode(photo("coffee"))), "alt_text", "", provider)
print("not killed")
"""

IMPORT = """
from core.videos import imports
from db import videos as queries
{patch}
imports.import_video(studio, "clip.mp4", Path(sys.argv[2]).read_bytes())
print("not killed")
"""


def run_and_kill(home: Path, body: str, *extra: str) -> None:
    """Run ``body`` in a fresh process that SIGKILLs itself at the patched point."""
    script = textwrap.dedent(PRELUDE) + textwrap.dedent(body)
    done = subprocess.run(
        [sys.executable, "-c", script, str(home), *extra],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == -signal.SIGKILL, (done.returncode, done.stdout, done.stderr[-2000:])


def restart_and_sweep(home: Path):
    """What the next start does: settle a purge, then one sweep (grace 0: the dead process is long gone)."""
    studio = open_studio(Settings.load(environ={"MEDIA_STUDIO_HOME": str(home)}, secrets={}))
    trash.recover_interrupted_purge(studio)
    report = sweep.sweep(studio, grace=timedelta(0))
    return studio, report


def assert_clean(studio) -> None:
    assert_rows_and_files_agree(studio)
    leftovers = [p for p in studio.media.root.rglob("*") if p.is_file() and p not in stored_files(studio)]
    assert leftovers == [], "temporary files left"
    assert [p.name for p in studio.media.root.rglob(".incoming-*")] == []


@pytest.mark.parametrize(
    ("where", "patch", "rows"),
    [
        ("inside the transaction, lock held", "service.queries.add_caption = die", 0),
        ("after the commit, before the move", "studio.media.place = die", 1),
    ],
)
def test_a_caption_save_killed_leaves_nothing_half_written(tmp_path, where, patch, rows):
    home = tmp_path / "home"
    run_and_kill(home, CAPTION_SAVE.format(patch=patch))
    studio, report = restart_and_sweep(home)
    with studio.db.session() as session:
        from db.models import Caption

        assert session.query(Caption).count() == rows, where
    assert_clean(studio)
    if rows:  # the committed caption's files were moved into place by the sweep
        assert report.placed == 2
        assert sorted(p.parent.parent.name for p in stored_files(studio)) == [ORIGINALS, THUMBS]


def test_an_import_killed_after_its_files_moved_in_leaves_no_orphan(tmp_path):
    home = tmp_path / "home"
    clip = make_mp4(tmp_path / "clip.mp4", seconds=1)
    run_and_kill(home, IMPORT.format(patch="queries.add_imported_generation = die"), str(clip))
    studio, report = restart_and_sweep(home)
    assert report.orphans_removed == 3  # the video, its poster and its sprite strip
    assert_clean(studio)
    assert stored_files(studio) == set()


def test_an_import_killed_while_transcoding_leaves_no_scratch(tmp_path):
    home = tmp_path / "home"
    clip = make_webm(tmp_path / "clip.webm", seconds=1)  # a WebM is transcoded to H.264
    patch = "import core.videos.av.write as write\nwrite.transcode_to_browser = die"
    run_and_kill(home, IMPORT.format(patch=patch), str(clip))
    studio, report = restart_and_sweep(home)
    assert report.scratch_removed >= 1
    assert_clean(studio)


def test_the_sweep_leaves_young_files_and_owned_files_alone(studio):
    kept = finished_set(studio, "A lighthouse", ["a" * 64])
    orphan, _ = studio.media.put(b"nobody's poster", POSTERS, ".jpg", "b" * 64)
    work = studio.media.scratch() / "render-in-progress"
    work.mkdir()
    (work / "frame.partial").write_bytes(b"still being written")
    report = sweep.sweep(studio)  # the default grace: everything here is seconds old
    assert report.total == 0 and orphan.exists() and work.exists()
    old = time.time() - 3600
    for path in (orphan, work, work / "frame.partial"):
        os.utime(path, (old, old))
    report = sweep.sweep(studio)
    assert (report.orphans_removed, report.scratch_removed) == (1, 1)
    assert not orphan.exists() and not work.exists()
    assert kept and studio.media.video_path("a" * 64).exists()  # a file a row owns is never taken
    assert_clean(studio)
