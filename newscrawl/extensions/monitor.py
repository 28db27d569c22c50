"""Alarm when a run's field coverage, listing size or fallback use departs from thresholds or recent runs."""

from __future__ import annotations

import logging
import statistics
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from scrapy import signals
from scrapy.exceptions import NotConfigured

from newscrawl import config, exitcodes
from newscrawl.exitcodes import (  # noqa: F401
    EXIT_MONITOR_ALARM,
    EXIT_SPIDER_FAILED,
    EXIT_TOO_MANY_ERRORS,
    EXIT_UNREACHABLE,
    EXIT_USAGE,
)
from newscrawl.items import ARTICLE_FIELDS

logger = logging.getLogger(__name__)

ALARMS_KEY = "newscrawl/monitor/alarms"
UNREACHABLE_KEY = "newscrawl/monitor/unreachable"


@dataclass
class Measures:
    """What one run of one spider looked like, computed from its Scrapy stats alone."""

    items: int  # articles extracted and checked by the validate pipeline
    seen: int  # articles extracted + known articles incremental crawling did not re-download
    article_pages: int
    not_article: int
    list_pages: int = 0
    requests: int = 0
    list_entries: int = 0  # article links the list pages showed, new and known
    responses: int = 0
    failed: int = 0  # pages lost to a callback exception or a failed download (newscrawl/pages/failed/*)
    coverage: dict[str, float] = field(default_factory=dict)  # share of items with the field filled
    fallback: dict[str, float] = field(default_factory=dict)  # share of items whose field came from the fallback

    @classmethod
    def from_stats(cls, stats: dict) -> Measures:
        items = int(stats.get("newscrawl/items/checked") or 0)
        measures = cls(
            items=items,
            seen=items + int(stats.get("newscrawl/incremental/skipped") or 0),
            article_pages=int(stats.get("newscrawl/article_pages") or 0),
            not_article=int(stats.get("newscrawl/pages/not_article") or 0),
            list_pages=int(stats.get("newscrawl/list_pages") or 0),
            requests=int(stats.get("downloader/request_count") or 0),
            list_entries=int(stats.get("newscrawl/list_entries") or 0),
            responses=int(stats.get("response_received_count") or 0),
            failed=sum(int(v or 0) for k, v in stats.items() if k.startswith("newscrawl/pages/failed/")),
        )
        if items:
            measures.coverage = shares(stats, "coverage", ARTICLE_FIELDS)
            measures.fallback = shares(stats, "fallback", ARTICLE_FIELDS)
        return measures

    @property
    def entries_per_list_page(self) -> float | None:
        """What one list page showed (new + known): the same for a full and an incremental run of a site."""
        if not self.list_pages:
            return None
        return (self.list_entries or self.seen) / self.list_pages  # runs before list_entries was counted: seen

    @property
    def not_article_share(self) -> float:
        return self.not_article / self.article_pages if self.article_pages else 0.0

    @property
    def failed_share(self) -> float:
        pages = max(self.article_pages + self.list_pages, self.failed)
        return self.failed / pages if pages else 0.0


def shares(stats: dict, kind: str, names) -> dict[str, float]:
    """Per field, the share of the run's checked articles that have it (``coverage``) or got it from the
    generic extractor (``fallback``); empty when no article was checked."""
    items = int(stats.get("newscrawl/items/checked") or 0)
    if not items:
        return {}
    if kind == "coverage":
        return {n: round(max(0.0, 1 - int(stats.get(f"newscrawl/field/{n}/missing") or 0) / items), 4) for n in names}
    return {n: round(min(1.0, int(stats.get(f"newscrawl/fallback/{n}") or 0) / items), 4) for n in names}


@dataclass
class Thresholds:
    """The NEWSCRAWL_MONITOR_* settings (docs/OPERATIONS.md, "Monitoring")."""

    min_sample: int = 10
    min_coverage: dict[str, float] = field(default_factory=dict)
    max_fallback: dict[str, float] = field(default_factory=dict)
    max_not_article: float = 0.5
    max_failed: float = 0.2
    min_items: int = 0
    history: int = 5
    coverage_drop: float = 0.3
    fallback_rise: float = 0.3
    count_ratio: float = 0.2

    @classmethod
    def from_settings(cls, settings) -> Thresholds:
        o = config.options(settings)
        return cls(
            min_sample=o.monitor_min_sample, min_coverage=dict(o.monitor_min_coverage),
            max_fallback=dict(o.monitor_max_fallback), max_not_article=o.monitor_max_not_article,
            max_failed=o.monitor_max_failed, min_items=o.monitor_min_items, history=o.monitor_history,
            coverage_drop=o.monitor_coverage_drop, fallback_rise=o.monitor_fallback_rise, count_ratio=o.monitor_count_ratio,
        )


def check(current: Measures, history: list[Measures], limits: Thresholds, portal: bool = True) -> list[str]:
    """One line per alarm: fixed thresholds first, then departures from the median of recent runs.

    ``portal`` is False for the generic spiders: they take every field from the extractor and are
    pointed at pages that may not be articles, so fallback use and non-article pages are their normal.
    """
    alarms = []
    if current.list_pages == 0 and current.article_pages == 0 and current.requests:
        alarms.append(f"nothing read: {current.requests} requests, no list or article page could be parsed")
    if limits.min_items and current.seen < limits.min_items:
        alarms.append(f"items: {current.seen} articles, fewer than NEWSCRAWL_MONITOR_MIN_ITEMS={limits.min_items}")
    if portal and current.article_pages >= limits.min_sample and current.not_article_share > limits.max_not_article:
        alarms.append(
            f"not_article: {current.not_article} of {current.article_pages} article pages held no article "
            f"({current.not_article_share:.0%} > {limits.max_not_article:.0%}): body selector broken?"
        )
    pages = max(current.article_pages + current.list_pages, current.failed)
    if pages >= limits.min_sample and current.failed_share > limits.max_failed:
        alarms.append(
            f"failed: {current.failed} of {pages} pages lost to errors ({current.failed_share:.0%} > "
            f"{limits.max_failed:.0%}): see newscrawl/pages/failed/* and the log"
        )
    if current.items >= limits.min_sample:
        for name, minimum in limits.min_coverage.items():
            share = current.coverage.get(name)
            if share is not None and share < minimum:
                alarms.append(f"coverage {name}: {share:.0%} of {current.items} articles, below {minimum:.0%}")
        for name, maximum in limits.max_fallback.items():
            share = current.fallback.get(name)
            if portal and share is not None and share > maximum:
                alarms.append(f"fallback {name}: {share:.0%} of {current.items} articles from the generic extractor, above {maximum:.0%}")

    past = [m for m in history if m.items >= limits.min_sample]
    if past and current.items >= limits.min_sample:
        for name in ARTICLE_FIELDS:
            before = statistics.median(m.coverage.get(name, 0.0) for m in past)
            now = current.coverage.get(name, 0.0)
            if before - now >= limits.coverage_drop:
                alarms.append(f"coverage {name}: {now:.0%} now, {before:.0%} in the last {len(past)} runs")
            if not portal:
                continue
            before = statistics.median(m.fallback.get(name, 0.0) for m in past)
            now = current.fallback.get(name, 0.0)
            if now - before >= limits.fallback_rise:
                alarms.append(f"fallback {name}: {now:.0%} from the generic extractor now, {before:.0%} in the last {len(past)} runs")
    # Like with like: an incremental run reads one list page of known entries where the first run read ten.
    per_page = current.entries_per_list_page
    before = [m.entries_per_list_page for m in history if m.list_pages and m.seen >= limits.min_sample]
    if per_page is not None and before:
        usual = statistics.median(before)
        if per_page < usual * limits.count_ratio:
            alarms.append(f"listing: {per_page:g} article links per list page now, {usual:g} usual in the last {len(before)} runs")
    elif per_page is None:
        seen_before = [m.seen for m in history if not m.list_pages and m.seen >= limits.min_sample]
        if seen_before:
            usual = statistics.median(seen_before)
            if current.seen < usual * limits.count_ratio:
                alarms.append(f"items: {current.seen} articles now, {usual:g} usual in the last {len(seen_before)} runs")
    return alarms


def unreachable(stats: dict) -> str | None:
    """Why the portal counts as unreachable (no request got any answer, some failed), or None."""
    if int(stats.get("response_received_count") or 0):
        return None
    failures = {k.rsplit("/", 1)[-1].rsplit(".", 1)[-1]: int(v or 0) for k, v in stats.items()
                if k.startswith("downloader/exception_type_count/")}
    total = sum(failures.values())
    if not total:
        return None
    kinds = ", ".join(f"{name} {count}" for name, count in sorted(failures.items(), key=lambda kv: -kv[1]))
    return (f"portal unreachable: none of {int(stats.get('downloader/request_count') or total)} requests got an answer "
            f"({kinds}); check the network, DNS and proxy, then whether the site is up")


def error_count(stats: dict) -> int:
    return int(stats.get("log_count/ERROR") or 0)


def recent_runs(url: str, spider: str, before: datetime, limit: int, limits=None) -> list[dict]:
    """Stats of the spider's latest finished runs in ``crawl_runs`` that started before ``before``."""
    if limit < 1:
        return []
    import sqlalchemy as sa

    from newscrawl import db

    table = getattr(db, "crawl_runs", None)
    if table is None:
        return []
    try:
        engine = db.create_engine(url, limits=limits)
    except ValueError as exc:
        logger.warning("Monitor: no run history (%s)", exc)
        return []
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                sa.select(table.c.stats)
                .where(table.c.spider == spider, table.c.finish_reason == "finished", table.c.started_at < before)
                .order_by(table.c.started_at.desc())
                .limit(limit)
            ).all()
    except (sa.exc.SQLAlchemyError, ValueError) as exc:
        logger.warning("Monitor: no run history (%s)", db.describe(exc))
        return []
    finally:
        engine.dispose()
    return [row.stats for row in rows if isinstance(row.stats, dict)]


class MonitorExtension:
    """Judges each run when its spider closes; alarms go to the log, the stats and the exit code.

    Alarms are stored in the stat ``newscrawl/monitor/alarms`` (a list of lines, so they reach
    ``crawl_runs.stats`` and the crawlall report) and set ``newscrawl/exit_code`` to 3 unless a more
    urgent code is set. A run in which no request got any answer is not judged on markup: its line goes
    to ``newscrawl/monitor/unreachable`` and the exit code is 69. More errors than NEWSCRAWL_MAX_ERRORS are only logged here;
    ``scrapy crawlall`` turns them into its exit code 4.
    """

    def __init__(self, crawler, limits: Thresholds, max_errors: int):
        self.crawler = crawler
        self.limits = limits
        self.max_errors = max_errors
        self.past: list[Measures] | None = None  # recent runs, read when the spider opens

    @classmethod
    def from_crawler(cls, crawler):
        options = config.options(crawler.settings)
        if not options.monitor_enabled:
            raise NotConfigured
        extension = cls(crawler, Thresholds.from_settings(crawler.settings), options.max_errors)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def history(self, spider, in_thread: bool):
        """Recent runs' Measures: a list, or (``in_thread``) a Deferred of one, bounded by the database time limits."""
        from newscrawl import db

        from twisted.internet.defer import succeed

        url = config.options(self.crawler.settings).database_url
        started = self.crawler.stats.get_value("start_time")
        if not url or not isinstance(started, datetime):
            return succeed([]) if in_thread else []
        # The recorder may already have completed this run's own row: leave it out.
        before = started.astimezone(timezone.utc) - timedelta(seconds=1)
        limits = db.Limits.from_settings(self.crawler.settings)
        arguments = (url, spider.name, before, self.limits.history, limits)
        if not in_thread:
            return [Measures.from_stats(s) for s in recent_runs(*arguments)]

        def failed(failure):
            logger.warning("Monitor: no run history (%s)", failure.getErrorMessage())
            return []

        return db.in_thread(recent_runs, *arguments, timeout=limits.call).addCallbacks(
            lambda runs: [Measures.from_stats(s) for s in runs], failed)

    def spider_opened(self, spider):
        # Read at the start, off the reactor thread: the past does not change during the run, a silent
        # database holds nothing up, and the verdict is in the stats before the run recorder stores them.
        self.history(spider, True).addCallback(lambda past: setattr(self, "past", past))

    def spider_closed(self, spider, reason):
        down = unreachable(self.crawler.stats.get_stats())
        if down or reason != "finished":
            return self.judge(spider, reason, down, [])
        past = self.past if self.past is not None else self.history(spider, False) if not self._reactor_running() else []
        return self.judge(spider, reason, None, past)

    @staticmethod
    def _reactor_running() -> bool:
        from twisted.internet import reactor

        return reactor.running

    def judge(self, spider, reason, down, history) -> None:
        stats = self.crawler.stats
        snapshot = stats.get_stats()
        errors = error_count(snapshot)
        alarms = []
        if down:
            stats.set_value(UNREACHABLE_KEY, down)
            logger.warning("UNREACHABLE %s: %s", spider.name, down)
            exitcodes.record(stats, EXIT_UNREACHABLE)
        elif reason == "finished":
            # A cut-short run (shutdown, timeout) saw too little to judge coverage or counts.
            # a portal page falls back to the generic page; the generic spiders' pages are the generic page
            portal = bool(getattr(getattr(spider, "page_class", None), "falls_back", False))
            alarms = check(Measures.from_stats(snapshot), history, self.limits, portal)
        stats.set_value(ALARMS_KEY, alarms)
        # Warnings, not errors: the alarm lines must not count towards log_count/ERROR themselves.
        if errors > self.max_errors:
            logger.warning("%s: %d errors, more than NEWSCRAWL_MAX_ERRORS=%d", spider.name, errors, self.max_errors)
        for alarm in alarms:
            logger.warning("ALARM %s: %s", spider.name, alarm)
        if alarms:
            exitcodes.record(stats, EXIT_MONITOR_ALARM)
