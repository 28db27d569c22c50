"""Incremental crawling: known articles are not requested again, and a listing stops at a page with nothing new."""

from __future__ import annotations

import logging

import sqlalchemy as sa
from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.threads import deferToThread

from newscrawl import db

logger = logging.getLogger(__name__)

TRUE = ("1", "true", "yes", "on")


def _flag(value) -> bool:
    return str(value).strip().lower() in TRUE if value is not None else False


class IncrementalMiddleware:
    """Spider middleware on list pages' output (``meta["newscrawl"] == "list"``).

    - an article request whose canonical URL is stored already is dropped before it is sent
      (``newscrawl/incremental/skipped``), unless the spider runs with ``-a refresh=1``;
    - when a list page's article links are all known, its next-page request is dropped
      (``newscrawl/incremental/stopped_listings``): older pages hold older, known articles.

    Off with ``-a full=1`` or NEWSCRAWL_INCREMENTAL=0.
    """

    def __init__(self, crawler, url: str):
        self.crawler = crawler
        self.stats = crawler.stats
        self.engine = db.create_engine(url, timeout=crawler.settings.getfloat("NEWSCRAWL_STORE_TIMEOUT", 5.0))
        self.enabled = True
        self.refresh = False
        self.warned = False

    @classmethod
    def from_crawler(cls, crawler):
        url = crawler.settings.get("NEWSCRAWL_DATABASE_URL")
        if not url or not crawler.settings.getbool("NEWSCRAWL_INCREMENTAL", True):
            raise NotConfigured
        middleware = cls(crawler, url)
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def spider_opened(self, spider):
        self.enabled = not _flag(getattr(spider, "full", None))
        self.refresh = _flag(getattr(spider, "refresh", None))
        if not self.enabled:
            logger.info("Incremental crawling off for this run (full=1)")

    def spider_closed(self, spider):
        self.engine.dispose()

    async def process_spider_output(self, response, result):
        if not self.enabled or response.meta.get("newscrawl") != "list":
            async for output in result:
                yield output
            return
        outputs = [output async for output in result]
        articles = [o for o in outputs if _kind(o) == "article"]
        known = await self.known([o.url for o in articles]) if articles else set()
        fresh = sum(1 for o in articles if o.url not in known)
        stop = bool(articles) and fresh == 0
        for output in outputs:
            kind = _kind(output)
            if kind == "article" and output.url in known and not self.refresh:
                self.stats.inc_value("newscrawl/incremental/skipped")
                self.stats.inc_value("newscrawl/incremental/skipped/article")
                continue
            if kind == "list" and stop:
                self.stats.inc_value("newscrawl/incremental/skipped")
                self.stats.inc_value("newscrawl/incremental/stopped_listings")
                logger.info("Nothing new on %s: not requesting %s", response.url, output.url)
                continue
            yield output

    async def known(self, urls: list[str]) -> set[str]:
        try:
            return await maybe_deferred_to_future(deferToThread(self._known, urls))
        except sa.exc.SQLAlchemyError as exc:
            # Without the database every article counts as new: a full crawl, nothing missed.
            self.stats.inc_value("newscrawl/incremental/unavailable")
            if not self.warned:
                self.warned = True
                logger.warning("Incremental check unavailable (%s): crawling as if nothing were stored", _short(exc))
            return set()

    def _known(self, urls: list[str]) -> set[str]:
        with self.engine.connect() as connection:
            return db.known_urls(connection, urls)


def _kind(output) -> str | None:
    meta = getattr(output, "meta", None)
    return meta.get("newscrawl") if isinstance(meta, dict) else None


def _short(exc: BaseException) -> str:
    return str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
