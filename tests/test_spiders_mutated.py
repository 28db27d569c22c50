"""Mutated article pages (byte flips, truncation, control characters, huge attributes, nested junk) through every
portal spider's parse_article: an article that keeps every invariant, or a counted reason; never an exception."""

import random
from collections import defaultdict

import pytest

from hostile import COUNTED_REASONS, check_article, fixture_pages, make_spider, mutate, parse_mutated
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
        reasons = [k for k in delta if k.startswith(COUNTED_REASONS) and k != "newscrawl/article_pages"]
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
