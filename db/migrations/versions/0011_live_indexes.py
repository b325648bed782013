"""Partial indexes over what is not in the Trash, so a library of 100,000 sets pages as fast as one
of 100: the newest live sets and captions in order (the Library's and History's pages), the
folders and people a filter lists, and what is in the Trash. The plain ``deleted_at`` indexes go:
SQLite's planner took them for ``deleted_at IS NULL`` (nearly every row) and sorted the table. The same on SQLite and PostgreSQL (both keep partial indexes);
SQLite's planner takes a partial index whenever the query repeats its WHERE terms, as
``db/videos.py`` and ``db/captions.py`` do (``deleted_at IS NULL``).

Revision ID: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

LIVE = "deleted_at IS NULL"
PLAIN = ("captions", "generations", "variations")  # their ix_<table>_deleted_at goes
INDEXES = (
    ("ix_captions_live_in_trash", "captions", ["deleted_at"], "deleted_at IS NOT NULL"),
    ("ix_generations_live_in_trash", "generations", ["deleted_at"], "deleted_at IS NOT NULL"),
    ("ix_variations_live_in_trash", "variations", ["deleted_at"], "deleted_at IS NOT NULL"),
    ("ix_generations_live_newest", "generations", ["created_at", "id"], LIVE),
    ("ix_captions_live_newest", "captions", ["created_at", "id"], LIVE),
    ("ix_generations_live_folder", "generations", ["folder"], f"folder IS NOT NULL AND {LIVE}"),
    ("ix_generations_live_made_by", "generations", ["made_by"], f"made_by IS NOT NULL AND {LIVE}"),
    ("ix_captions_live_made_by", "captions", ["made_by"], f"made_by IS NOT NULL AND {LIVE}"),
)


def upgrade() -> None:
    for table in PLAIN:
        op.drop_index(f"ix_{table}_deleted_at", table_name=table)
    for name, table, columns, where in INDEXES:
        op.create_index(name, table, columns, sqlite_where=sa.text(where), postgresql_where=sa.text(where))


def downgrade() -> None:
    for name, table, _, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
    for table in PLAIN:
        op.create_index(f"ix_{table}_deleted_at", table, ["deleted_at"])
