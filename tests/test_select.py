"""The spiders' compiled selectors (newscrawl.pages.select.select: compiled once, "#id" looked up in the id
table, unions of CSS selectors) find what parsel's ``response.css`` finds, in the same order."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scrapy.http import HtmlResponse

from newscrawl.pages.select import _compiled, select

FIXTURES = Path(__file__).parent / "fixtures"
OFWEEK = Path(__file__).parents[1] / "samples" / "mirror"  # GBK pages of both OFweek layouts
PAGES = [HtmlResponse(url=f"https://example.com/{path.name}", body=path.read_bytes())
         for path in sorted(FIXTURES.glob("*/*.html")) + sorted(OFWEEK.glob("*/*/ART-*.html"))[:8]]
FIRST = ["#articleC", "div", "p", "a", "li", "span", "h1", "ul", "div.position", "div.crumb", ".breadcrumb", ".time", "div.artical",
         "span.hrefStyle", ".content", "div.main", ".nav", "td", "img"]
REST = ["", " a", " a::text", " p", " span", " > a::attr(href)", " img::attr(src)", " li a::text", " ::text", " h1::text"]


def found(response, query):
    """What parsel finds: elements, or the strings of ::text / ::attr()."""
    return [x.root for x in response.css(query)]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(FIRST), min_size=2, max_size=4, unique=True), st.sampled_from(REST),
       st.integers(0, len(PAGES) - 1))
def test_a_union_finds_what_parsel_finds_in_order(firsts, rest, page):
    response = PAGES[page]
    query = ", ".join(first + rest for first in firsts)
    assert select(response, query) == found(response, query)


def test_id_first_selectors_and_unions_with_them_find_what_parsel_finds():
    response = next(p for p in PAGES if p.css("#articleC"))
    for query in ("#articleC p", "#articleC span.hrefStyle, div.article_con span.hrefStyle", "#articleC",
                  "div.page, div.pages, .pagination, #pager", "a:first-child, p", "#articleC img::attr(src)"):
        assert select(response, query) == found(response, query), query
    assert "id('articleC')" in _compiled("#articleC p", True).path  # looked up, not walked
    assert select(response, "#articleC p")  # the page has them: the comparison is not of two empty lists
