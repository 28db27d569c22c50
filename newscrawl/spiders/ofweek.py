"""OFweek 维科网: portal-wide and channel lists, current and old article layouts, GBK pages."""

from __future__ import annotations

import re
from datetime import datetime

from lxml import etree

from newscrawl import processors as p
from newscrawl.arguments import Argument
from newscrawl.spiders.base import PortalSpider, select, values

CHANNELS = {
    "ee": "电子工程", "cloud": "云计算", "ai": "人工智能", "iot": "物联网", "robot": "机器人",
    "laser": "激光", "led": "半导体照明", "solar": "太阳能光伏", "lithium": "锂电", "medical": "医疗科技",
    "auto": "汽车科技", "display": "显示", "nev": "新能源汽车", "smarthome": "智能家居", "fiber": "光通讯",
    "security": "安防", "mp": "维科号", "chuneng": "储能",
}
CHANNEL_NAMES = set(CHANNELS.values())
# Only list URLs seen on the real site; other channels start from their home page.
LISTINGS = {
    "www": "https://www.ofweek.com/CATList-8100-CHANGYIEXINWE.html",
    "ee": "https://ee.ofweek.com/CATList-2800-8100-ee-1.html",
    "robot": "https://robot.ofweek.com/CATList-8321200-8100-robot-1.html",
    "iot": "https://iot.ofweek.com/CATList-132200-8100-iot-1.html",
    "nev": "https://nev.ofweek.com/CATList-71000-8200-nev.html",
}

ARTICLE_RE = re.compile(
    r"^https?://(?P<host>(?:[a-z0-9-]+\.)*ofweek\.com)(?::\d+)?/(?P<prefix>(?:[^?#]*/)?)"
    r"ART-(?P<a>\d+)-(?P<b>\d+)-(?P<id>\d{8})(?:_(?P<page>\d+))?\.html?(?:[?#].*)?$",
    re.IGNORECASE,
)
PAGE_LINKS = etree.XPath("//a[contains(@href, $page_prefix)]/@href", smart_strings=False)
MONTH_RE = re.compile(r"(?:^|/)(\d{4}-\d{2})/")
LIST_DATE_RE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?")
AUTHOR_RE = re.compile(
    r"^\s*(?:作者|文)\s*[|｜丨:：]\s*(?P<name>[^|｜丨:：]{1,40}?)\s*(?:$|\s(?:来源|编辑|责编|出处)\s*[|｜丨:：])"
)
# The body paragraphs that can be an author credit (what "#articleC p, div.article_con p" holds, narrowed).
AUTHOR_PARAGRAPHS = (
    '(id("articleC") | //div[contains(concat(" ", normalize-space(@class), " "), " article_con ")])'
    '//p[starts-with(normalize-space(), "作者") or starts-with(normalize-space(), "文")]'
)
# A paragraph that is only a credit line: "作者 | 陈逸辰", "编辑 | 王方", "作者 | 刘洋  来源 | 半导体产业纵横".
CREDIT_PARAGRAPH = (
    './/p[string-length(normalize-space()) < 60][re:test(normalize-space(),'
    ' "^(?:作者|文|编辑|责编|责任编辑|来源|出处)\\s*[|｜丨:：]")]'
)


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
    site_names = (r"OFweek\S{0,12}?网?", r"维科网\S{0,12}", r"OFweek维科号")
    chrome_images = (
        r"ofweek\.com/(?:article/images/bar|images/logo|newOFweekIndex|ofweek/images)/",
        r"/images/(?:logo|icon|share|ewm|qrcode)",
    )
    drop_from_body = (
        "div.page", "#nextPage", "div.pages", ".share", ".bdsharebuttonbox", ".ad", ".advert",
        "[class*=guanggao]", ".related", ".xgwz", "div.statement", ".shengming",
        # the credits are read into author/source (author()); in the text they would be noise
        CREDIT_PARAGRAPH,
    )
    # No author element at all (credit lines in the body, read by author()); an empty source means none.
    optional_fields = ("author", "source")

    arguments = (
        Argument("channels", lambda name, value: channel_list(value), ["www"],
                 f"www (portal-wide news), all, or any of {','.join(CHANNELS)}", "A,B"),
    )


    # ---------------------------------------------------------------- contracts

    def parse_article(self, response, **kwargs):
        """OFweek article page -> one Article (`NEWSCRAWL_MIRROR=samples/mirror scrapy check ofweek`).

        @url https://ai.ofweek.com/2026-02/ART-201700-8420-30701342.html
        @returns items 1 1
        @returns requests 0 0
        @scrapes url portal site title published_at author source tags body_html body_text
        """
        return super().parse_article(response, **kwargs)

    def parse_list(self, response, page=1):
        """OFweek list page -> article requests.

        @url https://www.ofweek.com/CATList-8100-CHANGYIEXINWE.html
        @returns items 0 0
        @returns requests 3
        """
        return super().parse_list(response, page)

    # --------------------------------------------------------------------- URLs

    def default_listings(self) -> list[str]:
        return [LISTINGS.get(c, f"https://{c}.ofweek.com/") for c in self.channels]

    def is_article_url(self, url: str) -> bool:
        return bool(ARTICLE_RE.match(url or ""))

    def canonical_article_url(self, url: str) -> str:
        """Desktop https URL of page 1; mobile URLs map to their channel's desktop host."""
        match = ARTICLE_RE.match(url or "")
        if not match:
            return p.canonical_url(url)
        host, prefix = match.group("host").lower(), match.group("prefix")
        month = MONTH_RE.search("/" + prefix)
        leaf = f"ART-{match.group('a')}-{match.group('b')}-{match.group('id')}.html"
        channel = None
        if host == "m.ofweek.com":
            first = prefix.split("/", 1)[0]
            channel = first if first in CHANNELS else None
        elif host.endswith(".m.ofweek.com"):
            channel = host.split(".", 1)[0]
        if channel is None and ".m." not in f".{host}" and not host.startswith("m."):
            return f"https://{host}/{prefix}{leaf}"
        if channel and month:
            return f"https://{channel}.ofweek.com/{month.group(1)}/{leaf}"
        return f"https://{host}/{prefix}{leaf}"  # month unknown: settled from the page itself

    @staticmethod
    def article_id(url: str) -> str | None:
        match = ARTICLE_RE.match(url or "")
        return match.group("id") if match else None

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

    # ----------------------------------------------------------------- articles

    def body_html(self, response):
        return self.first_html(
            response, "#articleC", "div.artical-content", "div.article_con", "div.TRS_Editor",
            "div.artical .content", "div.article-content",
        )

    def next_article_page(self, response):
        current = ARTICLE_RE.match(response.url)
        if not current:
            return None
        page = int(current.group("page") or 1)
        # an XPath variable, not the id in the query: one compiled query, not one per article
        for href in PAGE_LINKS(response.selector.root, page_prefix=f'{current.group("id")}_'):
            url = p.absolute_url(href, response.url)
            match = ARTICLE_RE.match(url or "")
            if match and match.group("id") == current.group("id") and int(match.group("page") or 1) == page + 1:
                return url
        return None

    def populate(self, loader, response):
        # Fallback selectors are read only while the field is still empty (add_first): most are other layouts'.
        self.add_first(loader, "title", response, "div.artical h1", "div.article_left h1", ".article h1", "h1",
                       'meta[property="og:title"]::attr(content)', "title::text")
        loader.add_value("site", self.site_name(response, p.clean_text(next(iter(values(response, "title::text")), None))))
        self.add_first(loader, "published_at", response, "div.time.fl", "span.sdate", "div.artical .time",
                       ".article-info .time", ".m-info .m-time", 'meta[property="article:published_time"]::attr(content)')
        if not loader.get_output_value("published_at"):  # a date anywhere near the headline
            head = " ".join(response.css("div.artical, div.article_left").xpath(".//text()").getall()[:80])
            loader.add_value("published_at", LIST_DATE_RE.findall(head))
        self.add_first(loader, "source", response, "div.source-name", "#laiyuan", ".m-info .m-source",
                       "#laiyuan_mp a::attr(title)", "#laiyuan_mp a::text")
        loader.add_value("body_html", self.article_body(response))
        loader.add_value("author", self.author(response))
        if not loader.get_output_value("author"):
            loader.add_value("author", values(response, 'meta[name="author"]::attr(content)'))
        for span in select(response, "#articleC span.hrefStyle, div.article_con span.hrefStyle"):
            loader.add_value("tags", p.join_inline(span.xpath(".//text()")))
        loader.add_value("tags", values(response, '//meta[translate(@name, "KEYWORDS", "keywords")="keywords"]/@content'))
        crumbs = values(response, "div.position a::text, div.crumb a::text, .breadcrumb a::text")
        loader.add_value("categories", [self.crumb_category(c) for c in crumbs])
        loader.add_value("categories", self.channel_name(response.url))
        self.add_first(loader, "summary", response,
                       '//meta[translate(@name, "DESCRIPTION", "description")="description"]/@content', "div.simple")
        loader.add_value("headimg", values(response, 'meta[property="og:image"]::attr(content)'))
        self.settle_url(loader, response)

    @staticmethod
    def crumb_category(text: str) -> str | None:
        """Breadcrumb text to a category: the portal itself is none, a channel site is its channel.

        >>> [OfweekSpider.crumb_category(t) for t in ("OFweek维科网", "首页", "OFweek太阳能光伏网", "OFweek物联网", "激光器")]
        [None, None, '太阳能光伏', '物联网', '激光器']
        """
        text = p.clean_text(text) or ""
        if text in ("", "首页", "OFweek", "维科网", "OFweek维科网"):
            return None
        if not text.startswith("OFweek"):
            return text
        name = text.removeprefix("OFweek")
        return name if name in CHANNEL_NAMES else name.removesuffix("网") or None

    def author(self, response) -> list[str]:
        """Names from credit paragraphs ("作者 | 陈逸辰"), found by one XPath instead of reading every paragraph."""
        names = []
        for para in select(response, AUTHOR_PARAGRAPHS):
            match = AUTHOR_RE.match(p.join_inline(para.xpath(".//text()")) or "")
            if match:
                names.append(match.group("name"))
        return names

    def site_name(self, response, title_tag: str | None) -> str | None:
        match = re.search(r"[-_|]\s*(OFweek\S*?网|OFweek维科号)\s*$", title_tag or "")
        if match:
            return match.group(1)
        channel = self.channel_name(response.url)
        if not channel:
            return "OFweek维科网"
        return f"OFweek{channel}" if channel.endswith("网") else f"OFweek{channel}网"

    @staticmethod
    def channel_name(url: str) -> str | None:
        match = re.match(r"^https?://([a-z0-9-]+)\.(?:m\.)?ofweek\.com/", url or "")
        sub = match.group(1) if match else None
        if sub == "m":
            first = re.match(r"^https?://m\.ofweek\.com/([a-z0-9]+)/", url)
            sub = first.group(1) if first else None
        return CHANNELS.get(sub or "")

    def settle_url(self, loader, response):
        """A mobile URL without a month: take the page's canonical link, else build it from the date."""
        url = loader.get_output_value("url")
        host = re.match(r"^https?://([^/]+)/", url or "")
        if not host or not (host.group(1).startswith("m.") or ".m." in host.group(1)):
            return
        article_id = self.article_id(url)
        for candidate in response.css('link[rel="canonical"]::attr(href), meta[property="og:url"]::attr(content)').getall():
            candidate = p.absolute_url(candidate, response.url)
            if candidate and self.article_id(candidate) == article_id and ".m." not in candidate and "//m." not in candidate:
                loader.replace_value("url", self.canonical_article_url(candidate))
                return
        published = loader.get_output_value("published_at")
        channel = host.group(1).split(".")[0]
        if channel == "m":
            channel = (re.match(r"^https?://m\.ofweek\.com/([a-z0-9]+)/", url) or [None, None])[1]
        match = ARTICLE_RE.match(url)
        if published and channel in CHANNELS and match:
            month = datetime.fromisoformat(published).strftime("%Y-%m")
            loader.replace_value(
                "url", f"https://{channel}.ofweek.com/{month}/ART-{match.group('a')}-{match.group('b')}-{article_id}.html"
            )
