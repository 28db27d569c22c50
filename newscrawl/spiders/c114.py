"""C114通信网 c114.com.cn: the rolling list and its day archives, channel lists, GBK article pages."""

from __future__ import annotations

import re
from datetime import date, timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

from newscrawl import processors as p
from newscrawl.pages.c114 import ARTICLE_RE, C114Page
from newscrawl.spiders.base import PortalSpider

ROLL = "https://www.c114.com.cn/news/roll.asp"
MOBILE_RE = re.compile(r"^https?://m\.c114\.com\.cn(?::\d+)?/w(?P<chan>\d+)-(?P<id>\d{4,})\.html?(?:[?#].*)?$", re.I)
TIME_ONLY_RE = re.compile(r"^\d{1,2}:\d{2}$")
MONTH_DAY_RE = re.compile(r"^(\d{1,2})/(\d{1,2})$")


class C114Spider(PortalSpider):
    name = "c114"
    allowed_domains = ["c114.com.cn"]
    tz = "Asia/Shanghai"
    page_class = C114Page
    contract_urls = {  # the pages `scrapy check` reads (samples/mirror)
        "article": "https://www.c114.com.cn/news/118/a1302468.html",
        "list": "https://www.c114.com.cn/news/roll.asp",
    }

    # --------------------------------------------------------------------- URLs

    def default_listings(self) -> list[str]:
        return [ROLL]

    def is_article_url(self, url: str) -> bool:
        return bool(ARTICLE_RE.match(url or "") or MOBILE_RE.match(url or ""))

    def canonical_article_url(self, url: str) -> str:
        """Desktop https URL of page 1; a mobile ``/w{chan}-{id}.html`` maps to ``/news/{chan}/a{id}.html``."""
        match = ARTICLE_RE.match(url or "")
        if match:
            return f"https://www.c114.com.cn/{match.group('path')}a{match.group('id')}.html"
        match = MOBILE_RE.match(url or "")
        if match:
            return f"https://www.c114.com.cn/news/{match.group('chan')}/a{match.group('id')}.html"
        return p.canonical_url(url)

    @staticmethod
    def article_id(url: str) -> str | None:
        match = ARTICLE_RE.match(url or "") or MOBILE_RE.match(url or "")
        return match.group("id") if match else None

    # -------------------------------------------------------------------- lists

    def list_entries(self, response):
        day = self.list_day(response)
        rows = response.css("div.new_list_c")
        for row in rows:
            stamp = p.clean_text(row.css("div.new_list_time::text, .new_list_time ::text").get())
            yield row.css("h6 a::attr(href), h5 a::attr(href), a::attr(href)").get(), self._entry_date(stamp, day)
        if not rows:
            links = response.css("div.content_c_list a::attr(href), div.news_list a::attr(href), ul.list li a::attr(href)").getall()
            if not links:  # a changed layout
                yield from self.every_article_link(response)
            for href in links:
                yield href, None

    @staticmethod
    def _entry_date(stamp: str | None, day: date | None) -> str | None:
        """A list shows ``HH:MM`` for today's stories and ``M/D`` for others: both completed from the page's day."""
        if not stamp:
            return None
        if TIME_ONLY_RE.match(stamp):
            return f"{day.isoformat()} {stamp}" if day else f"今天 {stamp}"
        match = MONTH_DAY_RE.match(stamp)
        if match and day:
            year = day.year if int(match.group(1)) <= day.month else day.year - 1
            return f"{year}-{int(match.group(1)):02d}-{int(match.group(2)):02d}"
        return stamp

    def list_day(self, response) -> date | None:
        """The day a rolling list shows: the URL's y/m/d, else the archive form's, else today for a bare roll.asp."""
        parts = {k: v[0] for k, v in parse_qs(urlsplit(response.url).query).items()}
        for name in "ymd":
            value = response.css(f'input[name="{name}"]::attr(value), select[name="{name}"] option[selected]::attr(value)').get()
            if value and value.strip().isdigit():
                parts.setdefault(name, value.strip())
        try:
            return date(int(parts["y"]), int(parts["m"]), int(parts["d"]))
        except (KeyError, ValueError):
            pass
        if urlsplit(response.url).path.lower().endswith("/roll.asp"):
            return self._now(response).date()
        return None

    def next_list_url(self, response, page):
        """An explicit 下一页 link, else for the rolling list the archive of the day before."""
        explicit = self.next_link(response)
        if explicit:
            return explicit
        parts = urlsplit(response.url)
        if not parts.path.lower().endswith("/roll.asp"):
            return None
        day = self.list_day(response)
        if day is None:
            return None
        previous = day - timedelta(days=1)
        query = {"y": previous.year, "m": previous.month, "d": previous.day}
        original = parse_qs(parts.query).get("o")
        if original:
            query["o"] = original[0]
        return f"{ROLL}?{urlencode(query)}"
