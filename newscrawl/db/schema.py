"""The store's tables (SQLAlchemy Core, SQLite or PostgreSQL): docs/SCHEMA.md, "Database"."""

from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


class UTCDateTime(sa.types.TypeDecorator):
    """Aware datetimes in, aware UTC datetimes out, on every engine (SQLite has no time zones)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: give it a time zone")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


# jsonb on PostgreSQL (indexable, compact), JSON text on SQLite.
JSONList = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

metadata = sa.MetaData()

articles = sa.Table(
    "articles",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("url", sa.Text, nullable=False, unique=True),
    sa.Column("portal", sa.String(64), nullable=False),
    sa.Column("site", sa.Text),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("published_at", UTCDateTime),
    sa.Column("published_at_local", sa.String(40)),  # ISO 8601 with the portal's own offset
    sa.Column("author", sa.Text),
    sa.Column("source", sa.Text),
    sa.Column("categories", JSONList, nullable=False, default=list),
    sa.Column("tags", JSONList, nullable=False, default=list),
    sa.Column("headimg", sa.Text),
    sa.Column("images", JSONList, nullable=False, default=list),
    sa.Column("summary", sa.Text),
    sa.Column("body_html", sa.Text),
    sa.Column("body_text", sa.Text),
    sa.Column("language", sa.String(16)),
    sa.Column("crawled_at", UTCDateTime),
    sa.Column("content_hash", sa.String(64), index=True),
    sa.Column("first_seen_at", UTCDateTime, nullable=False),
    sa.Column("last_seen_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.Column("version", sa.Integer, nullable=False, server_default="1"),
    sa.Column("near_duplicate_of", sa.Text, index=True),
    sa.Column("minhash", sa.LargeBinary),  # newscrawl.neardup.signature of body_text
    # The archived response this version was read from (NEWSCRAWL_ARCHIVE_DIR): WARC file name and record offset.
    sa.Column("archive_file", sa.Text),
    sa.Column("archive_offset", sa.BigInteger),
    sa.Column("version_reason", sa.Text),  # why this version exists: "recrawl: <fields>", "reextract: <fields>"
    sa.Index("ix_articles_portal_published", "portal", "published_at"),
    sa.Index("ix_articles_portal_content_hash", "portal", "content_hash"),
    sa.Index("ix_articles_first_seen_at", "first_seen_at"),
)

VERSIONED_FIELDS = (
    "url", "title", "author", "source", "published_at", "published_at_local", "categories", "tags",
    "headimg", "images", "summary", "body_html", "body_text", "crawled_at", "content_hash",
    "archive_file", "archive_offset", "version_reason",
)

article_versions = sa.Table(
    "article_versions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    *(sa.Column(name, articles.c[name].type) for name in VERSIONED_FIELDS),
    sa.Column("valid_from", UTCDateTime),
    sa.Column("replaced_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint("article_id", "version", name="uq_article_versions_article_version"),
)

lsh_bands = sa.Table(
    "lsh_bands",
    metadata,
    sa.Column("band", sa.SmallInteger, primary_key=True),
    sa.Column("key", sa.BigInteger, primary_key=True),
    sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    sa.Index("ix_lsh_bands_key", "key"),
)

url_aliases = sa.Table(
    "url_aliases",
    metadata,
    sa.Column("url", sa.Text, primary_key=True),
    sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("first_seen_at", UTCDateTime, nullable=False),
)

crawl_runs = sa.Table(
    "crawl_runs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("spider", sa.String(64), nullable=False),
    sa.Column("started_at", UTCDateTime, nullable=False),
    sa.Column("finished_at", UTCDateTime),
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
    sa.Index("ix_crawl_runs_spider_started", "spider", "started_at"),
)


listing_walks = sa.Table(
    "listing_walks",
    metadata,
    sa.Column("spider", sa.String(64), primary_key=True),
    sa.Column("listing", sa.Text, primary_key=True),  # the URL of the listing's first page
    sa.Column("open_walk_started_at", UTCDateTime),  # a walk began and has not completed (NULL: none open)
    sa.Column("completed_at", UTCDateTime),  # when the last completed walk ended
    sa.Column("depth", sa.Integer),  # list pages the last completed walk read
)

gone_urls = sa.Table(
    "gone_urls",
    metadata,
    sa.Column("url", sa.Text, primary_key=True),
    sa.Column("status", sa.SmallInteger, nullable=False),  # 404 or 410
    sa.Column("first_seen_at", UTCDateTime, nullable=False),
    sa.Column("last_seen_at", UTCDateTime, nullable=False, index=True),
)
