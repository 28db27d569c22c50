"""OFweek 维科网: portal-wide and channel lists, current and old article layouts, GBK pages."""

from __future__ import annotations

import re
from newscrawl import processors as p
from newscrawl.arguments import Argument
from newscrawl.pages.ofweek import ARTICLE_RE, CHANNELS, LIST_DATE_RE, OfweekPage, article_id, canonical_article_url
from newscrawl.spiders.base import PortalSpider

# Only list URLs seen on the real site; other channels start from their home page.
LISTINGS = {
    "www": "https://www.ofweek.com/CATList-8100-CHANGYIEXINWE.html",
    "ee": "https://ee.ofweek.com/CATList-2800-8100-ee-1.html",
    "robot": "https://robot.ofweek.com/CATList-8321200-8100-robot-1.html",
    "iot": "https://iot.ofweek.com/CATList-132200-8100-iot-1.html",
    "nev": "https://nev.ofweek.com/CATList-71000-8200-nev.html",
}


def channel_list(value) -> list[str]:
    names = [c.strip().lower() for c in str(value).split(",") if c.strip()]
    if names == ["all"]:
        names = ["www", *CHANNELS]
    unknown = [c for c in names if c != "www" and c not in CHANNELS]
    if unknown or not names:
        raise ValueError(
            f"unknown OFweek channel(s) {','.join(unknown) or value!r}; use www, all or any of {','.join(CHANNELS)}"
        )
    return names


class OfweekSpider(PortalSpider):
    name = "ofweek"
    allowed_domains = ["ofweek.com"]
    custom_settings = {"CONCURRENT_REQUESTS_PER_DOMAIN": 8}
    tz = "Asia/Shanghai"
    page_class = OfweekPage
    contract_urls = {  # the pages `scrapy check` reads (samples/mirror)
        "article": "https://ai.ofweek.com/2026-02/ART-201700-8420-30701342.html",
        "list": "https://www.ofweek.com/CATList-8100-CHANGYIEXINWE.html",
    }

    arguments = (
        Argument("channels", lambda name, value: channel_list(value), ["www"],
                 f"www (portal-wide news), all, or any of {','.join(CHANNELS)}", "A,B"),
    )

    # --------------------------------------------------------------------- URLs

    def default_listings(self) -> list[str]:
        return [LISTINGS.get(c, f"https://{c}.ofweek.com/") for c in self.channels]

    def is_article_url(self, url: str) -> bool:
        return bool(ARTICLE_RE.match(url or ""))

    def canonical_article_url(self, url: str) -> str:
        """Desktop https URL of page 1; mobile URLs map to their channel's desktop host."""
        return canonical_article_url(url)

    @staticmethod
    def article_id(url: str) -> str | None:
        return article_id(url)

    # -------------------------------------------------------------------- lists

    def list_entries(self, response):
        found = False
        for node in response.css("div.list-left div.con-details"):
            found = True
            yield node.css("h3 > a::attr(href)").get(), p.clean_text(node.css("span.fb-tl::text").get())
        rows = response.xpath(
            '//div[@class="main_left"]/div[@class="list_model"]/div[contains(@class, "model_right")]'
        )
        for node in rows:
            found = True
            date_text = " ".join(node.xpath('./div[@class="tag"]//text()').getall())
            date_match = LIST_DATE_RE.search(date_text)
            yield node.xpath("./h3/a/@href").get(), date_match.group(0) if date_match else None
        if not found:  # channel home pages and changed layouts
            yield from self.every_article_link(response)

    def next_list_url(self, response, page):
        explicit = self.next_link(response, 'parent::span[@id="nextPage"]')
        if explicit:
            return explicit
        has_pager = response.css("div.page, div.pages, .pagination, #pager").get()
        if has_pager:
            return None
        match = re.search(r"/(CAT(?:List|ListNew)?-[\w-]+?)(?:-(\d+))?\.html$", response.url)
        if not match:
            return None
        stem, number = match.group(1), match.group(2)
        if number is None or (not stem.startswith("CATList") and not stem.startswith("CAT-")):
            return re.sub(r"\.html$", "-2.html", response.url) if number is None else None
        return response.url[: match.start(2)] + f"{int(number) + 1}.html"
