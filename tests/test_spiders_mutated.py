"""Mutated article pages (byte flips, truncation, control characters, huge attributes, nested junk) through every
portal spider's parse_article: an article that keeps every invariant, or a counted reason; never an exception."""

import random
from collections import defaultdict
from pathlib import Path

import pytest

from hostile import check_article, downloaded, fixture_pages, make_spider, mutate, parse_mutated, reasons_in
from newscrawl.items import Article

PAGES = fixture_pages()
SPIDERS = sorted({name for name, _, _ in PAGES})
PER_SPIDER = 60  # bench/fuzz.py runs the same with --pages 1000


def test_every_portal_spider_has_fixture_pages():
    assert set(SPIDERS) == {"article", "c114", "elecfans", "gasgoo", "ithome", "laoyaoba", "ofweek"}


@pytest.mark.parametrize("name", SPIDERS)
def test_mutated_pages_become_articles_or_counted_reasons(name):
    spider = make_spider(name)
    pages = [(url, body) for spider_name, url, body in PAGES if spider_name == name]
    rng = random.Random(f"i9-{name}")
    outcomes = defaultdict(int)
    for _ in range(PER_SPIDER):
        url, body = rng.choice(pages)
        mutated, kind = mutate(body, rng)
        outputs, delta = parse_mutated(spider, url, mutated)
        items = [o for o in outputs if isinstance(o, Article)]
        for item in items:
            assert check_article(item) == [], (kind, url)
        reasons = reasons_in(delta)
        assert items or reasons, (kind, url, delta)
        outcomes["article" if items else "reason"] += 1
    assert outcomes["article"] > 0


@pytest.mark.parametrize("name", SPIDERS)
def test_unmutated_pages_keep_every_invariant(name):
    spider = make_spider(name)
    for spider_name, url, body in PAGES:
        if spider_name != name:
            continue
        outputs, _ = parse_mutated(spider, url, body)
        for item in (o for o in outputs if isinstance(o, Article)):
            assert check_article(item) == [], url


FIX = Path(__file__).parent / "fixtures"
LIST_PAGES = {
    "c114": ("https://www.c114.com.cn/news/roll.asp", FIX / "c114/mirror/www.c114.com.cn/news/roll.asp"),
    "ithome": ("https://www.ithome.com/list/", FIX / "ithome/mirror/www.ithome.com/list/index.html"),
    "elecfans": ("https://www.elecfans.com/article/90/", FIX / "elecfans/mirror/www.elecfans.com/article/90/index.html"),
    "gasgoo": ("https://auto.gasgoo.com/auto-news/C-601", FIX / "gasgoo/list-C-601.html"),
    "laoyaoba": ("https://www.laoyaoba.com/list/117", FIX / "laoyaoba/list-117.html"),
    "ofweek": ("https://www.ofweek.com/CATList-8100-CHANGYIEXINWE.html",
               Path(__file__).resolve().parents[1] / "samples/mirror/www.ofweek.com/CATList-8100-CHANGYIEXINWE.html"),
}


@pytest.mark.parametrize("name", sorted(LIST_PAGES))
def test_mutated_list_pages_never_raise(name):
    """List pages too (with -a since, whose date parsing lost whole list pages): requests or a counted empty list."""
    import scrapy
    from scrapy.http import HtmlResponse, Request

    url, path = LIST_PAGES[name]
    body = path.read_bytes()
    spider = make_spider(name)
    spider.since = __import__("datetime").date(2025, 1, 1)
    rng = random.Random(f"i9-list-{name}")
    for _ in range(PER_SPIDER // 2):
        mutated, kind = mutate(body, rng)
        before = spider.crawler.stats.get_value("newscrawl/list_pages_empty", 0)
        outputs = list(spider.parse_list(downloaded(spider, HtmlResponse(url=url, body=mutated, request=Request(url))), page=1))
        requests = [o for o in outputs if isinstance(o, scrapy.Request)]
        empty = spider.crawler.stats.get_value("newscrawl/list_pages_empty", 0) > before
        older = spider.crawler.stats.get_value("newscrawl/skipped/older_than_since", 0)
        assert requests or empty or older, (kind, name)
