"""Store articles in the database at NEWSCRAWL_DATABASE_URL: batched, off the reactor thread."""

from __future__ import annotations

import logging

from itemadapter import ItemAdapter
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.threads import deferToThreadPool
from twisted.python.threadpool import ThreadPool

from newscrawl import db

logger = logging.getLogger(__name__)


class StorePipeline:
    """Upserts by url in batches of NEWSCRAWL_STORE_BATCH_SIZE on one worker thread."""

    def __init__(self, crawler, url: str, batch_size: int):
        self.crawler = crawler
        self.url = url
        self.batch_size = max(1, batch_size)
        self.buffer: list[dict] = []
        self.engine = None
        self.pool: ThreadPool | None = None

    @classmethod
    def from_crawler(cls, crawler):
        url = crawler.settings.get("NEWSCRAWL_DATABASE_URL")
        if not url:
            raise NotConfigured("NEWSCRAWL_DATABASE_URL is empty: storage is off")
        try:
            db.check_database_url(url)
        except ValueError as exc:
            raise SystemExit(str(exc)) from None
        return cls(crawler, url, crawler.settings.getint("NEWSCRAWL_STORE_BATCH_SIZE", 50))

    async def open_spider(self):
        self.pool = ThreadPool(minthreads=1, maxthreads=1, name="newscrawl-store")
        self.pool.start()
        self.engine = db.create_engine(self.url)
        await self._in_thread(db.metadata.create_all, self.engine)

    async def process_item(self, item):
        self.buffer.append(db.article_row(ItemAdapter(item).asdict()))
        if len(self.buffer) >= self.batch_size:
            await self.flush()
        return item

    async def close_spider(self):
        try:
            await self.flush()
        finally:
            if self.engine is not None:
                self.engine.dispose()
            if self.pool is not None:
                self.pool.stop()

    async def flush(self) -> None:
        rows, self.buffer = self.buffer, []
        if not rows:
            return
        await self._in_thread(self._write, rows)
        self.crawler.stats.inc_value("newscrawl/store/written", len(rows))
        self.crawler.stats.inc_value("newscrawl/store/batches")

    def _write(self, rows: list[dict]) -> None:
        with self.engine.begin() as connection:
            db.upsert_articles(connection, rows)

    async def _in_thread(self, function, *args):
        from twisted.internet import reactor

        return await maybe_deferred_to_future(deferToThreadPool(reactor, self.pool, function, *args))
