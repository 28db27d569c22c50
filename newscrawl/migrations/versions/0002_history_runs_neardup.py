"""Article history (seen/updated times, versions), near-duplicate MinHash/LSH index, crawl_runs.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

JSONList = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    bind = op.get_bind()
    op.add_column("articles", sa.Column("first_seen_at", TS))
    op.add_column("articles", sa.Column("last_seen_at", TS))
    op.add_column("articles", sa.Column("updated_at", TS))
    op.add_column("articles", sa.Column("version", sa.Integer, nullable=False, server_default="1"))
    op.add_column("articles", sa.Column("near_duplicate_of", sa.Text))
    op.add_column("articles", sa.Column("minhash", sa.LargeBinary))
    # Rows from before: the crawl time is the best first/last-seen time we have.
    now = "CURRENT_TIMESTAMP"
    op.execute(
        f"UPDATE articles SET first_seen_at = COALESCE(crawled_at, {now}), "
        f"last_seen_at = COALESCE(crawled_at, {now}), updated_at = COALESCE(crawled_at, {now})"
    )
    with op.batch_alter_table("articles") as batch:
        for name in ("first_seen_at", "last_seen_at", "updated_at"):
            batch.alter_column(name, existing_type=TS, nullable=False)
        if bind.dialect.name == "postgresql":
            for name in ("categories", "tags", "images"):
                batch.alter_column(
                    name, type_=postgresql.JSONB(), existing_type=sa.JSON(), postgresql_using=f"{name}::jsonb"
                )
    op.create_index("ix_articles_portal_content_hash", "articles", ["portal", "content_hash"])
    op.create_index("ix_articles_first_seen_at", "articles", ["first_seen_at"])
    op.create_index("ix_articles_near_duplicate_of", "articles", ["near_duplicate_of"])

    op.create_table(
        "article_versions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("url", sa.Text),
        sa.Column("title", sa.Text),
        sa.Column("author", sa.Text),
        sa.Column("source", sa.Text),
        sa.Column("published_at", TS),
        sa.Column("published_at_local", sa.String(40)),
        sa.Column("categories", JSONList),
        sa.Column("tags", JSONList),
        sa.Column("headimg", sa.Text),
        sa.Column("images", JSONList),
        sa.Column("summary", sa.Text),
        sa.Column("body_html", sa.Text),
        sa.Column("body_text", sa.Text),
        sa.Column("crawled_at", TS),
        sa.Column("content_hash", sa.String(64)),
        sa.Column("valid_from", TS),
        sa.Column("replaced_at", TS, nullable=False),
        sa.UniqueConstraint("article_id", "version", name="uq_article_versions_article_version"),
    )
    op.create_table(
        "lsh_bands",
        sa.Column("band", sa.SmallInteger, primary_key=True),
        sa.Column("key", sa.BigInteger, primary_key=True),
        sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    )
    op.create_table(
        "crawl_runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("spider", sa.String(64), nullable=False),
        sa.Column("started_at", TS, nullable=False),
        sa.Column("finished_at", TS),
        sa.Column("finish_reason", sa.String(64)),
        sa.Column("exit_code", sa.Integer),
        sa.Column("hostname", sa.String(255)),
        sa.Column("pid", sa.Integer),
        sa.Column("arguments", JSONList),
        sa.Column("items_scraped", sa.Integer),
        sa.Column("items_dropped", sa.Integer),
        sa.Column("items_stored", sa.Integer),
        sa.Column("items_spooled", sa.Integer),
        sa.Column("requests_skipped", sa.Integer),
        sa.Column("errors", sa.Integer),
        sa.Column("stats", JSONList),
    )
    op.create_index("ix_crawl_runs_spider_started", "crawl_runs", ["spider", "started_at"])
    _index_signatures(bind)


def _index_signatures(bind) -> None:
    """Fingerprint the articles stored before this revision so later copies find them."""
    from newscrawl import neardup

    articles = sa.table("articles", sa.column("id"), sa.column("body_text"), sa.column("minhash", sa.LargeBinary))
    bands = sa.table("lsh_bands", sa.column("band"), sa.column("key"), sa.column("article_id"))
    rows = bind.execute(sa.select(articles.c.id, articles.c.body_text).order_by(articles.c.id)).all()
    for start in range(0, len(rows), 500):
        updates, band_rows = [], []
        for article_id, text in rows[start : start + 500]:
            signature = neardup.signature(text)
            if signature is None:
                continue
            updates.append({"b_id": article_id, "b_minhash": signature})
            band_rows += [{"band": b, "key": k, "article_id": article_id} for b, k in neardup.bands(signature)]
        if updates:
            bind.execute(
                articles.update().where(articles.c.id == sa.bindparam("b_id")).values(minhash=sa.bindparam("b_minhash")),
                updates,
            )
            bind.execute(bands.insert(), band_rows)


def downgrade() -> None:
    op.drop_table("crawl_runs")
    op.drop_table("lsh_bands")
    op.drop_table("article_versions")
    op.drop_index("ix_articles_near_duplicate_of", "articles")
    op.drop_index("ix_articles_first_seen_at", "articles")
    op.drop_index("ix_articles_portal_content_hash", "articles")
    with op.batch_alter_table("articles") as batch:
        for name in ("minhash", "near_duplicate_of", "version", "updated_at", "last_seen_at", "first_seen_at"):
            batch.drop_column(name)

