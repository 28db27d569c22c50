"""Worker processes that outlive no crawl: the store's batch writes and the article extraction run in them.

Python work on a thread competes with the reactor for the GIL; in a process of its own it takes the
machine's other core. A pool here is ``concurrent.futures.ProcessPoolExecutor`` with three things added:

- a clean start: forkserver (not a fork of a process running a reactor and threads), else spawn;
- no orphans: Ctrl-C reaches the crawl, not the workers (the crawl finishes what it holds), and a worker
  exits as soon as the crawl's process is gone, SIGKILL included (a pipe only the crawl writes to reads
  end of file);
- ``Unavailable`` where no process can start (no /dev/shm for the semaphores, a sandbox that forbids
  processes), so that the caller does the work itself instead.

A crawl starts its workers only when the run is big enough to gain from them (``worth_starting``), and
does the work itself until they are ready: a small run never waits for a process to start.

What crosses the boundary must pickle: plain data, and exceptions that carry plain data.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import threading
from concurrent.futures import Future, ProcessPoolExecutor

logger = logging.getLogger(__name__)


# Modules the forkserver imports once, before it forks any worker: each worker starts with them loaded
# instead of importing Scrapy, lxml and SQLAlchemy itself (a second of CPU per worker on the crawl's
# machine). Only what is listed when the first pool of a crawl starts the forkserver counts.
PRELOAD = ["newscrawl.storeworker", "newscrawl.middlewares.extractworker", "newscrawl.extract.page", "newscrawl.loaders"]


class Unavailable(RuntimeError):
    """No worker process can be started here: the caller does the work in its own process."""


def _worker_init(name, crawl_alive, setup, setup_args) -> None:
    """``crawl_alive`` is the reading end of a pipe only the crawl's process writes to: it reads end of file
    when that process dies (a zombie included, which a pid check would still see)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:  # `ps -o comm`, top and /proc/PID/comm tell the workers apart (15 characters at most)
        with open("/proc/self/comm", "w") as comm:
            comm.write(name[:15])
    except OSError:  # not Linux
        pass

    def watch():
        try:
            crawl_alive.recv()
        except (EOFError, OSError):
            pass
        os._exit(1)

    threading.Thread(target=watch, daemon=True, name="crawl-watch").start()
    if setup is not None:
        setup(*setup_args)
    from newscrawl import gctuning

    gctuning.settle()  # what the forkserver imported is never walked again (a worker lives as long as its crawl)


class WorkerPool:
    """``size`` worker processes, started at the first ``submit`` (or ``start``); ``setup(*setup_args)`` runs
    once in each, ``warm()`` once in the pool before it counts as ready. ``name`` is what messages call the
    workers; its words joined by "-" are their process name (``newscrawl-store``)."""

    def __init__(self, name: str, size: int = 1, setup=None, setup_args: tuple = (), warm=None):
        self.name, self.size, self.setup, self.setup_args, self.warm = name, size, setup, setup_args, warm
        self._executor: ProcessPoolExecutor | None = None
        self._alive = self._reader = None  # the workers' crawl_alive pipe
        self.closed = False
        self._ready: Future | None = None  # ``warm`` done in a started worker
        self._lock = threading.Lock()
        self.was_ready = False  # ``warm`` has run once (in this pool or one before a reset): workers can start here

    def start(self) -> ProcessPoolExecutor:
        """The running pool, started if there is none (Unavailable once ``close``d)."""
        with self._lock:
            if self.closed:
                raise Unavailable(f"the {self.name} pool is closed")
            if self._executor is not None:
                return self._executor
            method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
            try:
                context = multiprocessing.get_context(method)
                if method == "forkserver":
                    context.set_forkserver_preload(PRELOAD)
                # the reading end stays open here until reset: the executor starts processes on demand
                self._reader, self._alive = context.Pipe(duplex=False)
                executor = self._executor = ProcessPoolExecutor(
                    self.size, mp_context=context, initializer=_worker_init,
                    initargs=(self.process_name, self._reader, self.setup, self.setup_args))
            except (OSError, ImportError, ValueError) as exc:
                self._drop_pipe()
                self._executor = None
                raise Unavailable(f"no {self.name} process can start here ({exc})") from exc
        logger.info("Starting %d %s process%s (%s)", self.size, self.name, "" if self.size == 1 else "es", self.process_name)
        # Outside the lock, so that close() never waits for processes to start: one task a worker, all started now.
        try:
            warming = [executor.submit(self.warm or _nothing) for _ in range(self.size)]
        except RuntimeError as exc:  # closed meanwhile
            raise Unavailable(f"the {self.name} pool is closed") from exc
        except OSError as exc:  # no semaphore, no process
            self.reset()
            raise Unavailable(f"no {self.name} process can start here ({exc})") from exc
        warming[0].add_done_callback(self._warmed)
        self._ready = warming[0]
        return executor

    def _drop_pipe(self) -> None:
        for end in (self._alive, self._reader):
            if end is not None:
                end.close()
        self._alive = self._reader = None

    @property
    def process_name(self) -> str:
        return "newscrawl-" + self.name.split()[0]

    @property
    def running(self) -> bool:
        """Started (ready or still starting), not reset since."""
        return self._executor is not None

    @property
    def ready(self) -> bool:
        """Started, and ``warm`` has run (without raising) in a worker."""
        ready = self._ready
        return ready is not None and ready.done() and not ready.cancelled() and ready.exception() is None

    def _warmed(self, future: Future) -> None:
        if not future.cancelled() and future.exception() is None:
            self.was_ready = True

    @property
    def started(self) -> Future:
        """Done when ``warm`` has run in a started pool (raises BrokenProcessPool if its worker died starting)."""
        if self._ready is None:
            raise Unavailable("the pool is not started")
        return self._ready

    def wait_ready(self) -> None:
        """Start the pool and wait until ``warm`` has run (benchmarks, tests)."""
        self.start()
        self._ready.result()

    def processes(self) -> list:
        """The workers' process objects (none before the start or after ``reset``)."""
        return _processes_of(self._executor)

    def submit(self, function, *args) -> Future:
        """``function(*args)`` in a worker; a pool whose worker died raises BrokenProcessPool (``reset`` it)."""
        return self.start().submit(function, *args)

    def reset(self) -> None:
        """Kill the workers (one that hangs, say); the next ``submit`` starts new ones."""
        with self._lock:
            executor, self._executor = self._executor, None
            self._drop_pipe()  # a worker that is still starting exits as soon as it reads end of file
            self._ready = None
        if executor is None:
            return
        processes = _processes_of(executor)  # before shutdown, which forgets them
        executor.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            if process.is_alive():
                process.kill()
            process.join(5)

    def close(self) -> None:
        """Kill the workers for good: nothing is left to wait for, and no ``submit`` starts new ones."""
        self.closed = True
        self.reset()


def worth_starting(crawler, seen: int, minimum: int) -> bool:
    """Whether a crawl that has had ``seen`` pages (or items) so far has at least ``minimum`` in all, counting
    the requests it still holds: scheduled (what its listings showed and the incremental check let through)
    and downloading. Outside a crawl (a benchmark feeding a pipeline) only ``seen`` counts."""
    if seen >= minimum:
        return True
    try:
        engine = crawler.engine
    except (AttributeError, RuntimeError):  # Scrapy 2.19 raises until the crawl starts
        return False
    scheduler, downloader = getattr(engine, "scheduler", None), getattr(engine, "downloader", None)
    if scheduler is None or downloader is None:
        return False
    try:
        waiting = len(scheduler)
    except TypeError:  # a scheduler that cannot count
        return False
    return seen + waiting + len(downloader.active) >= minimum


def _nothing() -> None:
    return None


def _processes_of(executor: ProcessPoolExecutor | None) -> list:
    return list((getattr(executor, "_processes", None) or {}).values()) if executor is not None else []
