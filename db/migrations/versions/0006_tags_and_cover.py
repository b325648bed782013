"""Tags and covers: a set carries any number of tags (a filter beside folders and favourites), and
the variation the creator kept in Compare ("Keep this one") is the set's cover.

Revision ID: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "generation_tags",
        sa.Column(
            "generation_id",
            sa.Integer,
            sa.ForeignKey("generations.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("tag", sa.String(50), primary_key=True),
        sa.CheckConstraint("length(trim(tag)) > 0", name="tag_not_empty"),
    )
    op.create_index("ix_generation_tags_tag", "generation_tags", ["tag"])
    # No foreign key: a cover that is trashed or purged simply stops being used (see GenerationView.cover).
    op.add_column("generations", sa.Column("cover_variation_id", sa.Integer, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("generations") as batch:
        batch.drop_column("cover_variation_id")
    op.drop_index("ix_generation_tags_tag", "generation_tags")
    op.drop_table("generation_tags")
