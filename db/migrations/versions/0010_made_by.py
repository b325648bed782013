"""Who made it: the signed-in person (e-mail, else name, else the provider's subject) on every
caption, set and variation, NULL without sign-in; the Library and History filter by it.

Plain ADD/DROP COLUMN on both databases: a batch rebuild of ``generations`` would drop the
full-text triggers SQLite keeps on it.

Revision ID: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

TABLES = ("captions", "generations", "variations")
INDEXED = ("captions", "generations")


def upgrade() -> None:
    for table in TABLES:
        op.add_column(table, sa.Column("made_by", sa.String(200), nullable=True))
    for table in INDEXED:
        op.create_index(f"ix_{table}_made_by", table, ["made_by"])


def downgrade() -> None:
    for table in INDEXED:  # SQLite refuses to drop an indexed column
        op.drop_index(f"ix_{table}_made_by", table_name=table)
    for table in reversed(TABLES):
        op.drop_column(table, "made_by")
