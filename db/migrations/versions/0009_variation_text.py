"""A variation's own words: a title and alt text ("Describe this video" in the lightbox), searchable
in the library and exported with the video.

Revision ID: 0009
"""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE variations ADD COLUMN title VARCHAR(200)")
    op.execute("ALTER TABLE variations ADD COLUMN alt_text TEXT")


def downgrade() -> None:
    op.execute("ALTER TABLE variations DROP COLUMN alt_text")
    op.execute("ALTER TABLE variations DROP COLUMN title")
