"""The ithome (IT之家) spider: article pages, the latest list and day archives, canonical URLs, the real page, a crawl."""

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse, Request
from spiderkit import check_item, mirror_page, spider_with, split_urls

from newscrawl.items import ARTICLE_FIELDS
from newscrawl.spiders.ithome import IthomeSpider

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "ithome"
MIRROR = FIXTURES / "mirror"
ARTICLES = {p.stem: json.loads(p.read_text("utf-8")) for p in sorted((FIXTURES / "expected").glob("article-*.json"))}
LISTS = json.loads((FIXTURES / "expected" / "lists.json").read_text("utf-8"))
# Real IT之家 page kept beside the clone (../shared), never copied into the project.
REAL_PAGE = ROOT.parent / "shared" / "realpages" / "ithome" / "article-866661.html"
LATEST = "https://www.ithome.com/list/"


def make_spider(**kwargs):
    return spider_with(IthomeSpider, {"NEWSCRAWL_NOW": "2025-07-09T12:00:00+08:00"}, **kwargs)


def mirror_response(url: str) -> HtmlResponse:
    return mirror_page(MIRROR, url)


split = split_urls


@pytest.mark.parametrize("name", sorted(ARTICLES))
def test_article_page_gives_exact_expected_item(name):
    expected = ARTICLES[name]
    spider = make_spider()
    (item,) = spider.parse_article(mirror_response(expected["url"]))
    check_item(item, expected)
    # every field came from the spider's own selectors, none from the generic fallback
    assert not [k for k in spider.crawler.stats.get_stats() if k.startswith("newscrawl/fallback/")]


def test_deleted_article_is_not_an_article():
    spider = make_spider()
    assert list(spider.parse_article(mirror_response(LISTS["deleted"]))) == []
    assert spider.crawler.stats.get_value("newscrawl/pages/not_article") == 1


@pytest.mark.skipif(not REAL_PAGE.is_file(), reason=f"real IT之家 page not found at {REAL_PAGE} (../shared is absent)")
def test_real_ithome_page():
    url = "https://www.ithome.com/0/866/661.htm"
    spider = make_spider()
    (item,) = spider.parse_article(HtmlResponse(url=url, body=REAL_PAGE.read_bytes(), request=Request(url)))
    assert item.url == url
    assert item.title == "蔚来回应与江淮合资公司注销：正常调整，对生产无影响"
    assert item.published_at == "2025-07-08T18:04:18+08:00"
    assert item.author == "远洋"
    assert item.source == "IT之家"
    assert item.site == "IT之家"
    assert item.headimg == (
        "https://img.ithome.com/newsuploadfiles/2025/7/14f2a90e-7aca-4cd5-9025-f20108f7f59d.jpg"
        "?x-bce-process=image/format,f_auto"
    )
    assert item.images == [item.headimg]
    assert "t.png" not in item.body_html
    assert item.categories == ["智车之家", "汽车新闻"]
    assert item.tags == ["蔚来", "江淮汽车"]
    for credit in ("感谢IT之家网友", "此昵称已经存在", "的线索投递", "广告声明"):
        assert credit not in item.body_text
    assert item.body_text.startswith("IT之家 7 月 8 日消息，针对蔚来与江淮合资公司注销一事")
    assert item.body_text.endswith("上述合资公司决议解散也在意料之中。")
    assert item.summary.startswith("蔚来回应与江淮合资公司注销")
    assert not [k for k in spider.crawler.stats.get_stats() if k.startswith("newscrawl/fallback/")]


@pytest.mark.parametrize("list_url", sorted(LISTS["lists"]))
def test_list_pages_yield_exactly_their_articles_and_the_next_day(list_url):
    expected = LISTS["lists"][list_url]
    spider = make_spider()
    articles, lists = split(spider.parse_list(mirror_response(list_url), page=1))
    assert articles == expected["articles"]
    assert not set(articles) & set(LISTS["traps"])
    assert [r.url for r in lists] == [expected["next"]]
    assert lists[0].cb_kwargs == {"page": 2}


def test_max_pages_stops_pagination():
    spider = make_spider(max_pages="1")
    articles, lists = split(spider.parse_list(mirror_response(LATEST), page=1))
    assert len(articles) == 4 and lists == []


def test_since_skips_older_articles_and_stops_at_an_all_older_day():
    spider = make_spider(since="2025-07-09")
    articles, lists = split(spider.parse_list(mirror_response(LATEST), page=1))
    assert articles == ["https://www.ithome.com/0/866/712.htm", "https://www.ithome.com/0/866/690.htm"]
    assert [r.url for r in lists] == ["https://www.ithome.com/list/2025-07-08.html"]
    day = "https://www.ithome.com/list/2025-07-08.html"
    assert list(spider.parse_list(mirror_response(day), page=2)) == []
    assert spider.crawler.stats.get_value("newscrawl/skipped/older_than_since") == 6


@pytest.mark.parametrize(
    "raw, canonical",
    [
        ("https://m.ithome.com/html/866661.htm", "https://www.ithome.com/0/866/661.htm"),
        ("http://wap.ithome.com/html/866661.htm", "https://www.ithome.com/0/866/661.htm"),
        ("https://www.ithome.com/html/it/340231.htm", "https://www.ithome.com/0/340/231.htm"),
        ("http://www.ithome.com/0/866/661.htm?from=rss#comment", "https://www.ithome.com/0/866/661.htm"),
        ("https://it.ithome.com/0/866/661.htm", "https://www.ithome.com/0/866/661.htm"),
        ("https://m.ithome.com/html/1012345.htm", "https://www.ithome.com/1/012/345.htm"),
    ],
)
def test_canonical_article_url(raw, canonical):
    spider = make_spider()
    assert spider.is_article_url(raw)
    assert spider.canonical_article_url(raw) == canonical


@pytest.mark.parametrize(
    "url",
    ["https://lapin.ithome.com/html/digi/812345.htm", "https://www.ithome.com/list/", "https://www.ithome.com/tags/蔚来/",
     "https://www.ithome.com/rss/", "https://www.ithome.com/0/866/661.jpg"],
)
def test_not_article_urls(url):
    assert not make_spider().is_article_url(url)


def test_mobile_start_url_fetches_the_desktop_page():
    spider = make_spider(start_urls="https://m.ithome.com/html/866712.htm")
    request = spider.request_for(spider.start_urls[0])
    assert request.url == "https://www.ithome.com/0/866/712.htm" and request.meta["newscrawl"] == "article"


def test_crawl_from_the_latest_list_into_sqlite_and_jsonl(tmp_path):
    db, out = tmp_path / "news.db", tmp_path / "items.jsonl"
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "ithome",
         "-s", f"NEWSCRAWL_MIRROR={MIRROR}", "-s", f"NEWSCRAWL_DATABASE_URL=sqlite:///{db}",
         "-s", f"NEWSCRAWL_SPOOL_DIR={tmp_path / 'spool'}",  # not ./spool: other runs' leftovers load from there
         "-s", "ROBOTSTXT_OBEY=0", "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0",
         "-s", "NEWSCRAWL_NOW=2025-07-09T12:00:00+08:00", "-s", "LOG_LEVEL=INFO", "-O", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=240,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    items = {item["url"]: item for item in map(json.loads, out.read_text("utf-8").splitlines())}
    assert set(items) == {a["url"] for a in ARTICLES.values()}
    for expected in ARTICLES.values():
        item = items[expected["url"]]
        for field in ARTICLE_FIELDS:
            if field not in ("crawled_at", "body_html"):
                assert item[field] == expected[field], (expected["url"], field)
    rows = dict(sqlite3.connect(db).execute("SELECT url, title FROM articles").fetchall())
    assert rows == {url: item["title"] for url, item in items.items()}
    log = result.stderr
    # the deleted story, the dead link and the unmirrored day before the oldest archive are counted
    assert "'newscrawl/pages/not_article': 1" in log
    assert "'newscrawl/pages/http_error/404': 2" in log
    assert "Traceback" not in log


def test_binary_answer_at_an_article_url_is_counted_not_crashed_on():
    from scrapy.http import Response

    spider = make_spider()
    url = "https://www.ithome.com/0/866/712.htm"
    assert list(spider.parse_article(Response(url=url, body=b"\x89PNG\r\n", request=Request(url)))) == []
    assert spider.crawler.stats.get_value("newscrawl/pages/not_article") == 1


@pytest.mark.skipif(not REAL_PAGE.is_file(), reason=f"real IT之家 page not found at {REAL_PAGE} (../shared is absent)")
def test_crawl_of_the_real_page_from_its_mobile_url(tmp_path):
    # The real page goes into a throwaway mirror under tmp_path, never into the project.
    mirror = tmp_path / "mirror"
    (mirror / "www.ithome.com" / "0" / "866").mkdir(parents=True)
    (mirror / "www.ithome.com" / "0" / "866" / "661.htm").write_bytes(REAL_PAGE.read_bytes())
    out = tmp_path / "items.jsonl"
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "ithome", "-a", "start_urls=https://m.ithome.com/html/866661.htm",
         "-s", f"NEWSCRAWL_MIRROR={mirror}", "-s", f"NEWSCRAWL_DATABASE_URL=sqlite:///{tmp_path / 'news.db'}",
         "-s", f"NEWSCRAWL_SPOOL_DIR={tmp_path / 'spool'}",  # not ./spool: other runs' leftovers load from there
         "-s", "ROBOTSTXT_OBEY=0", "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0", "-O", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=240,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    (item,) = map(json.loads, out.read_text("utf-8").splitlines())
    assert (item["url"], item["published_at"], item["author"], item["source"]) == (
        "https://www.ithome.com/0/866/661.htm", "2025-07-08T18:04:18+08:00", "远洋", "IT之家",
    )
    assert item["headimg"].startswith("https://img.ithome.com/newsuploadfiles/2025/7/14f2a90e-")
    assert item["categories"] == ["智车之家", "汽车新闻"] and item["tags"] == ["蔚来", "江淮汽车"]
    assert "线索投递" not in item["body_html"] and "t.png" not in item["body_html"]


def test_bare_list_times_take_the_archive_day_or_today():
    rows = '<ul class="datel"><li><a class="t" href="https://www.ithome.com/0/866/1.htm">甲</a><i>18:04</i></li></ul>'
    spider = make_spider()
    for url, when in (("https://www.ithome.com/list/2025-07-07.html", "2025-07-07 18:04"), (LATEST, "今天 18:04")):
        response = HtmlResponse(url=url, body=rows.encode("utf-8"), encoding="utf-8")
        assert list(spider.list_entries(response)) == [("https://www.ithome.com/0/866/1.htm", when)]
    assert spider.next_list_url(HtmlResponse(url=LATEST, body=rows.encode("utf-8"), encoding="utf-8"), 1) == (
        "https://www.ithome.com/list/2025-07-09.html"  # 今天 = NEWSCRAWL_NOW's day
    )
