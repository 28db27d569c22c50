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

import multiprocessing
import os
import signal
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from newscrawl import db

_engine = None  # the worker's engine: one per worker process


class Unavailable(RuntimeError):
    """No worker process can be started here (no /dev/shm for its semaphores, a sandbox that forbids
    processes): the store writes on threads instead."""


def _write_rows(url: str, limits: db.Limits, rows: list[dict], seen_at):
    global _engine
    try:
        if _engine is None:
            _engine = db.create_engine(url, limits=limits)
        return db.write_rows(_engine, rows, seen_at)
    except Exception as exc:  # noqa: BLE001 - crosses the process boundary as plain data
        raise db.WorkerError(db.classify(exc), db.describe(exc), type(exc).__name__) from None


def _worker_init(crawl_alive) -> None:
    """The worker outlives no crawl: Ctrl-C reaches the crawl (which finishes its batches), not the worker,
    and once the crawl's process is gone (SIGKILL) the worker exits too, its open transaction rolled back.

    ``crawl_alive`` is the reading end of a pipe only the crawl's process writes to: it reads end of file
    when that process dies (a zombie included, which a pid check would still see).
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch():
        try:
            crawl_alive.recv()
        except (EOFError, OSError):
            pass
        os._exit(1)

    threading.Thread(target=watch, daemon=True, name="crawl-watch").start()


def _warm() -> None:
    """Import what a write needs (SQLAlchemy, datasketch) before the first batch arrives."""
    from newscrawl import neardup

    neardup._minhash_class_and_permutations()


def _processes_of(executor: ProcessPoolExecutor | None) -> list:
    return list((getattr(executor, "_processes", None) or {}).values()) if executor is not None else []


class StoreWorker:
    """One worker process, started at the first item; ``write_rows`` is called on a thread and blocks."""

    def __init__(self, url: str, limits: db.Limits):
        self.url, self.limits = url, limits
        self._executor: ProcessPoolExecutor | None = None
        self._alive = None  # the writing end of the worker's crawl_alive pipe
        self._warmed = None  # the start-up's imports (``_warm``), done when the worker is ready
        self._lock = threading.Lock()

    def start(self) -> ProcessPoolExecutor:
        """The running worker's pool, started if there is none."""
        with self._lock:
            if self._executor is None:
                # forkserver: a clean process (not a fork of one running a reactor and threads); spawn where
                # there is none
                method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
                try:
                    context = multiprocessing.get_context(method)
                    reader, self._alive = context.Pipe(duplex=False)
                    self._executor = ProcessPoolExecutor(1, mp_context=context, initializer=_worker_init,
                                                         initargs=(reader,))
                    self._warmed = self._executor.submit(_warm)  # starts the process; it takes the pipe's reading end
                except (OSError, ImportError, ValueError) as exc:
                    self._executor = None
                    if self._alive is not None:
                        self._alive.close()
                        self._alive = None
                    raise Unavailable(f"no store worker process can start here ({exc})") from exc
                reader.close()
            return self._executor

    def wait_ready(self) -> None:
        """Start the worker and wait until it has imported what a write needs (benchmarks, tests)."""
        self.start()
        self._warmed.result()

    def processes(self) -> list:
        """The worker's process objects (none before the first write or after ``reset``)."""
        return _processes_of(self._executor)

    def write_rows(self, rows: list[dict], seen_at) -> list[tuple[str, str | None]]:
        executor = self.start()  # this pool, even if another thread resets the worker meanwhile
        try:
            return executor.submit(_write_rows, self.url, self.limits, rows, seen_at).result()
        except BrokenProcessPool as exc:  # the worker died (killed, out of memory): a new one next time
            self.reset()
            raise db.WorkerError("outage", f"store worker process died: {exc}", "BrokenProcessPool") from None

    def reset(self) -> None:
        """Kill the worker (one that hangs on a dead database, say); the next write starts another."""
        with self._lock:
            executor, self._executor = self._executor, None
            alive, self._alive = self._alive, None
        if alive is not None:
            alive.close()
        if executor is None:
            return
        processes = _processes_of(executor)  # before shutdown, which forgets them
        executor.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            if process.is_alive():
                process.kill()
            process.join(5)

    close = reset  # at the end of a crawl every batch has been answered: nothing is left to wait for
