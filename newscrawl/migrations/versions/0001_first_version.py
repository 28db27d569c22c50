"""First version: the articles table as newscrawl 0.1 created it with metadata.create_all.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "articles",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("url", sa.Text, nullable=False, unique=True),
        sa.Column("portal", sa.String(64), nullable=False),
        sa.Column("site", sa.Text),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True)),
        sa.Column("published_at_local", sa.String(40)),
        sa.Column("author", sa.Text),
        sa.Column("source", sa.Text),
        sa.Column("categories", sa.JSON, nullable=False),
        sa.Column("tags", sa.JSON, nullable=False),
        sa.Column("headimg", sa.Text),
        sa.Column("images", sa.JSON, nullable=False),
        sa.Column("summary", sa.Text),
        sa.Column("body_html", sa.Text),
        sa.Column("body_text", sa.Text),
        sa.Column("language", sa.String(16)),
        sa.Column("crawled_at", sa.DateTime(timezone=True)),
        sa.Column("content_hash", sa.String(64)),
    )
    op.create_index("ix_articles_content_hash", "articles", ["content_hash"])
    op.create_index("ix_articles_portal_published", "articles", ["portal", "published_at"])


def downgrade() -> None:
    op.drop_table("articles")
