"""listing_walks (how far the last completed walk of each listing got) and gone_urls (list entries answering 404/410).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "listing_walks",
        sa.Column("spider", sa.String(64), primary_key=True),
        sa.Column("listing", sa.Text, primary_key=True),
        sa.Column("open_walk_started_at", sa.DateTime(timezone=True)),
        sa.Column("completed_at", sa.DateTime(timezone=True)),
        sa.Column("depth", sa.Integer),
    )
    op.create_table(
        "gone_urls",
        sa.Column("url", sa.Text, primary_key=True),
        sa.Column("status", sa.SmallInteger, nullable=False),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_gone_urls_last_seen_at", "gone_urls", ["last_seen_at"])


def downgrade() -> None:
    op.drop_index("ix_gone_urls_last_seen_at", "gone_urls")
    op.drop_table("gone_urls")
    op.drop_table("listing_walks")
