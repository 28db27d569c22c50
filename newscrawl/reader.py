"""Reading the article store for the commands (export, dbstats): open, filter, stream rows as Articles."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from newscrawl import config, db
from newscrawl import processors as p
from newscrawl.items import ARTICLE_FIELDS, LIST_FIELDS



class CommandError(Exception):
    """One line for the user, and the exit status (2: bad arguments or settings, 75: database down, 1: other trouble)."""

    def __init__(self, message: str, exitcode: int = 2):
        super().__init__(message)
        self.exitcode = exitcode


def open_database(settings) -> sa.Engine:
    """An engine on NEWSCRAWL_DATABASE_URL that holds an ``articles`` table, or a CommandError."""
    url = config.options(settings).database_url or ""
    try:
        db.check_database_url(url)
    except ValueError as exc:
        raise CommandError(str(exc)) from None
    parsed = make_url(url)
    shown = db.shown_url(parsed)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        # Opening a missing SQLite file would silently create an empty database.
        if not Path(parsed.database).is_file():
            raise CommandError(
                f"no database at {shown}: run a crawl first or set NEWSCRAWL_DATABASE_URL", exitcode=2
            )
    engine = db.create_engine(url, limits=db.Limits.from_settings(settings))
    try:
        tables = sa.inspect(engine).get_table_names()
    except sa.exc.DBAPIError as exc:
        engine.dispose()
        raise CommandError(f"cannot read the database at {shown}: {db.describe(exc)}", exitcode=db.exit_code_for(exc)) from None
    if "articles" not in tables:
        engine.dispose()
        raise CommandError(f"{shown} has no articles table: run a crawl into it first", exitcode=1)
    return engine


def stored_columns(engine: sa.Engine, table: sa.Table) -> list[sa.Column]:
    """The columns of ``table`` that the database really has (an older schema may lack some)."""
    present = {c["name"] for c in sa.inspect(engine).get_columns(table.name)}
    return [c for c in table.columns if c.name in present]


def parse_since(value: str | None):
    if value == "":
        raise CommandError("--since needs a date like 2024-01-31")
    try:
        return p.parse_since(value)
    except ValueError as exc:
        raise CommandError(f"--since: {exc}") from None


def parse_days(value: str) -> int:
    """``--days N``: a whole number of days from 1 to 3660 (ten years)."""
    try:
        days = int(value)
    except (TypeError, ValueError):
        days = 0
    if not 1 <= days <= 3660:
        raise CommandError(f"--days must be a whole number from 1 to 3660, got {value!r}")
    return days


def parse_portals(value: str | None) -> list[str]:
    portals = [x.strip() for x in (value or "").split(",") if x.strip()]
    if value is not None and not portals:
        raise CommandError("--portal needs a portal (spider) name, e.g. --portal ofweek")
    return portals


def spider_names(settings) -> list[str]:
    from scrapy.spiderloader import get_spider_loader

    try:
        return get_spider_loader(settings).list()
    except Exception:  # a broken spider must not stop reading what is stored
        return []


def check_portals(engine: sa.Engine, portals: list[str], known_spiders: list[str]) -> None:
    """A portal nobody ever crawled is a typo: say which ones exist instead of exporting nothing."""
    if not portals:
        return
    table = db.articles
    with engine.connect() as connection:
        stored = set(connection.execute(sa.select(table.c.portal).distinct()).scalars())
    unknown = [x for x in portals if x not in stored and x not in known_spiders]
    if unknown:
        choices = ", ".join(sorted(stored | set(known_spiders))) or "none yet"
        raise CommandError(f"--portal: no portal named {', '.join(unknown)} (known: {choices})")


def article_filters(columns: dict[str, sa.Column], portals: list[str], since) -> list:
    """WHERE clauses for --portal and --since; since is a date on the portal's own calendar, and for an article
    without a date (``published_at`` null) the UTC day it was first stored."""
    clauses = []
    if portals:
        clauses.append(columns["portal"].in_(portals))
    if since is not None:
        # No portal is more than 14 h ahead of UTC: a bound the (portal, published_at) index can use,
        # then the exact local date from published_at_local (ISO text sorts by its date).
        day = datetime.combine(since, time(), timezone.utc)
        dated = [columns["published_at"] >= day - timedelta(hours=14)]
        if "published_at_local" in columns:
            dated.append(sa.func.substr(columns["published_at_local"], 1, 10) >= since.isoformat())
        else:
            dated.append(columns["published_at"] >= day)
        clause = sa.and_(*dated)
        if "first_seen_at" in columns:  # an article without a date: from the day it was first stored (UTC)
            clause = sa.or_(clause, sa.and_(columns["published_at"].is_(None), columns["first_seen_at"] >= day))
        clauses.append(clause)
    return clauses


def iter_articles(engine: sa.Engine, portals: list[str] = (), since=None, originals_only=False, batch: int = 500):
    """Stored articles as Article dicts (the crawl's JSON Lines keys), oldest first, streamed (Hexo posts;
    the data formats read through newscrawl/export/source.py).

    ``originals_only`` leaves out syndicated copies (rows with ``near_duplicate_of`` set).
    """
    columns = {c.name: c for c in stored_columns(engine, db.articles)}
    names = (*ARTICLE_FIELDS, "published_at_local")
    wanted = [columns[name] for name in names if name in columns]
    where = article_filters(columns, list(portals), since)
    if originals_only and "near_duplicate_of" in columns:
        where.append(columns["near_duplicate_of"].is_(None))
    query = sa.select(*wanted).where(*where).order_by(columns["published_at"], columns["id"])
    with engine.connect() as connection:
        for row in connection.execution_options(yield_per=batch).execute(query):
            yield article_from_row(row._mapping)


def article_from_row(row) -> dict:
    """A database row back to the exact Article the crawl produced."""
    row = dict(row)
    article = {}
    for name in ARTICLE_FIELDS:
        value = row.get(name)
        if name in LIST_FIELDS:
            value = list(value or [])
        elif isinstance(value, datetime):
            value = p.to_iso(value)
        article[name] = value
    if row.get("published_at_local"):
        article["published_at"] = row["published_at_local"]
    return article
