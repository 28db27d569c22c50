"""Record one crawl_runs row per spider run: inserted when the spider opens, completed when it closes."""

from __future__ import annotations

import json
import logging
import os
import socket
from pathlib import Path

import sqlalchemy as sa
from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import maybe_deferred_to_future

from newscrawl import config, db, exitcodes

logger = logging.getLogger(__name__)

SCRAPYD_JOB_KEY = "newscrawl/scrapyd_job"
SCALARS = {
    "items_scraped": "item_scraped_count",
    "items_dropped": "item_dropped_count",
    "items_stored": "newscrawl/store/written",
    "items_spooled": "newscrawl/store/spooled",
    "requests_skipped": "newscrawl/incremental/skipped",
    "errors": "log_count/ERROR",
}


def spider_arguments(spider) -> dict:
    """The spider's public simple attributes: its -a arguments as it parsed them."""
    return db.json_safe({
        key: value for key, value in vars(spider).items()
        if not key.startswith("_") and key not in ("name", "crawler", "settings")
        and isinstance(value, (str, int, float, bool, list, tuple, type(None)))
    })


class CrawlRunRecorder:
    """Needs the store's tables (the store migrates them first); a database outage is logged, not fatal."""

    def __init__(self, crawler, url: str):
        self.crawler = crawler
        self.limits = db.Limits.from_settings(crawler.settings)
        try:
            self.engine = db.create_engine(url, limits=self.limits)
        except ValueError as exc:  # the first component to read the URL: one line, exit 2
            raise config.StartError(str(exc)) from None
        self.run_id: int | None = None
        self.started_at = None
        self.spooled = SpooledRuns(config.options(crawler.settings).spool_dir, url)

    @classmethod
    def from_crawler(cls, crawler):
        options = config.options(crawler.settings)
        url = options.database_url
        if not url or not options.record_runs:
            raise NotConfigured
        recorder = cls(crawler, url)
        crawler.signals.connect(recorder.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(recorder.spider_closed, signal=signals.spider_closed)
        return recorder

    async def spider_opened(self, spider):
        self.started_at = db.utcnow()
        job = getattr(spider, "_job", None)  # Scrapyd passes its job id as the argument _job
        if isinstance(job, str) and job:
            self.crawler.stats.set_value(SCRAPYD_JOB_KEY, job[:64])
        row = {"spider": spider.name, "started_at": self.started_at, "hostname": socket.gethostname()[:255],
               "pid": os.getpid(), "arguments": spider_arguments(spider)}
        try:
            self.run_id = await maybe_deferred_to_future(db.in_thread(self._insert, row, timeout=self.limits.call))
        except sa.exc.SQLAlchemyError as exc:
            logger.warning("crawl_runs: could not record the start of this run: %s", _short(exc))
            self.crawler.stats.inc_value("newscrawl/runs/unrecorded")
            return
        try:  # the database answers: rows of runs it missed while it was down
            loaded = await maybe_deferred_to_future(db.in_thread(self.spooled.load, self.engine, timeout=self.limits.call))
        except sa.exc.SQLAlchemyError as exc:
            logger.warning("crawl_runs: could not load the spooled rows of earlier runs: %s", _short(exc))
        else:
            if loaded:
                self.crawler.stats.set_value("newscrawl/runs/spool_loaded", loaded)

    async def spider_closed(self, spider, reason):
        stats = self.crawler.stats.get_stats()
        row = {
            "finished_at": db.utcnow(),
            "finish_reason": reason,
            "exit_code": exitcodes.run_exit_code(stats, reason),
            "stats": db.json_safe(stats),
            **{column: int(stats.get(key) or 0) for column, key in SCALARS.items()},
        }
        try:
            await maybe_deferred_to_future(db.in_thread(self._complete, row, spider, timeout=self.limits.call))
        except sa.exc.SQLAlchemyError as exc:
            where = self.spooled.write(self.run_id, {**self._start_row(spider), **row})
            logger.warning("crawl_runs: could not record the end of this run (%s); %s", _short(exc),
                           f"its row waits in {where} for the next run" if where else "its row is lost")
        finally:
            self.engine.dispose()

    def _start_row(self, spider) -> dict:
        return {"spider": spider.name, "started_at": self.started_at, "hostname": socket.gethostname()[:255],
                "pid": os.getpid(), "arguments": spider_arguments(spider)}

    def _insert(self, row: dict) -> int:
        with self.engine.begin() as connection:
            return connection.execute(db.crawl_runs.insert().returning(db.crawl_runs.c.id), row).scalar_one()

    def _complete(self, row: dict, spider) -> None:
        with self.engine.begin() as connection:
            if self.run_id is not None:
                connection.execute(db.crawl_runs.update().where(db.crawl_runs.c.id == self.run_id), row)
            else:  # the database came back during the run
                connection.execute(db.crawl_runs.insert(), {
                    **self._start_row(spider), "started_at": self.started_at or row["finished_at"], **row})


class SpooledRuns:
    """Rows of runs that ended while the database was down, as files in NEWSCRAWL_SPOOL_DIR/runs/: written at the
    end of such a run, loaded by the next run whose database answers (the report and the monitor see them then)."""

    def __init__(self, spool_dir: str, url: str):
        from newscrawl.spool import database_key

        self.directory = Path(spool_dir or "spool") / "runs"
        self.key = database_key(url)

    def write(self, run_id: int | None, row: dict) -> Path | None:
        path = self.directory / f"{self.key}-{row['started_at']:%Y%m%dT%H%M%S}-{os.getpid()}-{row['spider']}.json"
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(".part")
            partial.write_text(json.dumps({"run_id": run_id, "row": db.json_safe(row)}, default=str), encoding="utf-8")
            partial.replace(path)
        except OSError:
            return None
        return path

    def load(self, engine: sa.Engine) -> int:
        """Store every spooled row of this database; each file is claimed by renaming it, so one run loads it."""
        loaded = 0
        for path in sorted(self.directory.glob(f"{self.key}-*.json")):
            claimed = path.with_suffix(f".loading-{os.getpid()}")
            try:
                path.rename(claimed)
                saved = json.loads(claimed.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue  # another run took it, or it is unreadable: left where it is
            try:
                with engine.begin() as connection:
                    self._store(connection, saved.get("run_id"), saved["row"])
            except BaseException:
                claimed.rename(path)
                raise
            claimed.unlink()
            loaded += 1
        return loaded

    @staticmethod
    def _store(connection, run_id: int | None, row: dict) -> None:
        table = db.crawl_runs
        if run_id is not None:  # its start was recorded: complete that row if it is still open
            done = connection.execute(table.update().where(
                table.c.id == run_id, table.c.spider == row["spider"], table.c.finished_at.is_(None)), row)
            if done.rowcount:
                return
        connection.execute(table.insert(), row)


def record_refused_run(settings, spider: str, arguments: dict, lines: list[str]) -> None:
    """A run refused at start (bad argument or setting) still leaves its row: exit code 2 and the reason."""
    from newscrawl import migrations
    from newscrawl.exitcodes import EXIT_USAGE

    url, record, auto_migrate = config.lenient(settings, "database_url", "record_runs", "db_auto_migrate")
    if not url or not record:
        return
    try:
        engine = db.create_engine(url, timeout=5.0)
    except Exception:  # the database URL is among the mistakes: nowhere to record
        return
    now = db.utcnow()
    row = {"spider": spider, "started_at": now, "finished_at": now, "finish_reason": "usage_error",
           "exit_code": EXIT_USAGE, "hostname": socket.gethostname()[:255], "pid": os.getpid(),
           "arguments": db.json_safe(arguments), "stats": {"newscrawl/usage_errors": list(lines)},
           **{column: 0 for column in SCALARS}}
    try:
        if auto_migrate:
            migrations.upgrade(engine)
        with engine.begin() as connection:
            connection.execute(db.crawl_runs.insert(), row)
    except sa.exc.SQLAlchemyError as exc:
        logger.warning("crawl_runs: could not record the refused run: %s", _short(exc))
    finally:
        engine.dispose()


def _short(exc: BaseException) -> str:
    return db.describe(exc)
