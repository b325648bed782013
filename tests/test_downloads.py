"""Download links (``core/downloads.py``) and the studio's own route that answers them from disk
(``core/routes.py``, mounted by ``st.App`` in ``streamlit_app.py``): signed, expiring, confined to
``exports/`` and ``media/``, and served in chunks, so a large export never sits in server memory."""

from __future__ import annotations

import hashlib
import multiprocessing
import os
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from core import downloads
from tests.helpers.browser import running_server


def _parts(url: str) -> tuple[str, dict[str, str]]:
    split = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(split.query, keep_blank_values=True).items()}
    return split.path.removeprefix(downloads.ROUTE + "/"), query


def _resolve(home: Path, url: str, **changes: str) -> Path:
    relative, query = _parts(url)
    relative = changes.pop("relative", relative)
    query.update(changes)
    return downloads.resolve(home, relative, query["name"], query["expires"], query["sig"])


@pytest.fixture
def home(tmp_path) -> Path:
    folder = tmp_path / "home"
    (folder / "exports").mkdir(parents=True)
    (folder / "media" / "videos").mkdir(parents=True)
    (folder / "studio.db").write_bytes(b"SQLite format 3\x00")
    return folder


def test_a_link_resolves_to_its_file_and_nothing_else(home):
    target = home / "exports" / "media-studio-8-captions.zip"
    target.write_bytes(b"PK")
    url = downloads.link(home, target, "media-studio-8-captions.zip")
    assert url.startswith(f"{downloads.ROUTE}/exports/media-studio-8-captions.zip?")
    assert _resolve(home, url) == target

    for change in ({"name": "other.zip"}, {"relative": "exports/other.zip"}, {"sig": "0" * 64}):
        with pytest.raises(downloads.DownloadRefused) as refused:
            _resolve(home, url, **change)
        assert refused.value.status == 403, change
    with pytest.raises(downloads.DownloadRefused) as refused:
        _resolve(home, url, expires=str(int(_parts(url)[1]["expires"]) + 3600))  # a longer life is a forgery
    assert refused.value.status == 403


def test_a_link_expires_and_a_removed_file_is_gone(home):
    target = home / "exports" / "old.zip"
    target.write_bytes(b"PK")
    url = downloads.link(home, target, "old.zip", now=1_000_000.0, ttl_s=60, bucket_s=1)
    relative, query = _parts(url)
    args = (home, relative, "old.zip", query["expires"], query["sig"])
    assert downloads.resolve(*args, now=1_000_059.0) == target
    with pytest.raises(downloads.DownloadRefused, match="expired") as refused:
        downloads.resolve(*args, now=1_000_061.0)
    assert refused.value.status == 410
    target.unlink()
    with pytest.raises(downloads.DownloadRefused, match="no longer there") as refused:
        downloads.resolve(*args, now=1_000_000.0)
    assert refused.value.status == 404


def test_only_exports_and_media_can_be_linked_even_with_a_stolen_signature(home):
    for outside in (home / "studio.db", home / downloads.KEY_FILE, home.parent / "elsewhere.txt"):
        outside.write_bytes(b"x")
        with pytest.raises(ValueError):
            downloads.link(home, outside, outside.name)
    # A signature made with the real key for a path that climbs out is still refused on disk.
    for sneaky in ("exports/../studio.db", "exports/../download.key", "media/../../elsewhere.txt"):
        sig = downloads._sign(home, sneaky, "x", 2**40)
        with pytest.raises(downloads.DownloadRefused) as refused:
            downloads.resolve(home, sneaky, "x", str(2**40), sig)
        assert refused.value.status == 403, sneaky


def _make_key(home: str) -> bytes:
    return downloads._key(Path(home))


def test_servers_starting_together_agree_on_one_key_and_it_stays_private(home):
    with multiprocessing.get_context("spawn").Pool(6) as pool:
        keys = pool.map(_make_key, [str(home)] * 12)
    assert len(set(keys)) == 1 and len(keys[0]) == 32
    assert (home / downloads.KEY_FILE).stat().st_mode & 0o077 == 0  # readable by its owner only
    assert [p.name for p in home.iterdir() if p.name.startswith(".download")] == []  # no drafts left


def _peak_rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM")


def test_the_server_streams_a_large_export_from_disk_with_flat_memory(home, tmp_path):
    """A 320 MB export is downloaded through the real server; its peak memory grows far less than the
    file (Streamlit's download button would hold all of it), byte ranges work, forgeries are refused."""
    size = 320 * 1024 * 1024
    export = home / "exports" / "media-studio-big.zip"
    digest = hashlib.sha256()
    block = os.urandom(1024 * 1024)
    with export.open("wb") as out:
        for n in range(size // len(block)):
            chunk = block[n % 7 :] + block[: n % 7]  # not one repeated block: nothing can be deduplicated
            out.write(chunk)
            digest.update(chunk)

    with running_server(home, tmp_path / "streamlit.log") as (base, process):
        url = base + downloads.link(home, export, "media-studio-big.zip")
        with httpx.Client(timeout=60) as client:
            client.get(url, headers={"Range": "bytes=0-0"})  # the route's code is loaded before the baseline
            before = _peak_rss_kib(process.pid)
            received = hashlib.sha256()
            with client.stream("GET", url) as response:
                assert response.status_code == 200
                assert response.headers["content-type"] == "application/zip"
                assert 'filename="media-studio-big.zip"' in response.headers["content-disposition"]
                assert response.headers["content-length"] == str(size)
                got = 0
                for chunk in response.iter_bytes(1024 * 1024):
                    received.update(chunk)
                    got += len(chunk)
            grown_mib = (_peak_rss_kib(process.pid) - before) / 1024
            assert got == size and received.hexdigest() == digest.hexdigest()
            assert grown_mib < 48, f"the server's peak memory grew {grown_mib:.0f} MiB for a 320 MiB file"

            ranged = client.get(url, headers={"Range": "bytes=1048576-1048591"})
            assert ranged.status_code == 206 and ranged.content == block[1:][:16]

            forged = client.get(url.replace("media-studio-big.zip", "evil.zip", 1))
            assert forged.status_code == 403 and forged.text == "This download link is not valid."
            for unsigned in ("studio.db", "download.key", "exports/../studio.db?name=a&expires=1&sig=x"):
                refused = client.get(f"{base}{downloads.ROUTE}/{unsigned}")
                assert refused.status_code in {400, 403, 404} and b"SQLite" not in refused.content, unsigned
        # The app itself is still served by the same server.
        assert httpx.get(f"{base}/", timeout=30).status_code == 200


def test_reruns_draw_the_same_link_for_an_hour_and_it_lives_at_least_a_day(home):
    target = home / "media" / "videos" / "ab.mp4"
    target.write_bytes(b"\x00")
    first = downloads.link(home, target, now=7201.0)
    assert downloads.link(home, target, now=7201.0 + 3599) == first  # a player source does not change in the hour
    expires = int(_parts(first)[1]["expires"])
    assert 7201 + downloads.LINK_TTL_S <= expires <= 7201 + downloads.LINK_TTL_S + 3600
    relative, query = _parts(first)
    assert query["name"] == ""  # no name: shown in the page, not downloaded
    assert downloads.resolve(home, relative, "", query["expires"], query["sig"], now=7201.0) == target
