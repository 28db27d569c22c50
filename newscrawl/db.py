"""Database schema and the few queries the store needs (SQLAlchemy Core; SQLite or PostgreSQL)."""

from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from newscrawl.items import ARTICLE_FIELDS, LIST_FIELDS


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
    sa.Column("categories", sa.JSON, nullable=False, default=list),
    sa.Column("tags", sa.JSON, nullable=False, default=list),
    sa.Column("headimg", sa.Text),
    sa.Column("images", sa.JSON, nullable=False, default=list),
    sa.Column("summary", sa.Text),
    sa.Column("body_html", sa.Text),
    sa.Column("body_text", sa.Text),
    sa.Column("language", sa.String(16)),
    sa.Column("crawled_at", UTCDateTime),
    sa.Column("content_hash", sa.String(64), index=True),
    sa.Index("ix_articles_portal_published", "portal", "published_at"),
)


def check_database_url(url: str) -> str:
    """Return the URL or raise ValueError with a one-line hint."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ValueError(
            f"NEWSCRAWL_DATABASE_URL={url!r} is not a database URL; "
            "use sqlite:///path/to/file.db or postgresql+psycopg://user@host/db"
        ) from None
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise ValueError(f"NEWSCRAWL_DATABASE_URL: {parsed.get_backend_name()} is not supported; use sqlite or postgresql")
    return url


def create_engine(url: str) -> sa.Engine:
    check_database_url(url)
    engine = sa.create_engine(url, future=True, pool_pre_ping=True)
    if engine.dialect.name == "sqlite":

        @sa.event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=5000")
            cursor.close()

    return engine


def article_row(item: dict) -> dict:
    row = {name: item.get(name) for name in ARTICLE_FIELDS}
    for name in LIST_FIELDS:
        row[name] = list(row.get(name) or [])
    row["published_at_local"] = row.get("published_at")
    return row


def upsert_articles(connection: sa.Connection, rows: list[dict]) -> None:
    """Insert rows; a row whose url is stored already replaces it."""
    if not rows:
        return
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(articles)
    updates = {c.name: statement.excluded[c.name] for c in articles.columns if c.name not in ("id", "url")}
    connection.execute(statement.on_conflict_do_update(index_elements=["url"], set_=updates), rows)
