"""Benchmark: two Redis workers against one on the same mirrored site; articles lost/duplicated after a SIGKILL.

Usage: .venv/bin/python bench/bench_distributed.py [-n 200] [--latency 0.2] [--concurrency 1]

Writes an OFweek-like site of N articles (tests/ofweek_site.py) and serves it from the offline mirror with
NEWSCRAWL_MIRROR_LATENCY seconds per request, each worker limited to CONCURRENT_REQUESTS=concurrency: a
polite crawl is latency-bound, which is what more workers help with. Runs a plain crawl (no Redis), one
Redis worker and two Redis workers, and prints pages/s (over spider open -> queue drained) and the ratio
to the one-worker run measured here. Then SIGKILLs one of two workers once N/4 articles are stored, with
NEWSCRAWL_REDIS_RECOVERY=0 (scrapy-redis' own behaviour: popped requests die with the worker) and with the
reliable queue, and prints the requests in flight at the kill, recovered, articles lost (not in the
database), duplicated (rows per URL beyond one) and re-fetched (written again, unchanged, after recovery).
Needs Redis at NEWSCRAWL_TEST_REDIS_URL (default redis://127.0.0.1:6379/15); keys under a fresh prefix,
deleted afterwards.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
IDLE_TIMEOUT = 1.0
sys.path.insert(0, str(ROOT / "tests"))

import redis  # noqa: E402
from ofweek_site import PER_PAGE, write_site  # noqa: E402
from redis_workers import in_flight, start_worker, stored_urls, worker_stats  # noqa: E402


def crawl(workdir: Path, mirror: Path, workers: int, args, redis_url: str | None, kill: bool = False,
          recovery: bool = True) -> dict:
    workdir.mkdir(parents=True)
    database = workdir / "news.db"
    prefix = f"newscrawl-bench-{uuid.uuid4().hex[:8]}"
    settings = () if recovery else ("NEWSCRAWL_REDIS_RECOVERY=0",)
    names = [f"w{i}" for i in range(workers)]
    started = time.monotonic()
    processes = [
        start_worker(name, workdir, mirror, database, redis_url=redis_url, prefix=prefix, latency=args.latency,
                     concurrency=args.concurrency, idle_timeout=IDLE_TIMEOUT, heartbeat=5.0, settings=settings)
        for name in names
    ]
    client = redis.Redis.from_url(redis_url) if redis_url else None
    result = {"in_flight": 0}
    all_stored = None
    try:
        if kill:
            victim = processes[-1]
            while len(stored_urls(database)) < args.n // 4 or (recovery and not in_flight(client, prefix, victim.pid)):
                if victim.poll() is not None:
                    raise SystemExit(f"the worker to kill ended first; see {workdir}")
                time.sleep(0.05)
            victim.send_signal(signal.SIGKILL)
            victim.wait()
            result["in_flight"] = len(in_flight(client, prefix, victim.pid))
        while any(p.poll() is None for p in processes):
            if all_stored is None and len(stored_urls(database)) >= args.n:
                all_stored = time.monotonic()
            time.sleep(0.05)
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
        if client is not None:
            for key in client.scan_iter(f"{prefix}:*"):
                client.delete(key)
    stored = stored_urls(database)
    stats = [worker_stats(workdir, name) for name in names]
    pages = sum(s.get("response_received_count", 0) for s in stats)
    # Spider open -> queue drained: the longest worker, less the idle timeout it waited before closing.
    crawl_seconds = max(s.get("elapsed_time_seconds", 0) for s in stats) - (IDLE_TIMEOUT if redis_url else 0)
    result.update(
        seconds=(all_stored or time.monotonic()) - started, crawl_seconds=crawl_seconds, pages=pages,
        pages_per_s=pages / crawl_seconds, duplicated=len(stored) - len(set(stored)),
        lost=args.n - len(set(stored)), rewritten=int(sum(s.get("newscrawl/store/unchanged", 0) for s in stats)),
        recovered=int(sum(s.get("newscrawl/redis/recovered", 0) for s in stats)),
        per_worker=[int(s.get("item_scraped_count", 0)) for s in stats],
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=200, help="articles on the site")
    parser.add_argument("--latency", type=float, default=0.2, help="seconds per request (mirror)")
    parser.add_argument("--concurrency", type=int, default=1, help="CONCURRENT_REQUESTS per worker")
    args = parser.parse_args()
    redis_url = os.environ.get("NEWSCRAWL_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    redis.Redis.from_url(redis_url, socket_connect_timeout=3).ping()

    with tempfile.TemporaryDirectory(prefix="bench-distributed-") as tmp:
        base = Path(tmp)
        write_site(base / "mirror", args.n)
        print(f"{args.n} articles + {-(-args.n // PER_PAGE)} list pages, {args.latency * 1000:.0f} ms per request, "
              f"CONCURRENT_REQUESTS={args.concurrency} per worker, {os.cpu_count()} CPUs")
        plain = crawl(base / "plain", base / "mirror", 1, args, None)
        one = crawl(base / "one", base / "mirror", 1, args, redis_url)
        two = crawl(base / "two", base / "mirror", 2, args, redis_url)
        print(f"{'run':<24}{'launch to all stored':>22}{'crawl':>9}{'pages/s':>9}{'vs 1 worker':>13}  articles per worker")
        for label, run in (("plain crawl (no Redis)", plain), ("1 Redis worker", one), ("2 Redis workers", two)):
            print(f"{label:<24}{run['seconds']:>20.1f} s{run['crawl_seconds']:>7.1f} s{run['pages_per_s']:>9.1f}"
                  f"{run['pages_per_s'] / one['pages_per_s']:>12.2f}x  {run['per_worker']}")
        stock = crawl(base / "kill-stock", base / "mirror", 2, args, redis_url, kill=True, recovery=False)
        reliable = crawl(base / "kill-reliable", base / "mirror", 2, args, redis_url, kill=True)
        print(f"\nSIGKILL of one of two workers after {args.n // 4} articles were stored:")
        print(f"{'queue':<44}{'in flight':>10}{'recovered':>10}{'lost':>6}{'duplicated':>11}{'re-fetched':>11}")
        for label, run in (("scrapy-redis (NEWSCRAWL_REDIS_RECOVERY=0)", stock), ("newscrawl reliable queue", reliable)):
            in_flight_text = str(run["in_flight"]) if label.startswith("newscrawl") else "n/a"
            print(f"{label:<44}{in_flight_text:>10}{run['recovered']:>10}{run['lost']:>6}{run['duplicated']:>11}"
                  f"{run['rewritten']:>11}")


if __name__ == "__main__":
    main()
