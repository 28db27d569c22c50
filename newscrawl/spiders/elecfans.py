"""电子发烧友 elecfans.com: channel lists, /d/{id}.html and old dated articles, collapsed ("展开全文") bodies."""

from __future__ import annotations

import re

from newscrawl import processors as p
from newscrawl.arguments import Argument
from newscrawl.pages.elecfans import ElecfansPage
from newscrawl.spiders.base import PortalSpider

ARTICLE_RE = re.compile(
    r"^https?://(?:www\.)?elecfans\.com(?::\d+)?/(?:d/(?P<id>\d+)|(?P<old>article/\d+(?:/\d+)*/\d{4}/\d{8,}))"
    r"\.html?(?:[?#].*)?$",
    re.IGNORECASE,
)
MOBILE_RE = re.compile(r"^https?://m\.elecfans\.com(?::\d+)?/article/(?P<id>\d+)\.html?(?:[?#].*)?$", re.IGNORECASE)


def atype_list(value) -> list[str]:
    atypes = [a.strip() for a in str(value).split(",") if a.strip()]
    if not atypes or not all(re.fullmatch(r"\d+(?:/\d+)?", a) for a in atypes):
        raise ValueError(
            f"atypes must be list numbers from https://www.elecfans.com/article/N/ separated by commas, got {value!r}"
        )
    return atypes


class ElecfansSpider(PortalSpider):
    name = "elecfans"
    allowed_domains = ["elecfans.com"]
    tz = "Asia/Shanghai"
    page_class = ElecfansPage
    contract_urls = {  # the pages `scrapy check` reads (samples/mirror)
        "article": "https://www.elecfans.com/d/6801234.html",
        "list": "https://www.elecfans.com/article/90/",
    }
    arguments = (
        Argument("atypes", lambda name, value: atype_list(value), ["90"],
                 "list numbers N of https://www.elecfans.com/article/N/ to read", "N[,N…]"),
    )

    # --------------------------------------------------------------------- URLs

    def default_listings(self) -> list[str]:
        return [f"https://www.elecfans.com/article/{a}/" for a in self.atypes]

    def is_article_url(self, url: str) -> bool:
        return bool(ARTICLE_RE.match(url or "") or MOBILE_RE.match(url or ""))

    def canonical_article_url(self, url: str) -> str:
        """``https://www.elecfans.com/d/{id}.html``; mobile ``m.elecfans.com/article/{id}.html`` maps to it."""
        match = MOBILE_RE.match(url or "")
        if match:
            return f"https://www.elecfans.com/d/{match.group('id')}.html"
        match = ARTICLE_RE.match(url or "")
        if match and match.group("id"):
            return f"https://www.elecfans.com/d/{match.group('id')}.html"
        if match:
            return f"https://www.elecfans.com/{match.group('old')}.html"
        return p.canonical_url(url)

    # -------------------------------------------------------------------- lists

    def list_entries(self, response):
        rows = response.css("#mainContent li")
        found = False
        for row in rows:
            anchors = [a for a in row.css("a") if a.xpath("normalize-space(string())").get()]
            links = [a.root.get("href") for a in anchors if self.is_article_url(p.absolute_url(a.root.get("href"), response.url) or "")]
            href = links[0] if links else (row.css("a::attr(href)").getall()[1:2] or [None])[0]
            if not href:
                continue
            found = True
            shown = p.clean_text(" ".join(row.css(".time::text, .date::text").getall()))
            dated = p.date_in_text(shown or " ".join(row.css("span::text, p::text").getall()))
            # a .time cell may read "3小时前" or "07-08 16:00": parse_date resolves those against the crawl time
            yield href, dated or shown
        if not found:
            yield from self.every_article_link(response)

    def next_list_url(self, response, page):
        return self.next_link(response, 'normalize-space(.)=">"')
