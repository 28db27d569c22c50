"""Store articles in the database at NEWSCRAWL_DATABASE_URL: batched, off the reactor thread, spooled on outage."""

from __future__ import annotations

import logging
import time

import sqlalchemy as sa
from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import deferred_from_coro, maybe_deferred_to_future
from twisted.internet.defer import Deferred, DeferredLock

from newscrawl import archive, config, db, exitcodes, migrations, spool, storeworker, workerpool
from newscrawl.exitcodes import EXIT_NOT_STORED, EXIT_SPOOLED
from newscrawl.extensions import console
from newscrawl.pipelines.dedupe import DuplicateContent

logger = logging.getLogger(__name__)

EX_TEMPFAIL = EXIT_SPOOLED
QUIET_CHECK = 0.05  # seconds between checks whether anything else can still join a partly filled batch


class StorePipeline:
    """Writes items in batches of NEWSCRAWL_STORE_BATCH_SIZE, one batch at a time, in a worker process
    (NEWSCRAWL_STORE_PROCESS; else on threads), never on the reactor thread.

    An item waits until its batch is written, so a level-2 duplicate found in the database is dropped
    like any other and never reaches the feed. A partly filled batch is written as soon as nothing else
    can join it (no download in flight, nothing scheduled, every item in the pipelines waiting here),
    when the spider goes idle or closes, and at the latest after NEWSCRAWL_STORE_FLUSH_INTERVAL seconds.
    Every database call is bounded (``db.Limits``). When the database fails, a batch is retried
    NEWSCRAWL_STORE_RETRIES times, then spooled to NEWSCRAWL_SPOOL_DIR (exit code 75); rows the database
    refuses are isolated and written to ``DIR/rejects/`` (exit code 74), as are rows that could not be
    spooled either.
    """

    def __init__(self, crawler, url: str, batch_size: int):
        options = config.options(crawler.settings)
        self.crawler = crawler
        self.stats = crawler.stats
        self.url = url
        self.batch_size = max(1, batch_size)
        self.flush_interval = options.store_flush_interval
        self.retries = options.store_retries
        self.retry_delay = options.store_retry_delay
        self.limits = db.Limits.from_options(options)
        self.spool_dir = options.spool_dir or "spool"
        self.spool_key = spool.database_key(url)
        self.buffer: list[tuple[dict, Deferred]] = []
        self.waiting = 0  # items whose batch is buffered or being written
        self.engine = db.create_engine(url, limits=self.limits)
        # Batches are written by a worker process (NEWSCRAWL_STORE_PROCESS, newscrawl/storeworker.py), else on threads.
        # Until it is ready, and in a run too small to gain from it (workerpool.worth_starting), on threads here.
        self.worker = storeworker.StoreWorker(url, self.limits) if options.store_process else None
        self.worker_min_pages = options.workers_min_pages
        self.items_seen = 0
        self.worker_starting = False  # the worker's start was asked for
        self.worker_unavailable: storeworker.Unavailable | None = None  # no worker process can start here
        self.timer = None
        self.quiet = None
        self.writing = DeferredLock()  # one batch at a time: the duplicate checks see every earlier batch
        self.pending: set[Deferred] = set()
        self.database_ok = True
        self.silent_until = 0.0  # after a call that timed out, batches go straight to the spool until then
        self.spool: spool.SpoolWriter | None = None
        self.rejects: spool.RejectWriter | None = None

    @classmethod
    def from_crawler(cls, crawler):
        options = config.options(crawler.settings)
        url = options.database_url
        if not url:
            raise NotConfigured("NEWSCRAWL_DATABASE_URL is empty: storage is off")
        try:
            db.check_database_url(url)
            pipeline = cls(crawler, url, options.store_batch_size)
        except ValueError as exc:
            raise config.StartError(str(exc)) from None
        # Before the crawl starts, so a schema or configuration problem stops it with one line instead of mid-run.
        pipeline.prepare_schema(options.db_auto_migrate)
        crawler.signals.connect(pipeline.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(pipeline.spider_opened, signal=signals.spider_opened)
        return pipeline

    def prepare_schema(self, auto_migrate: bool) -> None:
        shown = db.shown_url(self.url)
        try:
            if auto_migrate:
                before, after = migrations.upgrade(self.engine)
                if before != after:
                    logger.info("Database %s upgraded from revision %s to %s", shown, before, after)
                return
            current, head = migrations.current_revision(self.engine), migrations.head_revision()
        except sa.exc.SQLAlchemyError as exc:
            if db.classify(exc) == "configuration":
                raise config.StartError(f"database {shown}: {db.describe(exc)}; fix NEWSCRAWL_DATABASE_URL") from None
            if not isinstance(exc, (sa.exc.OperationalError, sa.exc.InterfaceError)):
                raise
            self.database_ok = False
            logger.error("Database unreachable at start (%s at %s): items go to the spool in %s", db.describe(exc), shown, self.spool_dir)
            return
        if current != head:
            raise config.StartError(
                f"database {shown} is at schema revision {current or 'none'}, this newscrawl needs {head}: "
                "run `scrapy migrate` (or set NEWSCRAWL_DB_AUTO_MIGRATE=1)"
            )

    def spider_opened(self, spider):
        # Said once the console is set up (newscrawl/extensions/console.py), so that cron sees it too.
        files, items = spool.others(self.spool_dir, self.spool_key)
        if files:
            logger.warning(
                "%d items in %d spool file(s) in %s were meant for another database; "
                "`scrapy loadspool %s --all` loads them into this one", items, files, self.spool_dir, self.spool_dir,
                extra=console.ACT,
            )
            self.stats.set_value("newscrawl/store/spool_other_databases", items)

    async def open_spider(self):
        if self.database_ok and spool.pending(self.spool_dir, self.spool_key):
            try:
                counts = await self._call(spool.load, self.engine, self.spool_dir, 500, self.spool_key)
            except Exception as exc:
                logger.error("Could not load the spool in %s (%s): kept for the next run", self.spool_dir, db.describe(exc))
            else:
                self.stats.inc_value("newscrawl/store/spool_loaded", sum(counts.values()) - counts.get("rejected", 0))
                if counts.get("rejected"):
                    self.stats.inc_value("newscrawl/store/rejected", counts["rejected"])
                    exitcodes.record(self.stats, EXIT_NOT_STORED)
                logger.info("Loaded spooled items from %s: %s", self.spool_dir, counts)

    async def process_item(self, item):
        self.items_seen += 1
        if (self.worker is not None and not self.worker_starting
                and workerpool.worth_starting(self.crawler, self.items_seen, self.worker_min_pages)):
            self._start_worker()  # batches are written here until it is ready
        done = Deferred()
        self.buffer.append((self.row(item), done))
        self.waiting += 1
        try:
            if len(self.buffer) >= self.batch_size:
                self._start_flush()
            else:
                self._watch()
            outcome, detail = await maybe_deferred_to_future(done)
        finally:
            self.waiting -= 1
        if outcome == "duplicate_content":
            raise DuplicateContent(f"{ItemAdapter(item).get('url')} has the same text as {detail}")
        return item

    def row(self, item) -> dict:
        """The item's ``articles`` row, with where its page is archived (NEWSCRAWL_ARCHIVE_DIR)."""
        return {**db.article_row(ItemAdapter(item)), **archive.source_columns(item)}  # not asdict(): it deep-copies

    def _start_worker(self) -> None:
        import threading

        def start(worker):
            try:
                worker.start()
            except storeworker.Unavailable as exc:
                self.worker_unavailable = exc  # said once, by the next batch (_write), written on a thread

        self.worker_starting = True  # off the reactor: starting the process server takes a moment
        threading.Thread(target=start, args=(self.worker,), daemon=True, name="newscrawl-store-worker").start()

    def spider_idle(self, spider):
        self._start_flush()

    def _watch(self) -> None:
        """Flush a partly filled batch once nothing else can join it; at the latest after flush_interval."""
        from twisted.internet import reactor
        from twisted.internet.task import LoopingCall

        if self.timer is None:
            self.timer = reactor.callLater(self.flush_interval, self._start_flush)
        if self.quiet is None:
            self.quiet = LoopingCall(self._flush_if_quiet)
            self.quiet.start(QUIET_CHECK, now=False)

    def _flush_if_quiet(self) -> None:
        if self.buffer and self._nothing_else_coming():
            self._start_flush()

    def _nothing_else_coming(self) -> bool:
        try:
            engine = getattr(self.crawler, "engine", None)
        except RuntimeError:  # Scrapy 2.19 raises until the crawl starts (the pipeline used outside a crawl)
            return False
        scraper = getattr(engine, "scraper", None)
        scheduler = getattr(engine, "scheduler", None)
        if engine is None or scraper is None or scheduler is None:
            return False
        return (not engine.downloader.active and not scheduler.has_pending_requests()
                and not scraper.slot.queue and scraper.slot.itemproc_size <= self.waiting)

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
            if self.rejects is not None and self.rejects.count:
                logger.error("%d items were refused by the database or could not be spooled: written to %s with their reasons",
                             self.rejects.count, self.rejects.path)
                self.stats.set_value("newscrawl/store/rejects_file", str(self.rejects.path))
            if self.worker is not None:
                self.worker.close()
            self.engine.dispose()

    def _start_flush(self) -> None:
        if self.timer is not None:
            if self.timer.active():
                self.timer.cancel()
            self.timer = None
        if self.quiet is not None:
            if self.quiet.running:
                self.quiet.stop()
            self.quiet = None
        batch, self.buffer = self.buffer, []
        if not batch:
            return
        flushing = deferred_from_coro(self._flush_in_turn(batch))
        self.pending.add(flushing)
        flushing.addBoth(lambda result: (self.pending.discard(flushing), result)[1])
        flushing.addErrback(self._flush_failed, batch)

    async def _flush_in_turn(self, batch) -> None:
        await maybe_deferred_to_future(self.writing.acquire())
        try:
            await self.flush(batch)
        finally:
            self.writing.release()

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
        if time.monotonic() < self.silent_until:
            attempts = 0  # a hanging database: do not make every batch wait out the time limit
        for attempt in range(attempts):
            try:
                outcomes = await self._write(rows, seen_at)
            except Exception as exc:
                if isinstance(exc, db.DatabaseTimeout):
                    self.silent_until = time.monotonic() + self.limits.call
                    if self.worker is not None:
                        self.worker.reset()  # it may hang on the dead database for a long while: a new one next time
                    logger.warning("Database write failed: %s", db.describe(exc))
                    break
                # Outages (refused, dropped, silent, locked) and races with another writer: retry, then spool.
                logger.warning("Database write failed (attempt %d of %d): %s", attempt + 1, attempts, db.describe(exc))
                if attempt + 1 < attempts:
                    self.stats.inc_value("newscrawl/store/retries")
                    await self._sleep(self.retry_delay * 2**attempt)
                continue
            self.database_ok = True
            self._count(outcomes)
            refused = [(detail, row) for (outcome, detail), row in zip(outcomes, rows) if outcome == "rejected"]
            if refused:
                self._reject(refused, seen_at)
            for (_, done), outcome in zip(batch, outcomes):
                done.callback(outcome)
            return
        self.database_ok = False
        try:
            self._spool(rows, seen_at)
        except OSError as exc:
            logger.critical("Could not spool %d items either (%s): writing them to the rejects file", len(rows), exc)
            self.stats.inc_value("newscrawl/store/lost", len(rows))
            self._reject([(f"database down and spool unwritable: {exc}", row) for row in rows], seen_at)
        else:
            self.stats.inc_value("newscrawl/store/spooled", len(rows))
            exitcodes.record(self.stats, EXIT_SPOOLED)
        for _, done in batch:
            done.callback(("spooled", None))

    async def _write(self, rows: list[dict], seen_at):
        worker = self.worker
        if worker is not None and self.worker_unavailable is not None:
            logger.warning("%s: batches are written on threads of this process instead (NEWSCRAWL_STORE_PROCESS=0)",
                           self.worker_unavailable)
            self.stats.set_value("newscrawl/store/worker_unavailable", 1)
            self.worker = worker = None
        if worker is not None and self.worker_starting and not worker.running:
            self._start_worker()  # one that died or was killed: a new one, this batch written here meanwhile
        if worker is not None and worker.ready:
            try:
                outcomes = await self._call(worker.write_rows, rows, seen_at)
                self.stats.inc_value("newscrawl/store/batches_in_worker")
                return outcomes
            except storeworker.Unavailable:  # closed meanwhile: the crawl is ending
                pass
        return await self._call(db.write_rows, self.engine, rows, seen_at)

    def _reject(self, refused: list[tuple[str, dict]], seen_at) -> None:
        for reason, row in refused:
            logger.error("Item refused, not stored: %s (%s)", row.get("url") if isinstance(row, dict) else row, reason)
        exitcodes.record(self.stats, EXIT_NOT_STORED)
        try:
            if self.rejects is None:
                spider = self.crawler.spider.name if self.crawler.spider else "crawl"
                self.rejects = spool.RejectWriter(self.spool_dir, f"{spider}.{self.spool_key}")
            self.rejects.write(refused, seen_at)
        except OSError as exc:
            logger.critical("Could not write %d refused items to the rejects file either: %s", len(refused), exc)

    def _spool(self, rows: list[dict], seen_at) -> None:
        if self.spool is None:
            spider = self.crawler.spider.name if self.crawler.spider else "crawl"
            self.spool = spool.SpoolWriter(self.spool_dir, spider, self.spool_key)
        self.spool.write(rows, seen_at)

    def _count(self, outcomes) -> None:
        stats = self.stats
        stats.inc_value("newscrawl/store/batches")
        for outcome, detail in outcomes:
            if outcome == "rejected":
                stats.inc_value("newscrawl/store/rejected")
            elif outcome != "duplicate_content":
                stats.inc_value("newscrawl/store/written")
                stats.inc_value(f"newscrawl/store/{outcome}")
            if outcome == "inserted" and detail:
                stats.inc_value("newscrawl/store/near_duplicates")
            elif outcome in ("updated", "improved") and detail:
                for name in detail.split(","):
                    stats.inc_value(f"newscrawl/store/changed/{name}")

    async def _call(self, function, *args):
        return await maybe_deferred_to_future(db.in_thread(function, *args, timeout=self.limits.call))

    @staticmethod
    async def _sleep(seconds: float) -> None:
        from twisted.internet import reactor
        from twisted.internet.task import deferLater

        await maybe_deferred_to_future(deferLater(reactor, seconds, lambda: None))


def _short(exc: BaseException) -> str:
    """The first line of a database error, without SQLAlchemy's long statement dump."""
    return db.describe(exc)
