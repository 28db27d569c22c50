"""A JOBDIR left by a forced shutdown is cleared in one line instead of resumed from a half-written queue."""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.job import job_dir

from newscrawl import config
from newscrawl.spool import process_alive

logger = logging.getLogger(__name__)

MARKER = "newscrawl.running"
STATE = ("requests.queue", "requests.seen", "spider.state")


class JobdirGuard:
    """Writes ``JOBDIR/newscrawl.running`` (the pid) at start and removes it once the spider closed cleanly.

    Scrapy saves the request queue's bookkeeping only when the spider closes; after a second Ctrl-C,
    SIGKILL or a crash the queue files no longer match it and resuming fails (``struct.error``) or
    skips requests. A marker still present at start therefore means the queue cannot be trusted: its
    state is removed and the run starts afresh. Nothing is lost by that: the interrupted run's listing
    walks stayed open (docs/SCHEMA.md, "Incremental crawling"), so this run walks them to the end and
    fetches every article not stored yet, and none that is.
    """

    def __init__(self, crawler, directory: Path):
        self.crawler = crawler
        self.directory = directory
        self.marker = directory / MARKER

    @classmethod
    def from_crawler(cls, crawler):
        directory = job_dir(crawler.settings)
        if not directory:
            raise NotConfigured
        guard = cls(crawler, Path(directory))
        guard.check()
        crawler.signals.connect(guard.spider_closed, signal=signals.spider_closed)
        return guard

    def check(self) -> None:
        if self.marker.exists():
            try:
                pid = int(self.marker.read_text().strip() or 0)
            except (OSError, ValueError):
                pid = 0
            if pid and pid != os.getpid() and process_alive(pid):
                raise config.StartError(f"JOBDIR {self.directory} is in use by the running process {pid}; give this run its own JOBDIR")
            for name in STATE:
                path = self.directory / name
                shutil.rmtree(path) if path.is_dir() else path.unlink(missing_ok=True)
            self.crawler.stats.set_value("newscrawl/jobdir/cleared", 1)
            logger.warning(
                "JOBDIR %s cannot be resumed: its run (pid %s) was forced down before it saved its queue; starting afresh "
                "(the listings' open walks make this run fetch every article that run did not store)", self.directory, pid or "?",
            )
        self.directory.mkdir(parents=True, exist_ok=True)
        self.marker.write_text(str(os.getpid()))

    def spider_closed(self, spider, reason):
        # The scheduler has closed its queues by now: what is on disk can be resumed.
        self.marker.unlink(missing_ok=True)

