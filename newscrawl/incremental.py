"""Incremental crawling: known articles are not requested again; a listing stops early only behind a completed walk."""

from __future__ import annotations

import logging
from pathlib import Path

import sqlalchemy as sa
from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import DeferredLock

from newscrawl import config, db, spool

logger = logging.getLogger(__name__)

TRUE = ("1", "true", "yes", "on")
GONE = (404, 410)


def _flag(value) -> bool:
    return str(value).strip().lower() in TRUE if value is not None else False


class IncrementalMiddleware:
    """Spider middleware on list pages' output (``meta["newscrawl"] == "list"``).

    - an article request whose canonical URL is stored already (or answered 404/410 in the last
      NEWSCRAWL_GONE_DAYS days) is dropped before it is sent (``newscrawl/incremental/skipped``),
      unless the spider runs with ``-a refresh=1``;
    - when a list page's article links are all known, its next-page request is dropped
      (``newscrawl/incremental/stopped_listings``) - but only when the listing's previous walk
      completed (``listing_walks``): after an interrupted run, "page 1 is all known" proves nothing
      about pages 2..n, so the walk goes on to its natural end (``max_pages`` or the last page).

    A walk is marked open (in the database) before any article request of the listing is sent, and
    complete when the run finishes with every request answered and every item stored or spooled.
    Known articles are skipped with ``-a full=1`` or NEWSCRAWL_INCREMENTAL=0 off; walks are recorded either way.
    """

    def __init__(self, crawler, url: str):
        options = config.options(crawler.settings)
        self.crawler = crawler
        self.stats = crawler.stats
        self.limits = db.Limits.from_options(options)
        try:
            self.engine = db.create_engine(url, limits=self.limits)
        except ValueError as exc:
            raise config.StartError(str(exc)) from None
        self.gone_days = options.gone_days
        self.spool_dir = options.spool_dir or "spool"
        self.spool_key = spool.database_key(url)
        self.enabled = True
        self.refresh = False
        self.warned = False
        self.started_at = db.utcnow()
        self.trusted: dict[str, bool] = {}  # listing -> may stop at a page with nothing new
        self.depths: dict[str, int] = {}  # listing -> deepest list page read in this run
        self.opened: set[str] = set()  # listings whose walk this run marked open
        self.gone: dict[str, int] = {}
        self.lock = DeferredLock()
        self.distrust = False
        self.name = None
        self.shared = None  # a distributed crawl's walks (newscrawl.distributed.SharedWalks)

    @classmethod
    def from_crawler(cls, crawler):
        options = config.options(crawler.settings)
        url = options.database_url
        if not url or not options.incremental:
            raise NotConfigured
        middleware = cls(crawler, url)
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(middleware.response_received, signal=signals.response_received)
        # Before the store loads it at open: a spool left by a killed run means that run's walks were cut short,
        # and with the database down it could not say so in listing_walks.
        middleware.distrust = middleware._killed_run_spooled(getattr(crawler.spidercls, "name", None))
        return middleware

    def _killed_run_spooled(self, spider: str | None) -> bool:
        return any(path.name.endswith(".part") and path.name.startswith(f"{spider}.")
                   for path in spool.pending(Path(self.spool_dir), self.spool_key))

    def spider_opened(self, spider):
        self.name = spider.name
        self.enabled = not _flag(getattr(spider, "full", None))
        self.refresh = _flag(getattr(spider, "refresh", None))
        self.started_at = db.utcnow()
        self.shared = getattr(getattr(self.crawler.engine, "scheduler", None), "walks", None)
        if self.shared is not None:  # one start time for every worker of the crawl: their walks are one walk
            self.started_at = self.shared.join(self.started_at)
        if not self.enabled:
            logger.info("Incremental crawling off for this run (full=1)")
        if self.distrust:
            logger.info("A killed run left items in the spool: every listing is walked to its end this run")

    def response_received(self, response, request, spider):
        if response.status in GONE and request.meta.get("newscrawl") == "article":
            self.gone[request.url] = response.status

    async def spider_closed(self, spider, reason):
        try:
            if self.gone:
                await self._call(self._remember_gone, dict(self.gone))
            if self.shared is not None:
                await self._close_shared()
                return
            failed = unfinished_work(self.stats.get_stats())
            if reason == "finished" and not failed and self.opened:
                await self._call(self._complete, {k: self.depths.get(k, 1) for k in self.opened})
                self.stats.set_value("newscrawl/incremental/walks_completed", len(self.opened))
            elif self.opened:
                why = f"reason {reason}" if reason != "finished" else f"{failed} requests or items not done"
                logger.info("Listing walks left open (%s): the next run walks them to the end", why)
        except sa.exc.SQLAlchemyError as exc:
            logger.warning("Incremental state not saved (%s): the next run walks every listing to its end", db.describe(exc))
        finally:
            self.engine.dispose()

    async def _close_shared(self) -> None:
        """A distributed crawl's walks complete when its last worker leaves and every worker left clean."""
        from newscrawl.distributed import LAST_WORKER_KEY

        if not self.stats.get_value(LAST_WORKER_KEY):
            if self.opened:
                logger.info("Listing walks are completed by the crawl's last worker, once every worker finished")
            return
        depths, unclean = self.shared.finish()
        if unclean:
            logger.info("Listing walks left open: worker(s) %s failed requests, lost items or never finished; "
                        "the next run walks them to the end", ", ".join(unclean))
        elif depths:
            await self._call(self._complete, depths)
            self.stats.set_value("newscrawl/incremental/walks_completed", len(depths))

    async def process_spider_output(self, response, result):
        if response.meta.get("newscrawl") != "list":
            async for output in result:
                yield output
            return
        outputs = [output async for output in result]
        listing = response.meta.get("newscrawl_listing") or (response.meta.get("redirect_urls") or [response.url])[0]
        page = (getattr(response.request, "cb_kwargs", None) or {}).get("page", 1)
        self.depths[listing] = max(self.depths.get(listing, 0), int(page or 1))
        trusted = await self.begin_walk(listing)
        if self.shared is not None and listing in self.opened:
            self.shared.walked(listing, self.depths[listing])
        for output in outputs:
            if _kind(output) == "list":
                output.meta.setdefault("newscrawl_listing", listing)
        if not self.enabled:
            for output in outputs:
                yield output
            return
        articles = [o for o in outputs if _kind(o) == "article"]
        known = await self.known([o.url for o in articles]) if articles else set()
        fresh = sum(1 for o in articles if o.url not in known)
        nothing_new = bool(articles) and fresh == 0
        if nothing_new and not trusted:
            self.stats.inc_value("newscrawl/incremental/unconfirmed_pages")
        for output in outputs:
            kind = _kind(output)
            if kind == "article" and output.url in known and not self.refresh:
                self.stats.inc_value("newscrawl/incremental/skipped")
                self.stats.inc_value("newscrawl/incremental/skipped/article")
                continue
            if kind == "list" and nothing_new and trusted:
                self.stats.inc_value("newscrawl/incremental/skipped")
                self.stats.inc_value("newscrawl/incremental/stopped_listings")
                logger.info("Nothing new on %s: not requesting %s", response.url, output.url)
                continue
            yield output

    async def begin_walk(self, listing: str) -> bool:
        """Whether this listing may stop early; marks its walk open first (once per run)."""
        if listing in self.trusted:
            return self.trusted[listing]
        await maybe_deferred_to_future(self.lock.acquire())
        try:
            if listing not in self.trusted:
                try:
                    state = await self._call(self._open, listing)
                except sa.exc.SQLAlchemyError as exc:
                    self._unavailable(exc)
                    state = None
                else:
                    self.opened.add(listing)
                trusted = bool(state and state["open_walk_started_at"] is None and state["completed_at"] is not None)
                self.trusted[listing] = trusted and not self.distrust
                if not self.trusted[listing]:
                    self.stats.inc_value("newscrawl/incremental/unconfirmed_listings")
                    if state is None and listing in self.opened:
                        logger.info("Listing %s: first walk, reading it to the end", listing)
                    else:
                        logger.info("Listing %s: its last walk did not complete, walking it to the end", listing)
            return self.trusted[listing]
        finally:
            self.lock.release()

    async def known(self, urls: list[str]) -> set[str]:
        gone = {url for url in urls if url in self.gone}
        try:
            return gone | await self._call(self._known, urls)
        except sa.exc.SQLAlchemyError as exc:
            self._unavailable(exc)
            return gone

    def _unavailable(self, exc) -> None:
        # Without the database every article counts as new: a full crawl, nothing missed.
        self.stats.inc_value("newscrawl/incremental/unavailable")
        if not self.warned:
            self.warned = True
            logger.warning("Incremental check unavailable (%s): crawling as if nothing were stored", db.describe(exc))

    async def _call(self, function, *args):
        return await maybe_deferred_to_future(db.in_thread(function, *args, timeout=self.limits.call))

    def _known(self, urls: list[str]) -> set[str]:
        with self.engine.connect() as connection:
            return db.known_urls(connection, urls, self.gone_days)

    def _open(self, listing: str) -> dict | None:
        with self.engine.begin() as connection:
            state = db.listing_states(connection, self.name, [listing]).get(listing)
            db.open_walks(connection, self.name, [listing], self.started_at)
            return state

    def _complete(self, depths: dict[str, int]) -> int:
        with self.engine.begin() as connection:
            return db.complete_walks(connection, self.name, depths, self.started_at)

    def _remember_gone(self, gone: dict[str, int]) -> None:
        with self.engine.begin() as connection:
            db.remember_gone(connection, gone, db.utcnow())


def unfinished_work(stats: dict) -> int:
    """Requests that failed (other than a 404/410 article) and items neither stored nor spooled."""
    count = 0
    for key, value in stats.items():
        if key.startswith("newscrawl/pages/failed/") or key == "newscrawl/store/lost":
            count += int(value or 0)
        elif key.startswith("newscrawl/pages/http_error/") and key.rsplit("/", 1)[1] not in ("404", "410"):
            count += int(value or 0)
    return count


def _kind(output) -> str | None:
    meta = getattr(output, "meta", None)
    return meta.get("newscrawl") if isinstance(meta, dict) else None
