"""盖世汽车 gasgoo.com: news lists, current (/news/YYYYMM/) and old (/News/YYYY/MM/) article pages."""

from __future__ import annotations

import re

from newscrawl import processors as p
from newscrawl.pages.gasgoo import DATE_RE, GasgooPage
from newscrawl.spiders.base import PortalSpider

BASE = "https://auto.gasgoo.com"
# The portal-wide news list (all news channels in one list), as RSSHub's gasgoo route reads it.
DEFAULT_LIST = f"{BASE}/auto-news/C-103-106-107-108-109-110-303-409-501-601"

ARTICLE_RE = re.compile(
    r"^https?://(?:(?:auto|m|www)\.)?gasgoo\.com(?::\d+)?/news/"
    r"(?:(?P<ym>\d{6})|(?P<y>\d{4})/(?P<m>\d{2}))/(?P<id>[0-9A-Za-z]+)\.shtml(?:[?#].*)?$",
    re.IGNORECASE,
)
CHANNEL_LIST_RE = re.compile(r"^(?P<stem>.*/C-\d+(?:-\d+)*)(?:/(?P<page>\d+))?/?(?:[?#].*)?$")
INDEX_LIST_RE = re.compile(r"^(?P<stem>https?://[^/]+/[\w-]+/)(?:index(?:_(?P<page>\d+))?\.shtml)?(?:[?#].*)?$")


class GasgooSpider(PortalSpider):
    name = "gasgoo"
    allowed_domains = ["gasgoo.com"]
    tz = "Asia/Shanghai"
    page_class = GasgooPage
    contract_urls = {  # the pages `scrapy check` reads (samples/mirror)
        "article": "https://auto.gasgoo.com/news/202610/21I70460123C601.shtml",
        "list": "https://auto.gasgoo.com/auto-news/C-601",
    }
    custom_settings = {
        # A plain-HTTP fetch with a browser-like User-Agent is what is known to get 200s.
        "USER_AGENT": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/126.0 Safari/537.36 newscrawl/0.1",
    }

    # --------------------------------------------------------------------- URLs

    def default_listings(self) -> list[str]:
        return [DEFAULT_LIST]

    def is_article_url(self, url: str) -> bool:
        return bool(ARTICLE_RE.match(url or ""))

    def canonical_article_url(self, url: str) -> str:
        """https://auto.gasgoo.com, ``/news/YYYYMM/ID.shtml`` (current) or ``/News/YYYY/MM/ID.shtml`` (old)."""
        match = ARTICLE_RE.match(url or "")
        if not match:
            return p.canonical_url(url)
        if match.group("ym"):
            return f"{BASE}/news/{match.group('ym')}/{match.group('id')}.shtml"
        return f"{BASE}/News/{match.group('y')}/{match.group('m')}/{match.group('id')}.shtml"

    # -------------------------------------------------------------------- lists

    def list_entries(self, response):
        rows = response.css(".contentList")
        for node in rows:
            date_text = " ".join(node.css(".authorThumbs .time::text, .time::text, span::text").getall())
            match = DATE_RE.search(date_text)
            yield node.css(".bigtitle a::attr(href), h2 a::attr(href)").get(), match.group(0) if match else None
        if not rows:  # other channel layouts
            yield from self.every_article_link(response)

    def next_list_url(self, response, page):
        explicit = self.next_link(response, 'contains(@class, "next")')
        if explicit:
            return explicit
        if response.css(".pages, .pagination, #pager, .page"):
            return None  # a pager without a next link: this is the last page
        match = CHANNEL_LIST_RE.match(response.url)
        if match:
            return f"{match.group('stem')}/{int(match.group('page') or 1) + 1}"
        match = INDEX_LIST_RE.match(response.url)
        if match:
            return f"{match.group('stem')}index_{int(match.group('page') or 1) + 1}.shtml"
        return None
