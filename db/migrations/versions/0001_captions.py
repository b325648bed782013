"""Image assets, captions, and full-text search over caption text and prompts (FTS5 on SQLite; on
PostgreSQL a tsvector column with a GIN index, kept by a trigger: see db/search.py).

Revision ID: 0001
"""

import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "image_assets",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("display_name", sa.String(255), nullable=False),
        sa.Column("format", sa.String(16), nullable=False),
        sa.Column("width", sa.Integer, nullable=False),
        sa.Column("height", sa.Integer, nullable=False),
        sa.Column("bytes", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.CheckConstraint("length(sha256) = 64", name="sha256_is_hex_digest"),
        sa.CheckConstraint("width > 0 AND height > 0 AND bytes > 0", name="sizes_positive"),
    )
    op.create_table(
        "captions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("asset_id", sa.Integer, sa.ForeignKey("image_assets.id", ondelete="RESTRICT"), nullable=False),
        sa.Column("style", sa.String(32), nullable=False),
        sa.Column("prompt", sa.Text, nullable=False, server_default=""),
        sa.Column("provider", sa.String(32), nullable=False),
        sa.Column("model", sa.String(200), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("latency_ms", sa.Float),
        sa.Column("prompt_tokens", sa.Integer),
        sa.Column("completion_tokens", sa.Integer),
        sa.Column("confidence", sa.Float),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("edited_at", sa.DateTime),
        sa.CheckConstraint("length(trim(text)) > 0", name="text_not_empty"),
        sa.CheckConstraint("style IN ('alt_text', 'detailed', 'social', 'custom')", name="style_known"),
        sa.CheckConstraint("latency_ms IS NULL OR latency_ms >= 0", name="latency_not_negative"),
        sa.CheckConstraint("confidence IS NULL OR (confidence >= 0 AND confidence <= 1)", name="confidence_in_unit"),
    )
    op.create_index("ix_captions_asset_id", "captions", ["asset_id"])
    op.create_index("ix_captions_provider", "captions", ["provider"])
    op.create_index("ix_captions_created_at", "captions", ["created_at"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(SEARCH_TEXT_FUNCTION)
        add_search_vector("captions", "new.text || ' ' || new.prompt", "text, prompt")
        return
    # External-content FTS5 index kept in step by triggers (the simonw/llm pattern).
    op.execute(
        "CREATE VIRTUAL TABLE captions_fts USING fts5("
        "text, prompt, content='captions', content_rowid='id', tokenize='unicode61 remove_diacritics 2')"
    )
    op.execute(
        "CREATE TRIGGER captions_ai AFTER INSERT ON captions BEGIN "
        "INSERT INTO captions_fts(rowid, text, prompt) VALUES (new.id, new.text, new.prompt); END"
    )
    op.execute(
        "CREATE TRIGGER captions_ad AFTER DELETE ON captions BEGIN "
        "INSERT INTO captions_fts(captions_fts, rowid, text, prompt) VALUES ('delete', old.id, old.text, old.prompt); END"
    )
    op.execute(
        "CREATE TRIGGER captions_au AFTER UPDATE ON captions BEGIN "
        "INSERT INTO captions_fts(captions_fts, rowid, text, prompt) VALUES ('delete', old.id, old.text, old.prompt); "
        "INSERT INTO captions_fts(rowid, text, prompt) VALUES (new.id, new.text, new.prompt); END"
    )


# PostgreSQL: the text a tsvector is made of, tokenized as FTS5's unicode61 does (see db/search.py):
# Latin diacritics dropped, punctuation (and "_") made a space before the 'simple' parser sees it.
_LATIN = [*range(0xC0, 0x250), *range(0x1E00, 0x1F00)]


def _folds() -> tuple[str, str]:
    pairs = []
    for char in map(chr, _LATIN):
        parts = unicodedata.normalize("NFD", char)
        if len(parts) > 1 and parts[0].isascii() and all(unicodedata.combining(p) for p in parts[1:]):
            pairs.append((char, parts[0]))
    return "".join(a for a, _ in pairs), "".join(b for _, b in pairs)


# (``\\:`` is a literal colon for op.execute's text(), which would read ``:punct`` as a parameter.)
SEARCH_TEXT_FUNCTION = (
    "CREATE FUNCTION studio_search_text(body text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS "
    "$$ SELECT regexp_replace(translate(body, '{}', '{}'), '[[\\:punct\\:]]+', ' ', 'g') $$".format(*_folds())
)


def add_search_vector(table: str, body: str, columns: str) -> None:
    """A tsvector column on ``table`` with a GIN index, filled by a trigger whenever ``columns`` change."""
    op.execute(f"ALTER TABLE {table} ADD COLUMN search_vector tsvector")
    op.execute(f"CREATE INDEX ix_{table}_search_vector ON {table} USING gin (search_vector)")
    op.execute(
        f"CREATE FUNCTION {table}_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"NEW.search_vector := to_tsvector('simple', studio_search_text({body})); RETURN NEW; END $$"
    )
    op.execute(
        f"CREATE TRIGGER {table}_search BEFORE INSERT OR UPDATE OF {columns} ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {table}_search_vector()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_table("captions")  # its trigger and index go with it
        op.drop_table("image_assets")
        op.execute("DROP FUNCTION captions_search_vector()")
        op.execute("DROP FUNCTION studio_search_text(text)")
        return
    # IF EXISTS: the batch table rebuild of the 0005 downgrade already dropped them.
    for trigger in ("captions_au", "captions_ad", "captions_ai"):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE captions_fts")
    op.drop_table("captions")
    op.drop_table("image_assets")
