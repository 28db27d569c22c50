"""What the portal spider tests share: a spider on a test crawler, saved pages as responses, outputs by kind."""

from __future__ import annotations

from pathlib import Path

import scrapy
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from newscrawl.items import ARTICLE_FIELDS, Article


def spider_with(spidercls, settings: dict | None = None, **kwargs):
    """A spider built the way a crawl builds it (from_crawler), with its stats open."""
    crawler = get_crawler(spidercls, settings or {})
    crawler.spider = crawler._create_spider(**kwargs)
    crawler.stats.open_spider()
    return crawler.spider


def mirror_page(mirror: Path, url: str) -> HtmlResponse:
    """The page a ``wget -m`` tree holds for ``url`` (``…/`` is ``…/index.html``), with no Content-Type header
    like the mirror middleware: the page's own <meta charset> decides its encoding."""
    rest = url.split("://", 1)[1]
    path = mirror / (rest + "index.html" if rest.endswith("/") else rest)
    return HtmlResponse(url=url, body=path.read_bytes(), request=Request(url))


def saved_page(path: Path, url: str) -> HtmlResponse:
    """A page saved as a flat file, answered at ``url``."""
    return HtmlResponse(url=url, body=path.read_bytes(), request=Request(url))


def split(outputs) -> tuple[list[scrapy.Request], list[scrapy.Request]]:
    """A list page's requests: (article requests, next-list requests)."""
    requests = [o for o in outputs if isinstance(o, scrapy.Request)]
    return [r for r in requests if r.meta["newscrawl"] == "article"], [r for r in requests if r.meta["newscrawl"] == "list"]


def split_urls(outputs) -> tuple[list[str], list[scrapy.Request]]:
    """As ``split``, with the article requests as their URLs."""
    articles, lists = split(outputs)
    return [r.url for r in articles], lists


def run_article(spider, response_for, url: str) -> list:
    """parse_article on a page and on every continuation page it asks for (``response_for(url)`` answers)."""
    outputs = list(spider.parse_article(response_for(url)))
    while outputs and isinstance(outputs[0], scrapy.Request):
        request = outputs[0]
        outputs = list(request.callback(response_for(request.url), **request.cb_kwargs))
    return outputs


def check_item(item: Article, expected: dict) -> None:
    """Every field except crawled_at exactly; body_html by what it must and must not contain."""
    for field in ARTICLE_FIELDS:
        if field not in ("crawled_at", "body_html"):
            assert getattr(item, field) == expected[field], field
    for needle in expected["body_html_contains"]:
        assert needle in item.body_html
    for needle in expected["body_html_excludes"]:
        assert needle not in item.body_html and needle not in item.body_text, needle
    assert item.crawled_at
