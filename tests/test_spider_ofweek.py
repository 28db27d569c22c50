"""The ofweek spider on the sample mirror (pages written by us from ../shared/portals/ofweek.md)."""

import json
import re
from pathlib import Path

import pytest
import scrapy
import spiderkit
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler
from spiderkit import mirror_page, spider_with

from newscrawl import config
from newscrawl.items import Article
from newscrawl.pages.ofweek import OfweekPage
from newscrawl.spiders.base import SpiderArgumentError
from newscrawl.spiders.ofweek import CHANNELS, OfweekSpider

ROOT = Path(__file__).resolve().parents[1]
MIRROR = ROOT / "samples" / "mirror"
EXPECTED = json.loads((ROOT / "tests" / "fixtures" / "ofweek" / "EXPECTED.json").read_text("utf-8"))
ARTICLES = EXPECTED["articles"]
SEED_URL = "https://cloud.ofweek.com/2022-08/ART-178801-8420-30570417.html"
SCALARS = ("url", "portal", "site", "title", "published_at", "author", "source", "headimg")


def mirror_response(url: str) -> HtmlResponse:
    return mirror_page(MIRROR, url)


@pytest.fixture
def spider():
    return spider_with(OfweekSpider)


def run_article(spider, url):
    return spiderkit.run_article(spider, mirror_response, url)


@pytest.mark.parametrize("url", sorted(ARTICLES))
def test_article_page_gives_expected_item(spider, url):
    expected = ARTICLES[url]
    (item,) = run_article(spider, expected["_pages"][0])
    assert isinstance(item, Article)
    for field in SCALARS:
        assert getattr(item, field) == expected[field], field
    assert item.tags == expected["tags"]
    assert item.images == expected["images"]
    for sentence in expected["body_text_contains"]:
        assert sentence in item.body_text
    for chrome in expected["body_text_excludes"]:
        assert chrome not in item.body_text and chrome not in item.body_html
    for banned in ("<script", "<style", "<iframe", "onclick", "javascript:"):
        assert banned not in item.body_html
    assert item.content_hash and len(item.content_hash) == 64
    channel = expected["site"].removeprefix("OFweek")
    channel = channel if channel in CHANNELS.values() else channel.removesuffix("网")
    assert item.categories[0] == channel, "the channel is the first category"
    assert not any("OFweek" in c or "维科" in c for c in item.categories)


@pytest.mark.parametrize("url", sorted(u for u, a in ARTICLES.items() if a["author"]))
def test_credit_lines_become_fields_not_body_text(spider, url):
    (item,) = run_article(spider, ARTICLES[url]["_pages"][0])
    assert item.author == ARTICLES[url]["author"]
    for line in item.body_text.splitlines():
        assert not re.match(r"^\s*(?:作者|编辑|来源)\s*[|｜]", line), line
    assert f"作者 | {item.author}" not in item.body_html


def test_seed_article_exactly(spider):
    (item,) = run_article(spider, SEED_URL)
    assert item.title == "连续5年蝉联第一，华为云牢牢掌控政务云市场领先地位"
    assert item.published_at == "2022-08-10T14:20:00+08:00"  # = 2022-08-10 06:20 UTC
    assert item.headimg == "http://images.ofweek.com/Upload/News/2022-8/10/Zyong/20220810142147_1660112507370606846.png"
    assert {"华为云", "公有云", "云平台"} <= set(item.tags)
    assert item.site == "OFweek云计算网"
    assert "cors.zfour" not in item.body_html
    # inline tag spans joined without inserting line breaks
    paragraph = next(line for line in item.body_text.split("\n\n") if "华为云" in line)
    assert "\n" not in paragraph


def test_multipage_article_is_one_item_with_all_pages(spider):
    url = next(u for u, a in ARTICLES.items() if len(a["_pages"]) > 1)
    expected = ARTICLES[url]
    outputs = list(spider.parse_article(mirror_response(expected["_pages"][0])))
    assert len(outputs) == 1 and isinstance(outputs[0], scrapy.Request)
    assert outputs[0].url == expected["_pages"][1]
    (item,) = run_article(spider, expected["_pages"][0])
    assert item.url == url
    assert item.images == expected["images"]
    for sentence in expected["body_text_contains"]:
        assert sentence in item.body_text


def test_mobile_url_maps_to_desktop(spider):
    for mobile, desktop in EXPECTED["mobile_pages"].items():
        assert spider.canonical_article_url(mobile) == desktop
        (item,) = list(spider.parse_article(mirror_response(mobile)))
        assert item.url == desktop
        for field in ("title", "published_at", "source", "tags", "images"):
            assert getattr(item, field) == ARTICLES[desktop][field], field
    fallbacks = [k for k in spider.crawler.stats.get_stats() if k.startswith("newscrawl/fallback/")]
    assert fallbacks == [], "the mobile layout needs its own selectors, not the generic extractor"


@pytest.mark.parametrize(
    "raw, canonical",
    [
        ("http://cloud.ofweek.com/2022-08/ART-178801-8420-30570417.html", SEED_URL),
        ("//cloud.ofweek.com/2022-08/ART-178801-8420-30570417_2.html", SEED_URL),
        ("https://cloud.ofweek.com/2022-08/ART-178801-8420-30570417.html?utm_source=rss#c", SEED_URL),
        ("https://m.ofweek.com/cloud/2022-08/ART-178801-8420-30570417.html", SEED_URL),
        ("https://cloud.m.ofweek.com/news/2022-08/ART-178801-8420-30570417.html", SEED_URL),
    ],
)
def test_canonical_article_url(spider, raw, canonical):
    from newscrawl import processors

    assert spider.canonical_article_url(processors.absolute_url(raw, "https://www.ofweek.com/")) == canonical


def test_removed_article_page_is_not_an_article(spider):
    url = next(u for u, v in EXPECTED["non_articles"].items() if v["outcome"] == "not_article")
    assert list(spider.parse_article(mirror_response(url))) == []
    assert spider.crawler.stats.get_value("newscrawl/pages/not_article") == 1


@pytest.mark.parametrize("list_url", sorted(EXPECTED["list_pages"]))
def test_list_pages_yield_exactly_the_list_items(spider, list_url):
    expected = EXPECTED["list_pages"][list_url]
    outputs = list(spider.parse_list(mirror_response(list_url), page=1))
    articles = [r.url for r in outputs if r.callback == spider.parse_article]
    assert articles == [entry["url"] for entry in expected["items"]]
    assert not set(articles) & set(EXPECTED["trap_links"])


def test_list_pagination_and_max_pages(spider):
    first = "https://www.ofweek.com/CATList-8100-CHANGYIEXINWE.html"
    nexts = [r for r in spider.parse_list(mirror_response(first), page=1) if r.callback == spider.parse_list]
    assert [r.url for r in nexts] == ["https://www.ofweek.com/CATList-8100-CHANGYIEXINWE-2.html"]
    assert nexts[0].cb_kwargs == {"page": 2}
    spider.max_pages = 1
    assert not [r for r in spider.parse_list(mirror_response(first), page=1) if r.callback == spider.parse_list]
    last = "https://ee.ofweek.com/CATList-2800-8100-ee-2.html"  # 下一页 is javascript:void(0)
    assert not [r for r in spider.parse_list(mirror_response(last), page=2) if r.callback == spider.parse_list]


def test_since_stops_listing_at_older_articles():
    crawler = get_crawler(OfweekSpider)
    crawler.spider = spider = crawler._create_spider(since="2025-01-01")
    outputs = list(spider.parse_list(mirror_response("https://www.ofweek.com/CATList-8100-CHANGYIEXINWE.html"), page=1))
    expected = [e["url"] for e in EXPECTED["list_pages"]["https://www.ofweek.com/CATList-8100-CHANGYIEXINWE.html"]["items"]
                if e["published"] >= "2025-01-01"]
    assert [r.url for r in outputs if r.callback == spider.parse_article] == expected
    page2 = mirror_response("https://www.ofweek.com/CATList-8100-CHANGYIEXINWE-2.html")
    assert list(spider.parse_list(page2, page=2)) == []  # all older: no articles, no next page
    assert crawler.stats.get_value("newscrawl/skipped/older_than_since") > 0


def test_channel_home_page_follows_article_links(spider):
    for url, expected in EXPECTED["channel_home_pages"].items():
        outputs = list(spider.parse_list(mirror_response(url), page=1))
        got = {r.url for r in outputs if r.callback == spider.parse_article}
        assert got == set(expected["article_links"])


def test_channels_argument():
    assert OfweekSpider(channels="www").default_listings() == ["https://www.ofweek.com/CATList-8100-CHANGYIEXINWE.html"]
    ee, cloud = OfweekSpider(channels="ee,cloud").default_listings()
    assert ee == "https://ee.ofweek.com/CATList-2800-8100-ee-1.html"
    assert cloud == "https://cloud.ofweek.com/"  # no known list id: the channel home page, never an invented id
    assert len(OfweekSpider(channels="all").default_listings()) > 15


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"channels": "nope"}, "unknown OFweek channel"),
        ({"max_pages": "0"}, "max_pages must be a whole number"),
        ({"max_pages": "many"}, "max_pages must be a whole number"),
        ({"since": "yesterday"}, "since must be a date"),
        ({"start_urls": "ftp://ofweek.com/x"}, "start_urls must be http"),
    ],
)
def test_invalid_arguments_stop_with_a_message(kwargs, message):
    with pytest.raises(SpiderArgumentError, match=message):
        OfweekSpider(**kwargs)


def test_site_name_without_title_suffix_follows_the_channel():
    assert OfweekPage(mirror_response(SEED_URL)).channel_site(None) == "OFweek云计算网"
    assert OfweekPage(HtmlResponse("https://iot.ofweek.com/x", body=b"")).channel_site(None) == "OFweek物联网"


def test_bad_newscrawl_now_stops_at_start_in_one_line():
    crawler = get_crawler(OfweekSpider, {"NEWSCRAWL_NOW": "next tuesday"})
    with pytest.raises(config.ConfigError, match="NEWSCRAWL_NOW=next tuesday: must be an ISO 8601 time"):
        crawler._create_spider()
    crawler = get_crawler(OfweekSpider, {"NEWSCRAWL_NOW": "2026-07-23T16:32:00"})
    spider = crawler._create_spider()
    assert spider._now(None).isoformat() == "2026-07-23T16:32:00+08:00"
