"""Mutated article pages (byte flips, truncation, control characters, huge attributes, nested junk) through every
portal spider's parse_article: an article that keeps every invariant, or a counted reason; never an exception."""

import random
from collections import defaultdict

import pytest

from hostile import (
    _loader, check_article, downloaded, fixture_pages, list_pages, make_spider, mutate, parse_mutated, reasons_in,
)
from newscrawl.commands.crawlall import portal_spiders
from newscrawl.items import Article

PAGES = fixture_pages()
SPIDERS = sorted({name for name, _, _ in PAGES})
PER_SPIDER = 60  # bench/fuzz.py runs the same with --pages 1000


def test_every_portal_spider_has_fixture_pages():
    portals = portal_spiders(_loader())
    assert {"c114", "elecfans", "gasgoo", "ithome", "laoyaoba", "ofweek"} <= set(portals)
    assert set(SPIDERS) == {"article", *portals}


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


LIST_PAGES = list_pages()


def test_every_portal_spider_has_a_list_page():
    assert sorted(LIST_PAGES) == portal_spiders(_loader())


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
