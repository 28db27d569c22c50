"""Benchmark: OFweek article pages through callback + loader + pipelines + SQLite store, against bare parsel.

Usage: .venv/bin/python bench/bench_ofweek.py [-n 1000] [--rounds 3] [--kind distinct,similar] [--profile]

Pages are the sample mirror's 15 layouts with new article ids and, for ``distinct``, every sentence of
the body rewritten with random characters (different articles, as a crawl mostly sees); for ``similar``,
the layout's own text plus one numbered sentence (templates, notices: the near-duplicate path's worst
case). Each round times a bare parsel extraction of the same fields and the full path (spider callback,
ArticleLoader, validate, dedupe, the store writing to a fresh SQLite file until its last batch is
committed), on fresh responses, in alternating order; medians and spread are printed, the ratio last.
``--profile`` runs the full path once under cProfile with the store inline (its worker thread is
otherwise invisible to the profiler). Ratios, not absolute figures, are comparable across machines.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from scrapy.utils.reactor import install_reactor  # noqa: E402

install_reactor("twisted.internet.asyncioreactor.AsyncioSelectorReactor")

from parsel import Selector  # noqa: E402
from scrapy.http import HtmlResponse, Request  # noqa: E402
from scrapy.utils.misc import build_from_crawler  # noqa: E402
from scrapy.utils.test import get_crawler  # noqa: E402

from ofweek_pages import article_pages  # noqa: E402

from newscrawl import processors  # noqa: E402
from newscrawl.processors import dates  # noqa: E402
from newscrawl.items import Article  # noqa: E402
from newscrawl.pipelines.dedupe import DedupePipeline  # noqa: E402
from newscrawl.pipelines.store import StorePipeline  # noqa: E402
from newscrawl.pipelines.validate import ValidatePipeline  # noqa: E402
from newscrawl.spiders.ofweek import OfweekSpider  # noqa: E402


class InlineStore(StorePipeline):
    """The store writing on the calling thread, so that cProfile sees write_batch and the MinHash signatures."""

    async def _call(self, function, *args):
        return function(*args)


def responses_of(pages) -> list[HtmlResponse]:
    """Fresh responses, decoded up front for both contenders alike."""
    responses = [HtmlResponse(url=url, body=body, request=Request(url)) for url, body in pages]
    for response in responses:
        response.text
    return responses


def bare_parsel(response) -> dict:
    sel = Selector(text=response.text)
    return {
        "title": sel.css("div.artical h1::text, div.article_left h1::text").get(),
        "time": sel.css("div.time.fl::text, span.sdate::text").get(),
        "source": "".join(sel.css("div.source-name ::text").getall()),
        "body": sel.css("#articleC").get(),
        "tags": sel.css("#articleC span.hrefStyle ::text").getall(),
        "images": sel.css("#articleC img::attr(src)").getall(),
    }


def run_bare(responses) -> float:
    start = time.perf_counter()
    for response in responses:
        bare_parsel(response)
    return time.perf_counter() - start


class FullPath:
    """Spider callback, validate, dedupe and the store of one crawler, fed responses batch after batch."""

    def __init__(self, db_url: str, store_class=StorePipeline):
        settings = {"NEWSCRAWL_DATABASE_URL": db_url, "NEWSCRAWL_STORE_BATCH_SIZE": 50,
                    # the store's worker process, as a crawl has it; the profile runs the store inline instead
                    "NEWSCRAWL_STORE_PROCESS": store_class is not InlineStore}
        self.crawler = get_crawler(OfweekSpider, settings)
        self.crawler.spider = self.spider = self.crawler._create_spider()
        self.crawler.stats.open_spider()
        self.validate = build_from_crawler(ValidatePipeline, self.crawler)
        self.dedupe = build_from_crawler(DedupePipeline, self.crawler)
        self.store = store_class.from_crawler(self.crawler)

    async def open(self) -> None:
        await self.store.open_spider()
        if self.store.worker is not None:  # per-article cost: the worker's one start-up is not an article's
            self.store.worker.wait_ready()

    async def feed(self, responses) -> None:
        """Every response through the path, until its item is stored (or the run stops: a page was lost)."""
        pending = []
        for response in responses:
            for result in self.spider.parse_article(response):
                if isinstance(result, Article):
                    item = self.dedupe.process_item(self.validate.process_item(result))
                    # as Scrapy does (CONCURRENT_ITEMS), items wait for their batch side by side
                    pending.append(asyncio.ensure_future(self.store.process_item(item)))
        stored = len(await asyncio.gather(*pending))
        if stored != len(responses):
            raise SystemExit(f"only {stored} of {len(responses)} pages became articles: {self.crawler.stats.get_stats()}")

    async def close(self) -> None:
        await self.store.close_spider()


async def run_full(responses, db_url, store_class=StorePipeline) -> float:
    path = FullPath(db_url, store_class)
    await path.open()
    start = time.perf_counter()
    await path.feed(responses)
    await path.close()
    return time.perf_counter() - start


def bench_dates(rounds: int) -> tuple[float, float]:
    now = datetime(2026, 11, 26, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    common = ["2022-08-10 14:20", "2022/8/10 14:20:05", "2022年08月10日 14:20", "2022-08-10",
              "Wed, 10 Aug 2022 06:20:00 GMT", "2022-08-10T14:20:00+08:00", "3小时前", "昨天 10:20"]
    for text in common:  # same answers from both paths, or the comparison means nothing
        fast = processors.parse_date(text, "Asia/Shanghai", now)
        slow = dates._dateparser_parse(text, "Asia/Shanghai", now)
        if slow is not None and fast != slow.astimezone(fast.tzinfo):
            print(f"  note: paths differ on {text!r}: fast {fast}, dateparser {slow}")
    start = time.perf_counter()
    for _ in range(rounds):
        for text in common:
            processors.parse_date(text, "Asia/Shanghai", now)
    fast_time = time.perf_counter() - start
    start = time.perf_counter()
    for _ in range(rounds):
        for text in common:
            dates._dateparser_parse(text, "Asia/Shanghai", now)
    slow_time = time.perf_counter() - start
    return fast_time / (rounds * len(common)), slow_time / (rounds * len(common))


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):7.3f} ms (min {min(values):.3f}, max {max(values):.3f})"


async def compare(n: int, kind: str, rounds: int) -> float:
    pages = article_pages(n, kind)
    bare_times, full_times, ratios = [], [], []
    for round_ in range(rounds):
        bare_responses, full_responses = responses_of(pages), responses_of(pages)
        with tempfile.TemporaryDirectory() as tmp:
            if round_ % 2:
                full = await run_full(full_responses, f"sqlite:///{tmp}/bench.db")
                bare = run_bare(bare_responses)
            else:
                bare = run_bare(bare_responses)
                full = await run_full(full_responses, f"sqlite:///{tmp}/bench.db")
        bare_times.append(bare / n * 1000)
        full_times.append(full / n * 1000)
        ratios.append(full / bare)
        print(f"  round {round_ + 1}: bare {bare / n * 1000:.3f} ms, full {full / n * 1000:.3f} ms per article, {full / bare:.1f}x")
    print(f"{kind} texts, {n} pages, {rounds} rounds (median per article, spread):")
    print(f"  bare parsel extraction                       : {spread(bare_times)}")
    print(f"  full path (callback+loader+pipelines+SQLite) : {spread(full_times)}")
    ratio = statistics.median(ratios)
    print(f"  ratio full / bare: {ratio:.1f}x (rounds: {', '.join(f'{r:.1f}' for r in ratios)})")
    return ratio


async def profile(n: int, kind: str) -> None:
    responses = responses_of(article_pages(n, kind))
    profiler = cProfile.Profile()
    with tempfile.TemporaryDirectory() as tmp:
        await run_full(responses[:20], f"sqlite:///{tmp}/warm.db", InlineStore)  # imports, caches
        profiler.enable()
        await run_full(responses, f"sqlite:///{tmp}/bench.db", InlineStore)
        profiler.disable()
    stats = pstats.Stats(profiler)
    stats.sort_stats("cumulative").print_stats(45)
    stats.sort_stats("tottime").print_stats(25)
    stats.sort_stats("cumulative").print_callees("write_batch")  # the store's share, by statement


async def main(args) -> None:
    kinds = args.kind.split(",")
    if args.profile:
        for kind in kinds:
            await profile(args.n, kind)
        return
    ratios = {kind: await compare(args.n, kind, args.rounds) for kind in kinds}
    fast, slow = bench_dates(200)
    print(f"dates: fast path {fast * 1e6:.1f} us, dateparser {slow * 1e6:.1f} us per value; "
          f"dateparser / fast = {slow / fast:.1f}x")
    print("ratio full / bare (median): " + ", ".join(f"{kind} {ratio:.1f}x" for kind, ratio in ratios.items()))


def run_on_reactor(coroutine) -> None:
    """Run a coroutine on the asyncio reactor the store needs, then exit (1 with the traceback on failure)."""
    from twisted.internet import reactor
    from twisted.internet.defer import Deferred

    result = {}

    def start():
        d = Deferred.fromFuture(asyncio.ensure_future(coroutine))
        d.addErrback(lambda f: result.setdefault("error", f))
        d.addBoth(lambda _: reactor.stop())

    reactor.callWhenRunning(start)
    reactor.run()
    if "error" in result:
        result["error"].printTraceback()
        raise SystemExit(1)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=1000, help="article pages to push through (default 1000)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--kind", default="distinct,similar", help="distinct, similar or both (default)")
    parser.add_argument("--profile", action="store_true", help="cProfile the full path once, store inline")
    run_on_reactor(main(parser.parse_args()))
