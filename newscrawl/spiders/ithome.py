"""IT之家 ithome.com: the latest-news list and its day archives, articles with lazy images and reader credits."""

from __future__ import annotations

import re
from datetime import date, timedelta

from newscrawl import processors as p
from newscrawl.pages.ithome import IthomePage
from newscrawl.spiders.base import PortalSpider

LATEST = "https://www.ithome.com/list/"
# Desktop /0/866/661.htm on www or a channel host; mobile/wap /html/866661.htm; old desktop /html/it/340231.htm.
DESKTOP_RE = re.compile(
    r"^https?://(?:(?:www|it|next|soft|auto|mobile|digi|game|win10|win11|iphone|hmos|blog)\.)?ithome\.com(?::\d+)?"
    r"/(?P<a>\d)/(?P<b>\d{3})/(?P<c>\d{3})\.htm(?:[?#].*)?$",
    re.IGNORECASE,
)
NUMBERED_RE = re.compile(
    r"^https?://(?:www\.|m\.|wap\.)?ithome\.com(?::\d+)?/html/(?:[a-z0-9]+/)?(?P<id>\d{5,7})\.htm(?:[?#].*)?$",
    re.IGNORECASE,
)
DAY_LIST_RE = re.compile(r"/list/(?P<day>\d{4}-\d{2}-\d{2})\.html$")
LIST_DATE_RE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?|\d{1,2}-\d{1,2}\s+\d{1,2}:\d{2}")


class IthomeSpider(PortalSpider):
    name = "ithome"
    allowed_domains = ["ithome.com"]
    tz = "Asia/Shanghai"
    page_class = IthomePage
    contract_urls = {  # the pages `scrapy check` reads (samples/mirror)
        "article": "https://www.ithome.com/0/871/234.htm",
        "list": "https://www.ithome.com/list/",
    }

    # --------------------------------------------------------------------- URLs

    def default_listings(self) -> list[str]:
        return [LATEST]

    def is_article_url(self, url: str) -> bool:
        return bool(DESKTOP_RE.match(url or "") or NUMBERED_RE.match(url or ""))

    def canonical_article_url(self, url: str) -> str:
        """``https://www.ithome.com/0/866/661.htm`` for every desktop, channel, mobile or old URL of the story."""
        number = self.article_id(url)
        if number is None:
            return p.canonical_url(url)
        return f"https://www.ithome.com/{number // 1_000_000}/{number // 1000 % 1000:03d}/{number % 1000:03d}.htm"

    @staticmethod
    def article_id(url: str) -> int | None:
        match = DESKTOP_RE.match(url or "")
        if match:
            return int(match.group("a") + match.group("b") + match.group("c"))
        match = NUMBERED_RE.match(url or "")
        return int(match.group("id")) if match else None

    # -------------------------------------------------------------------- lists

    def list_entries(self, response):
        rows = response.css("ul.datel > li, #list > div.fl > ul > li")
        found = False
        for row in rows:
            href = row.css("a.t::attr(href)").get() or row.css("h2 a::attr(href), a.title::attr(href)").get()
            if not href:
                continue
            found = True
            yield href, self._row_date(row, response)
        if not found:  # a changed layout: dates unknown, so since cannot stop early
            yield from self.every_article_link(response)

    def _row_date(self, row, response) -> str | None:
        stamp = row.css("[data-ot]::attr(data-ot)").get()
        if stamp:
            return stamp.strip()
        text = p.clean_text(" ".join(row.css("i::text, span.time::text, .date::text").getall())) or ""
        match = LIST_DATE_RE.search(text)
        if match:
            return match.group(0)
        clock = re.search(r"\b\d{1,2}:\d{2}(?::\d{2})?\b", text)
        if not clock:
            return None
        # A bare time belongs to the archive's day, or to today on the latest list.
        day = DAY_LIST_RE.search(response.url)
        return f"{day.group('day')} {clock.group(0)}" if day else f"今天 {clock.group(0)}"

    def next_list_url(self, response, page):
        """An explicit 下一页 link, else the day archive before the oldest day this page reached."""
        explicit = self.next_link(response)
        if explicit:
            return explicit
        day = DAY_LIST_RE.search(response.url)
        if day:
            previous = date.fromisoformat(day.group("day")) - timedelta(days=1)
            return f"https://www.ithome.com/list/{previous.isoformat()}.html"
        if not re.search(r"/list/(?:index\.html?)?$", response.url):
            return None
        days = []
        for row in response.css("ul.datel > li, #list > div.fl > ul > li"):
            parsed = p.parse_date(self._row_date(row, response), self.tz, self._now(response))
            if parsed is not None:
                days.append(parsed.date())
        # The latest list ends somewhere inside its oldest day: that day's archive holds the rest.
        oldest = min(days) if days else self._now(response).date()
        return f"https://www.ithome.com/list/{oldest.isoformat()}.html"
