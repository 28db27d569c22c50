"""Pages into the archive as they arrive (downloader middleware), and each article's source location onto it (spider middleware)."""

from __future__ import annotations

import asyncio
import logging
import os
from concurrent.futures import Future
from datetime import datetime, timezone
from pathlib import Path

from scrapy import Request, signals
from scrapy.exceptions import NotConfigured

from newscrawl.archive import ARCHIVED, CAPTURED_AT, FIRST_PAGE, SOURCE, reader, retention
from newscrawl.archive.writer import ArchiveWriter, Capture, Pending, WarcFiles
from newscrawl.items import Article
from newscrawl.processors.dates import to_iso

logger = logging.getLogger(__name__)


def archive_dir(settings) -> Path | None:
    """NEWSCRAWL_ARCHIVE_DIR made ready to write, or None when the archive is off; SystemExit (one line) when it cannot be."""
    value = settings.get("NEWSCRAWL_ARCHIVE_DIR")
    if not value:
        return None
    path = Path(str(value)).expanduser()
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SystemExit(f"NEWSCRAWL_ARCHIVE_DIR={value}: cannot create it ({exc.strerror})") from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise SystemExit(f"NEWSCRAWL_ARCHIVE_DIR={value}: not writable")
    return path


class ArchiveMiddleware:
    """Downloader middleware: every response to a request the spider made (``meta["newscrawl"]``: list, article and
    continuation pages, redirects included) goes to the archive as received, before decompression and charset fixes.

    The records are built and written on the archive's own thread; ``request.meta[ARCHIVED]`` holds the ``Pending`` location
    ``(file, offset)``. At open, files a killed crawl left are repaired and old ones pruned (NEWSCRAWL_ARCHIVE_DAYS,
    NEWSCRAWL_ARCHIVE_MAX_MB), on the same thread.
    """

    def __init__(self, crawler, directory: Path):
        settings = crawler.settings
        self.crawler = crawler
        self.directory = directory
        self.rotate_bytes = int(settings.getfloat("NEWSCRAWL_ARCHIVE_ROTATE_MB") * 1024 * 1024)
        self.days = settings.getfloat("NEWSCRAWL_ARCHIVE_DAYS")
        self.max_bytes = int(settings.getfloat("NEWSCRAWL_ARCHIVE_MAX_MB") * 1024 * 1024)
        self.writer: ArchiveWriter | None = None
        self.failed = False
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        directory = archive_dir(crawler.settings)
        if directory is None:
            raise NotConfigured
        return cls(crawler, directory)

    def spider_opened(self, spider):
        self.writer = ArchiveWriter(WarcFiles(self.directory, spider.name, self.rotate_bytes))
        self.writer.thread.submit(self.housekeeping)

    def housekeeping(self) -> None:
        """Repairs and retention: their trouble is logged, and the crawl's pages are archived all the same."""
        try:
            self._housekeeping()
        except OSError as exc:
            logger.error("Archive housekeeping in %s failed: %s", self.directory, exc)

    def _housekeeping(self) -> None:
        for name, cut in reader.repair(self.directory):
            logger.warning("Archive file %s was left open by a killed crawl: %d bytes of a cut record removed", name, cut)
        removed = retention.prune(self.directory, self.days, self.max_bytes)
        if removed:
            logger.info("Archive: %d old file(s) removed (%.1f MB)", len(removed), sum(size for _, size in removed) / 1e6)

    def process_response(self, request, response, spider=None):
        kind = request.meta.get("newscrawl")
        if kind is None or self.writer is None or self.failed:
            return response
        capture = Capture(
            url=response.url, status=response.status,
            headers=[(k, v) for k, values in response.headers.items() for v in values], body=response.body,
            method=request.method, request_headers=[(k, v) for k, values in request.headers.items() for v in values],
            request_body=request.body or b"", captured_at=datetime.now(timezone.utc),
            spider=self.crawler.spider.name, kind=kind,
        )
        pending = self.writer.submit(capture)
        pending.future.add_done_callback(self._done)
        request.meta[ARCHIVED] = pending
        self.crawler.stats.inc_value("newscrawl/archive/pages")
        return response

    def _done(self, future: Future) -> None:
        """On the archive's thread: a write that failed (disk full) stops the archive, said once; the crawl goes on."""
        exc = future.exception()
        if exc is None or self.failed:
            return
        self.failed = True
        from twisted.internet import reactor

        reactor.callFromThread(self._failed, exc)

    def _failed(self, exc: BaseException) -> None:
        self.crawler.stats.inc_value("newscrawl/archive/failed")
        logger.error("Archive write failed (%s): pages are no longer archived in this crawl", exc)

    async def spider_closed(self, spider):
        if self.writer is None:
            return
        writer, self.writer = self.writer, None
        try:
            await asyncio.wrap_future(writer.close())
        except OSError as exc:
            logger.error("Archive file could not be closed: %s", exc)


async def location(source) -> tuple[str, int] | None:
    """``(file, offset)`` of an archived page, once written (None when it could not be)."""
    if isinstance(source, Pending):
        try:
            return tuple(await asyncio.wrap_future(source.future))
        except Exception:  # noqa: BLE001 - said by the archive middleware
            return None
    return tuple(source) if source else None


class ArchiveSourceMiddleware:
    """Spider middleware: an article item gets the location of its first page (``SOURCE``: the store writes it to
    ``archive_file``/``archive_offset``); a continuation page's request carries it on. In a replay, the item's
    ``crawled_at`` is when the page was fetched."""

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.get("NEWSCRAWL_ARCHIVE_DIR") and not crawler.settings.get("ARCHIVE_REPLAY_INDEX"):
            raise NotConfigured
        return cls()

    async def process_spider_output(self, response, result):
        meta = getattr(getattr(response, "request", None), "meta", None) or {}
        source = meta.get(FIRST_PAGE) or meta.get(ARCHIVED)
        found: tuple[str, int] | None = None
        async for out in result:
            if source is not None and (isinstance(out, Article) or isinstance(out, Request) and out.meta.get("newscrawl") == "article_page"):
                found = found or await location(source)
                if isinstance(out, Request):
                    out.meta[FIRST_PAGE] = found
                elif found:
                    setattr(out, SOURCE, found)
            if isinstance(out, Article) and meta.get(CAPTURED_AT):
                out.crawled_at = to_iso(meta[CAPTURED_AT])
            yield out
