"""The captions CSV streams to a file: memory stays flat however many rows there are, the progress
bar hears about every 10,000 rows, and the file holds every row (History's "Export CSV"). Where the
database has a native CSV writer (PostgreSQL's COPY run by psql or through psycopg, the sqlite3
command line) it writes the rows, and its file reads back exactly as the Python writer's does, on
both databases; psql and psycopg write the same bytes, and a psql that fails says why in a sentence
that never holds the password."""

from __future__ import annotations

import io
import tracemalloc

import pandas as pd
import pytest
from sqlalchemy import create_engine, make_url

from bench.bench_csv_export import seed
from core.bundle import EXPORTS, export_to_file
from core.captions import service as captions
from db import captions as queries
from db import csv_export
from db.errors import StorageRefused
from tests.helpers.postgres import free_port
from tests.test_csv_export import TRICKY

on_postgresql = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)


def test_a_hundred_thousand_captions_stream_to_a_file_with_flat_memory(studio, tmp_path):
    rows = 100_000
    seed(studio, rows)
    target = tmp_path / "captions.csv"
    heard: list[int] = []
    tracemalloc.start()
    try:
        with target.open("wb") as out:
            written = captions.write_captions_csv(
                studio,
                captions.CaptionFilter(),
                out,
                all_versions=True,
                progress=lambda done, _t: heard.append(done),
                native=False,  # the Python writer: the native ones never hold rows in Python at all
            )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    size = target.stat().st_size
    assert written == rows
    assert size > 30_000_000  # about 37 MB of CSV ...
    assert peak < 20_000_000, f"peak {peak / 1e6:.1f} MB for a {size / 1e6:.0f} MB file"  # ... never all in memory
    assert heard[:3] == [10_000, 20_000, 30_000] and heard[-1] == rows
    frame = pd.read_csv(target, encoding="utf-8-sig", usecols=["caption_id", "caption"], dtype=str)
    assert len(frame) == rows and frame["caption_id"].is_unique
    assert not frame["caption"].str.startswith("=").any()  # "=SUM(1)" first in a caption is neutralised


def _seed_tricky(studio) -> None:
    with studio.db.session() as session:
        for n, text in enumerate(TRICKY):
            asset = queries.add_asset(
                session, sha256=f"{n:064x}", display_name=f"=photo {n}.png", format="PNG", width=4, height=3, size=9
            )
            queries.add_caption(
                session, asset, style="alt_text", prompt="+a prompt", provider="offline", model="m", text=text
            )


@pytest.mark.both_databases
def test_the_databases_own_csv_writer_gives_the_same_file_as_python(studio):
    _seed_tricky(studio)
    expected = "psql" if studio.db.engine.dialect.name == "postgresql" else "sqlite3"
    assert csv_export.native_writer(studio.db.engine) == expected
    found = {}
    for native in (True, False):
        out = io.BytesIO()
        count = captions.write_captions_csv(studio, captions.CaptionFilter(), out, all_versions=True, native=native)
        assert count == len(TRICKY)
        assert out.getvalue().startswith("\ufeffcaption_id,created_at,".encode())
        found[native] = pd.read_csv(io.BytesIO(out.getvalue()), encoding="utf-8-sig", keep_default_na=False, dtype=str)
    pd.testing.assert_frame_equal(found[True], found[False])
    assert list(found[True]["caption"]) == [("'" + t if t[0] in "=+-@\t\r" else t) for t in TRICKY]
    assert set(found[True]["image_name"]) == {f"'=photo {n}.png" for n in range(len(TRICKY))}
    assert set(found[True]["style"]) == {"Alt text"}


def _export(studio, path, flt) -> tuple[int, bytes]:
    with path.open("wb") as out:
        count = captions.write_captions_csv(studio, flt, out, all_versions=True)
    return count, path.read_bytes()


@on_postgresql
def test_psql_and_psycopg_write_the_same_bytes_into_a_file_or_a_buffer(studio, tmp_path, monkeypatch):
    _seed_tricky(studio)
    engine = studio.db.engine
    every = captions.CaptionFilter()
    searched = captions.CaptionFilter(search='"the" mat', providers=("offline", "it's (a) \\copy"))  # odd literals
    assert csv_export.native_writer(engine) == "psql"
    by_psql = [_export(studio, tmp_path / "psql.csv", every), _export(studio, tmp_path / "psql-search.csv", searched)]
    buffer = io.BytesIO()  # no file to hand psql: its output comes through a pipe
    assert captions.write_captions_csv(studio, every, buffer, all_versions=True) == len(TRICKY)
    monkeypatch.setenv("PATH", str(tmp_path / "no-programs-here"))  # as on a machine without postgresql-client
    assert csv_export.native_writer(engine) == "copy"
    by_psycopg = [
        _export(studio, tmp_path / "copy.csv", every),
        _export(studio, tmp_path / "copy-search.csv", searched),
    ]
    assert by_psql == by_psycopg
    (count, everything), (found, one) = by_psql
    assert (count, found) == (len(TRICKY), 1) and buffer.getvalue() == everything
    assert everything.startswith("\ufeffcaption_id,".encode()) and b"Line one\nline two\r\nline three" in everything
    assert one.count(b"\n") == 2 and b'A cat, sitting on ""the"" mat' in one  # the header and that caption


@on_postgresql
def test_psql_reaches_a_server_by_its_unix_socket_folder(studio, postgres_server, tmp_path):
    _seed_tricky(studio)
    url = studio.db.engine.url
    socket_url = f"postgresql+psycopg://{url.username}@/{url.database}?host={postgres_server.root}&port={url.port}"
    engine = create_engine(socket_url)
    try:
        assert csv_export.psql_environment(engine) == csv_export.psql_environment(studio.db.engine) | {
            "PGHOST": str(postgres_server.root)
        }
        assert csv_export.native_writer(engine) == "psql"
        statement = queries.export_statement(all_versions=True)
        with (tmp_path / "socket.csv").open("wb") as out:
            assert csv_export.write_native_csv(engine, statement, out) == len(TRICKY)
        with (tmp_path / "tcp.csv").open("wb") as out:
            csv_export.write_native_csv(studio.db.engine, statement, out)
        assert (tmp_path / "socket.csv").read_bytes() == (tmp_path / "tcp.csv").read_bytes()
    finally:
        engine.dispose()


@on_postgresql
def test_a_failing_psql_is_one_sentence_without_the_password_and_leaves_no_file(studio, tmp_path):
    url = studio.db.engine.url.set(port=free_port(), password="hunter2-s3cret")  # nothing listens there
    engine = create_engine(url)
    assert csv_export.native_writer(engine) == "psql"
    write = lambda target: csv_export.write_native_csv(engine, queries.export_statement(), target)  # noqa: E731
    with pytest.raises(StorageRefused) as refused:
        export_to_file(tmp_path, "captions.csv", write)
    message = refused.value.message
    assert message.startswith("The export could not read the database: connection to server at "), message
    assert "Connection refused" in message and message.endswith(".") and "\n" not in message
    assert "hunter2" not in message and "psql:" not in message
    assert list((tmp_path / EXPORTS).iterdir()) == []  # the partial file is gone, no final one appeared
    engine.dispose()


def test_psql_gets_the_connection_in_its_environment_or_psycopg_copies_instead():
    def environment(url):
        return csv_export.psql_environment(create_engine(make_url(url)))

    assert environment("postgresql+psycopg://ann:p%40ss%20word@db.example:6543/studio?sslmode=verify-full") == {
        "PGHOST": "db.example",
        "PGPORT": "6543",
        "PGUSER": "ann",
        "PGPASSWORD": "p@ss word",
        "PGDATABASE": "studio",
        "PGSSLMODE": "verify-full",
        "PGCONNECT_TIMEOUT": "10",  # db/engine.py's connect timeout, as psycopg gets it
        "PGCLIENTENCODING": "UTF8",  # the script psql reads is UTF-8
    }
    assert environment("postgresql+psycopg://ann@/studio?host=/run/postgresql&application_name=ms") == {
        "PGHOST": "/run/postgresql",
        "PGUSER": "ann",
        "PGDATABASE": "studio",
        "PGAPPNAME": "ms",
        "PGCONNECT_TIMEOUT": "10",
        "PGCLIENTENCODING": "UTF8",
    }
    assert environment("postgresql+psycopg://ann@/studio?host=h1:5432&host=h2:5433")["PGHOST"] == "h1,h2"
    unsure = ["postgresql+psycopg://ann@db.example/studio?keepalives=1", "postgresql+psycopg:///studio"]
    for url in unsure:  # a setting with no PG* variable; no host (which socket folder?)
        assert environment(url) is None
        assert csv_export.native_writer(create_engine(url)) == "copy"
