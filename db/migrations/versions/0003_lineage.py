"""Lineage: a variation made from two others (a blend) records its second parent too.

Revision ID: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("variations") as batch:
        batch.add_column(sa.Column("partner_id", sa.Integer, nullable=True))
        batch.create_foreign_key("fk_variations_partner_id", "variations", ["partner_id"], ["id"], ondelete="SET NULL")
        batch.create_index("ix_variations_parent_id", ["parent_id"])
        batch.create_index("ix_variations_partner_id", ["partner_id"])


def downgrade() -> None:
    with op.batch_alter_table("variations") as batch:
        batch.drop_index("ix_variations_partner_id")
        batch.drop_index("ix_variations_parent_id")
        batch.drop_constraint("fk_variations_partner_id", type_="foreignkey")
        batch.drop_column("partner_id")
