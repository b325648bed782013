"""PostgreSQL is a first-class database: the same migrations build it from nothing or from the
previous revision with rows in place, search finds the same rows as SQLite's FTS5 for the same
words (any case, any script, a prefix, with whatever quotes and operators a user types), text the
database cannot hold is refused in one sentence on both, a server out of reach or a schema newer
than the code says so, and two connections never hold the same job lease.

Tests taking ``studio``, ``database_url`` or ``blank_database_url`` run on both databases."""

from __future__ import annotations

import json
import threading
import time
from datetime import timedelta
from types import SimpleNamespace

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.pool import QueuePool

from core.config import Settings
from core.errors import StudioError
from core.studio import open_studio
from core.videos import create
from core.videos.kinds import VariationStatus
from db import bulk, described
from db import captions as caption_queries
from db import presets as preset_queries
from db import videos as queries
from db.engine import alembic_config, head_revision, open_database
from db.errors import NUL_TEXT, StorageRefused
from db.models import Variation, utcnow
from tests.helpers.postgres import PostgresServer, free_port
from tests.helpers.studio import add_generation_row

pytestmark = pytest.mark.both_databases

PROMPTS = [
    "A red Fox trots through fresh snow",
    "Кот спит на подоконнике",
    "قطة تنام على النافذة",
    "東京タワーの夜景",
    "Café au lait, a naïve résumé",
    'don\'t stop: "quoted" words & AND/OR operators - minus * star',
    "foo_bar baz-qux a.b@example.com http://example.com/path 1.5 v2",
    "ÉCOLE Ünïcödé MIXED case",
    "NEAR(one two) col:umn ^caret {brace}",
]
CAPTIONS = [  # (text, prompt): both columns are searched
    ("A tabby cat on a windowsill", "describe the cat"),
    ("Собака бежит по пляжу", "Опиши фото"),
    ("北京の猫", "短く"),
    ("Crème brûlée, top view", 'say "what" -not OR this'),
]
TAGS = {0: "Winter", 1: "Пляж"}  # prompt index -> a tag on that set
TITLES = {2: ("Ночной Город", "Огни, ОГНИ")}  # prompt index -> (title, alt text)
QUERIES = [
    "fox",
    "FOX",
    "Fo",
    "fox snow",
    "fox cat",
    "кот",
    "КОТ",
    "спи",
    "ПОДОК",
    "قطة",
    "النا",
    "東京",
    "タワー",
    "北京",
    "cafe",
    "CAFÉ",
    "resume",
    "naive",
    "don't",
    '"quoted"',
    '"quoted words"',
    "AND",
    "OR",
    "and or",
    "-minus",
    "NOT fox",
    "star*",
    "*",
    '"',
    "'",
    "foo_bar",
    "foo bar",
    "baz-qux",
    "example.com",
    "a.b@example",
    "col:umn",
    "NEAR(one",
    "^caret",
    "{brace}",
    "école",
    "unicode",
    "v2",
    "1.5",
    "cat",
    "собака",
    "опиши",
    "crème",
    "creme brulee",
    "what",
    "-not",
    "winter",
    "пляж",
    "ночной",
    "огни город",
    "fox\x00",
    "(",
    "\\",
    "fox)",
    "",
    "   ",
]


def _fill(studio) -> None:
    ids = [add_generation_row(studio, prompt).id for prompt in PROMPTS]
    with studio.db.session() as session:
        for index, tag in TAGS.items():
            bulk.add_tags(session, [ids[index]], [tag])
        for index, (title, alt) in TITLES.items():
            variation = queries.get_generation(session, ids[index]).variations[0]
            described.set_variation_text(session, variation.id, title, alt)
        for n, (caption, prompt) in enumerate(CAPTIONS):
            asset = caption_queries.add_asset(
                session, sha256=f"{n:064x}", display_name=f"{n}.png", format="PNG", width=1, height=1, size=1
            )
            caption_queries.add_caption(
                session, asset, style="alt_text", prompt=prompt, provider="offline", model="m", text=caption
            )


def _found(studio, search: str) -> tuple[list[str], list[str]]:
    with studio.db.session() as session:
        sets = queries.list_generations(session, queries.GenerationFilter(search=search), limit=100)
        captions = caption_queries.list_captions(session, caption_queries.CaptionFilter(search=search))
        return sorted(g.prompt for g in sets), sorted(c.text for c, _ in captions)


def _studio(tmp_path, url):
    return open_studio(Settings.load(environ={"MEDIA_STUDIO_HOME": str(tmp_path), "DATABASE_URL": url}, secrets={}))


def test_search_finds_the_same_rows_on_sqlite_and_postgresql(tmp_path, postgres_url):
    on_sqlite = _studio(tmp_path / "a", f"sqlite:///{tmp_path / 'a.db'}")
    on_postgres = _studio(tmp_path / "b", postgres_url)
    try:
        for studio in (on_sqlite, on_postgres):
            _fill(studio)
        differ = {q: (_found(on_sqlite, q), _found(on_postgres, q)) for q in QUERIES}
        differ = {q: both for q, both in differ.items() if both[0] != both[1]}
        assert differ == {}
        found = {q: _found(on_postgres, q) for q in ("FOX", "КОТ", "النا", "東京", "CAFÉ", "resume", "пляж", "огни")}
    finally:
        on_sqlite.db.dispose()
        on_postgres.db.dispose()
    # and what they find is what a user means: any case, a prefix, any script, accents ignored, tags and titles
    assert found["FOX"][0] == [PROMPTS[0]]
    assert found["КОТ"][0] == [PROMPTS[1]] and found["النا"][0] == [PROMPTS[2]] and found["東京"][0] == [PROMPTS[3]]
    assert found["CAFÉ"][0] == found["resume"][0] == [PROMPTS[4]]
    assert found["пляж"] == ([PROMPTS[1]], ["Собака бежит по пляжу"])
    assert found["огни"][0] == [PROMPTS[2]]


def test_a_name_too_long_for_its_column_is_refused_in_one_sentence(studio):
    with pytest.raises(StudioError) as refused:
        create.save_preset(studio, "N" * 101, "neon magenta")
    assert refused.value.message == "That text is too long to store: at most 100 characters."
    create.save_preset(studio, "N" * 100, "neon magenta")  # exactly the column's length is fine
    assert create.user_presets(studio) == {"N" * 100: "neon magenta"}


def test_text_with_a_nul_is_refused_in_one_sentence_whichever_way_it_is_written(studio):
    with pytest.raises(StudioError) as refused, studio.db.session() as session:
        preset_queries.add_preset(session, "Neon\x00", "magenta")  # an ORM insert
    assert refused.value.message == NUL_TEXT
    create.save_preset(studio, "Neon", "magenta")
    with pytest.raises(StudioError, match="NUL character"), studio.db.session() as session:
        preset_queries.update_preset(session, "Neon", "magenta\x00")  # a bulk UPDATE
    assert create.user_presets(studio) == {"Neon": "magenta"}


def test_a_schema_newer_than_the_code_is_refused_and_left_untouched(database_url):
    opened = open_database(database_url)
    with opened.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0999'"))
    opened.dispose()
    with pytest.raises(StorageRefused) as refused:
        open_database(database_url)
    assert refused.value.message == (
        f"The database is at schema revision 0999, newer than this version of Media Studio knows "
        f"(up to {head_revision()}): update Media Studio, or point DATABASE_URL at another database."
    )
    engine = create_engine(database_url)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0999"
    engine.dispose()


def test_two_connections_cannot_take_the_same_lease(database_url):
    first, second = open_database(database_url), open_database(database_url)
    try:
        generation = add_generation_row(SimpleNamespace(db=first))
        variation_id = generation.variations[0].id
        lease, started = timedelta(minutes=5), VariationStatus.SUBMITTING
        holder = first.session_factory()
        assert queries.claim(holder, variation_id, "runner-a", utcnow(), lease, start_as=started)  # not committed
        rival: dict[str, bool] = {}

        def take_it_too():
            with second.session() as session:
                rival["took"] = queries.claim(session, variation_id, "runner-b", utcnow(), lease, start_as=started)

        thread = threading.Thread(target=take_it_too)
        thread.start()
        time.sleep(0.3)
        assert thread.is_alive(), "the second claim waits for the first transaction"
        holder.commit()
        holder.close()
        thread.join(timeout=15)
        assert rival == {"took": False}
        with second.session() as session:
            taken = session.get(Variation, variation_id)
            assert (taken.lease_owner, taken.status) == ("runner-a", started)
            assert not queries.claim(session, variation_id, "runner-b", utcnow(), lease)
    finally:
        first.dispose()
        second.dispose()


# --- the migrations, and the server itself (PostgreSQL only where SQLite has no such thing) ----------


@pytest.fixture(params=["sqlite", "postgresql"])
def blank_database_url(request, tmp_path):
    """A database with no schema at all, on each database."""
    if request.param == "postgresql":
        return request.getfixturevalue("empty_postgres_url")
    return f"sqlite:///{tmp_path / 'blank.db'}"


def _migrate_to(url: str, revision: str, down: bool = False) -> None:
    engine = create_engine(url)
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)
    engine.dispose()


def test_an_empty_database_is_migrated_to_the_newest_revision_with_its_checks(blank_database_url):
    opened = open_database(blank_database_url)
    with opened.engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == head_revision()
        checks = {c["name"] for c in inspect(connection).get_check_constraints("generations")}
    assert {"variation_count_sane", "even_size", "media_kind_known"} <= checks
    opened.dispose()


def test_upgrading_from_0008_with_rows_in_place_keeps_them_and_search_finds_them(blank_database_url):
    _migrate_to(blank_database_url, "0008")
    engine = create_engine(blank_database_url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO generations (created_at, source, backend, model, prompt, prompt_parts, style_preset, "
                "aspect_ratio, resolution, request_size, width, height, local_crop, seconds, n_variations, "
                "estimated_cost_usd, favourite) VALUES ('2026-11-01', 'generate', 'offline', 'm', 'A Red Fox', '{}', "
                "'None', '16:9', '720p', '1280x720', 1280, 720, :no, 4, 1, 0, :no)"
            ),
            {"no": False},
        )
        generation_id = connection.execute(text("SELECT id FROM generations")).scalar()
        connection.execute(
            text(
                "INSERT INTO variations (generation_id, position, status, progress, attempts, has_thumbnail, "
                "has_spritesheet, cost_usd, operation, operation_params, created_at) "
                "VALUES (:g, 0, 'queued', 0, 0, :no, :no, 0, 'generate', '{}', '2026-11-01')"
            ),
            {"g": generation_id, "no": False},
        )
    engine.dispose()
    upgraded = open_database(blank_database_url)
    with upgraded.session() as session:
        [found] = queries.list_generations(session, queries.GenerationFilter(search="fox"))
        assert found.prompt == "A Red Fox" and found.variations[0].title is None
        described.set_variation_text(session, found.variations[0].id, "Ночной город", "")
    with upgraded.session() as session:
        assert [g.id for g in queries.list_generations(session, queries.GenerationFilter(search="НОЧНОЙ"))] == [
            generation_id
        ]
    upgraded.dispose()


def test_the_migrations_go_down_to_nothing_and_up_again(blank_database_url):
    open_database(blank_database_url).dispose()
    _migrate_to(blank_database_url, "base", down=True)
    engine = create_engine(blank_database_url)
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    engine.dispose()
    opened = open_database(blank_database_url)
    with opened.session() as session:
        assert queries.prices(session)["sora-2"] == 0.10
    opened.dispose()


def test_an_unreachable_server_is_one_clear_sentence_without_the_password(tmp_path):
    url = f"postgresql+psycopg://studio:s3cret@127.0.0.1:{free_port()}/studio"
    started = time.monotonic()
    with pytest.raises(StudioError) as refused:
        _studio(tmp_path, url)
    message = refused.value.message
    assert message.startswith("Cannot open the database postgresql+psycopg://studio:***@127.0.0.1:")
    assert message.endswith("Check DATABASE_URL and that the server is running.") and "s3cret" not in message
    assert time.monotonic() - started < 15


def test_postgresql_connections_are_pooled_and_checked_before_use(postgres_url):
    opened = open_database(postgres_url)
    pool = opened.engine.pool
    assert isinstance(pool, QueuePool) and pool._pre_ping and pool.size() == 5
    opened.dispose()


def test_the_session_server_runs_as_an_unprivileged_account(postgres_server: PostgresServer):
    engine = create_engine(postgres_server.url("postgres"))
    with engine.connect() as connection:
        assert connection.execute(text("SHOW fsync")).scalar() == "off"
        assert connection.execute(text("SHOW listen_addresses")).scalar() == "127.0.0.1"
    engine.dispose()
    owner = (postgres_server.data_dir / "PG_VERSION").stat().st_uid
    assert owner != 0


def test_json_in_text_columns_round_trips_on_both(studio):
    generation = add_generation_row(studio, "a fox", parts={"scene": 'Кот "quoted" \\ back'})
    with studio.db.session() as session:
        stored = queries.get_generation(session, generation.id)
        assert json.loads(stored.prompt_parts) == {"scene": 'Кот "quoted" \\ back'}


def test_a_sqlite_file_that_cannot_be_opened_is_one_clear_sentence(tmp_path):
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    with pytest.raises(StudioError) as refused:
        _studio(tmp_path / "home", f"sqlite:///{blocked / 'studio.db'}")
    assert refused.value.message.startswith("Cannot open the database sqlite:///")
    assert refused.value.message.endswith("Check DATABASE_URL and that its folder is writable.")


def test_servers_starting_at_once_migrate_an_empty_database_once(empty_postgres_url):
    plain = empty_postgres_url.replace("postgresql+psycopg://", "postgresql://")  # the driver is implied
    opened, failed = [], []

    def start():
        try:
            opened.append(open_database(plain))
        except Exception as exc:  # reported below with the others
            failed.append(exc)

    threads = [threading.Thread(target=start) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failed == [] and len(opened) == 3
    with opened[0].engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all() == [head_revision()]
    for each in opened:
        each.dispose()


def test_an_over_long_value_that_reaches_postgresql_is_still_one_sentence(postgres_url):
    # A bulk UPDATE is not checked before it runs (SQLite would store it): the server's DataError is translated.
    opened = open_database(postgres_url, error=StudioError)
    generation = add_generation_row(SimpleNamespace(db=opened))
    with pytest.raises(StudioError) as refused, opened.session() as session:
        bulk.set_folder_many(session, [generation.id], "F" * 101)
    assert refused.value.message == "That text is too long to store: at most 100 characters."
    opened.dispose()
