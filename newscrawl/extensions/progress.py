"""One compact progress line per spider every NEWSCRAWL_PROGRESS_INTERVAL seconds on interactive runs."""

from __future__ import annotations

import sys
import time

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.asyncio import create_looping_call

from newscrawl import config



def wanted(setting, stream) -> bool:
    """NEWSCRAWL_PROGRESS: ``auto`` (a terminal gets progress, cron and pipes do not), on or off."""
    value = str(setting if setting is not None else "auto").strip().lower()
    if value in config.TRUE_WORDS:
        return True
    if value in config.FALSE_WORDS:
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def duration(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


class Progress:
    """``ofweek  0:02:10  pages 1,234 (9.5/s)  articles 880 (6.8/s)  dropped 12  errors 0  queued 57``.

    Rates are over the last interval; ``queued`` is requests waiting in the scheduler.
    """

    def __init__(self, crawler, interval: float, stream=None):
        self.crawler = crawler
        self.interval = interval
        self.stream = stream or sys.stderr
        self.task = None
        self.started = self.last_time = 0.0
        self.last_pages = self.last_items = 0

    @classmethod
    def from_crawler(cls, crawler):
        options = config.options(crawler.settings)
        interval = options.progress_interval
        if interval <= 0 or not wanted(options.progress, sys.stderr):
            raise NotConfigured
        extension = cls(crawler, interval)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self, spider):
        self.started = self.last_time = time.monotonic()
        self.task = create_looping_call(self.report, spider)
        self.task.start(self.interval, now=False)

    def spider_closed(self, spider, reason):
        if self.task is not None and self.task.running:
            self.task.stop()
        self.report(spider, final=reason)

    def line(self, name: str, now: float, final: str | None = None) -> str:
        stats = self.crawler.stats
        pages = stats.get_value("response_received_count", 0)
        items = stats.get_value("item_scraped_count", 0)
        dropped = stats.get_value("item_dropped_count", 0)
        errors = stats.get_value("log_count/ERROR", 0)
        queued = stats.get_value("scheduler/enqueued", 0) - stats.get_value("scheduler/dequeued", 0)
        if final is None:
            span = max(now - self.last_time, 1e-6)
            page_rate, item_rate = (pages - self.last_pages) / span, (items - self.last_items) / span
        else:
            span = max(now - self.started, 1e-6)
            page_rate, item_rate = pages / span, items / span
        self.last_time, self.last_pages, self.last_items = now, pages, items
        tail = f"queued {queued:,}" if final is None else f"done ({final})"
        return (
            f"{name}  {duration(now - self.started)}  pages {pages:,} ({page_rate:.1f}/s)  "
            f"articles {items:,} ({item_rate:.1f}/s)  dropped {dropped:,}  errors {errors:,}  {tail}"
        )

    def report(self, spider, final: str | None = None):
        self.stream.write(self.line(spider.name, time.monotonic(), final) + "\n")
        self.stream.flush()
