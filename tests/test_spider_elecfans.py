"""The elecfans (电子发烧友) spider: article pages incl. collapsed bodies, channel lists, canonical URLs, a crawl."""

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler
from spiderkit import check_item, mirror_page, spider_with, split_urls

from newscrawl.items import ARTICLE_FIELDS
from newscrawl.spiders.base import SpiderArgumentError
from newscrawl.pages.elecfans import strip_expanders
from newscrawl.spiders.elecfans import ElecfansSpider

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "elecfans"
MIRROR = FIXTURES / "mirror"
ARTICLES = {p.stem: json.loads(p.read_text("utf-8")) for p in sorted((FIXTURES / "expected").glob("*.json")) if p.stem != "lists"}
LISTS = json.loads((FIXTURES / "expected" / "lists.json").read_text("utf-8"))
LIST_URL = "https://www.elecfans.com/article/90/"


def make_spider(**kwargs):
    return spider_with(ElecfansSpider, **kwargs)


def mirror_response(url: str) -> HtmlResponse:
    return mirror_page(MIRROR, url)


split = split_urls


@pytest.mark.parametrize("name", sorted(ARTICLES))
def test_article_page_gives_exact_expected_item(name):
    expected = ARTICLES[name]
    spider = make_spider()
    (item,) = spider.parse_article(mirror_response(expected["url"]))
    check_item(item, expected)
    assert not [k for k in spider.crawler.stats.get_stats() if k.startswith("newscrawl/fallback/")]


def test_collapsed_article_keeps_the_hidden_text_and_drops_the_button():
    (item,) = make_spider().parse_article(mirror_response("https://www.elecfans.com/d/6789012.html"))
    assert "替代空间巨大" in item.body_text  # only inside the display:none block
    assert "展开全文" not in item.body_text
    assert len(item.images) == 2


@pytest.mark.parametrize(
    "html, kept",
    [
        ('<p>甲</p><div class="open"><span>展开全文</span><i></i></div><p>乙</p>', "<p>甲</p><p>乙</p>"),
        ("<p>甲</p><a href='javascript:;'>阅读全文</a> 尾", "<p>甲</p> 尾"),
        ("<p>展开全文的方法有三种</p>", "<p>展开全文的方法有三种</p>"),  # a sentence, not a button
    ],
)
def test_strip_expanders(html, kept):
    assert strip_expanders(html) == kept


@pytest.mark.parametrize("list_url", sorted(LISTS["lists"]))
def test_list_pages_yield_exactly_their_articles_and_the_next_page(list_url):
    expected = LISTS["lists"][list_url]
    articles, lists = split(make_spider().parse_list(mirror_response(list_url), page=1))
    assert articles == expected["articles"]
    assert not set(articles) & {make_spider().canonical_article_url(t) for t in LISTS["traps"]}
    assert [r.url for r in lists] == [expected["next"]]


def test_max_pages_and_since():
    articles, lists = split(make_spider(max_pages="1").parse_list(mirror_response(LIST_URL), page=1))
    assert len(articles) == 3 and lists == []
    spider = make_spider(since="2025-07-09")
    articles, lists = split(spider.parse_list(mirror_response(LIST_URL), page=1))
    assert articles == ["https://www.elecfans.com/d/6789012.html"] and len(lists) == 1
    assert list(spider.parse_list(mirror_response("https://www.elecfans.com/article/90/2.html"), page=2)) == []
    assert spider.crawler.stats.get_value("newscrawl/skipped/older_than_since") == 3


def test_atypes_argument():
    assert make_spider(atypes="90,89/140").default_listings() == [
        "https://www.elecfans.com/article/90/", "https://www.elecfans.com/article/89/140/",
    ]
    with pytest.raises(SpiderArgumentError, match="atypes must be list numbers"):
        make_spider(atypes="news")


@pytest.mark.parametrize(
    "raw, canonical",
    [
        ("https://m.elecfans.com/article/6788800.html", "https://www.elecfans.com/d/6788800.html"),
        ("http://m.elecfans.com/article/1849848.html", "https://www.elecfans.com/d/1849848.html"),
        ("http://elecfans.com/d/6789012.html?from=timeline#comment", "https://www.elecfans.com/d/6789012.html"),
        ("http://www.elecfans.com/article/89/140/2012/20120522273004.html",
         "https://www.elecfans.com/article/89/140/2012/20120522273004.html"),
    ],
)
def test_canonical_article_url(raw, canonical):
    spider = make_spider()
    assert spider.is_article_url(raw)
    assert spider.canonical_article_url(raw) == canonical


@pytest.mark.parametrize("url", [LIST_URL, "https://www.elecfans.com/article/90/2.html", "https://bbs.elecfans.com/jishu_1.html",
                                 "https://www.elecfans.com/soft/123.html", "https://www.elecfans.com/tags/MCU/"])
def test_not_article_urls(url):
    assert not make_spider().is_article_url(url)


def test_crawl_of_the_channel_list_into_sqlite_and_jsonl(tmp_path):
    db, out = tmp_path / "news.db", tmp_path / "items.jsonl"
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "elecfans",
         "-s", f"NEWSCRAWL_MIRROR={MIRROR}", "-s", f"NEWSCRAWL_DATABASE_URL=sqlite:///{db}",
         "-s", f"NEWSCRAWL_SPOOL_DIR={tmp_path / 'spool'}",  # not ./spool: other runs' leftovers load from there
         "-s", "ROBOTSTXT_OBEY=0", "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0",
         "-s", "LOG_LEVEL=INFO", "-O", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=240,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    items = {item["url"]: item for item in map(json.loads, out.read_text("utf-8").splitlines())}
    assert set(items) == {a["url"] for a in ARTICLES.values()}
    for expected in ARTICLES.values():
        for field in ARTICLE_FIELDS:
            if field not in ("crawled_at", "body_html"):
                assert items[expected["url"]][field] == expected[field], (expected["url"], field)
    rows = dict(sqlite3.connect(db).execute("SELECT url, title FROM articles").fetchall())
    assert rows == {url: item["title"] for url, item in items.items()}
    assert "'newscrawl/pages/http_error/404': 2" in result.stderr  # the deleted article and list page 3
    assert "Traceback" not in result.stderr


def test_relative_list_dates_still_let_since_stop():
    crawler = get_crawler(ElecfansSpider, {"NEWSCRAWL_NOW": "2025-07-09T12:00:00+08:00"})
    crawler.spider = spider = crawler._create_spider(since="2025-07-09")
    crawler.stats.open_spider()
    page = ('<div id="mainContent"><ul><li><a href="/d/1.html">新文章</a><span class="time">3小时前</span></li>'
            '<li><a href="/d/2.html">旧文章</a><span class="time">2天前</span></li></ul>'
            '<div class="page"><a href="/article/90/2.html">下一页</a></div></div>').encode("utf-8")
    response = HtmlResponse(url=LIST_URL, body=page, encoding="utf-8")
    assert list(spider.list_entries(response)) == [("/d/1.html", "3小时前"), ("/d/2.html", "2天前")]
    articles, lists = split(spider.parse_list(response, page=1))
    assert articles == ["https://www.elecfans.com/d/1.html"] and len(lists) == 1
