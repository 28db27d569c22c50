"""Weeks of crawl_runs rows and stored articles written straight into a store, for the report's tests and bench.

Each run's stats are the keys the real crawl writes (newscrawl/items/checked, newscrawl/field/<name>/missing,
newscrawl/fallback/<name>, downloader/…); scenarios put a markup drift, a database outage, an unreachable
portal and a killed run where the report must show them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

from newscrawl import db
from newscrawl.items import ARTICLE_FIELDS

HOST = "report-history"


@dataclass
class Scenario:
    """What happens to one portal: ``drift_from`` and the others are run indexes counted from the end (-1: last)."""

    portal: str
    drift_last: int = 0  # the last N runs lost the body selector: body from the fallback, alarm
    outage_last: int = 0  # the last N runs spooled (database down)
    unreachable_last: int = 0  # the last N runs got no answer
    killed: tuple[int, ...] = ()  # runs that never recorded their end


def stats_for(rng: random.Random, items: int, *, drift=False, outage=False, unreachable=False) -> tuple[dict, int]:
    """A run's stats as the crawl leaves them, and its exit code."""
    if unreachable:
        requests = rng.randint(3, 8)
        return ({"downloader/request_count": requests, "downloader/exception_count": requests,
                 "downloader/exception_type_count/twisted.internet.error.ConnectionRefusedError": requests,
                 "newscrawl/monitor/unreachable": f"portal unreachable: none of {requests} requests got an answer "
                                                  f"(ConnectionRefusedError {requests})",
                 "newscrawl/monitor/alarms": [], "newscrawl/exit_code": 69, "finish_reason": "finished"}, 69)
    list_pages = rng.randint(1, 4)
    skipped = rng.randint(0, 40)
    stats = {
        "newscrawl/items/checked": items, "item_scraped_count": items, "newscrawl/article_pages": items,
        "newscrawl/list_pages": list_pages, "newscrawl/list_entries": list_pages * 20,
        "newscrawl/incremental/skipped": skipped, "downloader/request_count": items + list_pages + 1,
        "response_received_count": items + list_pages + 1, "finish_reason": "finished",
        "downloader/response_status_count/200": items + list_pages,
        "downloader/response_status_count/404": rng.choice((0, 0, 0, 1, 2)),
        "log_count/ERROR": rng.choice((0, 0, 0, 0, 1)),
    }
    for name in ARTICLE_FIELDS:
        share = {"author": 0.7, "source": 0.9, "summary": 0.8}.get(name, 1.0)
        stats[f"newscrawl/field/{name}/missing"] = round(items * (1 - share) * rng.uniform(0.8, 1.2))
    stats["newscrawl/fallback/body_html"] = items if drift else rng.randint(0, max(items // 20, 0))
    stats["newscrawl/fallback/published_at"] = rng.randint(0, max(items // 25, 0))
    alarms = [f"fallback body_html: 100% of {items} articles from the generic extractor, above 50%"] if drift else []
    stats["newscrawl/monitor/alarms"] = alarms
    code = 75 if outage else 3 if alarms else 0
    if outage:
        stats["newscrawl/store/spooled"] = items
        stats["log_count/ERROR"] = 2
    else:
        stats["newscrawl/store/written"] = items
    stats["newscrawl/exit_code"] = code
    return stats, code


def run_rows(scenario: Scenario, start: datetime, end: datetime, every: timedelta, rng: random.Random) -> list[dict]:
    times = []
    moment = start
    while moment < end:
        times.append(moment)
        moment += every
    rows = []
    for i, started in enumerate(times):
        from_end = len(times) - i
        items = rng.randint(8, 30)
        stats, code = stats_for(rng, items, drift=from_end <= scenario.drift_last, outage=from_end <= scenario.outage_last,
                                unreachable=from_end <= scenario.unreachable_last)
        killed = (i - len(times)) in scenario.killed
        rows.append({
            "spider": scenario.portal, "started_at": started, "hostname": HOST, "pid": 1000 + i, "arguments": {},
            "finished_at": None if killed else started + timedelta(seconds=40),
            "finish_reason": None if killed else "finished", "exit_code": None if killed else code,
            "items_scraped": int(stats.get("item_scraped_count") or 0),
            "items_dropped": 0, "items_stored": int(stats.get("newscrawl/store/written") or 0),
            "items_spooled": int(stats.get("newscrawl/store/spooled") or 0),
            "requests_skipped": int(stats.get("newscrawl/incremental/skipped") or 0),
            "errors": int(stats.get("log_count/ERROR") or 0), "stats": None if killed else stats,
        })
    return rows


def article_rows(portal: str, count: int, start: datetime, end: datetime, rng: random.Random, prefix: str = "") -> list[dict]:
    span = (end - start).total_seconds()
    rows = []
    for i in range(count):
        seen = start + timedelta(seconds=rng.uniform(0, span))
        rows.append({
            "url": f"https://{portal}.example/{prefix}{i}.html", "portal": portal, "title": f"{portal} 文章 {prefix}{i}",
            "body_text": "正文", "first_seen_at": seen, "last_seen_at": seen, "updated_at": seen,
            "crawled_at": seen, "categories": [], "tags": [], "images": [],
        })
    return rows


def syndicate(rows_by_portal: dict[str, list[dict]], pairs: list[tuple[str, str, int]], rng: random.Random) -> None:
    """Mark ``n`` articles of ``copier`` as near-duplicates of articles of ``first`` (``pairs``: first, copier, n)."""
    for first, copier, n in pairs:
        originals = rows_by_portal[first]
        for row in rng.sample(rows_by_portal[copier], n):
            row["near_duplicate_of"] = rng.choice(originals[: max(len(originals) // 10, 1)])["url"]


def write(engine: sa.Engine, runs: list[dict], articles: list[dict]) -> None:
    with engine.begin() as connection:
        for i in range(0, len(runs), 1000):
            connection.execute(db.crawl_runs.insert(), runs[i:i + 1000])
        columns = sorted({k for row in articles for k in row})
        for i in range(0, len(articles), 2000):
            chunk = [{c: row.get(c) for c in columns} for row in articles[i:i + 2000]]
            connection.execute(db.articles.insert(), chunk)


SCENARIOS = (
    Scenario("drifty", drift_last=3),
    Scenario("downdb", outage_last=2, killed=(-30,)),
    Scenario("gone", unreachable_last=4),
    Scenario("steady"),
)


def fill(engine: sa.Engine, *, days: int = 21, every: timedelta = timedelta(hours=6), articles_per_portal: int = 60,
         scenarios=SCENARIOS, now: datetime | None = None, seed: int = 19, end_before: timedelta = timedelta(0)):
    """Runs every ``every`` over ``days`` up to ``now - end_before``, articles over the same span, some syndicated."""
    rng = random.Random(seed)
    end = (now or datetime.now(timezone.utc)) - end_before
    start = end - timedelta(days=days)
    runs, by_portal = [], {}
    for scenario in scenarios:
        runs += run_rows(scenario, start, end, every, rng)
        by_portal[scenario.portal] = article_rows(scenario.portal, articles_per_portal, start, end, rng)
    names = [s.portal for s in scenarios]
    if len(names) >= 2:
        n = max(articles_per_portal // 10, 1)
        syndicate(by_portal, [(names[0], names[1], n), (names[0], names[-1], n // 2 or 1), (names[1], names[-1], 1)], rng)
    write(engine, runs, [row for rows in by_portal.values() for row in rows])
    return runs, by_portal
