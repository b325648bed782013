"""Video generations and their variations, user style presets, model prices, prompt search (FTS5 on
SQLite, a tsvector with a GIN index on PostgreSQL, as in 0001).

Revision ID: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# Published per-second prices when the Videos API was live; editable in the UI.
DEFAULT_PRICES = {"sora-2": 0.10, "sora-2-pro": 0.30, "offline-animatic": 0.0}


def upgrade() -> None:
    op.create_table(
        "generations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("backend", sa.String(length=32), nullable=False),
        sa.Column("model", sa.String(length=100), nullable=False),
        sa.Column("prompt", sa.Text(), nullable=False),
        sa.Column("prompt_parts", sa.Text(), nullable=False),
        sa.Column("style_preset", sa.String(length=100), nullable=False),
        sa.Column("aspect_ratio", sa.String(length=8), nullable=False),
        sa.Column("resolution", sa.String(length=8), nullable=False),
        sa.Column("request_size", sa.String(length=16), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("local_crop", sa.Boolean(), nullable=False),
        sa.Column("seconds", sa.Integer(), nullable=False),
        sa.Column("n_variations", sa.Integer(), nullable=False),
        sa.Column("reference_sha256", sa.String(length=64), nullable=True),
        sa.Column("estimated_cost_usd", sa.Float(), nullable=False),
        sa.Column("favourite", sa.Boolean(), nullable=False),
        sa.Column("folder", sa.String(length=100), nullable=True),
        sa.CheckConstraint("n_variations BETWEEN 1 AND 8", name="variation_count_sane"),
        sa.CheckConstraint("seconds > 0", name="seconds_positive"),
        sa.CheckConstraint("width > 0 AND height > 0 AND width % 2 = 0 AND height % 2 = 0", name="even_size"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_generations_backend"), "generations", ["backend"], unique=False)
    op.create_index(op.f("ix_generations_created_at"), "generations", ["created_at"], unique=False)
    op.create_index(op.f("ix_generations_folder"), "generations", ["folder"], unique=False)
    op.create_table(
        "model_prices",
        sa.Column("model", sa.String(length=100), nullable=False),
        sa.Column("usd_per_second", sa.Float(), nullable=False),
        sa.CheckConstraint("usd_per_second >= 0", name="price_not_negative"),
        sa.PrimaryKeyConstraint("model"),
    )
    op.create_table(
        "style_presets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("prompt_suffix", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("length(trim(name)) > 0", name="name_not_empty"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "variations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("generation_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("progress", sa.Float(), nullable=False),
        sa.Column("remote_id", sa.String(length=200), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=True),
        sa.Column("deadline_at", sa.DateTime(), nullable=True),
        sa.Column("lease_owner", sa.String(length=64), nullable=True),
        sa.Column("lease_until", sa.DateTime(), nullable=True),
        sa.Column("video_sha256", sa.String(length=64), nullable=True),
        sa.Column("has_thumbnail", sa.Boolean(), nullable=False),
        sa.Column("has_spritesheet", sa.Boolean(), nullable=False),
        sa.Column("duration_s", sa.Float(), nullable=True),
        sa.Column("fps", sa.Float(), nullable=True),
        sa.Column("bytes", sa.Integer(), nullable=True),
        sa.Column("cost_usd", sa.Float(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("operation", sa.String(length=16), nullable=False),
        sa.Column("operation_params", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("completed_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("status != 'completed' OR video_sha256 IS NOT NULL", name="completed_has_video"),
        sa.CheckConstraint(
            "status IN ('queued', 'submitting', 'in_progress', 'downloading', 'completed', 'failed')",
            name="status_known",
        ),
        sa.CheckConstraint("progress >= 0 AND progress <= 100", name="progress_is_percent"),
        sa.ForeignKeyConstraint(["generation_id"], ["generations.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["parent_id"], ["variations.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("remote_id"),
        sa.UniqueConstraint("generation_id", "position", name="one_variation_per_place"),
    )
    op.create_index(op.f("ix_variations_generation_id"), "variations", ["generation_id"], unique=False)
    op.create_index(op.f("ix_variations_status"), "variations", ["status"], unique=False)
    op.create_index(op.f("ix_variations_video_sha256"), "variations", ["video_sha256"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        _postgres_prompt_search()
    else:
        _sqlite_prompt_search()
    prices = sa.table("model_prices", sa.column("model", sa.String), sa.column("usd_per_second", sa.Float))
    op.bulk_insert(prices, [{"model": m, "usd_per_second": p} for m, p in DEFAULT_PRICES.items()])


def _postgres_prompt_search() -> None:
    """A tsvector of the prompt with a GIN index, kept by a trigger (``studio_search_text``: 0001)."""
    op.execute("ALTER TABLE generations ADD COLUMN search_vector tsvector")
    op.execute("CREATE INDEX ix_generations_search_vector ON generations USING gin (search_vector)")
    op.execute(
        "CREATE FUNCTION generations_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "NEW.search_vector := to_tsvector('simple', studio_search_text(NEW.prompt)); RETURN NEW; END $$"
    )
    op.execute(
        "CREATE TRIGGER generations_search BEFORE INSERT OR UPDATE OF prompt ON generations "
        "FOR EACH ROW EXECUTE FUNCTION generations_search_vector()"
    )


def _sqlite_prompt_search() -> None:
    op.execute(
        "CREATE VIRTUAL TABLE generations_fts USING fts5("
        "prompt, content='generations', content_rowid='id', tokenize='unicode61 remove_diacritics 2')"
    )
    op.execute(
        "CREATE TRIGGER generations_ai AFTER INSERT ON generations BEGIN "
        "INSERT INTO generations_fts(rowid, prompt) VALUES (new.id, new.prompt); END"
    )
    op.execute(
        "CREATE TRIGGER generations_ad AFTER DELETE ON generations BEGIN "
        "INSERT INTO generations_fts(generations_fts, rowid, prompt) VALUES ('delete', old.id, old.prompt); END"
    )
    op.execute(
        "CREATE TRIGGER generations_au AFTER UPDATE OF prompt ON generations BEGIN "
        "INSERT INTO generations_fts(generations_fts, rowid, prompt) VALUES ('delete', old.id, old.prompt); "
        "INSERT INTO generations_fts(rowid, prompt) VALUES (new.id, new.prompt); END"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER generations_search ON generations")
        op.execute("DROP FUNCTION generations_search_vector()")
    else:
        # IF EXISTS: the batch table rebuilds of the 0004 and 0006 downgrades already dropped them.
        for trigger in ("generations_au", "generations_ad", "generations_ai"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE generations_fts")
    op.drop_table("variations")
    op.drop_table("style_presets")
    op.drop_table("model_prices")
    op.drop_table("generations")
