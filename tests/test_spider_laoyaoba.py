"""The laoyaoba (集微网) spider: article pages, HTML lists, the feed-stream API, relative dates, a crawl."""

import json
import shutil
import sqlite3
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path
from urllib.parse import parse_qs

import pytest
import scrapy
from scrapy.http import TextResponse

from newscrawl import config
from spiderkit import saved_page, spider_with, split

from newscrawl.items import ARTICLE_FIELDS
from newscrawl.spiders.base import SpiderArgumentError
from newscrawl.spiders.laoyaoba import FEED_API, LaoyaobaSpider

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "laoyaoba"
EXPECTED = json.loads((FIXTURES / "EXPECTED.json").read_text("utf-8"))
NOW = EXPECTED["now"]  # the crawl time the expected relative dates resolve against
LIST_URL = "https://www.laoyaoba.com/list/117"
FEED_PAGE_2 = "after_id=1001101&category_id=117&limit=10&source=pc"
FEED_PAGE_3 = "after_id=1000801&category_id=117&limit=10&source=pc"


def make_spider(now=NOW, **kwargs):
    return spider_with(LaoyaobaSpider, {"NEWSCRAWL_NOW": now} if now else {}, **kwargs)


def page(name, url):
    return saved_page(FIXTURES / name, url)


def feed(name, form):
    request = scrapy.FormRequest(FEED_API, formdata={k: v[0] for k, v in parse_qs(form).items()})
    return TextResponse(
        url=FEED_API, body=(FIXTURES / name).read_bytes(), request=request,
        headers={"Content-Type": "application/json; charset=utf-8"}, encoding="utf-8",
    )


# ----------------------------------------------------------------- article pages


@pytest.mark.parametrize("url", sorted(EXPECTED["articles"]))
def test_article_page_gives_exact_expected_item(url):
    expected = {k: v for k, v in EXPECTED["articles"][url].items() if not k.startswith("_")}
    fixture = EXPECTED["articles"][url]
    (item,) = list(make_spider().parse_article(page(fixture["_fixture"], fixture["_fetched_as"])))
    got = asdict(item)
    assert got.pop("crawled_at")
    assert set(got) | {"crawled_at"} == set(ARTICLE_FIELDS)
    for field in got:
        assert got[field] == expected[field], field


def test_body_has_no_chrome_ads_credits_or_placeholders():
    (item,) = list(make_spider().parse_article(page("n-1001234.html", "https://www.laoyaoba.com/n/1001234")))
    for junk in ("广告", "semicon-inline", "校对", "免责声明", "loading.gif", "<script", "jwAd", "相关阅读",
                 "版权所有", "24小时热榜", "阅读量"):
        assert junk not in item.body_html, junk
    assert item.images == ["https://img.laoyaoba.com/uploads/2026/07/23/1001234-1.png"]  # data-src, not the spinner


def test_relative_and_yearless_dates_follow_the_crawl_time():
    url = "https://www.laoyaoba.com/n/1001234"
    (early,) = make_spider(now="2026-07-23T09:00:00+08:00").parse_article(page("n-1001234.html", url))
    assert early.published_at == "2026-07-23T08:19:00+08:00"  # "41分钟前"
    # "07-22 09:05" read in January 2027 is last year's July, never a date in the future
    (later,) = make_spider(now="2027-01-05T10:00:00+08:00").parse_article(
        page("n-1001198.html", "https://www.laoyaoba.com/n/1001198"))
    assert later.published_at == "2026-07-22T09:05:00+08:00"
    (naive,) = make_spider(now="2026-07-23T16:32:00").parse_article(page("n-1001234.html", url))
    assert naive.published_at == "2026-07-23T15:51:00+08:00"  # a zone-less NEWSCRAWL_NOW is Beijing time


def test_bad_now_setting_says_what_to_fix():
    # stops when the spider is created, before any request, with the one-line message
    with pytest.raises(config.ConfigError, match="NEWSCRAWL_NOW=yesterday: must be an ISO 8601 time"):
        make_spider(now="yesterday")


def test_deleted_article_page_is_counted_not_an_item():
    spider = make_spider()
    assert list(spider.parse_article(page("n-1001220-deleted.html", "https://www.laoyaoba.com/n/1001220"))) == []
    assert spider.crawler.stats.get_value("newscrawl/pages/not_article") == 1


# ---------------------------------------------------------------------- URLs


@pytest.mark.parametrize("url, canonical", [
    ("https://m.laoyaoba.com/n/1001198", "https://www.laoyaoba.com/n/1001198"),
    ("http://laoyaoba.com/n/1001198/", "https://www.laoyaoba.com/n/1001198"),
    ("https://www.laoyaoba.com/n/1001198?source=list&utm_source=wx#comment", "https://www.laoyaoba.com/n/1001198"),
    ("HTTPS://WWW.LAOYAOBA.COM/n/1001198", "https://www.laoyaoba.com/n/1001198"),
])
def test_canonical_article_urls(url, canonical):
    spider = make_spider()
    assert spider.is_article_url(url)
    assert spider.canonical_article_url(url) == canonical


@pytest.mark.parametrize("url", [
    "https://www.laoyaoba.com/list/117", "https://www.laoyaoba.com/jwnews", "https://www.laoyaoba.com/n/",
    "https://www.laoyaoba.com/n/abc", "https://event.laoyaoba.example/n/1", FEED_API,
])
def test_not_article_urls(url):
    assert not make_spider().is_article_url(url)


def test_categories_argument():
    assert make_spider(categories="117,2").default_listings() == [
        "https://www.laoyaoba.com/jwnews", "https://www.laoyaoba.com/list/117", "https://www.laoyaoba.com/list/2"]
    with pytest.raises(SpiderArgumentError, match="numbers of /list/N pages"):
        make_spider(categories="semiconductor")


# ---------------------------------------------------------------------- lists


def test_list_page_articles_then_feed_stream_post():
    articles, lists = split(make_spider().parse_list(page("list-117.html", LIST_URL), page=1))
    assert [r.url for r in articles] == [f"https://www.laoyaoba.com/n/{i}" for i in
                                         (1001234, 1001220, 1001198, 1001150, 1001120, 1001101)]
    (more,) = lists  # "load more" is the feed-stream API, after the last item on the page
    assert isinstance(more, scrapy.FormRequest) and more.method == "POST" and more.url == FEED_API
    assert more.body.decode() == FEED_PAGE_2
    assert more.headers["Content-Type"] == b"application/x-www-form-urlencoded"
    assert more.cb_kwargs == {"page": 2} and more.callback == more.callback.__self__.parse_list


def test_feed_stream_pages_paginate_by_after_id_and_end_on_a_short_page():
    spider = make_spider()
    articles, lists = split(spider.parse_list(feed("feedstream-after-1001101.json", FEED_PAGE_2), page=2))
    ids = [int(r.url.rsplit("/", 1)[1]) for r in articles]
    assert ids == [1001088, 1001075, 1001060, 1001052, 1001031, 1000876, 1000860, 1000851, 1000840, 1000822, 1000801]
    (more,) = lists
    assert more.body.decode() == FEED_PAGE_3 and more.cb_kwargs == {"page": 3}
    articles, lists = split(spider.parse_list(feed("feedstream-after-1000801.json", FEED_PAGE_3), page=3))
    assert len(articles) == 3 and lists == []  # 3 < limit=10: the stream is exhausted


def test_feed_stream_answer_that_is_not_json_is_counted():
    spider = make_spider()
    request = scrapy.FormRequest(FEED_API, formdata={"after_id": "1"})
    response = TextResponse(url=FEED_API, body=b"<html>502 Bad Gateway</html>", request=request,
                            headers={"Content-Type": "text/html"})
    assert list(spider.parse_list(response, page=2)) == []
    assert spider.crawler.stats.get_value("newscrawl/laoyaoba/feed_not_json") == 1


def test_since_skips_older_entries_and_stops_the_feed():
    spider = make_spider(since="2026-07-20")
    articles, lists = split(spider.parse_list(page("list-117.html", LIST_URL), page=1))
    # 41分钟前 … "07-20 18:30" are kept; "07-19 10:02" is older
    assert [r.url[-7:] for r in articles] == ["1001234", "1001220", "1001198", "1001150", "1001120"]
    assert len(lists) == 1
    articles, lists = split(spider.parse_list(feed("feedstream-after-1001101.json", FEED_PAGE_2), page=2))
    assert articles == [] and lists == []  # a feed page holding only older news ends the listing
    assert spider.crawler.stats.get_value("newscrawl/skipped/older_than_since") == 12


def test_max_pages_one_reads_no_feed_stream():
    _, lists = split(make_spider(max_pages="1").parse_list(page("list-117.html", LIST_URL), page=1))
    assert lists == []


def test_jwnews_cards():
    articles, lists = split(make_spider().parse_list(page("jwnews.html", "https://www.laoyaoba.com/jwnews"), page=1))
    # the card without a link still has its data-id
    assert [r.url[-7:] for r in articles] == ["1001240", "1001234", "1001236"]
    assert lists == []  # /jwnews has no known next page


# ------------------------------------------------------------------ end to end


def build_mirror(root: Path) -> Path:
    host = root / "www.laoyaoba.com"
    (host / "list").mkdir(parents=True)
    (host / "n").mkdir()
    (host / "api" / "news").mkdir(parents=True)
    shutil.copy(FIXTURES / "list-117.html", host / "list" / "117")
    shutil.copy(FIXTURES / "feedstream-after-1001101.json", host / "api" / "news" / f"feedstream?{FEED_PAGE_2}")
    shutil.copy(FIXTURES / "feedstream-after-1000801.json", host / "api" / "news" / f"feedstream?{FEED_PAGE_3}")
    shutil.copy(FIXTURES / "n-1001220-deleted.html", host / "n" / "1001220")
    for article in EXPECTED["articles"].values():
        shutil.copy(FIXTURES / article["_fixture"], host / "n" / article["url"].rsplit("/", 1)[1])
    return root


def test_crawl_list_and_feed_stream_into_sqlite_and_jsonl(tmp_path):
    mirror = build_mirror(tmp_path / "mirror")
    db, out = tmp_path / "news.db", tmp_path / "articles.jsonl"
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "laoyaoba", "-a", f"start_urls={LIST_URL}",
         "-s", f"NEWSCRAWL_MIRROR={mirror}", "-s", f"NEWSCRAWL_DATABASE_URL=sqlite:///{db}",
         "-s", f"NEWSCRAWL_NOW={NOW}", "-s", "ROBOTSTXT_OBEY=0", "-s", "DOWNLOAD_DELAY=0",
         "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "LOG_LEVEL=INFO", "-O", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=240,
    )
    log = result.stderr
    assert result.returncode == 0, log[-3000:]
    items = {i["url"]: i for i in map(json.loads, out.read_text("utf-8").splitlines())}
    # 1001234 and 1001198 come from the HTML list, 1000876 only from the feed stream's page 2
    assert set(items) == set(EXPECTED["articles"])
    for url, item in items.items():
        assert item.pop("crawled_at")
        assert item == {k: v for k, v in EXPECTED["articles"][url].items() if not k.startswith("_")}
    rows = sqlite3.connect(db).execute("SELECT url, published_at_local, title FROM articles ORDER BY url").fetchall()
    assert rows == sorted((u, i["published_at"], i["title"]) for u, i in items.items())
    assert "'newscrawl/list_pages': 3" in log  # HTML page + two feed-stream pages
    assert "'newscrawl/pages/not_article': 1" in log  # the deleted story
    assert "'newscrawl/pages/http_error/404': 16" in log  # listed stories not in the mirror
    assert "newscrawl/fallback/" not in log  # the portal's own selectors found every field the pages have
    assert "Traceback" not in log


@pytest.mark.parametrize("raw, text", [
    ("20260718155100", "2026-07-18 15:51:00"),
    ("202607181551", "2026-07-18 15:51:00"),
    (1784361060, "2026-07-18T07:51:00+00:00"),
    ("1784361060000", "2026-07-18T07:51:00+00:00"),
    ("41分钟前", "41分钟前"),
    ("", None),
])
def test_feed_stream_published_time_forms(raw, text):
    assert LaoyaobaSpider.api_date(raw) == text
