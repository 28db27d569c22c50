"""The incremental crawl's queries: known URLs, gone URLs, and listing walks (docs/SCHEMA.md)."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from newscrawl.db.engine import utcnow
from newscrawl.db.schema import articles, gone_urls, listing_walks, url_aliases
from newscrawl.db.util import chunks


def known_urls(connection: sa.Connection, urls: list[str], gone_days: float = 0) -> set[str]:
    """Which of the URLs are stored, as articles or as duplicate aliases of one, or answered 404/410 lately."""
    found = set()
    since = utcnow() - timedelta(days=gone_days)
    for chunk in chunks(sorted(set(urls))):
        found.update(connection.execute(sa.select(articles.c.url).where(articles.c.url.in_(chunk))).scalars())
        found.update(connection.execute(sa.select(url_aliases.c.url).where(url_aliases.c.url.in_(chunk))).scalars())
        if gone_days > 0:
            found.update(connection.execute(
                sa.select(gone_urls.c.url).where(gone_urls.c.url.in_(chunk), gone_urls.c.last_seen_at >= since)).scalars())
    return found


def remember_gone(connection: sa.Connection, gone: dict[str, int], seen_at: datetime) -> None:
    """Article URLs that answered 404/410 (url -> status): not requested again for NEWSCRAWL_GONE_DAYS."""
    if not gone:
        return
    known = set()
    for chunk in chunks(sorted(gone)):
        known.update(connection.execute(sa.select(gone_urls.c.url).where(gone_urls.c.url.in_(chunk))).scalars())
    if known:
        connection.execute(gone_urls.update().where(gone_urls.c.url == sa.bindparam("b_url")),
                           [{"b_url": url, "status": gone[url], "last_seen_at": seen_at} for url in sorted(known)])
    fresh = [{"url": url, "status": status, "first_seen_at": seen_at, "last_seen_at": seen_at}
             for url, status in gone.items() if url not in known]
    if fresh:
        connection.execute(gone_urls.insert(), fresh)


def listing_states(connection: sa.Connection, spider: str, listings: list[str]) -> dict[str, dict]:
    """The walk state of each listing that has one (see docs/SCHEMA.md, "Incremental crawling")."""
    states = {}
    for chunk in chunks(sorted(set(listings))):
        query = sa.select(listing_walks).where(listing_walks.c.spider == spider, listing_walks.c.listing.in_(chunk))
        for record in connection.execute(query).mappings():
            states[record["listing"]] = dict(record)
    return states


def open_walks(connection: sa.Connection, spider: str, listings: list[str], started_at: datetime) -> None:
    """Mark a walk of each listing as begun (and not complete) before any of its article requests is sent."""
    have = set(listing_states(connection, spider, listings))
    if have:
        connection.execute(
            listing_walks.update().where(listing_walks.c.spider == spider, listing_walks.c.listing == sa.bindparam("b_listing")),
            [{"b_listing": listing, "open_walk_started_at": started_at} for listing in sorted(have)])
    fresh = [{"spider": spider, "listing": listing, "open_walk_started_at": started_at}
             for listing in sorted(set(listings) - have)]
    if fresh:
        connection.execute(listing_walks.insert(), fresh)


def complete_walks(connection: sa.Connection, spider: str, depths: dict[str, int], started_at: datetime) -> int:
    """Mark the walks this run began as complete; a walk opened since by another run stays open."""
    done = 0
    now = utcnow()
    for listing, depth in depths.items():
        result = connection.execute(
            listing_walks.update()
            .where(listing_walks.c.spider == spider, listing_walks.c.listing == listing,
                   listing_walks.c.open_walk_started_at == started_at)
            .values(open_walk_started_at=None, completed_at=now, depth=depth))
        done += result.rowcount or 0
    return done
