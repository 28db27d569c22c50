"""Article pages read in worker processes, so the crawl's own process keeps its core for Scrapy.

Reading an article page (parsing it, the portal's selectors, the loader's processors, the body cleaner)
is most of a crawl's CPU time: in a 2,000-article crawl the crawl's process was busy 98% of the time, and
the callbacks took over half of it (bench/bench_crawl.py, docs/BENCHMARKS.md). With
``NEWSCRAWL_EXTRACT_PROCESSES`` = N > 0 this downloader middleware hands each article's first page (a 2xx
text response a portal spider asked for as an article) to one of N worker processes, which build the
spider's page object (``page_class``, newscrawl/pages/) from the bytes, the spider's page settings and the
canonical URL, and ``read()`` it, as ``read_first_page`` does here. The answer (the article, or none, and
the URL of its page 2) goes to ``response.meta`` for ``parse_article``; what the page counted and noted is
counted and logged here (``NewsSpider.relay``). Nothing else changes: the callback, the item pipelines and
every stat are the same as without workers.

- The workers start once the run has ``NEWSCRAWL_WORKERS_MIN_PAGES`` article pages seen or waiting
  (``workerpool.worth_starting``); until then, and until they are ready (a second or two), pages are read
  in the crawl's process, so a short crawl never waits nor pays for a start. So are they where no worker can start
  (``newscrawl/extract/worker_unavailable``), for a spider a worker cannot import (`scrapy runspider
  FILE`) and without the asyncio reactor. ``newscrawl/extract/pages_in_worker`` counts the pages read in
  workers.
- A worker that raises on a page: the page is read here again, so the error is the callback's, counted
  as ever (``newscrawl/pages/failed/<Exception>``).
- A worker that dies (killed, out of memory): its pages are read here (``newscrawl/extract/worker_died``),
  and new workers are started, up to three times a crawl.
- The workers exit with the crawl, SIGKILL included (newscrawl/workerpool.py).

Spiders whose reading needs more than the page and their settings set ``read_in_worker = False`` (the
generic spiders: a feed entry travels in ``meta``).
"""

from __future__ import annotations

import asyncio
import importlib.util
import logging
from concurrent.futures.process import BrokenProcessPool
from typing import NamedTuple

from scrapy import signals
from scrapy.http import Request, TextResponse

from newscrawl import config
from newscrawl.archive import CAPTURED_AT
from newscrawl.middlewares import CrawlerMiddleware
from newscrawl.pages import PageSettings
from newscrawl.spiders.base import READ_IN_WORKER
from newscrawl.workerpool import Unavailable, WorkerPool, worth_starting

logger = logging.getLogger(__name__)

MAX_RESTARTS = 3


class ReadPage(NamedTuple):
    """``Page.read``'s answer for the page at ``url`` (``NewsSpider.read_first_page``)."""

    url: str
    result: tuple


# ------------------------------------------------------------------ the worker's side


class PageSpec(NamedTuple):
    """How a worker builds one page: the spider's page class, its settings, the portal's name, the canonical URL."""

    page_class: type
    settings: PageSettings
    portal: str
    url: str


_level = logging.DEBUG


def _setup(level: int) -> None:
    """Once per worker: the crawl's log level (what a page noted below it is not sent back)."""
    global _level
    _level = level


def _warm() -> None:
    """Import what reading needs (the generic extractor, the loader's processors) before the first page."""
    import newscrawl.extract.page  # noqa: F401
    import newscrawl.loaders  # noqa: F401
    import newscrawl.pages  # noqa: F401


def _read(spec: PageSpec, url: str, response_class, status: int, headers: dict, body: bytes, encoding: str, flags: list,
          captured=None):
    """``(result, counts, notes)`` of ``Page.read`` on the page, or None when it raised. ``captured``: when a
    replayed page was fetched (`scrapy reextract`), which relative dates resolve against."""
    meta = {"newscrawl": "article", **({CAPTURED_AT: captured} if captured else {})}
    response = response_class(url=url, status=status, headers=headers, body=body, encoding=encoding, flags=flags,
                              request=Request(url, meta=meta))
    page = spec.page_class(response, spec.settings, spec.portal, spec.url)
    try:
        result = page.read()
    except Exception:  # noqa: BLE001 - the crawl's process reads the page again and fails it its own way
        return None
    return result, page.counts, [note for note in page.notes if note[1] >= _level]


# ------------------------------------------------------------------- the crawl's side


class ExtractWorkerMiddleware(CrawlerMiddleware):
    """Hands article pages to ``NEWSCRAWL_EXTRACT_PROCESSES`` worker processes (0: read them in the crawl's process)."""

    def __init__(self, crawler):
        super().__init__(crawler)
        options = config.options(crawler.settings)
        self.size = options.extract_processes
        self.min_pages = options.workers_min_pages
        self.pages_seen = 0
        self.pool: WorkerPool | None = None
        self.starting: asyncio.Future | None = None  # the pool's start, held so that asyncio does not drop the task
        self.restarts = 0
        crawler.signals.connect(self.close, signal=signals.spider_closed)

    def wanted(self, request, response, spider) -> bool:
        return bool(
            self.size and request.meta.get("newscrawl") == "article" and getattr(spider, "read_in_worker", False)
            and isinstance(response, TextResponse) and 200 <= response.status < 300 and response.body
            and spider.is_article_url(response.url)
        )

    async def process_response(self, request, response, spider=None):
        spider = self.crawler.spider
        if not self.wanted(request, response, spider):
            return response
        self.pages_seen += 1
        pool = self.pool
        if pool is None:
            if not worth_starting(self.crawler, self.pages_seen, self.min_pages):
                return response  # a run too small to gain from a worker: read here
            pool = self.new_pool(spider)
            if pool is None:
                return response
        if not pool.ready and self.min_pages == 0 and self.starting is not None:
            await asyncio.shield(self.starting)  # started with the crawl (0): its pages wait for the workers, once
        if not pool.ready:  # starting (a second or two): this page is read here, and so is every page of a short crawl
            return response
        spec = PageSpec(spider.page_class, spider.page_settings, spider.name, spider.canonical_article_url(response.url))
        try:
            answer = await asyncio.wrap_future(pool.submit(
                _read, spec, response.url, type(response), response.status, dict(response.headers), response.body,
                response.encoding, list(response.flags), request.meta.get(CAPTURED_AT),
            ))
        except (BrokenProcessPool, OSError, RuntimeError):  # a worker died; RuntimeError: a pool closed meanwhile
            self.died(pool)
            return response
        if answer is None:  # it raised there: the callback reads the page and fails it its own way
            return response
        result, counts, notes = answer
        self.crawler.stats.inc_value("newscrawl/extract/pages_in_worker")
        spider.relay(counts, notes)
        request.meta[READ_IN_WORKER] = ReadPage(response.url, result)
        return response

    def new_pool(self, spider) -> WorkerPool | None:
        """A pool for ``spider`` (``wanted`` has checked that workers are on), starting off the reactor
        (``self.starting``); None where pages are read here."""
        from scrapy.utils.reactor import is_asyncio_reactor_installed

        if not is_asyncio_reactor_installed():
            self.give_up(None, "NEWSCRAWL_EXTRACT_PROCESSES needs the asyncio reactor: pages are read in the crawl's process")
            return None
        module = spider.page_class.__module__
        if importlib.util.find_spec(module) is None:  # a page class in `scrapy runspider FILE`
            self.give_up(None, f"Module {module} cannot be imported by a worker: pages are read in the crawl's process")
            return None
        level = self.crawler.settings.get("LOG_LEVEL") or logging.DEBUG
        level = level if isinstance(level, int) else logging.getLevelName(str(level).upper())
        self.pool = pool = WorkerPool("read worker", self.size, setup=_setup, warm=_warm,
                                      setup_args=(level if isinstance(level, int) else logging.DEBUG,))

        async def start():
            try:
                await asyncio.get_running_loop().run_in_executor(None, pool.start)  # starting a process takes a moment
                await asyncio.wrap_future(pool.started)
                logger.info("Read workers ready: %d process(es) read article pages from here on", self.size)
            except Unavailable as exc:
                if pool is self.pool:
                    self.give_up("newscrawl/extract/worker_unavailable", f"{exc}: pages are read in the crawl's process")
            except Exception:  # noqa: BLE001 - a worker that died starting (BrokenProcessPool)
                self.died(pool)

        self.starting = asyncio.ensure_future(start())
        return pool

    def died(self, pool: WorkerPool) -> None:
        """Every page in flight on a broken pool ends here: the pool is replaced once, if it ever worked."""
        if pool is not self.pool:
            return
        self.crawler.stats.inc_value("newscrawl/extract/worker_died")
        if not pool.was_ready:
            self.give_up(None, "The read workers could not start: pages are read in the crawl's process")
            return
        self.restarts += 1
        if self.restarts > MAX_RESTARTS:
            self.give_up(None, f"Read workers died {self.restarts} times: pages are read in the crawl's process")
            return
        logger.warning("A read worker died: its pages are read in the crawl's process, and new workers start")
        self.close()

    def give_up(self, stat: str | None, message: str) -> None:
        if stat:
            self.crawler.stats.inc_value(stat)
        logger.warning(message)
        self.size = 0
        self.close()

    def close(self, spider=None) -> None:
        pool, self.pool = self.pool, None
        if pool is not None:
            pool.close()
