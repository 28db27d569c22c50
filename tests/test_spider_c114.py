"""The c114 (C114通信网) spider: GBK article pages, the rolling list and its day archives, canonical URLs, a crawl."""

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import spiderkit
from scrapy.http import HtmlResponse
from spiderkit import check_item, mirror_page, spider_with, split_urls

from newscrawl.items import ARTICLE_FIELDS
from newscrawl.pages.c114 import C114Page
from newscrawl.spiders.c114 import C114Spider

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "c114"
MIRROR = FIXTURES / "mirror"
ARTICLES = {p.stem: json.loads(p.read_text("utf-8")) for p in sorted((FIXTURES / "expected").glob("a*.json"))}
LISTS = json.loads((FIXTURES / "expected" / "lists.json").read_text("utf-8"))
ROLL = "https://www.c114.com.cn/news/roll.asp"
YESTERDAY = "https://www.c114.com.cn/news/roll.asp?y=2025&m=9&d=17"


def make_spider(**kwargs):
    return spider_with(C114Spider, {"NEWSCRAWL_NOW": LISTS["now"]}, **kwargs)


def mirror_response(url: str) -> HtmlResponse:
    return mirror_page(MIRROR, url)


def run_article(spider, url):
    return spiderkit.run_article(spider, mirror_response, url)


split = split_urls


def test_fixtures_are_gbk_bytes():
    raw = (MIRROR / "www.c114.com.cn/news/126/a1301201.html").read_bytes()
    assert "朱镕".encode("gbk") in raw and b"charset=gb2312" in raw
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")


@pytest.mark.parametrize("name", sorted(ARTICLES))
def test_article_page_gives_exact_expected_item(name):
    expected = ARTICLES[name]
    spider = make_spider()
    (item,) = run_article(spider, expected["url"])
    check_item(item, expected)
    assert not [k for k in spider.crawler.stats.get_stats() if k.startswith("newscrawl/fallback/")]


def test_multipage_article_asks_for_page_two_and_merges_it():
    expected = ARTICLES["a1301100"]
    spider = make_spider()
    (request,) = spider.parse_article(mirror_response(expected["_pages"][0]))
    assert request.url == expected["_pages"][1]
    (item,) = run_article(spider, expected["_pages"][0])
    assert item.url == expected["_pages"][0]
    assert item.body_text.endswith("商业模式仍需进一步探索。")


@pytest.mark.parametrize("list_url", sorted(LISTS["lists"]))
def test_list_pages_yield_exactly_their_articles_and_the_day_before(list_url):
    expected = LISTS["lists"][list_url]
    spider = make_spider()
    articles, lists = split(spider.parse_list(mirror_response(list_url), page=1))
    assert articles == expected["articles"]
    assert not set(articles) & set(LISTS["traps"])
    assert [r.url for r in lists] == [expected["next"]]


def test_list_dates_are_completed_from_the_page_day():
    spider = make_spider()
    assert [d for _, d in spider.list_entries(mirror_response(ROLL))] == [
        "2025-09-18 14:20", "2025-09-18 10:05", "2025-09-18 08:30",
    ]
    assert {d for _, d in spider.list_entries(mirror_response(YESTERDAY))} == {"2025-09-17"}


def test_max_pages_and_since():
    spider = make_spider(max_pages="1")
    articles, lists = split(spider.parse_list(mirror_response(ROLL), page=1))
    assert len(articles) == 3 and lists == []
    spider = make_spider(since="2025-09-18")
    articles, lists = split(spider.parse_list(mirror_response(ROLL), page=1))
    assert len(articles) == 3 and [r.url for r in lists] == [YESTERDAY]
    assert list(spider.parse_list(mirror_response(YESTERDAY), page=2)) == []  # all older: stop
    assert spider.crawler.stats.get_value("newscrawl/skipped/older_than_since") == 2


@pytest.mark.parametrize(
    "raw, canonical",
    [
        ("https://m.c114.com.cn/w52-1301150.html", "https://www.c114.com.cn/news/52/a1301150.html"),
        ("http://c114.com.cn/news/16/a1316885.html", "https://www.c114.com.cn/news/16/a1316885.html"),
        ("https://www.c114.com.cn/news/50/a1301100_2.html", "https://www.c114.com.cn/news/50/a1301100.html"),
        ("https://www.c114.com.cn/market/40/a1200001.html?from=rss#top", "https://www.c114.com.cn/market/40/a1200001.html"),
    ],
)
def test_canonical_article_url(raw, canonical):
    spider = make_spider()
    assert spider.is_article_url(raw)
    assert spider.canonical_article_url(raw) == canonical


@pytest.mark.parametrize("url", [ROLL, "https://www.c114.com.cn/news/16.html", "https://www.c114.com.cn/topic/5ga/",
                                 "https://tv.c114.com.cn/a/123.html"])
def test_not_article_urls(url):
    assert not make_spider().is_article_url(url)


@pytest.mark.parametrize(
    "author_html, source, author",
    [
        ("C114通信网&nbsp;&nbsp;水易", "C114通信网", "水易"),
        ("C114通信网", "C114通信网", None),
        ("人民邮电报&nbsp;&nbsp;李明", "人民邮电报", "李明"),
        ("来源：新华社 作者：张三", "新华社", "张三"),
        ("通信世界网", "通信世界网", None),
        ("周文", None, "周文"),
        ("", None, None),
    ],
)
def test_byline(author_html, source, author):
    url = "https://www.c114.com.cn/news/16/a1.html"
    page = f'<html><body><div class="author">{author_html}</div></body></html>'.encode("gbk")
    assert C114Page(HtmlResponse(url=url, body=page, encoding="gbk")).byline == (source, author)


def test_crawl_of_two_roll_days_into_sqlite_and_jsonl(tmp_path):
    db, out = tmp_path / "news.db", tmp_path / "items.jsonl"
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "c114", "-a", "max_pages=2",
         "-s", f"NEWSCRAWL_MIRROR={MIRROR}", "-s", f"NEWSCRAWL_DATABASE_URL=sqlite:///{db}",
         "-s", f"NEWSCRAWL_SPOOL_DIR={tmp_path / 'spool'}",  # not ./spool: other runs' leftovers load from there
         "-s", "ROBOTSTXT_OBEY=0", "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0",
         "-s", f"NEWSCRAWL_NOW={LISTS['now']}", "-s", "LOG_LEVEL=INFO", "-O", str(out)],
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
    assert "'newscrawl/pages/http_error/404': 1" in result.stderr  # the dead link on the 9/17 archive
    assert "'newscrawl/multipage_articles': 1" in result.stderr
    assert "Traceback" not in result.stderr


def test_body_is_the_longest_div_text_not_a_sidebar_one():
    url = "https://www.c114.com.cn/news/16/a1301999.html"
    page = ('<html><head><meta charset="gbk"></head><body><div class="side"><div class="text">热点：5G 专题</div></div>'
            '<h1>标题</h1><div class="r_time">2025/9/18 14:20</div>'
            '<div class="text"><p>这是正文第一段，内容比侧栏长得多。</p><p>第二段。</p></div></body></html>').encode("gbk")
    (item,) = make_spider().parse_article(HtmlResponse(url=url, body=page))
    assert item.body_text == "这是正文第一段，内容比侧栏长得多。\n\n第二段。"
