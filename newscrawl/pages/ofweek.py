"""OFweek 维科网 article pages: current, old and mobile layouts, credit lines in the body, multi-page articles."""

from __future__ import annotations

import re
from datetime import datetime

from lxml import etree

from newscrawl import processors as p
from newscrawl.pages.base import field
from newscrawl.pages.portal import DESCRIPTION, KEYWORDS, PortalPage

CHANNELS = {
    "ee": "电子工程", "cloud": "云计算", "ai": "人工智能", "iot": "物联网", "robot": "机器人",
    "laser": "激光", "led": "半导体照明", "solar": "太阳能光伏", "lithium": "锂电", "medical": "医疗科技",
    "auto": "汽车科技", "display": "显示", "nev": "新能源汽车", "smarthome": "智能家居", "fiber": "光通讯",
    "security": "安防", "mp": "维科号", "chuneng": "储能",
}
CHANNEL_NAMES = set(CHANNELS.values())
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


def canonical_article_url(url: str) -> str:
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


def article_id(url: str) -> str | None:
    match = ARTICLE_RE.match(url or "")
    return match.group("id") if match else None


def channel_name(url: str) -> str | None:
    match = re.match(r"^https?://([a-z0-9-]+)\.(?:m\.)?ofweek\.com/", url or "")
    sub = match.group(1) if match else None
    if sub == "m":
        first = re.match(r"^https?://m\.ofweek\.com/([a-z0-9]+)/", url)
        sub = first.group(1) if first else None
    return CHANNELS.get(sub or "")


def crumb_category(text: str) -> str | None:
    """Breadcrumb text to a category: the portal itself is none, a channel site is its channel.

    >>> [crumb_category(t) for t in ("OFweek维科网", "首页", "OFweek太阳能光伏网", "OFweek物联网", "激光器")]
    [None, None, '太阳能光伏', '物联网', '激光器']
    """
    text = p.clean_text(text) or ""
    if text in ("", "首页", "OFweek", "维科网", "OFweek维科网"):
        return None
    if not text.startswith("OFweek"):
        return text
    name = text.removeprefix("OFweek")
    return name if name in CHANNEL_NAMES else name.removesuffix("网") or None


class OfweekPage(PortalPage):
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
    body_selectors = ("#articleC", "div.artical-content", "div.article_con", "div.TRS_Editor",
                      "div.artical .content", "div.article-content")

    # Fallback selectors are read only while the field is still empty (read_first): most are other layouts'.
    @field
    def title(self):
        return self.read_first("title", "div.artical h1", "div.article_left h1", ".article h1", "h1",
                               'meta[property="og:title"]::attr(content)', "title::text") or super().title

    @field
    def site(self):
        return self.clean("site", self.channel_site(p.clean_text(next(iter(self.values("title::text")), None))))

    @field
    def own_published_at(self):
        found = self.read_first("published_at", "div.time.fl", "span.sdate", "div.artical .time", ".article-info .time",
                                ".m-info .m-time", 'meta[property="article:published_time"]::attr(content)')
        if found:
            return found
        head = " ".join(self.select_texts("div.artical, div.article_left")[:80])  # a date anywhere near the headline
        return self.clean("published_at", LIST_DATE_RE.findall(head))

    @field
    def published_at(self):
        return self.own_published_at or super().published_at

    # No author element at all (credit lines in the body); an empty author or source means none: no fallback.
    @field
    def source(self):
        return self.read_first("source", "div.source-name", "#laiyuan", ".m-info .m-source",
                               "#laiyuan_mp a::attr(title)", "#laiyuan_mp a::text")

    @field
    def author(self):
        """Names from credit paragraphs ("作者 | 陈逸辰"), found by one XPath instead of reading every paragraph."""
        names = []
        for para in self.select(AUTHOR_PARAGRAPHS):
            match = AUTHOR_RE.match(p.join_inline(para.xpath(".//text()")) or "")
            if match:
                names.append(match.group("name"))
        return self.clean("author", names) or self.clean("author", self.values('meta[name="author"]::attr(content)'))

    @field
    def tags(self):
        spans = [p.join_inline(span.xpath(".//text()"))
                 for span in self.select("#articleC span.hrefStyle, div.article_con span.hrefStyle")]
        keywords = self.values(KEYWORDS)
        return self.clean("tags", spans, keywords) or super().tags

    @field
    def categories(self):
        crumbs = self.values("div.position a::text, div.crumb a::text, .breadcrumb a::text")
        found = self.clean("categories", [crumb_category(c) for c in crumbs], channel_name(self.response.url))
        return found or super().categories

    @field
    def summary(self):
        # past PortalPage's default (description, then og:description): the generic page's summary
        return self.read_first("summary", DESCRIPTION, "div.simple") or super(PortalPage, self).summary

    @field
    def url(self):
        return self.settled_url(super().url)

    def select_texts(self, css: str) -> list[str]:
        return self.response.css(css).xpath(".//text()").getall()

    def channel_site(self, title_tag: str | None) -> str | None:
        match = re.search(r"[-_|]\s*(OFweek\S*?网|OFweek维科号)\s*$", title_tag or "")
        if match:
            return match.group(1)
        channel = channel_name(self.response.url)
        if not channel:
            return "OFweek维科网"
        return f"OFweek{channel}" if channel.endswith("网") else f"OFweek{channel}网"

    def settled_url(self, url: str | None) -> str | None:
        """A mobile URL without a month: the page's canonical link, else one built from the date."""
        host = re.match(r"^https?://([^/]+)/", url or "")
        if not host or not (host.group(1).startswith("m.") or ".m." in host.group(1)):
            return url
        number = article_id(url)
        for candidate in self.values('link[rel="canonical"]::attr(href)', 'meta[property="og:url"]::attr(content)'):
            candidate = p.absolute_url(candidate, self.response.url)
            if candidate and article_id(candidate) == number and ".m." not in candidate and "//m." not in candidate:
                return self.clean("url", canonical_article_url(candidate))
        published = self.own_published_at
        channel = host.group(1).split(".")[0]
        if channel == "m":
            channel = (re.match(r"^https?://m\.ofweek\.com/([a-z0-9]+)/", url) or [None, None])[1]
        match = ARTICLE_RE.match(url)
        if published and channel in CHANNELS and match:
            month = datetime.fromisoformat(published).strftime("%Y-%m")
            return self.clean("url", f"https://{channel}.ofweek.com/{month}/ART-{match.group('a')}-{match.group('b')}-{number}.html")
        return url

    @property
    def next_page_url(self) -> str | None:
        current = ARTICLE_RE.match(self.response.url)
        if not current:
            return None
        # an XPath variable, not the id in the query: one compiled query, not one per article
        return self.page_after(ARTICLE_RE, PAGE_LINKS(self.response.selector.root, page_prefix=f'{current.group("id")}_'))
