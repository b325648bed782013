"""Kept captions: when providers are compared on one image, the caption the creator keeps is
stamped (``kept_at``); exports and "the newest version" take it before any later version.

Revision ID: 0008
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # SQLAlchemy's DateTime as each database spells it (PostgreSQL has no DATETIME).
    stamp = "TIMESTAMP WITHOUT TIME ZONE" if op.get_bind().dialect.name == "postgresql" else "DATETIME"
    op.execute(f"ALTER TABLE captions ADD COLUMN kept_at {stamp}")


def downgrade() -> None:
    op.execute("ALTER TABLE captions DROP COLUMN kept_at")
