"""TrendForce 集邦咨询 trendforce.cn 产业洞察: the press-center list (?page=N), day-dated press releases, UTF-8."""

from __future__ import annotations

import re

from newscrawl import processors as p
from newscrawl.pages import PortalPage, field
from newscrawl.spiders.base import PortalSpider

BASE = "https://www.trendforce.cn"
NEWS = f"{BASE}/presscenter/news"
# page 1 asked as ?page=1: the list is also the folder of the articles (/presscenter/news/…), which a wget -m
# mirror cannot hold as a file, while news?page=1 sits beside it
FIRST_PAGE = f"{NEWS}?page=1"
ARTICLE_RE = re.compile(
    r"^https?://(?:www\.)?trendforce\.cn(?::\d+)?/presscenter/news/(?P<day>\d{8})-(?P<id>\d+)\.html(?:[?#].*)?$"
)
def url_day(url: str | None) -> str | None:
    """The publication day an article URL carries (``…/news/20260715-13146.html`` -> 2026-07-15)."""
    match = ARTICLE_RE.match(url or "")
    day = match.group("day") if match else None
    return f"{day[:4]}-{day[4:6]}-{day[6:]}" if day else None


LIST_RE = re.compile(r"^(?P<stem>https?://[^/]+/presscenter/news(?:/[A-Za-z_-]+)?)/?(?:\?(?:.*&)?page=(?P<n>\d+).*)?$")


class TrendforcePage(PortalPage):
    """.presscenter: the h1, a .tag-row of Font Awesome icons (date, categories, author), the release's paragraphs."""

    site_name = "TrendForce集邦咨询"
    site_names = (r"TrendForce\s*集邦咨询", r"集邦咨询", r"TrendForce")
    chrome_images = (r"/(?:images|img)/(?:logo|icon|common)/", r"/(?:qrcode|wechat|weixin)[\w-]*\.(?:png|jpe?g|gif|svg)")
    drop_from_body = ("h1", ".tag-row", ".press-choose-post", "hr", "div.tag-wrapper", "div.content_ad",
                      "div.article_highlight-area-BG_wrap", ".share-box")
    title_selectors = (".presscenter h1",)
    body_selectors = (".presscenter",)

    def icon_row(self, icon: str) -> str:
        """XPath of the element of the .tag-row that holds the Font Awesome ``icon`` (its text, its links)."""
        return f'//*[contains(@class, "tag-row")]//i[contains(concat(" ", @class, " "), " {icon} ")]/parent::*'

    @field
    def published_at(self):
        """The .tag-row's calendar entry (a day: no time of day), else the day in the URL."""
        found = self.clean("published_at", self.text_of(self.icon_row("fa-calendar")), url_day(self.response.url))
        return found or super().published_at

    @field
    def author(self):
        return self.clean("author", self.values(self.icon_row("fa-user") + "//a//text()")) or super().author

    @field
    def source(self):
        return self.clean("source", "TrendForce集邦咨询")  # press releases of its own

    @field
    def categories(self):
        return self.clean("categories", self.values(self.icon_row("fa-bookmark") + "//a//text()")) or super().categories

    @field
    def summary(self):
        """meta description, else the release's first paragraph."""
        first = self.text_of('(//*[contains(concat(" ", @class, " "), " presscenter ")]//p[normalize-space()])[1]')
        return self.clean("summary", self.values('//meta[@name="description"]/@content'), first) or super().summary


class TrendforceSpider(PortalSpider):
    name = "trendforce"
    allowed_domains = ["trendforce.cn"]
    tz = "Asia/Shanghai"
    page_class = TrendforcePage
    default_max_pages = 2  # one or two releases a day
    contract_urls = {  # the pages `scrapy check` reads (samples/mirror)
        "article": "https://www.trendforce.cn/presscenter/news/20260715-13146.html",
        "list": "https://www.trendforce.cn/presscenter/news?page=1",
    }

    def default_listings(self) -> list[str]:
        return [FIRST_PAGE]

    def is_article_url(self, url: str) -> bool:
        return bool(ARTICLE_RE.match(url or ""))

    def canonical_article_url(self, url: str) -> str:
        match = ARTICLE_RE.match(url or "")
        return f"{NEWS}/{match.group('day')}-{match.group('id')}.html" if match else p.canonical_url(url)

    def list_entries(self, response):
        """Each .list-item: its title link, its h4 date (the URL's day when the h4 does not parse)."""
        rows = response.css(".list-items .list-item, div.list-item")
        for row in rows:
            href = row.css("h3 a.title-link::attr(href), h3 a::attr(href), a::attr(href)").get()
            yield href, p.clean_text(row.css("h4::text").get()) or url_day(p.absolute_url(href, response.url))
        if not rows:
            yield from self.every_article_link(response)

    def next_list_url(self, response, page):
        """An explicit next link, else ?page=N+1 of the same list."""
        explicit = self.next_link(response, 'contains(@class, "page-next")')
        if explicit:
            return explicit
        match = LIST_RE.match(response.url)
        return f"{match.group('stem')}?page={int(match.group('n') or 1) + 1}" if match else None
