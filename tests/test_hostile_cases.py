"""Each hostile case of issue 9, on pages written like the portals' own: an article or a counted reason, nothing unsafe."""

import json
import re
from pathlib import Path

import pytest
import scrapy
from scrapy.http import HtmlResponse, Request, Response
from scrapy.utils.test import get_crawler

from hostile import check_article, fixture_pages, make_spider, parse_mutated
from newscrawl import config, hexo
from newscrawl.items import Article
from newscrawl.middlewares.callbackerrors import CallbackErrorMiddleware
from newscrawl.middlewares.charset import RedecodeMiddleware
from newscrawl.middlewares.metarefresh import HeadMetaRefreshMiddleware
from newscrawl.middlewares.retryafter import retry_after_seconds
from newscrawl.middlewares.ssrf import ForbiddenAddress, SafeAddressMiddleware, address_kind

ROOT = Path(__file__).resolve().parents[1]
C114 = ROOT / "tests" / "fixtures" / "c114" / "mirror" / "www.c114.com.cn" / "news" / "50"
PAGES = {name: (url, body) for name, url, body in reversed(fixture_pages())}  # the first page of each spider


def items_of(outputs) -> list[Article]:
    return [o for o in outputs if isinstance(o, Article)]


def decoded(body: bytes) -> tuple[str, str]:
    for encoding in ("utf-8", "gb18030"):
        try:
            return body.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise AssertionError("fixture in an unexpected encoding")


def first_paragraph_end(text: str, paragraph: str) -> int:
    """Where the raw page's first body paragraph ends: its first 4 characters found verbatim, then </p>."""
    for start in range(0, max(1, len(paragraph) - 4)):
        at = text.find(paragraph[start:start + 4])
        if at >= 0 and not paragraph[start:start + 4].isascii():
            return at + re.search(r"</p>", text[at:], re.I).start()  # old pages write </P>
    raise AssertionError(f"first paragraph {paragraph[:20]!r} not found in the page")


# ---------------------------------------------------------------- crashes that lost the article


@pytest.mark.parametrize("name", sorted(PAGES))
def test_control_characters_and_bad_ipv6_urls_in_a_body_keep_the_article(name):
    url, body = PAGES[name]
    text, encoding = decoded(body)
    original = items_of(parse_mutated(make_spider(name), url, body)[0])[0]
    end = first_paragraph_end(text, original.body_text.split("\n")[0])
    junk = ('&#11;\x0b\x00<img src="http://[::1"><a href="http://[x">链接</a>&#x0;'
            '<img {"@type":=1 data-src="/mangled.png"><a href="/" {"@id": "x"}>名</a>')  # names lxml refuses to look up
    hostile = text[:end] + junk + text[end:]
    hostile = hostile.replace("<head>", '<head><meta property="og:image" content="http://[::1/a.png">', 1)
    items = items_of(parse_mutated(make_spider(name), url, hostile.encode(encoding))[0])
    assert len(items) == 1 and check_article(items[0]) == []
    assert items[0].title == original.title
    assert "[::1" not in json.dumps(items[0].__dict__, ensure_ascii=False)


@pytest.mark.parametrize("name", sorted(PAGES))
def test_a_paragraph_of_200k_spaces_is_parsed_in_linear_time(name):
    """A leading \\s* in a searched regex (the editor-credit trim) took 150 s on such a paragraph."""
    import time

    url, body = PAGES[name]
    text, encoding = decoded(body)
    original = items_of(parse_mutated(make_spider(name), url, body)[0])[0]
    end = first_paragraph_end(text, original.body_text.split("\n\n")[-1])  # the last paragraph: its text ends the body
    hostile = text[:end] + "文" + " " * 200_000 + "字[编辑" + text[end:]
    started = time.perf_counter()
    outputs, delta = parse_mutated(make_spider(name), url, hostile.encode(encoding))
    assert time.perf_counter() - started < 5
    assert items_of(outputs)


def test_hostile_list_dates_with_since_keep_the_list_page():
    spider = make_spider("c114")
    spider.since = __import__("datetime").date(2025, 9, 1)
    roll = (ROOT / "tests/fixtures/c114/mirror/www.c114.com.cn/news/roll.asp").read_bytes().decode("gb18030")
    import re

    hostile = re.sub(r"\d{2}:\d{2}", "25:00", roll, count=3)
    hostile = re.sub(r"20\d\d-\d\d-\d\d", "9999-12-31", hostile, count=2)
    response = HtmlResponse(url="https://www.c114.com.cn/news/roll.asp", body=hostile.encode("gb18030"),
                            request=Request("https://www.c114.com.cn/news/roll.asp"))
    requests = [o for o in spider.parse_list(response) if isinstance(o, scrapy.Request)]
    assert any(r.meta["newscrawl"] == "article" for r in requests)


# ---------------------------------------------------------------- broken markup, multi-page articles


@pytest.mark.parametrize("name", sorted(set(PAGES) - {"article"}))
def test_stray_closing_tags_do_not_cut_the_body(name):
    """A stray </div></div> after the first paragraph: the paragraphs after it stay in the article."""
    url, body = PAGES[name]
    text, encoding = decoded(body)
    original = items_of(parse_mutated(make_spider(name), url, body)[0])[0]
    paragraphs = original.body_text.split("\n\n")
    assert len(paragraphs) >= 2, "fixture too short for this test"
    cut = first_paragraph_end(text, paragraphs[0]) + len("</p>")
    broken = text[:cut] + "</div></div>" + text[cut:]
    items = items_of(parse_mutated(make_spider(name), url, broken.encode(encoding))[0])
    assert items, "the article was lost"
    assert paragraphs[-1][:20] in items[0].body_text
    assert set(original.images) <= set(items[0].images)


@pytest.mark.parametrize("name", sorted(PAGES))
def test_drop_selectors_tested_on_one_element_match_what_they_match_on_the_page(name):
    """The orphan rule asks "is this element an ad/credit?" element by element; the answer must be the
    whole-page query's, for every element of a portal page (plus made-up selectors with combinators)."""
    from newscrawl.pages.select import _matching, _self_tests

    url, body = PAGES[name]
    response = HtmlResponse(url=url, body=body, request=Request(url))
    spider = make_spider(name)
    drop = (*spider.page_class.drop_from_body, "div p", "div > a", "ul li, p", ".//div[@class]/p", "[id^=art]", "p:first-child")
    tests = _self_tests(drop)
    assert len(tests.simple) >= len(spider.page_class.drop_from_body)  # the portals' own are all single steps
    matched = _matching(response, drop)
    elements = [e for e in response.selector.root.iter() if isinstance(e.tag, str)]
    assert any(e in matched for e in elements)
    for element in elements:
        fast = any(test(element) for test in tests.simple) or element in _matching(response, tests.other)
        assert fast == (element in matched), (element.tag, element.attrib)


def test_tags_categories_and_images_of_every_page_are_merged():
    first = (C114 / "a1301100.html").read_bytes()
    second = (C114 / "a1301100_2.html").read_bytes().decode("gb18030")
    second = second.replace('content="5G专网,行业应用"', 'content="5G专网,行业应用,RedCap"')
    spider = make_spider("c114")
    url = "https://www.c114.com.cn/news/50/a1301100.html"
    outputs = list(spider.parse_article(HtmlResponse(url=url, body=first, request=Request(url))))
    request = outputs[0]
    assert request.url.endswith("a1301100_2.html")
    response = HtmlResponse(url=request.url, body=second.encode("gb18030"), request=request)
    item = items_of(request.callback(response, **request.cb_kwargs))[0]
    assert item.tags == ["5G专网", "行业应用", "RedCap"]
    assert item.images[:2] == ["https://img1.c114.com.cn/uploadfile/2025/0917/zw-1.jpg",
                               "https://img1.c114.com.cn/uploadfile/2025/0917/zw-2.jpg"]


# ---------------------------------------------------------------- plain-text fields, JSON Lines, Hexo


def test_plain_text_fields_never_carry_markup():
    url, body = PAGES["ofweek"]
    text, encoding = decoded(body)
    xss = "&lt;b onmouseover=alert(3)&gt;粗体&lt;/b&gt;&lt;img src=x onerror=alert(1)&gt;"
    hostile = text.replace("<title>", f"<title>{xss}", 1)
    hostile = hostile.replace('<meta name="keywords" content="', f'<meta name="keywords" content="{xss},', 1)
    item = items_of(parse_mutated(make_spider("ofweek"), url, hostile.encode(encoding))[0])[0]
    assert check_article(item) == []
    record = json.dumps(item.__dict__, ensure_ascii=False)
    assert "onmouseover" not in record and "onerror" not in record.replace("onerror", "", 0) or "<" not in item.title
    for value in (item.title, *item.tags, *item.categories, item.author or "", item.source or ""):
        assert "<" not in value and "onerror" not in value
    front = hexo.post_text(item).split("\n---\n", 1)[0]
    assert "<" not in front.replace("<div>", "")


# ---------------------------------------------------------------- limits


def test_body_over_the_cap_is_cut_and_counted():
    url, body = PAGES["ofweek"]
    text, encoding = decoded(body)
    big = "".join(f"<p>第{i}段：" + "光伏储能锂电" * 40 + "</p>" for i in range(2000))
    hostile = text.replace("</p>", "</p>" + big, 1)
    spider = make_spider("ofweek")
    item = items_of(parse_mutated(spider, url, hostile.encode(encoding))[0])[0]
    assert len(item.body_html) <= spider.page_settings.max_body_chars
    assert len(item.body_text) > 100_000
    assert spider.crawler.stats.get_value("newscrawl/pages/body_truncated") == 1
    assert check_article(item) == []


# ---------------------------------------------------------------- middlewares, one job each


def crawler_with(**settings):
    from scrapy.utils.project import get_project_settings

    project = get_project_settings()
    crawler = get_crawler(scrapy.Spider, {**{k: project[k] for k in ("NEWSCRAWL_ALLOWED_SCHEMES",)}, **settings})
    crawler.spider = crawler._create_spider("t")
    crawler.stats.open_spider()
    return crawler


@pytest.mark.parametrize("address, kind", [
    ("127.0.0.1", "loopback"), ("::1", "loopback"), ("::ffff:127.0.0.1", "loopback"), ("10.1.2.3", "private"),
    ("172.16.0.1", "private"), ("192.168.1.1", "private"), ("169.254.169.254", "link_local"), ("fe80::1", "link_local"),
    ("224.0.0.1", "multicast"), ("0.0.0.0", "unspecified"), ("240.0.0.1", "reserved"), ("100.64.0.1", "reserved"),
    ("fd00::1", "private"), ("93.184.216.34", None), ("2606:4700::1111", None),
])
def test_address_kinds(address, kind):
    assert address_kind(address) == kind


@pytest.mark.parametrize("url, allowed", [
    ("http://127.0.0.1:8080/a", False), ("http://[::1]/a", False), ("http://169.254.169.254/", False),
    ("http://localhost:5432/", False), ("ftp://93.184.216.34/a", False), ("file:///etc/passwd", False),
    ("http://93.184.216.34/a", True), ("https://[2606:4700::1111]/", True),
])
def test_the_address_guard_refuses_internal_literals_and_other_schemes(url, allowed):
    import asyncio

    crawler = crawler_with()
    guard = SafeAddressMiddleware.from_crawler(crawler)
    if allowed:
        assert asyncio.run(guard.process_request(Request(url))) is None
    else:
        with pytest.raises(ForbiddenAddress):
            asyncio.run(guard.process_request(Request(url)))
        assert sum(v for k, v in crawler.stats.get_stats().items() if k.startswith("newscrawl/ssrf/refused/")) == 1


def test_allowed_networks_let_a_local_test_server_through():
    import asyncio

    guard = SafeAddressMiddleware.from_crawler(crawler_with(NEWSCRAWL_ALLOWED_NETWORKS="127.0.0.1/32"))
    assert asyncio.run(guard.process_request(Request("http://127.0.0.1:8080/"))) is None
    with pytest.raises(ForbiddenAddress):
        asyncio.run(guard.process_request(Request("http://127.0.0.2:8080/")))


def test_a_bad_allowed_networks_setting_stops_at_start():
    with pytest.raises(config.ConfigError, match="NEWSCRAWL_ALLOWED_NETWORKS"):
        SafeAddressMiddleware.from_crawler(crawler_with(NEWSCRAWL_ALLOWED_NETWORKS="10.0.0.0/99"))


def _page(url, html: bytes, headers=None):
    return HtmlResponse(url=url, body=html, headers=headers or {}, request=Request(url))


def test_meta_refresh_followed_from_head_not_from_body():
    middleware = HeadMetaRefreshMiddleware.from_crawler(crawler_with())
    refresh = b'<meta http-equiv="refresh" content="0;url=https://a.example/new.html">'
    head = _page("https://a.example/old.html", b"<html><head>" + refresh + b"</head><body><p>moved</p></body></html>")
    result = middleware.process_response(head.request, head)
    assert isinstance(result, Request) and result.url == "https://a.example/new.html"
    body = _page("https://a.example/a.html", b"<html><head><title>t</title></head><body><div><p>text</p>" + refresh
                 + b"<p>more</p></div></body></html>")
    assert middleware.process_response(body.request, body) is body
    assert middleware.crawler.stats.get_value("newscrawl/redirect/meta_refresh_in_body") == 1


def test_mis_declared_gbk_page_is_decoded_again_and_real_utf8_is_left_alone():
    middleware = RedecodeMiddleware.from_crawler(crawler_with())
    html = '<html><head><meta charset="utf-8"><title>华为云盘古大模型</title></head><body><p>正文</p></body></html>'
    gbk = _page("https://a.example/1.html", html.encode("gbk"))
    assert "\ufffd" in gbk.text
    fixed = middleware.process_response(gbk.request, gbk)
    assert fixed.css("title::text").get() == "华为云盘古大模型"
    assert middleware.crawler.stats.get_value("newscrawl/encoding/redecoded/gb18030") == 1
    honest = _page("https://a.example/2.html", html.replace("正文", "替换符\ufffd本来就有").encode())
    assert middleware.process_response(honest.request, honest) is honest


@pytest.mark.parametrize("header, seconds", [(b"5", 5.0), (b" 120 ", 120.0), (b"soon", None), (None, None),
                                             (b"Wed, 21 Oct 2015 07:28:00 GMT", 0.0)])
def test_retry_after_values(header, seconds):
    assert retry_after_seconds(header) == seconds


def test_a_callback_error_is_counted_and_logged_once_with_the_url(caplog):
    crawler = crawler_with()
    middleware = CallbackErrorMiddleware.from_crawler(crawler)
    response = Response("https://a.example/broken.html", request=Request("https://a.example/broken.html"))
    assert middleware.process_spider_exception(response, KeyError("x")) == []
    assert crawler.stats.get_value("newscrawl/pages/failed/KeyError") == 1
    lines = [r for r in caplog.records if "https://a.example/broken.html" in r.getMessage()]
    assert len(lines) == 1


def test_the_monitor_alarms_on_a_high_failed_page_rate():
    from newscrawl.extensions.monitor import Measures, Thresholds, check

    stats = {"newscrawl/article_pages": 40, "newscrawl/list_pages": 5, "newscrawl/items/checked": 30,
             "newscrawl/pages/failed/KeyError": 12, "newscrawl/pages/failed/ValueError": 3}
    alarms = check(Measures.from_stats(stats), [], Thresholds(max_failed=0.2))
    assert any(a.startswith("failed: 15 of 45 pages") for a in alarms)
    assert not any(a.startswith("failed") for a in check(Measures.from_stats({**stats, "newscrawl/pages/failed/KeyError": 1}), [], Thresholds()))


# ---------------------------------------------------------------- the generic spiders keep to their domains


FEED = """<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>
<item><title>本站文章</title><link>https://www.news.example.com.cn/a/1.html</link><description>&lt;p&gt;本站正文&lt;/p&gt;</description></item>
<item><title>元数据</title><link>http://169.254.169.254/latest/meta-data/</link><description>&lt;p&gt;别处正文一&lt;/p&gt;</description></item>
<item><title>别的网站</title><link>https://other.example.org/b.html</link><description>&lt;p&gt;别处正文二&lt;/p&gt;</description></item>
</channel></rss>"""


def feed_outputs(**kwargs):
    from newscrawl.spiders.feed import FeedSpider

    url = "https://rss.news.example.com.cn/feed.xml"
    crawler = get_crawler(FeedSpider)
    crawler.spider = spider = crawler._create_spider(url=url, **kwargs)
    crawler.stats.open_spider()
    response = scrapy.http.XmlResponse(url=url, body=FEED.encode(), request=Request(url))
    return spider, list(spider.parse_feed(response))


def test_a_feed_spider_keeps_to_its_feeds_registrable_domain():
    spider, outputs = feed_outputs()
    assert spider.allowed_domains == ["example.com.cn"]
    assert [r.url for r in outputs if isinstance(r, Request)] == ["https://www.news.example.com.cn/a/1.html"]
    kept = items_of(outputs)  # the entries elsewhere: stored from the feed's own content, never fetched
    assert sorted(i.title for i in kept) == ["元数据", "别的网站"]
    assert spider.crawler.stats.get_value("newscrawl/offsite/feed_entry") == 2


def test_follow_domains_widens_what_a_generic_spider_follows():
    spider, outputs = feed_outputs(follow_domains="other.example.org")
    assert sorted(r.url for r in outputs if isinstance(r, Request)) == [
        "https://other.example.org/b.html", "https://www.news.example.com.cn/a/1.html"]
    spider, outputs = feed_outputs(follow_domains="*")
    assert len([r for r in outputs if isinstance(r, Request)]) == 3  # the address guard still refuses 169.254.x
    with pytest.raises(Exception, match="follow_domains"):
        feed_outputs(follow_domains="http://x/")


def test_each_host_is_looked_up_once_however_many_requests_wait_for_it():
    """Behind a proxy names need not resolve here: a failing lookup per request stalled crawls (issue 12)."""
    import asyncio

    guard = SafeAddressMiddleware.from_crawler(crawler_with())
    lookups = []

    async def lookup(host):
        lookups.append(host)
        await asyncio.sleep(0.05)
        return None if host == "ee.ofweek.com" else "93.184.216.34"  # the first does not resolve here

    async def main():
        guard._lookup = lookup
        first = await asyncio.gather(*(guard.resolve("ee.ofweek.com") for _ in range(5)), guard.resolve("www.ofweek.com"))
        again = await guard.resolve("ee.ofweek.com")  # the failed lookup is remembered too
        looked_up = list(lookups)
        guard._resolved["ee.ofweek.com"] = (0.0, None)  # once its time is up, the host is looked up again
        await guard.resolve("ee.ofweek.com")
        return first, again, looked_up

    first, again, looked_up = asyncio.run(main())
    assert first == [None] * 5 + ["93.184.216.34"] and again is None
    assert looked_up == ["ee.ofweek.com", "www.ofweek.com"]
    assert lookups == ["ee.ofweek.com", "www.ofweek.com", "ee.ofweek.com"]
