"""The migrated schema is pinned, SQLite runs in WAL mode, and migrating keeps data safe.

Tests taking ``database_url`` run on SQLite and on PostgreSQL; the others look at SQLite's own
files and pragmas (WAL, the backup before migrating) and stay SQLite-only.
"""

import sqlite3

import pytest
from sqlalchemy import inspect, text

from db.engine import head_revision, open_database

pytestmark = pytest.mark.both_databases

PINNED_TABLES = {
    "variations": [
        "id",
        "generation_id",
        "position",
        "status",
        "progress",
        "remote_id",
        "error",
        "attempts",
        "next_attempt_at",
        "deadline_at",
        "lease_owner",
        "lease_until",
        "video_sha256",
        "has_thumbnail",
        "has_spritesheet",
        "duration_s",
        "fps",
        "bytes",
        "cost_usd",
        "parent_id",
        "operation",
        "operation_params",
        "created_at",
        "started_at",
        "completed_at",
        "partner_id",
        "deleted_at",
        "chain_step",
        "chain_remote_ids",
        "title",
        "alt_text",
        "made_by",
    ],
    "image_assets": ["id", "sha256", "display_name", "format", "width", "height", "bytes", "created_at"],
    "captions": [
        "id",
        "asset_id",
        "style",
        "prompt",
        "provider",
        "model",
        "text",
        "latency_ms",
        "prompt_tokens",
        "completion_tokens",
        "confidence",
        "created_at",
        "edited_at",
        "deleted_at",
        "kept_at",
        "made_by",
    ],
    "generation_tags": ["generation_id", "tag"],
}


def test_migrated_schema_matches_the_pinned_columns(database_url):
    db = open_database(database_url)
    with db.engine.connect() as conn:
        for table, columns in PINNED_TABLES.items():
            found = [c["name"] for c in inspect(conn).get_columns(table)]
            if conn.dialect.name == "postgresql" and table == "captions":
                assert found.pop(found.index("search_vector")) == "search_vector"  # full-text search's column
            assert found == columns, table
        if conn.dialect.name == "sqlite":
            names = {r[0] for r in conn.execute(text("SELECT name FROM sqlite_master"))}
            assert {"captions_fts", "captions_ai", "captions_ad", "captions_au", "alembic_version"} <= names
        else:
            triggers = {r[0] for r in conn.execute(text("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"))}
            assert {"captions_search", "generations_search"} <= triggers
            indexes = {i["name"] for t in ("captions", "generations") for i in inspect(conn).get_indexes(t)}
            assert {"ix_captions_search_vector", "ix_generations_search_vector"} <= indexes
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == head_revision()


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout_and_foreign_keys(tmp_path):
    db = open_database(f"sqlite:///{tmp_path / 's.db'}")
    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 5000
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_opening_twice_is_idempotent_and_keeps_rows(database_url):
    url = database_url
    db = open_database(url)
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO image_assets (sha256, display_name, format, width, height, bytes, created_at) "
                "VALUES (:h, 'a.png', 'PNG', 1, 1, 10, '2026-01-01')"
            ),
            {"h": "a" * 64},
        )
    db.dispose()
    again = open_database(url)
    with again.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM image_assets")).scalar() == 1


def test_a_database_with_data_is_backed_up_before_it_is_migrated(tmp_path):
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as conn:  # data from before the studio's migrations
        conn.execute("CREATE TABLE keepsake (note TEXT)")
        conn.execute("INSERT INTO keepsake VALUES ('precious')")
    db = open_database(f"sqlite:///{path}")
    backup = path.with_suffix(".db.before-migration.bak")
    with sqlite3.connect(backup) as conn:
        assert conn.execute("SELECT note FROM keepsake").fetchone() == ("precious",)
        assert "captions" not in {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT note FROM keepsake")).scalar() == "precious"


def test_a_fresh_database_needs_no_backup(tmp_path):
    open_database(f"sqlite:///{tmp_path / 'new.db'}")
    assert not (tmp_path / "new.db.before-migration.bak").exists()


def test_schema_constraints_refuse_an_empty_caption_and_an_unknown_style(database_url):
    from sqlalchemy.exc import IntegrityError

    db = open_database(database_url)
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO image_assets (id, sha256, display_name, format, width, height, bytes, created_at) "
                "VALUES (1, :h, 'a.png', 'PNG', 1, 1, 10, '2026-01-01')"
            ),
            {"h": "b" * 64},
        )
    for style, caption in (("alt_text", "   "), ("limerick", "a cat")):
        with pytest.raises(IntegrityError), db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO captions (asset_id, style, prompt, provider, model, text, created_at) "
                    "VALUES (1, :s, '', 'offline', 'm', :t, '2026-01-01')"
                ),
                {"s": style, "t": caption},
            )


def test_the_migrations_build_exactly_the_schema_the_models_describe(database_url):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from db.models import Base

    db = open_database(database_url)
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    # The FTS5 shadow tables and PostgreSQL's search_vector columns exist only in the migrations, by design.
    diff = [
        d
        for d in diff
        if not (
            (d[0] == "remove_table" and d[1].name.endswith("_fts")) or "_fts_" in str(d) or "search_vector" in str(d)
        )
    ]
    assert diff == []


def test_default_model_prices_are_seeded(database_url):
    db = open_database(database_url)
    with db.engine.connect() as conn:
        prices: dict[str, float] = dict(conn.execute(text("SELECT model, usd_per_second FROM model_prices")).all())
    assert prices["sora-2"] == 0.10 and prices["offline-animatic"] == 0.0


def test_rebuilding_a_table_in_a_migration_keeps_its_checks(database_url):
    db = open_database(database_url)
    with db.engine.connect() as conn:
        checks = {c["name"] for c in inspect(conn).get_check_constraints("variations")}
        uniques = {c["name"] for c in inspect(conn).get_unique_constraints("variations")}
    assert {"status_known", "progress_is_percent", "completed_has_video", "chain_step_not_negative"} <= checks
    assert "one_variation_per_place" in uniques


def test_upgrading_a_database_with_videos_keeps_them_and_backs_up_first(tmp_path):
    from alembic import command

    from db.engine import alembic_config

    url = f"sqlite:///{tmp_path / 'v.db'}"
    db = open_database(url)
    config = alembic_config()
    with db.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0002")
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO generations (id, created_at, source, backend, model, prompt, prompt_parts, style_preset, "
                "aspect_ratio, resolution, request_size, width, height, local_crop, seconds, n_variations, "
                "estimated_cost_usd, favourite) VALUES (1, '2026-11-01', 'generate', 'offline', 'm', 'a fox', '{}', "
                "'None', '16:9', '720p', '1280x720', 1280, 720, 0, 4, 1, 0, 0)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO variations (generation_id, position, status, progress, attempts, has_thumbnail, "
                "has_spritesheet, cost_usd, operation, operation_params, created_at) "
                "VALUES (1, 0, 'queued', 0, 0, 0, 0, 0, 'generate', '{}', '2026-11-01')"
            )
        )
    db.dispose()
    upgraded = open_database(url)
    with upgraded.engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == head_revision()
        assert conn.execute(text("SELECT count(*) FROM variations WHERE partner_id IS NULL")).scalar() == 1
    with sqlite3.connect(tmp_path / "v.db.before-migration.bak") as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == ("0002",)


def test_the_sqlite_search_indexes_gain_prefixes_and_keep_the_rows_already_indexed(tmp_path):
    """Migration 0013 makes the FTS5 tables again with prefix indexes and rebuilds them: rows saved
    before it are still found, by a prefix, and rows saved after it are found too."""
    from alembic import command

    from db.engine import alembic_config

    url = f"sqlite:///{tmp_path / 'p.db'}"
    db = open_database(url)
    config = alembic_config()
    with db.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0012")
    insert = (
        "INSERT INTO generations (id, created_at, source, media_kind, backend, model, prompt, prompt_parts, "
        "style_preset, aspect_ratio, resolution, request_size, width, height, local_crop, seconds, n_variations, "
        "estimated_cost_usd, favourite) VALUES (:id, '2026-11-01', 'generate', 'video', 'offline', 'm', :prompt, "
        "'{}', 'None', '16:9', '720p', '1280x720', 1280, 720, 0, 4, 1, 0, 0)"
    )
    with db.engine.begin() as conn:
        assert (
            "prefix=" not in conn.execute(text("SELECT sql FROM sqlite_master WHERE name = 'generations_fts'")).scalar()
        )
        conn.execute(text(insert), {"id": 1, "prompt": "A lighthouse in a gale"})
    db.dispose()
    upgraded = open_database(url)
    found = "SELECT rowid FROM generations_fts WHERE generations_fts MATCH :q ORDER BY rowid"
    with upgraded.engine.begin() as conn:
        for table in ("captions_fts", "generations_fts"):
            sql = conn.execute(text("SELECT sql FROM sqlite_master WHERE name = :t"), {"t": table}).scalar()
            assert "prefix='1 2 3 4 5 6'" in sql and "remove_diacritics 2" in sql
        conn.execute(text(insert), {"id": 2, "prompt": "Lights over a harbour"})
        assert conn.execute(text(found), {"q": '"ligh"*'}).scalars().all() == [1, 2]
        assert conn.execute(text(found), {"q": '"lighthouse"*'}).scalars().all() == [1]
        conn.execute(text("UPDATE generations SET prompt = 'A quiet bay' WHERE id = 1"))
        assert conn.execute(text(found), {"q": '"ligh"*'}).scalars().all() == [2]
    upgraded.dispose()


def test_sqlite_statistics_cover_the_studio_tables_and_never_the_search_index(tmp_path):
    """Statistics of the FTS5 shadow tables, taken while they were small, made every later insert
    slow; opening the database analyses the studio's own tables only and drops such statistics."""
    url = f"sqlite:///{tmp_path / 's.db'}"
    db = open_database(url)
    with db.engine.begin() as conn:
        conn.execute(text("ANALYZE"))  # as an older version did: every table, the shadow tables too
        assert conn.execute(text("SELECT count(*) FROM sqlite_stat1 WHERE tbl LIKE '%fts%'")).scalar() > 0
    db.dispose()
    reopened = open_database(url)
    with reopened.engine.connect() as conn:
        analysed = set(conn.execute(text("SELECT DISTINCT tbl FROM sqlite_stat1")).scalars())
        assert "model_prices" in analysed  # the studio's tables that hold rows (empty ones get no statistics)
        assert not [t for t in analysed if "fts" in t]
    reopened.dispose()
