"""Bounded work per page (issue 24): under the caps an article is what it is without them; over them, cut and counted."""

import contextlib
import sys
from datetime import datetime
from zoneinfo import ZoneInfo

import lxml.html
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hostile import TOKENS, check_article, check_body, fixture_pages, huge_text, make_spider, parse_mutated
from newscrawl import neardup
from newscrawl import processors as p
from newscrawl.items import Article
from newscrawl.processors import dates, html, text, urls

PAGES = fixture_pages()
SPIDERS = sorted({name for name, _, _ in PAGES})
BASE = "https://www.example.com/news/2022/a.html"
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))

# Every bound a page's work has, and where it lives: set to sys.maxsize, the code runs as it did before them.
CAPS = [(text, "MAX_TEXT_CHARS"), (text, "MAX_FIELD_CHARS"), (urls, "MAX_URL_CHARS"), (urls, "MAX_SRCSET_CHARS"),
        (dates, "MAX_DATE_CHARS"), (html, "MAX_BODY_CHARS"), (html, "MAX_BODY_URLS"), (neardup, "MAX_CHARS")]


@contextlib.contextmanager
def caps_disabled():
    with pytest.MonkeyPatch.context() as patch:
        for module, name in CAPS:
            patch.setattr(module, name, sys.maxsize)
        yield


def fields(item: Article) -> dict:
    return {k: v for k, v in item.__dict__.items() if k != "crawled_at"}


def articles(spider, url: str, body: bytes) -> list[dict]:
    return [fields(o) for o in parse_mutated(spider, url, body)[0] if isinstance(o, Article)]


SNIPPETS = [body.decode("utf-8", "replace") for _, _, body in PAGES]
fragment = st.one_of(
    st.lists(st.sampled_from(TOKENS), max_size=40).map("".join),
    st.tuples(st.sampled_from(SNIPPETS), st.integers(0, 10**6), st.integers(1, 3000)).map(
        lambda t: t[0][t[1] % len(t[0]): t[1] % len(t[0]) + t[2]]),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(page=st.sampled_from(PAGES), junk=fragment, at=st.floats(0, 1))
def test_under_the_caps_a_page_gives_the_article_it_gave_without_them(page, junk, at):
    name, url, body = page
    where = int(len(body) * at)
    mutated = body[:where] + junk.encode("utf-8", "replace") + body[where:]
    capped = articles(make_spider(name), url, mutated)
    with caps_disabled():
        uncapped = articles(make_spider(name, NEWSCRAWL_MAX_BODY_CHARS=0, NEWSCRAWL_MAX_PAGE_TAGS=0,
                                        NEWSCRAWL_MAX_PAGE_BYTES=0), url, mutated)
    assert capped == uncapped


body_markup = st.lists(st.one_of(st.sampled_from(TOKENS), st.sampled_from(
    ["<p>", "</p>", "<td>", "<th>x</th>", "<li>", "<img src=/a.png>", '<a href="/b">', "</a>", "<section>", "<br/>",
     "\u2028", "\u200b", "<div><div>", "</section>", "<table><tr><td>", "文字", " \n "])), max_size=60).map("".join)


@settings(max_examples=150, deadline=None)
@given(value=body_markup)
def test_under_the_caps_each_body_processor_gives_what_it_gave_without_them(value):
    found = (p.clean_body_html(value, BASE, (".ad",), (r"/logo",)), p.html_to_text(value), p.content_hash(value),
             neardup.signature(value), p.plain_text(value), p.split_terms(value), p.parse_date(value, now=NOW))
    with caps_disabled():
        assert found == (p.clean_body_html(value, BASE, (".ad",), (r"/logo",)), p.html_to_text(value),
                         p.content_hash(value), neardup.signature(value), p.plain_text(value), p.split_terms(value),
                         p.parse_date(value, now=NOW))


def text_by_lines(markup: str) -> str | None:
    """html_to_text's definition: a line break around each block and after each <br>, then each line cleaned,
    blank lines dropped, the rest joined by a blank line."""
    root = lxml.html.fragment_fromstring(p.strip_control_markup(markup), create_parent="div")
    for element in root.iter():
        if element.tag == "br":
            element.tail = "\n" + (element.tail or "")
        elif element.tag in p.BLOCK_TAGS or element.tag in ("td", "th"):
            element.text, element.tail = "\n" + (element.text or ""), "\n" + (element.tail or "")
    return "\n\n".join(filter(None, map(p.clean_text, root.text_content().split("\n")))) or None


@settings(max_examples=300, deadline=None)
@given(value=body_markup)
def test_body_text_is_each_line_cleaned_though_computed_at_once(value):
    cleaned = p.clean_body_html(value, BASE)
    assert p.html_to_text(cleaned) == text_by_lines(cleaned) if cleaned else p.html_to_text(cleaned) is None


@pytest.mark.parametrize("unit", ["<br>", "<img src=/a.png>", "文字，"])
def test_an_8_mb_body_is_cleaned_from_its_first_max_chars(unit):
    cap = html.MAX_BODY_CHARS
    value = huge_text(unit, 8 * 1024 * 1024)
    cut, was_cut = p.cut_raw(value, cap)
    assert was_cut and len(cut) <= cap and value.startswith(cut)
    body = p.clean_body_html(value, BASE)
    assert body == p.clean_body_html(cut, BASE, max_chars=0)  # what is after the cut was never read
    assert check_body(body) == []
    assert p.html_to_text(value) == p.html_to_text(cut, max_chars=0)


def test_a_body_with_more_distinct_images_than_it_resolves_keeps_the_first_ones():
    value = "".join(f'<p><img src="/{i}.png"><a href="/{i}">{i}</a></p>' for i in range(html.MAX_BODY_URLS + 10))
    body = p.clean_body_html(value, BASE, max_chars=0)
    images = p.images_from_html(body)
    assert images[:2] == ["https://www.example.com/0.png", "https://www.example.com/1.png"]
    assert len(images) == html.MAX_BODY_URLS and body.count(' href="') == html.MAX_BODY_URLS
    assert p.html_to_text(body).endswith(str(html.MAX_BODY_URLS + 9))  # the text of the unresolved links stays
    assert check_body(body) == []


def test_an_8_mb_body_is_an_article_cut_and_counted():
    url, body = next((u, b) for n, u, b in PAGES if n == "ofweek")
    page = body.decode("gbk")
    at = page.find("</p>", page.find('class="artical-content'))
    big = "".join(f"<p>第{i}段：" + "光伏储能锂电" * 40 + "</p>" for i in range(8 * 1024 * 1024 // 270))
    spider = make_spider("ofweek")
    items = [o for o in parse_mutated(spider, url, (page[:at + 4] + big + page[at + 4:]).encode("gbk"))[0]
             if isinstance(o, Article)]
    assert len(items) == 1 and check_article(items[0]) == []
    assert len(items[0].body_html) <= html.MAX_BODY_CHARS and "第1000段" in items[0].body_text
    assert spider.crawler.stats.get_value("newscrawl/pages/body_truncated") == 1


def test_a_page_over_its_tag_or_byte_limit_is_cut_before_anything_parses_it():
    url, body = next((u, b) for n, u, b in PAGES if n == "ofweek")
    spider = make_spider("ofweek", NEWSCRAWL_MAX_PAGE_TAGS=20_000, NEWSCRAWL_MAX_PAGE_BYTES=2 * 1024 * 1024)
    after = body.replace(b"</body>", b"<p>a</p>" * 1_000_000 + b"</body>")  # 8 MB of markup after the article
    before = b"<span>x</span>" * 20_000 + body  # its first 20,000 tags before the page
    text = body.replace(b"</body>", "文".encode("gbk") * 4_000_000 + b"</body>")  # 8 MB of text, no tags
    found = [parse_mutated(spider, url, page) for page in (after, before, text)]
    assert spider.crawler.stats.get_value("newscrawl/pages/cut") == 3
    kept = [[fields(o) for o in outputs if isinstance(o, Article)] for outputs, _ in found]
    assert kept[0] == kept[2] == articles(make_spider("ofweek"), url, body)  # the article precedes the cut
    assert kept[1] == [] and found[1][1]["newscrawl/pages/not_article"] == 1  # cut before it: counted
