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
from justext.core import revise_paragraph_classification as justext_revise
from scrapy.http import HtmlResponse, Request

from newscrawl import neardup
from newscrawl import processors as p
from newscrawl.extract import justext_linear
from newscrawl.extract import page as extractor
from newscrawl.items import Article
from newscrawl.middlewares import charset
from newscrawl.middlewares.pagecut import PageCutMiddleware
from newscrawl.pages import laoyaoba
from newscrawl.processors import dates, html, text, urls

PAGES = fixture_pages()
SPIDERS = sorted({name for name, _, _ in PAGES})
BASE = "https://www.example.com/news/2022/a.html"
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))

# Every bound a page's work has, and where it lives: set to sys.maxsize, the code runs as it did before them.
CAPS = [(text, "MAX_TEXT_CHARS"), (text, "MAX_FIELD_CHARS"), (urls, "MAX_URL_CHARS"), (urls, "MAX_SRCSET_CHARS"),
        (dates, "MAX_DATE_CHARS"), (dates, "MAX_DATE_SCAN_CHARS"), (html, "MAX_BODY_CHARS"), (html, "MAX_BODY_URLS"),
        (neardup, "MAX_CHARS"), (extractor, "MAX_EXTRACT_TAGS"), (charset, "MAX_DETECT_BYTES"),
        (laoyaoba, "MAX_INFO_NODES")]


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
             neardup.signature(value), p.plain_text(value), p.split_terms(value), p.parse_date(value, now=NOW),
             p.date_in_text(value), p.join_inline(value.split("<")))
    with caps_disabled():
        assert found == (p.clean_body_html(value, BASE, (".ad",), (r"/logo",)), p.html_to_text(value),
                         p.content_hash(value), neardup.signature(value), p.plain_text(value), p.split_terms(value),
                         p.parse_date(value, now=NOW), p.date_in_text(value), p.join_inline(value.split("<")))


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


dated_text = st.lists(st.sampled_from(["2022-08-10", "2022年8月10日 14:20", "2019/9/7 ", "1", " ", "日", "-", "年",
                                       "来源：", "07-08 16:00", "2022-", "\n"]), max_size=30).map("".join)


@settings(max_examples=200, deadline=None)
@given(value=dated_text, parts=st.lists(st.sampled_from(["", " ", "a", "文字", "\u3000", "<b>", "x" * 7]), max_size=30))
def test_the_date_and_join_scans_read_what_their_unbounded_forms_give(value, parts):
    """date_in_text is the first match of DATE_IN_TEXT_RE within MAX_DATE_SCAN_CHARS; join_inline stops joining
    once MAX_TEXT_CHARS are joined, where clean_text would cut the text anyway (small caps: the bound is hit)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(dates, "MAX_DATE_SCAN_CHARS", 12)
        patch.setattr(text, "MAX_TEXT_CHARS", 9)
        first = p.DATE_IN_TEXT_RE.search(value[:12])
        assert p.date_in_text(value) == (first.group(0) if first else None)
        assert p.join_inline(parts) == p.clean_text("".join(filter(None, parts)))


class _Paragraph:
    def __init__(self, cf_class, heading, text, class_type):
        self.cf_class, self.heading, self.text, self.class_type = cf_class, heading, text, class_type


paragraph_specs = st.lists(st.tuples(st.sampled_from(["short", "short", "neargood", "good", "bad"]), st.booleans(),
                                     st.sampled_from(["", "x", "x" * 60, "x" * 160, "x" * 250]),
                                     st.sampled_from(["", "good", "bad", "short"])), max_size=40)


@settings(max_examples=400, deadline=None)
@given(specs=paragraph_specs, distance=st.sampled_from([0, 10, 150, 200]))
def test_justext_revision_in_linear_time_classifies_as_justext(specs, distance):
    """The classes jusText's own revise_paragraph_classification gives (class_type as a previous run left it)."""
    ours, theirs = [_Paragraph(*s) for s in specs], [_Paragraph(*s) for s in specs]
    justext_linear.revise_paragraph_classification(ours, distance)
    justext_revise(theirs, distance)
    assert [q.class_type for q in ours] == [q.class_type for q in theirs]


def test_justext_revision_of_a_run_of_short_paragraphs_is_linear():
    """10,000 short paragraphs (a page of list items): jusText walks 10^8 steps; the sweep 10^4 each way."""
    steps = []
    paragraphs = [_Paragraph("short", False, "x", "") for _ in range(10_000)]
    with pytest.MonkeyPatch.context() as patch:
        walk = justext_linear._nearest
        patch.setattr(justext_linear, "_nearest", lambda classes, *a: steps.append(len(classes)) or walk(classes, *a))
        justext_linear.revise_paragraph_classification(paragraphs, 150)
    assert {q.class_type for q in paragraphs} == {"bad"} and sum(steps) <= 6 * 10_000


def test_the_extractor_reads_a_page_up_to_its_tag_cap_and_the_page_counts_it():
    url, body = next((u, b) for n, u, b in PAGES if n == "article")
    page = body.decode("utf-8")
    junk = "<li>a</li>" * extractor.MAX_EXTRACT_TAGS
    big = page.replace("</body>", junk + "</body>")
    read = extractor.PageExtractor(big, url)
    assert read.cut and read.html.count("<") == extractor.MAX_EXTRACT_TAGS - 1 and big.startswith(read.html)
    assert not extractor.PageExtractor(page, url).cut
    spider = make_spider("article")
    items = [o for o in parse_mutated(spider, url, big.encode("utf-8"))[0] if isinstance(o, Article)]
    assert spider.crawler.stats.get_value("newscrawl/pages/extract_cut") == 1
    assert [fields(i) for i in items] == articles(make_spider("article"), url, body)  # the article precedes the cut


def test_on_a_page_it_cuts_the_extractor_runs_trafilatura_without_its_fallbacks(monkeypatch):
    """A junk-dense page (class-attributed one-letter paragraphs: no dense block, so trafilatura decides) costs
    trafilatura's own pass only once cut; a page under the cap still gets its fallbacks (readability, jusText)."""
    import trafilatura

    calls = []
    real = trafilatura.extract

    def spy(*args, **kwargs):
        calls.append(kwargs.get("fast"))
        return real(*args, **kwargs)

    monkeypatch.setattr(trafilatura, "extract", spy)
    junk = "".join(f'<p class="c{i % 50}">a</p>' for i in range(extractor.MAX_EXTRACT_TAGS))
    small = f"<html><head><title>t</title></head><body><h1>t</h1>{junk[:4000]}</body></html>"
    extractor.PageExtractor(small, BASE).body_html
    extractor.PageExtractor(small.replace("</body>", junk + "</body>"), BASE).body_html
    assert calls == [False, True]


def test_a_huge_page_without_a_charset_is_guessed_from_a_bounded_sample(monkeypatch):
    """Scrapy guesses the encoding of a page that declares none from every byte (charset-normalizer, and
    Response.replace reads the old response's guess): the page cut gives its guess from MAX_DETECT_BYTES."""
    read = []
    import charset_normalizer

    real = charset_normalizer.from_bytes
    monkeypatch.setattr(charset_normalizer, "from_bytes", lambda data, *a, **k: read.append(len(data)) or real(data, *a, **k))
    article = "<p>" + "中国通信网络新闻，华为发布了新的手机。" * 40 + "</p>"
    page = ("<html><head><title>标题</title></head><body>" + article + "<p>a</p>" * 30_000 + "</body></html>").encode("gbk")
    spider = make_spider("article")
    response = HtmlResponse(url=BASE, body=page, request=Request(BASE))
    cut = PageCutMiddleware.from_crawler(spider.crawler).process_response(response.request, response)
    assert spider.crawler.stats.get_value("newscrawl/pages/cut") == 1
    assert cut.encoding == "gb18030" and "华为发布了新的手机" in cut.text
    assert read and max(read) <= charset.MAX_DETECT_BYTES
    small = HtmlResponse(url=BASE, body=page[-5000:])  # under the sample size: Scrapy's own guess, the same one
    assert charset.guess_encoding(small.body) == small.encoding


@settings(max_examples=100, deadline=None)
@given(chunks=st.lists(st.sampled_from(["文字", "a", "<p>", "é", "\u00a0", "ü"]), max_size=30),
       codec=st.sampled_from(["utf-8", "gbk", "latin-1", "big5"]))
def test_under_the_sample_size_the_guess_is_scrapys(chunks, codec):
    body = "".join(chunks).encode(codec, "replace")
    scrapy_guess = HtmlResponse(url=BASE, body=body).encoding
    # Scrapy's fallback when nothing fits is ASCII with a replacement character for each other byte: cp1252 here
    assert charset.guess_encoding(body) in (scrapy_guess, "cp1252" if scrapy_guess == "ascii" else scrapy_guess)
