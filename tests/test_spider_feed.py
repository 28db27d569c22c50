"""The `feed` spider: RSS 2.0, RSS 1.0 and Atom with broken entries; entry content when the page gives none."""

from pathlib import Path

import pytest
from scrapy.http import HtmlResponse, Request, XmlResponse
from scrapy.utils.test import get_crawler

from newscrawl.spiders.base import SpiderArgumentError
from newscrawl.spiders.feed import FeedSpider

ROOT = Path(__file__).resolve().parents[1]
MIRROR = ROOT / "tests" / "fixtures" / "generic"
SITE = MIRROR / "www.xinzhi.example"
HOST = "https://www.xinzhi.example/"


def spider(**kwargs):
    crawler = get_crawler(FeedSpider, settings_dict={})
    kwargs.setdefault("url", HOST + "rss.xml")
    return FeedSpider.from_crawler(crawler, **kwargs), crawler.stats


def parse(name, **kwargs):
    feed_spider, stats = spider(**kwargs)
    response = XmlResponse(url=HOST + name, body=(SITE / name).read_bytes())
    return list(feed_spider.parse_feed(response)), stats, feed_spider


def test_arguments():
    with pytest.raises(SpiderArgumentError, match="feed needs -a url=FEED_URL"):
        FeedSpider()
    with pytest.raises(SpiderArgumentError, match="url must be http"):
        FeedSpider(url="feed://www.example.com/rss")
    assert FeedSpider(url=f"{HOST}rss.xml, {HOST}atom.xml").start_urls == [HOST + "rss.xml", HOST + "atom.xml"]


def test_rss2_with_wrong_encoding_declaration_missing_link_and_bad_date():
    requests, stats, _ = parse("rss.xml")
    entries = {r.url: r.meta["feed_entry"] for r in requests}
    # declared GB2312, really UTF-8: titles still read right; ?from=rss is dropped from the link
    assert entries[HOST + "news/2025/07/1001.html"]["title"] == "国产存储芯片厂商加速扩产，HBM成新焦点"
    assert entries[HOST + "news/2025/07/1001.html"]["published_at"] == "2025-07-08T09:30:00+08:00"
    assert entries[HOST + "news/2025/07/1001.html"]["categories"] == ["存储", "HBM专题"]  # CDATA category
    assert entries[HOST + "news/2025/07/0999.html"]["author"] == "赵强"
    assert "单颗集成 64 个高性能核心" in entries[HOST + "news/2025/07/0999.html"]["content"]  # content:encoded
    assert entries[HOST + "news/2025/07/1002.html"]["published_at"] is None  # "下周二上午": the page decides
    assert len(requests) == 4
    assert stats.get_value("newscrawl/feed/entry_without_link") == 1
    assert stats.get_value("newscrawl/date_unparsed") == 1
    assert stats.get_value("newscrawl/feed/malformed") == 1
    assert all(r.meta["newscrawl"] == "article" for r in requests)


def test_since_skips_old_entries_without_fetching_them():
    requests, stats, _ = parse("rss.xml", since="2025-07-01")
    assert HOST + "news/2024/12/0800.html" not in {r.url for r in requests}
    assert stats.get_value("newscrawl/skipped/older_than_since") == 1


def test_rss1_rdf_and_atom():
    requests, _, _ = parse("rdf.xml")
    entries = [r.meta["feed_entry"] for r in requests]
    assert [e["published_at"] for e in entries] == ["2025-07-10T09:30:00+08:00", "2025-07-11T20:00:00+08:00"]
    assert [e["categories"] for e in entries] == [["政策"], ["视频"]]
    requests, stats, _ = parse("atom.xml")
    entries = {r.url: r.meta["feed_entry"] for r in requests}
    assert set(entries) == {HOST + "news/2025/07/1002.html", HOST + "news/2025/07/1010.html"}  # relative href resolved
    assert entries[HOST + "news/2025/07/1002.html"]["published_at"] == "2025-07-09T14:05:00+08:00"
    assert entries[HOST + "news/2025/07/1002.html"]["categories"] == ["汽车电子", "MCU"]
    assert stats.get_value("newscrawl/feed/entry_without_link") == 1  # the urn:uuid id is no URL


def test_entry_content_becomes_the_article_when_the_page_has_no_body():
    requests, stats, feed_spider = parse("rdf.xml")
    request = next(r for r in requests if r.url.endswith("1004.html"))
    response = HtmlResponse(url=request.url, body=(SITE / "news/2025/07/1004.html").read_bytes(), request=request)
    (item,) = list(feed_spider.parse_article(response))
    assert item.title == "视频：一分钟看懂Chiplet"
    assert item.published_at == "2025-07-11T20:00:00+08:00"
    assert item.body_text.startswith("Chiplet（芯粒）把大芯片拆成小芯片分别制造")
    assert stats.get_value("newscrawl/feed/entry_content_used") == 1


def test_feed_date_and_categories_win_over_the_page():
    requests, _, feed_spider = parse("rdf.xml")
    request = next(r for r in requests if r.url.endswith("1003.html"))
    request.meta["feed_entry"]["published_at"] = "2025-07-10T10:15:00+08:00"  # the page says 09:30
    response = HtmlResponse(url=request.url, body=(SITE / "news/2025/07/1003.html").read_bytes(), request=request)
    (item,) = list(feed_spider.parse_article(response))
    assert item.published_at == "2025-07-10T10:15:00+08:00"
    assert item.categories == ["政策", "产业动态"]  # feed first, then the page's breadcrumb
    assert item.source == "新华社"


def test_crawl_three_feeds(run_crawl):
    feeds = ",".join(HOST + name for name in ("rss.xml", "rdf.xml", "atom.xml"))
    items, log, code = run_crawl("feed", MIRROR, "-a", f"url={feeds}", "-a", "since=2025-07-01",
                                 settings=["ROBOTSTXT_OBEY=0"])
    assert code == 0, log[-3000:]
    by_url = {item["url"]: item for item in items}
    # 1010 has a bad date and no page: kept with published_at null (`since` treats it as new), not dropped
    assert set(by_url) == {HOST + f"news/2025/07/{n}.html" for n in ("1001", "1002", "1003", "1004", "0999", "1010")}
    assert by_url[HOST + "news/2025/07/1010.html"]["published_at"] is None
    assert by_url[HOST + "news/2025/07/1001.html"]["categories"] == ["存储", "HBM专题"]
    assert by_url[HOST + "news/2025/07/1002.html"]["published_at"] == "2025-07-09T14:05:00+08:00"  # from the page
    failed = by_url[HOST + "news/2025/07/0999.html"]  # 404: the entry's content:encoded, sanitized
    assert failed["title"] == "RISC-V 服务器芯片亮相，单颗 64 核"
    assert "<script" not in failed["body_html"] and "预计明年量产" in failed["body_text"]
    assert "'newscrawl/feed/entry_content_used': 3" in log  # 0999 and 1010 failed, 1004 has no body
    assert "'newscrawl/field/published_at/missing': 1" in log and "item_dropped_reasons_count" not in log
    assert "Using the feed entry's own content for https://www.xinzhi.example/news/2025/07/0999.html" in log
    assert "Traceback" not in log


def test_a_page_url_is_followed_to_the_feeds_it_declares():
    feed_spider, stats = spider(url=HOST + "storage/")
    response = HtmlResponse(url=HOST + "storage/", body=(SITE / "storage" / "index.html").read_bytes(),
                            request=Request(HOST + "storage/"))
    (request,) = list(feed_spider.parse_feed(response))
    assert request.url == HOST + "rss.xml"  # not the hreflang alternate
    assert request.meta["feed_discovered"] is True
    # a discovered "feed" that is a page again is not followed further: counted as empty
    again = HtmlResponse(url=HOST + "storage/", body=response.body, request=request)
    assert list(feed_spider.parse_feed(again)) == []
    assert stats.get_value("newscrawl/list_pages_empty") == 1
