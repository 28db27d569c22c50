"""The store's batch writes in a worker process, so the crawl's own process keeps its core for Scrapy.

A batch write (near-duplicate signatures, LSH lookups, SQLAlchemy's statements) is Python work: on a
thread it competes with the reactor for the GIL, and a 2,000-article crawl took 6 s longer with the store
than without it on a 2-core machine (bench/bench_crawl.py). The worker runs ``db.write_rows`` with its own
engine; the calling thread (``db.in_thread``) waits for its answer without holding the GIL.

What crosses the process boundary is plain data: rows and outcomes, and for a failure a ``db.WorkerError``
carrying the error's ``classify``/``describe`` (driver exceptions do not always pickle). A worker that hangs
or dies is killed and replaced at the next batch; items already handed to it are spooled by the store.
"""

from __future__ import annotations

from concurrent.futures.process import BrokenProcessPool

from newscrawl import db
from newscrawl.workerpool import Unavailable, WorkerPool

__all__ = ["StoreWorker", "Unavailable"]

_engine = None  # the worker's engine: one per worker process


def _write_rows(url: str, limits: db.Limits, rows: list[dict], seen_at):
    global _engine
    try:
        if _engine is None:
            _engine = db.create_engine(url, limits=limits)
        return db.write_rows(_engine, rows, seen_at)
    except Exception as exc:  # noqa: BLE001 - crosses the process boundary as plain data
        raise db.WorkerError(db.classify(exc), db.describe(exc), type(exc).__name__) from None


def _warm() -> None:
    """Import what a write needs (SQLAlchemy, numpy) before the first batch arrives."""
    from newscrawl import neardup

    neardup.permutations()


class StoreWorker:
    """One worker process (newscrawl/workerpool.py), started when the store asks (a run big enough to gain,
    ``workerpool.worth_starting``); ``write_rows`` is called on a thread and blocks. An open transaction of a
    worker whose crawl died is rolled back as it exits."""

    def __init__(self, url: str, limits: db.Limits):
        self.url, self.limits = url, limits
        self.pool = WorkerPool("store worker", 1, warm=_warm)

    def start(self):
        return self.pool.start()

    @property
    def ready(self) -> bool:
        """Started and done importing: a batch given now is written at once."""
        return self.pool.ready

    @property
    def running(self) -> bool:
        return self.pool.running

    def wait_ready(self) -> None:
        self.pool.wait_ready()

    def processes(self) -> list:
        return self.pool.processes()

    def write_rows(self, rows: list[dict], seen_at) -> list[tuple[str, str | None]]:
        try:
            return self.pool.submit(_write_rows, self.url, self.limits, rows, seen_at).result()
        except BrokenProcessPool as exc:  # the worker died (killed, out of memory): a new one next time
            self.reset()
            raise db.WorkerError("outage", f"store worker process died: {exc}", "BrokenProcessPool") from None

    def reset(self) -> None:
        """Kill the worker (one that hangs on a dead database, say); the next write starts another."""
        self.pool.reset()

    close = reset  # at the end of a crawl every batch has been answered: nothing is left to wait for
