"""Benchmark: OFweek article pages through callback + loader + pipelines (SQLite), against bare parsel.

Usage: .venv/bin/python bench/bench_ofweek.py [-n 1000]

Prints articles/s for the full path (spider callback, ArticleLoader, validate, dedupe, SQLite store),
for a bare parsel extraction of the same fields in the same run, their ratio, and the date fast path
against dateparser on the common formats. Ratios, not absolute figures, are comparable across machines.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scrapy.utils.reactor import install_reactor  # noqa: E402

install_reactor("twisted.internet.asyncioreactor.AsyncioSelectorReactor")

from parsel import Selector  # noqa: E402
from scrapy.http import HtmlResponse, Request  # noqa: E402
from scrapy.utils.misc import build_from_crawler  # noqa: E402
from scrapy.utils.test import get_crawler  # noqa: E402

from newscrawl import processors  # noqa: E402
from newscrawl.processors import dates  # noqa: E402
from newscrawl.items import Article  # noqa: E402
from newscrawl.pipelines.dedupe import DedupePipeline  # noqa: E402
from newscrawl.pipelines.store import StorePipeline  # noqa: E402
from newscrawl.pipelines.validate import ValidatePipeline  # noqa: E402
from newscrawl.spiders.ofweek import ARTICLE_RE, OfweekSpider  # noqa: E402

ID_RE = re.compile(r"(ART-\d+-\d+-)(\d{8})")


def sample_pages() -> list[tuple[str, bytes]]:
    """Single-page current/old layout articles from the shipped sample mirror."""
    pages = []
    for path in sorted((ROOT / "samples" / "mirror").rglob("ART-*.html")):
        relative = path.relative_to(ROOT / "samples" / "mirror").as_posix()
        url = "https://" + relative
        match = ARTICLE_RE.match(url)
        if match and not match.group("page") and ".m." not in url and not url.startswith("https://m."):
            body = path.read_bytes()
            if b"articleC" in body:
                pages.append((url, body))
    if not pages:
        raise SystemExit("no OFweek article pages under samples/mirror")
    return pages


def variants(pages, n):
    """n distinct responses: new article ids and one unique sentence each, so dedupe keeps them all."""
    out = []
    for i in range(n):
        url, body = pages[i % len(pages)]
        new_id = f"{40000000 + i:08d}"
        url = ID_RE.sub(lambda m: m.group(1) + new_id, url)
        marker = f"<p>基准测试段落编号{i}。</p>".encode("gb18030")
        body = body.replace(b'class="artical-content">', b'class="artical-content">' + marker, 1)
        body = body.replace(b'class="article_con">', b'class="article_con">' + marker, 1)
        out.append(HtmlResponse(url=url, body=body, request=Request(url)))
    return out


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


async def run_full(responses, db_url) -> float:
    crawler = get_crawler(OfweekSpider, {"NEWSCRAWL_DATABASE_URL": db_url, "NEWSCRAWL_STORE_BATCH_SIZE": 50})
    crawler.spider = crawler._create_spider()
    spider = crawler.spider
    crawler.stats.open_spider()
    validate = build_from_crawler(ValidatePipeline, crawler)
    dedupe = build_from_crawler(DedupePipeline, crawler)
    store = StorePipeline.from_crawler(crawler)
    await store.open_spider()
    pending = []
    start = time.perf_counter()
    for response in responses:
        for result in spider.parse_article(response):
            if isinstance(result, Article):
                item = dedupe.process_item(validate.process_item(result))
                # as Scrapy does (CONCURRENT_ITEMS), items wait for their batch side by side
                pending.append(asyncio.ensure_future(store.process_item(item)))
    stored = len(await asyncio.gather(*pending))
    await store.close_spider()
    elapsed = time.perf_counter() - start
    if stored != len(responses):
        raise SystemExit(f"only {stored} of {len(responses)} pages became articles: {crawler.stats.get_stats()}")
    return elapsed


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


async def main(n: int) -> None:
    pages = sample_pages()
    responses = variants(pages, n)
    for response in responses:  # decode once up front, for both contenders alike
        response.text
    start = time.perf_counter()
    for response in responses:
        bare_parsel(response)
    bare = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as tmp:
        full = await run_full(responses, f"sqlite:///{tmp}/bench.db")
    print(f"pages: {n} ({len(pages)} distinct sample layouts)")
    print(f"bare parsel extraction : {n / bare:10.1f} pages/s")
    print(f"full path (callback+loader+pipelines+SQLite): {n / full:10.1f} articles/s")
    print(f"ratio full / bare time : {full / bare:.1f}x")
    fast, slow = bench_dates(200)
    print(f"dates: fast path {fast * 1e6:.1f} us, dateparser {slow * 1e6:.1f} us per value; "
          f"dateparser / fast = {slow / fast:.1f}x")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=1000, help="article pages to push through (default 1000)")
    args = parser.parse_args()
    from twisted.internet import reactor
    from twisted.internet.defer import Deferred

    result = {}

    def start():
        d = Deferred.fromFuture(asyncio.ensure_future(main(args.n)))
        d.addErrback(lambda f: result.setdefault("error", f))
        d.addBoth(lambda _: reactor.stop())

    reactor.callWhenRunning(start)
    reactor.run()
    if "error" in result:
        result["error"].printTraceback()
        raise SystemExit(1)
