"""Store articles in the database at NEWSCRAWL_DATABASE_URL: batched, off the reactor thread, spooled on outage."""

from __future__ import annotations

import logging

import sqlalchemy as sa
from itemadapter import ItemAdapter
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import deferred_from_coro, maybe_deferred_to_future
from twisted.internet.defer import Deferred
from twisted.internet.threads import deferToThreadPool
from twisted.python.threadpool import ThreadPool

from newscrawl import db, migrations, spool
from newscrawl.exitcodes import EXIT_SPOOLED
from newscrawl.pipelines.dedupe import DuplicateContent

logger = logging.getLogger(__name__)

EX_TEMPFAIL = EXIT_SPOOLED


class StorePipeline:
    """Writes items in batches of NEWSCRAWL_STORE_BATCH_SIZE on one worker thread.

    An item waits until its batch is written (at the latest NEWSCRAWL_STORE_FLUSH_INTERVAL seconds), so
    a level-2 duplicate found in the database is dropped like any other and never reaches the feed.
    When the database fails, a batch is retried NEWSCRAWL_STORE_RETRIES times, then spooled to
    NEWSCRAWL_SPOOL_DIR and the stat ``newscrawl/exit_code`` becomes 75.
    """

    def __init__(self, crawler, url: str, batch_size: int):
        settings = crawler.settings
        self.crawler = crawler
        self.stats = crawler.stats
        self.url = url
        self.batch_size = max(1, batch_size)
        self.flush_interval = settings.getfloat("NEWSCRAWL_STORE_FLUSH_INTERVAL", 1.0)
        self.retries = settings.getint("NEWSCRAWL_STORE_RETRIES", 3)
        self.retry_delay = settings.getfloat("NEWSCRAWL_STORE_RETRY_DELAY", 1.0)
        self.timeout = settings.getfloat("NEWSCRAWL_STORE_TIMEOUT", 5.0)
        self.spool_dir = settings.get("NEWSCRAWL_SPOOL_DIR") or "spool"
        self.spool_key = spool.database_key(url)
        self.buffer: list[tuple[dict, Deferred]] = []
        self.engine = db.create_engine(url, timeout=self.timeout)
        self.pool: ThreadPool | None = None
        self.timer = None
        self.pending: set[Deferred] = set()
        self.database_ok = True
        self.spool: spool.SpoolWriter | None = None

    @classmethod
    def from_crawler(cls, crawler):
        url = crawler.settings.get("NEWSCRAWL_DATABASE_URL")
        if not url:
            raise NotConfigured("NEWSCRAWL_DATABASE_URL is empty: storage is off")
        try:
            db.check_database_url(url)
        except ValueError as exc:
            raise SystemExit(str(exc)) from None
        pipeline = cls(crawler, url, crawler.settings.getint("NEWSCRAWL_STORE_BATCH_SIZE", 50))
        # Before the crawl starts, so a schema problem stops it with one line instead of mid-run.
        pipeline.prepare_schema(crawler.settings.getbool("NEWSCRAWL_DB_AUTO_MIGRATE", True))
        return pipeline

    def prepare_schema(self, auto_migrate: bool) -> None:
        try:
            if auto_migrate:
                before, after = migrations.upgrade(self.engine)
                if before != after:
                    logger.info("Database %s upgraded from revision %s to %s", self.engine.url, before, after)
                return
            current, head = migrations.current_revision(self.engine), migrations.head_revision()
        except sa.exc.OperationalError as exc:
            self.database_ok = False
            logger.error("Database unreachable at start (%s): items go to the spool in %s", _short(exc), self.spool_dir)
            return
        if current != head:
            raise SystemExit(
                f"database {self.engine.url!r} is at schema revision {current or 'none'}, this newscrawl needs {head}: "
                "run `scrapy migrate` (or set NEWSCRAWL_DB_AUTO_MIGRATE=1)"
            )

    async def open_spider(self):
        self.pool = ThreadPool(minthreads=1, maxthreads=1, name="newscrawl-store")
        self.pool.start()
        if self.database_ok and spool.pending(self.spool_dir, self.spool_key):
            try:
                counts = await self._in_thread(spool.load, self.engine, self.spool_dir, 500, self.spool_key)
            except sa.exc.SQLAlchemyError as exc:
                logger.error("Could not load the spool in %s (%s): kept for the next run", self.spool_dir, _short(exc))
            else:
                self.stats.inc_value("newscrawl/store/spool_loaded", sum(counts.values()))
                logger.info("Loaded spooled items from %s: %s", self.spool_dir, counts)

    async def process_item(self, item):
        done = Deferred()
        self.buffer.append((db.article_row(ItemAdapter(item)), done))  # asdict() deep-copies
        if len(self.buffer) >= self.batch_size:
            self._start_flush()
        elif self.timer is None:
            from twisted.internet import reactor

            self.timer = reactor.callLater(self.flush_interval, self._start_flush)
        outcome, detail = await maybe_deferred_to_future(done)
        if outcome == "duplicate_content":
            raise DuplicateContent(f"{ItemAdapter(item).get('url')} has the same text as {detail}")
        return item

    async def close_spider(self):
        try:
            self._start_flush()
            while self.pending:
                await maybe_deferred_to_future(next(iter(self.pending)))
        finally:
            if self.spool is not None:
                path = self.spool.close()
                if path:
                    logger.error(
                        "%d items could not be stored and were spooled to %s; the next run (or `scrapy loadspool`) loads them",
                        self.spool.count, path,
                    )
            self.engine.dispose()
            if self.pool is not None:
                self.pool.stop()

    def _start_flush(self) -> None:
        if self.timer is not None:
            if self.timer.active():
                self.timer.cancel()
            self.timer = None
        batch, self.buffer = self.buffer, []
        if not batch:
            return
        flushing = deferred_from_coro(self.flush(batch))
        self.pending.add(flushing)
        flushing.addBoth(lambda result: (self.pending.discard(flushing), result)[1])
        flushing.addErrback(self._flush_failed, batch)

    @staticmethod
    def _flush_failed(failure, batch) -> None:
        # A bug, not an outage: fail the waiting items loudly rather than leave the crawl hanging on them.
        logger.error("Store flush failed: %s", failure.getTraceback())
        for _, done in batch:
            if not done.called:
                done.errback(failure)

    async def flush(self, batch: list[tuple[dict, Deferred]]) -> None:
        rows = [row for row, _ in batch]
        seen_at = db.utcnow()
        attempts = 1 + (self.retries if self.database_ok else 0)
        for attempt in range(attempts):
            try:
                outcomes = await self._in_thread(self._write, rows, seen_at)
            except (sa.exc.DataError, sa.exc.ProgrammingError) as exc:
                # A value or statement the database rejects: retrying cannot help; spool, so the item is not lost.
                logger.error("Database refused a batch: %s", _short(exc))
                break
            except sa.exc.DBAPIError as exc:
                # Outages (connection refused or dropped, file locked) and races with another writer: retry.
                logger.warning("Database write failed (attempt %d of %d): %s", attempt + 1, attempts, _short(exc))
                if attempt + 1 < attempts:
                    self.stats.inc_value("newscrawl/store/retries")
                    await self._sleep(self.retry_delay * 2**attempt)
                continue
            except Exception as exc:
                logger.error("Store failed on a batch: %s", _short(exc))
                break
            else:
                self.database_ok = True
                self._count(outcomes)
                for (_, done), outcome in zip(batch, outcomes):
                    done.callback(outcome)
                return
        self.database_ok = False
        try:
            await self._in_thread(self._spool, rows, seen_at)
        except Exception as exc:
            logger.critical("Could not spool %d items either: %s", len(rows), exc)
            self.stats.inc_value("newscrawl/store/lost", len(rows))
        else:
            self.stats.inc_value("newscrawl/store/spooled", len(rows))
        self.stats.max_value("newscrawl/exit_code", EX_TEMPFAIL)
        for _, done in batch:
            done.callback(("spooled", None))

    def _write(self, rows: list[dict], seen_at) -> list[tuple[str, str | None]]:
        with self.engine.begin() as connection:
            return db.write_batch(connection, rows, seen_at)

    def _spool(self, rows: list[dict], seen_at) -> None:
        if self.spool is None:
            spider = self.crawler.spider.name if self.crawler.spider else "crawl"
            self.spool = spool.SpoolWriter(self.spool_dir, spider, self.spool_key)
        self.spool.write(rows, seen_at)

    def _count(self, outcomes) -> None:
        stats = self.stats
        stats.inc_value("newscrawl/store/batches")
        for outcome, detail in outcomes:
            if outcome != "duplicate_content":
                stats.inc_value("newscrawl/store/written")
                stats.inc_value(f"newscrawl/store/{outcome}")
            if outcome == "inserted" and detail:
                stats.inc_value("newscrawl/store/near_duplicates")

    async def _in_thread(self, function, *args):
        from twisted.internet import reactor

        return await maybe_deferred_to_future(deferToThreadPool(reactor, self.pool, function, *args))

    @staticmethod
    async def _sleep(seconds: float) -> None:
        from twisted.internet import reactor
        from twisted.internet.task import deferLater

        await maybe_deferred_to_future(deferLater(reactor, seconds, lambda: None))


def _short(exc: BaseException) -> str:
    """The first line of a database error, without SQLAlchemy's long statement dump."""
    return str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
