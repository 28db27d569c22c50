"""Two Redis workers' listing-walk bookkeeping, in the order that lost articles (tests/test_distributed_walks.py).

Run as a script: DATABASE_URL REDIS_URL PREFIX LISTING. Worker B begins the walk, then A; B fails a list page;
A finishes first (as its scheduler closes it: not the crawl's last worker); B is then killed (never closes).
"""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace

spider = SimpleNamespace(name="ofweek")
database = redis_url = prefix = listing = ""  # the script's arguments (main)


def worker(name: str):
    from scrapy.utils.test import get_crawler

    from newscrawl import distributed
    from newscrawl.incremental import IncrementalMiddleware

    crawler = get_crawler(settings_dict={"NEWSCRAWL_DATABASE_URL": database})
    walks = None
    if hasattr(distributed, "SharedWalks"):  # what RedisScheduler.open gives its crawl
        import redis

        walks = distributed.SharedWalks(redis.Redis.from_url(redis_url), f"{prefix}:ofweek:walks", name)
    crawler.engine = SimpleNamespace(scheduler=SimpleNamespace(walks=walks))
    return IncrementalMiddleware(crawler, database)


async def race():
    a, b = worker("a"), worker("b")
    a.spider_opened(spider)
    b.spider_opened(spider)
    await b.begin_walk(listing)
    await a.begin_walk(listing)  # A read a list page after B: its start time is on the listing's row
    b.stats.inc_value("newscrawl/pages/failed/ResponseNeverReceived")  # B failed page 2: pages 2.. never read
    if getattr(a, "shared", None) is not None:  # RedisScheduler.close of A, with B still in the crawl: not the last worker
        a.shared.leave(clean=True)
    await a.spider_closed(spider, "finished")  # A finishes first
    # B is killed here: no spider_closed, no scheduler close


def main() -> int:
    """Only as a script: pytest imports this module too (--doctest-modules), and must not get its reactor."""
    global database, redis_url, prefix, listing
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from the tests
    from twisted.internet import asyncioreactor

    asyncioreactor.install()
    from scrapy.utils.defer import deferred_from_coro
    from twisted.internet import reactor

    database, redis_url, prefix, listing = sys.argv[1:5]
    outcome = []
    done = deferred_from_coro(race())
    done.addBoth(lambda result: (outcome.append(result), reactor.stop()))
    reactor.run()
    if outcome and outcome[0] is not None:
        outcome[0].printTraceback(file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
