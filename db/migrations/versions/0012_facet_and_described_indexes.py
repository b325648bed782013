"""Two partial indexes that keep History and search flat at 100,000 sets:

- live captions' styles, so History's Style filter lists its choices without reading every caption
  (SQLite's planner walks an index on ``style`` skipping from one value to the next: 0.2 ms at
  100,000 captions against 28 ms for a scan of the table; providers already had an index);
- live variations that have a title or alt text ("Describe this video"), so a search looks for its
  words among the described variations only, not in every variation of the library (a search at
  100,000 sets read 200,000 variations twice a rerun: 180 ms on SQLite).

The WHERE clauses are written as ``db.models`` and the queries write them: SQLite uses a partial
index only when the query repeats its terms.

Revision ID: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

LIVE = "deleted_at IS NULL"
DESCRIBED = f"{LIVE} AND (title IS NOT NULL OR alt_text IS NOT NULL)"
INDEXES = (
    ("ix_captions_live_style", "captions", ["style"], LIVE),
    ("ix_variations_live_described", "variations", ["generation_id"], DESCRIBED),
)


def upgrade() -> None:
    for name, table, columns, where in INDEXES:
        op.create_index(name, table, columns, sqlite_where=sa.text(where), postgresql_where=sa.text(where))


def downgrade() -> None:
    for name, table, _, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
