"""The `sitemap` spider: robots.txt, sitemap index, news sitemap, gzip, lastmod with since, pattern."""

import gzip
from pathlib import Path

import pytest
from scrapy.http import Response, TextResponse, XmlResponse
from scrapy.utils.test import get_crawler

from newscrawl.spiders.base import SpiderArgumentError
from newscrawl.spiders.sitemap import SitemapSpider

ROOT = Path(__file__).resolve().parents[1]
MIRROR = ROOT / "tests" / "fixtures" / "generic"
SITE = MIRROR / "www.xinzhi.example"
HOST = "https://www.xinzhi.example/"


def spider(**kwargs):
    crawler = get_crawler(SitemapSpider, settings_dict={})
    kwargs.setdefault("url", HOST + "robots.txt")
    return SitemapSpider.from_crawler(crawler, **kwargs), crawler.stats


def parse(name, response_class=XmlResponse, **kwargs):
    sitemap_spider, stats = spider(**kwargs)
    response = response_class(url=HOST + name, body=(SITE / name).read_bytes())
    return list(sitemap_spider.parse_sitemap(response)), stats


def test_arguments():
    with pytest.raises(SpiderArgumentError, match="sitemap needs -a url=SITEMAP_OR_ROBOTS_TXT_URL"):
        SitemapSpider()
    with pytest.raises(SpiderArgumentError, match="pattern is not a valid regular expression"):
        SitemapSpider(url=HOST + "sitemap.xml", pattern="/news/(\\d+")


def test_robots_txt_sitemap_lines_are_followed_once():
    sitemap_spider, _ = spider()
    response = TextResponse(url=HOST + "robots.txt", body=(SITE / "robots.txt").read_bytes(), encoding="utf-8")
    requests = list(sitemap_spider.parse_robots(response))
    assert [r.url for r in requests] == [HOST + "sitemap_index.xml"]


def test_index_skips_child_sitemaps_older_than_since():
    requests, stats = parse("sitemap_index.xml", since="2025-07-01")
    assert [r.url for r in requests] == [HOST + "sitemap-news.xml", HOST + "sitemap-pages.xml.gz"]
    assert stats.get_value("newscrawl/skipped/older_than_since") == 1
    requests, _ = parse("sitemap_index.xml")
    assert len(requests) == 3


def test_news_sitemap_publication_date_since_and_pattern():
    requests, stats = parse("sitemap-news.xml", since="2025-07-01", pattern=r"/news/\d{4}/\d{2}/\d+\.html$")
    assert [r.url for r in requests] == [HOST + "news/2025/07/1001.html", HOST + "news/2025/07/1002.html"]
    entry = requests[0].meta["sitemap_entry"]
    assert entry["publication_date"] == "2025-07-08T09:30:00+08:00"
    assert entry["title"] == "国产存储芯片厂商加速扩产，HBM成新焦点"
    assert entry["loc"] == HOST + "news/2025/07/1001.html"  # not the image:loc inside the same <url>
    assert stats.get_value("newscrawl/skipped/older_than_since") == 1  # 2025-06-09
    assert stats.get_value("newscrawl/sitemap/url_not_matching") == 1  # /about


def test_gzip_sitemap_and_lastmod():
    requests, stats = parse("sitemap-pages.xml.gz", response_class=Response, since="2025-07-01")
    assert [r.url for r in requests] == [
        HOST + "news/2025/07/1003.html", HOST + "news/2025/07/1004.html", HOST + "storage/",
    ]
    assert stats.get_value("newscrawl/skipped/older_than_since") == 1


def test_broken_gzip_and_html_instead_of_xml_are_counted_not_crashed():
    sitemap_spider, stats = spider()
    broken = gzip.compress(b"<urlset></urlset>")[:12]
    assert list(sitemap_spider.parse_sitemap(Response(url=HOST + "s.xml.gz", body=broken))) == []
    html = TextResponse(url=HOST + "sitemap.xml", body=b"<html><body>Not found</body></html>", encoding="utf-8")
    assert list(sitemap_spider.parse_sitemap(html)) == []
    assert stats.get_value("newscrawl/list_pages_empty") == 2


def test_news_sitemap_title_and_date_stand_in_for_a_page_without_them():
    requests, _ = parse("sitemap-news.xml")
    request = requests[0]
    html = b"<html><body><div class='x'>" + "<p>正文段落，内容足够长，用来构成一篇文章的主体部分。</p>".encode() * 4 + b"</div></body></html>"
    from scrapy.http import HtmlResponse

    sitemap_spider, _ = spider()
    response = HtmlResponse(url=request.url, body=html, encoding="utf-8", request=request)
    (item,) = list(sitemap_spider.parse_article(response))
    assert item.title == "国产存储芯片厂商加速扩产，HBM成新焦点"
    assert item.published_at == "2025-07-08T09:30:00+08:00"
    assert item.tags == ["HBM", "存储芯片"]


def test_crawl_from_robots_txt(run_crawl):
    items, log, code = run_crawl("sitemap", MIRROR, "-a", f"url={HOST}robots.txt", "-a", "since=2025-07-01")
    assert code == 0, log[-3000:]
    assert {item["url"] for item in items} == {HOST + f"news/2025/07/{n}.html" for n in ("1001", "1002", "1003")}
    assert all(item["portal"] == "sitemap" and item["body_text"] for item in items)
    assert "'newscrawl/pages/not_article': 2" in log  # the video page and the /storage/ list
    assert "'newscrawl/skipped/older_than_since': 3" in log
    assert "Traceback" not in log


def test_robots_txt_with_a_byte_order_mark_keeps_its_first_sitemap_line():
    sitemap_spider, _ = spider()
    body = b"\xef\xbb\xbfSitemap: https://www.xinzhi.example/sitemap-news.xml\r\nUser-agent: *\r\nDisallow: /admin/\r\n"
    requests = list(sitemap_spider.parse_robots(TextResponse(url=HOST + "robots.txt", body=body, encoding="utf-8")))
    assert [r.url for r in requests] == [HOST + "sitemap-news.xml"]


def test_plain_text_sitemap_is_one_url_per_line():
    sitemap_spider, stats = spider(pattern=r"/news/")
    body = ("\ufeffhttps://www.xinzhi.example/news/2025/07/1001.html\r\n\r\n  https://www.xinzhi.example/news/2025/07/1002.html  \n"
            "https://www.xinzhi.example/about\nnot a url\nhttps://www.xinzhi.example/news/2025/07/新闻.html").encode("utf-8")
    response = TextResponse(url=HOST + "sitemap.txt", body=body, encoding="utf-8", headers={"Content-Type": "text/plain"})
    requests = list(sitemap_spider.parse(response))
    assert [r.url for r in requests] == [
        HOST + "news/2025/07/1001.html", HOST + "news/2025/07/1002.html", HOST + "news/2025/07/%E6%96%B0%E9%97%BB.html",
    ]
    assert stats.get_value("newscrawl/sitemap/url_not_matching") == 1


@pytest.mark.parametrize("cut", ["<loc>https://www.xinzhi.example/news/2025/07/10", "</loc><lastmod>2025-07", "</url>\n"])
def test_truncated_sitemap_requests_only_its_complete_entries(cut):
    complete = (SITE / "sitemap-news.xml").read_bytes()
    sitemap_spider, stats = spider()
    whole = [r.url for r in sitemap_spider.parse_sitemap(XmlResponse(url=HOST + "a.xml", body=complete))]
    # the file cut off inside its last entry (or an empty last entry is all that survived)
    last = complete.rindex(b"<url>")
    body = complete[:last] + b"<url>" + cut.encode()
    sitemap_spider, stats = spider()
    requests = [r.url for r in sitemap_spider.parse_sitemap(XmlResponse(url=HOST + "b.xml", body=body))]
    assert requests == whole[:-1]  # the last entry was cut: its half-written <loc> is not requested
    assert stats.get_value("newscrawl/sitemap/truncated") == 1
