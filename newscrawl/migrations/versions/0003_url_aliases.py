"""url_aliases (level-2 duplicate URLs, so incremental crawls know them); lsh_bands looked up by key.

The primary key of lsh_bands starts with ``band``; lookups are by ``key``, which alone is selective.

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
    op.create_index("ix_lsh_bands_key", "lsh_bands", ["key"])


def downgrade() -> None:
    op.drop_index("ix_lsh_bands_key", "lsh_bands")
    op.drop_table("url_aliases")
