"""雷峰网 leiphone.com: the home and channel lists (/page/N), /category/ and old /news/YYYYMM/ articles, UTF-8."""

from __future__ import annotations

import re

from newscrawl import processors as p
from newscrawl.arguments import Argument
from newscrawl.pages import PortalPage, field
from newscrawl.spiders.base import PortalSpider

BASE = "https://www.leiphone.com"
# /category/{cat}/{16-character id}.html (current), /news/{YYYYMM}/{id}.html (2016-2021), m. the same
ARTICLE_RE = re.compile(
    r"^https?://(?:www\.|m\.)?leiphone\.com(?::\d+)?/(?P<path>category/[A-Za-z0-9_-]+|news/\d{6})/(?P<id>[A-Za-z0-9]{8,32})"
    r"\.html(?:[?#].*)?$"
)
LIST_PAGE_RE = re.compile(r"^(?P<stem>https?://[^/]+(?:/category/[A-Za-z0-9_-]+)?)(?:/page/(?P<n>\d+))?/?(?:[?#].*)?$")
# The reprint notices and account lines the site appends to its articles.
NOTICES = (
    './/p[re:test(normalize-space(), "^(?:雷[锋峰]网.{0,40}(?:转载|公众号)|.{0,20}未经授权禁止转载|公众号[:：]\\s*雷[锋峰]网)")]'
)


def channel_list(value) -> list[str]:
    names = [c.strip() for c in str(value).split(",") if c.strip()]
    if not all(re.fullmatch(r"[A-Za-z0-9_-]+", name) for name in names):
        raise ValueError(f"channels are slugs of https://www.leiphone.com/category/SLUG (e.g. ai,chips), got {value!r}")
    return names


class LeiphonePage(PortalPage):
    """div.lphArticle-detail: h1.headTit, the author and time cells under it, the lead, the body."""

    site_name = "雷峰网"
    site_names = (r"雷[峰锋]网\S{0,12}",)
    chrome_images = (r"/resWeb/images/", r"/uploads/new/(?:avatar|banner)/", r"miss-main-pic", r"imageMogr2/thumbnail/")
    # script: the ad calls inside the body, passed over like the rest when a stray </div> cut the body short
    drop_from_body = ("script", ".top-img", "div.pageActive", "div.realted-article", "div.related-link", "div.article-comment",
                      ".lph-ad", "[class*=advert]", NOTICES)
    title_selectors = ("div.article-title h1.headTit", "h1.headTit", "div.pageTop > h1")
    body_selectors = ("div.lph-article-comView", "div.pageCont")
    tags_css = 'div.related-link a[href*="/tag/"]::text'
    crumbs_css = "div.lph-Nowsite a::text"
    not_crumbs = ("首页", "雷峰网", "雷锋网", "正文")

    @field
    def detail(self):
        """The data-article_* attributes of the article's container (SEO title, keywords, author)."""
        nodes = self.select("div.lphArticle-detail")
        return dict(nodes[0].items()) if nodes else {}  # items(), not attrib: a mangled name makes attrib raise

    @field
    def title(self):
        seo = self.detail.get("data-article_seo_title")
        return self.clean("title", self.text_of(*self.title_selectors), seo) or super().title

    @field
    def published_at(self):
        found = self.clean("published_at", self.text_of("div.article-title td.time", "div.pi-author > span"),
                           self.values('meta[property="article:published_time"]::attr(content)'))
        return found or super().published_at

    @field
    def author(self):
        found = self.clean("author", self.text_of("div.article-title td.aut a", "div.pi-author > a"),
                           self.detail.get("data-author_name"), self.values('meta[property="article:author"]::attr(content)'))
        return found or super().author

    @field
    def source(self):
        return self.clean("source", "雷峰网")  # its own stories; reprints say so in the text

    @field
    def summary(self):
        lead = self.values('//div[contains(@class, "article-lead")]/text()[normalize-space()]')
        return self.clean("summary", lead, self.detail.get("data-article_seo_description")) or super().summary

    @field
    def tags(self):
        return self.clean("tags", self.values(self.tags_css), self.detail.get("data-article_seo_keywords")) or super().tags


class LeiphoneSpider(PortalSpider):
    name = "leiphone"
    allowed_domains = ["leiphone.com"]
    tz = "Asia/Shanghai"
    page_class = LeiphonePage
    contract_urls = {  # the pages `scrapy check` reads (samples/mirror)
        "article": "https://www.leiphone.com/category/chips/pq8JNwz1wb4jP5x6.html",
        "list": "https://www.leiphone.com/",
    }
    custom_settings = {"USER_AGENT": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) newscrawl/0.1"}  # desktop pages

    arguments = (
        Argument("channels", lambda name, value: channel_list(value), [],
                 "slugs of https://www.leiphone.com/category/SLUG to read instead of the home page (ai, chips, …)",
                 "A,B"),
    )

    def default_listings(self) -> list[str]:
        return [f"{BASE}/category/{c}" for c in self.channels] or [f"{BASE}/"]

    def is_article_url(self, url: str) -> bool:
        return bool(ARTICLE_RE.match(url or ""))

    def canonical_article_url(self, url: str) -> str:
        """https://www.leiphone.com, no query (``?uniqueCode=``); a mobile URL maps to www."""
        match = ARTICLE_RE.match(url or "")
        return f"{BASE}/{match.group('path')}/{match.group('id')}.html" if match else p.canonical_url(url)

    def list_entries(self, response):
        rows = response.css("div.lph-pageList li div.word")
        for row in rows:
            yield row.css("h3 a.headTit::attr(href), h3 a::attr(href)").get(), p.clean_text(row.css("div.time::text").get())
        if not rows:
            yield from self.every_article_link(response)

    def next_list_url(self, response, page):
        """The pager's a.next, else /page/N+1 of the same list."""
        explicit = response.css("div.lph-page a.next::attr(href)").get()
        if explicit and not explicit.strip().lower().startswith(("javascript", "#")):
            return explicit.strip()
        match = LIST_PAGE_RE.match(response.url)
        if not match or response.css("div.lph-page") and not explicit:
            return None  # a pager without a next link: the last page
        return f"{match.group('stem')}/page/{int(match.group('n') or 1) + 1}"
