"""Image assets, captions, and full-text search over caption text and prompts.

Revision ID: 0001
"""

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


def downgrade() -> None:
    for trigger in ("captions_au", "captions_ad", "captions_ai"):
        op.execute(f"DROP TRIGGER {trigger}")
    op.execute("DROP TABLE captions_fts")
    op.drop_table("captions")
    op.drop_table("image_assets")
