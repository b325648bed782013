"""Images and storyboards: a set holds videos or still images (the composer's "Type"); a variation
made by a chain of service jobs (a storyboard: one create, then one extend per later card) keeps
which card it is on and the ids of the jobs already finished; a model may be priced per image.

Plain ``ALTER TABLE … ADD COLUMN`` (SQLite and PostgreSQL both take a column CHECK there), so the
tables and the full-text triggers on ``generations`` are not rebuilt.

Revision ID: 0007
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "ALTER TABLE generations ADD COLUMN media_kind VARCHAR(8) NOT NULL DEFAULT 'video' "
        "CONSTRAINT media_kind_known CHECK (media_kind IN ('video', 'image'))"
    )
    op.execute(
        "ALTER TABLE variations ADD COLUMN chain_step INTEGER NOT NULL DEFAULT 0 "
        "CONSTRAINT chain_step_not_negative CHECK (chain_step >= 0)"
    )
    op.execute("ALTER TABLE variations ADD COLUMN chain_remote_ids TEXT NOT NULL DEFAULT '[]'")
    op.execute(
        "ALTER TABLE model_prices ADD COLUMN usd_per_image FLOAT "
        "CONSTRAINT image_price_not_negative CHECK (usd_per_image IS NULL OR usd_per_image >= 0)"
    )


def downgrade() -> None:
    # Native DROP COLUMN (SQLite 3.35+): each CHECK here belongs to its own column, so it goes too.
    op.execute("ALTER TABLE model_prices DROP COLUMN usd_per_image")
    op.execute("ALTER TABLE variations DROP COLUMN chain_remote_ids")
    op.execute("ALTER TABLE variations DROP COLUMN chain_step")
    op.execute("ALTER TABLE generations DROP COLUMN media_kind")
