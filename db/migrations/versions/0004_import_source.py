"""Imports remember the SHA-256 of the file as uploaded, so the same file is never imported twice.

Revision ID: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("generations", sa.Column("source_sha256", sa.String(64), nullable=True))
    op.create_index("ix_generations_source_sha256", "generations", ["source_sha256"])


def downgrade() -> None:
    with op.batch_alter_table("generations") as batch:
        batch.drop_index("ix_generations_source_sha256")
        batch.drop_column("source_sha256")
