"""Trash and drafts: captions, sets and variations are soft-deleted (``deleted_at``) so a delete can
be undone and purged later; ``app_state`` keeps small pieces of UI state across restarts (the
Create video draft).

Revision ID: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

TRASHABLE = ("generations", "variations", "captions")


def upgrade() -> None:
    for table in TRASHABLE:
        op.add_column(table, sa.Column("deleted_at", sa.DateTime, nullable=True))
        op.create_index(f"ix_{table}_deleted_at", table, ["deleted_at"])
    op.create_table(
        "app_state",
        sa.Column("key", sa.String(100), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("app_state")
    for table in TRASHABLE:
        with op.batch_alter_table(table) as batch:
            batch.drop_index(f"ix_{table}_deleted_at")
            batch.drop_column("deleted_at")
