"""The gasgoo (盖世汽车) spider: current and 2015-era article pages, channel lists, canonical URLs, a crawl."""

import json
import shutil
import sqlite3
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path

import pytest
from spiderkit import saved_page, spider_with, split_urls

from newscrawl.items import ARTICLE_FIELDS
from newscrawl.spiders.gasgoo import DEFAULT_LIST, GasgooSpider

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "gasgoo"
EXPECTED = json.loads((FIXTURES / "EXPECTED.json").read_text("utf-8"))
LIST_1 = "https://auto.gasgoo.com/auto-news/C-601"
LIST_2 = "https://auto.gasgoo.com/auto-news/C-601/2"


def make_spider(**kwargs):
    return spider_with(GasgooSpider, {"NEWSCRAWL_NOW": EXPECTED["now"]}, **kwargs)


def page(name, url):
    return saved_page(FIXTURES / name, url)


split = split_urls


@pytest.mark.parametrize("url", sorted(EXPECTED["articles"]))
def test_article_page_gives_exact_expected_item(url):
    fixture = EXPECTED["articles"][url]
    expected = {k: v for k, v in fixture.items() if not k.startswith("_")}
    (item,) = list(make_spider().parse_article(page(fixture["_fixture"], fixture["_fetched_as"])))
    got = asdict(item)
    assert got.pop("crawled_at")
    assert set(got) | {"crawled_at"} == set(ARTICLE_FIELDS)
    for field in got:
        assert got[field] == expected[field], field


def test_utf8_pages_decode_from_their_declaration():
    response = page("news-202607-23I70455001C601.html", "https://auto.gasgoo.com/news/202607/23I70455001C601.shtml")
    assert response.encoding == "utf-8" and "线控制动" in response.text


def test_body_drops_ads_logos_qrcodes_and_credits():
    (item,) = make_spider().parse_article(
        page("news-202607-23I70455001C601.html", "https://auto.gasgoo.com/news/202607/23I70455001C601.shtml"))
    for junk in ("article-mid.jpg", "companyLogo", "qrcode", "扫码关注", "声明", "loading.gif", "分享到微信",
                 "相关阅读", "阅读：1024"):
        assert junk not in item.body_html, junk
    (old,) = make_spider().parse_article(
        page("News-2015-05-12103310331.html", "https://auto.gasgoo.com/News/2015/05/12103310331.shtml"))
    assert "ad.gasgoo.com" not in old.body_html and "打印" not in old.body_text


def test_page_outside_article_layout_is_not_an_item():
    spider = make_spider()
    assert list(spider.parse_article(page("list-C-601.html", "https://auto.gasgoo.com/news/202607/99I1C601.shtml"))) == []
    assert spider.crawler.stats.get_value("newscrawl/pages/not_article") == 1


@pytest.mark.parametrize("url, canonical", [
    ("http://auto.gasgoo.com/news/202604/22I70454703C601.shtml", "https://auto.gasgoo.com/news/202604/22I70454703C601.shtml"),
    ("https://m.gasgoo.com/news/202604/22I70454703C601.shtml?from=timeline#top",
     "https://auto.gasgoo.com/news/202604/22I70454703C601.shtml"),
    ("https://auto.gasgoo.com/News/202604/22I70454703C601.shtml", "https://auto.gasgoo.com/news/202604/22I70454703C601.shtml"),
    ("http://auto.gasgoo.com/news/2015/05/12103310331.shtml", "https://auto.gasgoo.com/News/2015/05/12103310331.shtml"),
    ("https://www.gasgoo.com/News/2015/05/12103310331.shtml", "https://auto.gasgoo.com/News/2015/05/12103310331.shtml"),
])
def test_canonical_article_urls_current_and_old_forms(url, canonical):
    spider = make_spider()
    assert spider.is_article_url(url)
    assert spider.canonical_article_url(url) == canonical


@pytest.mark.parametrize("url", [
    LIST_1, DEFAULT_LIST, "https://auto.gasgoo.com/qcxl/", "https://auto.gasgoo.com/news/202604/",
    "https://auto.gasgoo.com/News/2015/5/1.shtml", "https://auto.gasgoo.example/news/202604/1.shtml",
])
def test_not_article_urls(url):
    assert not make_spider().is_article_url(url)


def test_list_page_entries_and_next_page():
    articles, lists = split(make_spider().parse_list(page("list-C-601.html", LIST_1), page=1))
    assert articles == [
        "https://auto.gasgoo.com/news/202607/23I70455001C601.shtml",
        "https://auto.gasgoo.com/news/202607/22I70454988C601.shtml",  # ?from=list dropped
        "https://auto.gasgoo.com/news/202607/21I70454870C601.shtml",
        "https://auto.gasgoo.com/news/202607/20I70454801C601.shtml",
    ]  # not the sidebar's hot news, not the ad
    assert [r.url for r in lists] == [LIST_2] and lists[0].cb_kwargs == {"page": 2}


def test_pager_next_link_and_last_page():
    spider = make_spider()
    _, lists = split(spider.parse_list(page("list-C-601-2.html", LIST_2), page=2))
    assert [r.url for r in lists] == ["https://auto.gasgoo.com/auto-news/C-601/3"]
    assert spider.next_list_url(page("list-C-601-2.html", LIST_2).replace(
        body=(FIXTURES / "list-C-601-2.html").read_bytes().replace(b'<a class="next" href="/auto-news/C-601/3">\xe4\xb8\x8b\xe4\xb8\x80\xe9\xa1\xb5</a>', b"")), 2) is None
    assert spider.next_list_url(page("list-C-601.html", "https://auto.gasgoo.com/industry/"), 1) == \
        "https://auto.gasgoo.com/industry/index_2.shtml"


def test_since_and_max_pages():
    spider = make_spider(since="2026-07-21")
    articles, lists = split(spider.parse_list(page("list-C-601.html", LIST_1), page=1))
    assert [u[-21:] for u in articles] == ["23I70455001C601.shtml", "22I70454988C601.shtml", "21I70454870C601.shtml"]
    assert len(lists) == 1
    articles, lists = split(spider.parse_list(page("list-C-601-2.html", LIST_2), page=2))
    assert articles == [] and lists == []  # a page of only older news ends the listing
    _, lists = split(make_spider(max_pages="1").parse_list(page("list-C-601.html", LIST_1), page=1))
    assert lists == []


def test_article_older_than_since_is_dropped_after_fetch():
    spider = make_spider(since="2020-01-01")
    assert list(spider.parse_article(
        page("News-2015-05-12103310331.html", "https://auto.gasgoo.com/News/2015/05/12103310331.shtml"))) == []


def test_crawl_two_list_pages_into_sqlite_and_jsonl(tmp_path):
    host = tmp_path / "mirror" / "auto.gasgoo.com"
    (host / "auto-news" / "C-601").mkdir(parents=True)
    # "/C-601/1" is the same list as "/C-601"; a file tree cannot hold both "C-601" and "C-601/2"
    shutil.copy(FIXTURES / "list-C-601.html", host / "auto-news" / "C-601" / "1")
    shutil.copy(FIXTURES / "list-C-601-2.html", host / "auto-news" / "C-601" / "2")
    for article in EXPECTED["articles"].values():
        target = host / article["url"].split("auto.gasgoo.com/", 1)[1]
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(FIXTURES / article["_fixture"], target)
    db, out = tmp_path / "news.db", tmp_path / "articles.jsonl"
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "gasgoo", "-a", f"start_urls={LIST_1}/1",
         "-s", f"NEWSCRAWL_MIRROR={tmp_path / 'mirror'}", "-s", f"NEWSCRAWL_DATABASE_URL=sqlite:///{db}",
         "-s", "ROBOTSTXT_OBEY=0", "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0",
         "-s", "LOG_LEVEL=INFO", "-O", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=240,
    )
    log = result.stderr
    assert result.returncode == 0, log[-3000:]
    items = {i["url"]: i for i in map(json.loads, out.read_text("utf-8").splitlines())}
    assert set(items) == set(EXPECTED["articles"])  # two current articles from page 1, the 2015 one from page 2
    for url, item in items.items():
        assert item.pop("crawled_at")
        assert item == {k: v for k, v in EXPECTED["articles"][url].items() if not k.startswith("_")}
    rows = sqlite3.connect(db).execute("SELECT url, published_at_local FROM articles ORDER BY url").fetchall()
    assert rows == sorted((u, i["published_at"]) for u, i in items.items())
    assert "'newscrawl/list_pages': 2" in log
    # four listed stories missing from the mirror and the absent list page 3 are 404s, counted
    assert "'newscrawl/pages/http_error/404': 5" in log
    assert "newscrawl/fallback/" not in log  # the portal's own selectors found every field the pages have
    assert "Traceback" not in log
