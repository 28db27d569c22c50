"""盖世汽车 gasgoo.com: news lists, current (/news/YYYYMM/) and old (/News/YYYY/MM/) article pages."""

from __future__ import annotations

import re

from newscrawl import processors as p
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
DATE_RE = re.compile(r"\d{4}\s*[-/年]\s*\d{1,2}\s*[-/月]\s*\d{1,2}\s*日?(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?")
SOURCE_RE = re.compile(r"来源\s*[:：]\s*(?P<name>[^\s|｜丨]+)")
AUTHOR_RE = re.compile(r"(?:作者|文)\s*[:：|｜丨]\s*(?P<name>[^\s|｜丨]{1,30})")


class GasgooSpider(PortalSpider):
    name = "gasgoo"
    allowed_domains = ["gasgoo.com"]
    tz = "Asia/Shanghai"
    site_names = (r"盖世汽车\S{0,8}", r"Gasgoo\S{0,12}")
    chrome_images = (
        r"gasgoo\.com/auto\d{4}/images/",
        r"/companyLogo/",
        r"moblogo/news/qrcode/",
        r"[_/]160_110[_/.]",
        r"/(?:logo|qrcode|ewm|erweima|icon)[\w-]*\.(?:png|jpe?g|gif|svg)",
    )
    drop_from_body = (
        ".statement", ".copyright", ".ad", ".adv", "[id^=ad_]", "[class*=advert]", ".shareBox", ".share",
        ".qrcode", ".relatedNews", ".editorInfo", "p:has(img[src*=qrcode])", "table.ad",
    )
    custom_settings = {
        # A plain-HTTP fetch with a browser-like User-Agent is what is known to get 200s.
        "USER_AGENT": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/126.0 Safari/537.36 newscrawl/0.1",
    }


    # ---------------------------------------------------------------- contracts

    def parse_article(self, response, **kwargs):
        """盖世汽车 article page -> one Article (`NEWSCRAWL_MIRROR=samples/mirror scrapy check gasgoo`).

        @url https://auto.gasgoo.com/news/202610/21I70460123C601.shtml
        @returns items 1 1
        @returns requests 0 0
        @scrapes url portal site title published_at author source categories tags body_html body_text
        """
        return super().parse_article(response, **kwargs)

    def parse_list(self, response, page=1):
        """盖世汽车 list page -> article requests.

        @url https://auto.gasgoo.com/auto-news/C-601
        @returns items 0 0
        @returns requests 3
        """
        return super().parse_list(response, page)

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

    # ----------------------------------------------------------------- articles

    def body_html(self, response):
        return self.first_html(response, "#ArticleContent", "div.articletab", "div.contentDetailed")

    def populate(self, loader, response):
        loader.add_value("title", self.title_candidates(response, ".detailsBox h1", ".newsDetail h1", ".articleTitle h1", "h1"))
        loader.add_value("site", "盖世汽车")
        info = " ".join(self.text_of(response, "span.timeSource", ".userInfo", ".articleInfo", ".newsInfo", ".info"))
        loader.add_value(
            "published_at",
            response.css('meta[property="article:published_time"]::attr(content), meta[name="pubdate"]::attr(content)').getall()
            + DATE_RE.findall(info)
            + DATE_RE.findall(" ".join(response.xpath("//h1/following::text()[position() < 30]").getall())),
        )
        loader.add_value("source", [m.group("name") for m in SOURCE_RE.finditer(info)])
        loader.add_value("source", self.text_of(response, ".userInfo .source", "span.source"))
        loader.add_value("author", [m.group("name") for m in AUTHOR_RE.finditer(info)])
        loader.add_value("author", response.css('meta[name="author"]::attr(content)').getall())
        loader.add_value("body_html", self.article_body(response))
        loader.add_value("tags", response.css(".tags a::text, .keyWords a::text, .articleTag a::text").getall())
        loader.add_value("tags", response.xpath('//meta[translate(@name, "KEYWORDS", "keywords")="keywords"]/@content').getall())
        crumbs = [p.clean_text(t) for t in response.css("div.crumb a::text, .breadcrumb a::text").getall()]
        loader.add_value("categories", [c for c in crumbs if c and c not in ("首页", "盖世汽车", "盖世汽车网")])
        loader.add_value(
            "summary",
            [re.sub(r"^\s*摘要\s*[:：]\s*", "", t) for t in self.text_of(response, ".summary", ".abstract")]
            + response.xpath('//meta[translate(@name, "DESCRIPTION", "description")="description"]/@content').getall()
            + response.css('meta[property="og:description"]::attr(content)').getall(),
        )
        loader.add_css("headimg", 'meta[property="og:image"]::attr(content)')
