"""url_aliases: URLs whose text was already stored at another URL of the portal (level-2 duplicates).

Remembered so incremental crawls treat them as known instead of downloading them again every run.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "url_aliases",
        sa.Column("url", sa.Text, primary_key=True),
        sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_url_aliases_article_id", "url_aliases", ["article_id"])


def downgrade() -> None:
    op.drop_table("url_aliases")
