"""电子发烧友 elecfans.com: channel lists, /d/{id}.html and old dated articles, collapsed ("展开全文") bodies."""

from __future__ import annotations

import re

import lxml.html

from newscrawl import processors as p
from newscrawl.arguments import Argument
from newscrawl.spiders.base import PortalSpider

ARTICLE_RE = re.compile(
    r"^https?://(?:www\.)?elecfans\.com(?::\d+)?/(?:d/(?P<id>\d+)|(?P<old>article/\d+(?:/\d+)*/\d{4}/\d{8,}))"
    r"\.html?(?:[?#].*)?$",
    re.IGNORECASE,
)
MOBILE_RE = re.compile(r"^https?://m\.elecfans\.com(?::\d+)?/article/(?P<id>\d+)\.html?(?:[?#].*)?$", re.IGNORECASE)
SOURCE_RE = re.compile(r"来源\s*[:：]\s*(?P<v>[^\s|｜丨]{1,40})")
AUTHOR_RE = re.compile(r"作者\s*[:：]\s*(?P<v>[^\s|｜丨]{1,40})")
# The button that reveals a collapsed article: chrome, never text of the article.
EXPANDERS = {"展开全文", "阅读全文", "查看全文", "展开剩余全文", "点击展开全文", "展开阅读全文"}


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
    site_names = (r"电子发烧友网?", r"\S{1,10}(?:新闻|频道|资讯|技术)")
    chrome_images = (
        r"elecfans\.com/(?:static|skin|images)/", r"/images/(?:logo|icon|share|ewm|qrcode|code)",
        r"elecfans\.com/.*(?:wx|weixin|gzh)_?(?:code|qr)",
    )
    drop_from_body = (
        ".statement", ".article-declare", ".declare", ".copyright", ".ad", ".advert", "[class*=guanggao]",
        "[id^=ad_]", ".share", ".article-share", ".hot-main", ".article-tags",
    )

    arguments = (
        Argument("atypes", lambda name, value: atype_list(value), ["90"],
                 "list numbers N of https://www.elecfans.com/article/N/ to read", "N[,N…]"),
    )


    # ---------------------------------------------------------------- contracts

    def parse_article(self, response, **kwargs):
        """电子发烧友 article page -> one Article (`NEWSCRAWL_MIRROR=samples/mirror scrapy check elecfans`).

        @url https://www.elecfans.com/d/6801234.html
        @returns items 1 1
        @returns requests 0 0
        @scrapes url portal site title published_at author source categories tags body_html body_text
        """
        return super().parse_article(response, **kwargs)

    def parse_list(self, response, page=1):
        """电子发烧友 list page -> article requests.

        @url https://www.elecfans.com/article/90/
        @returns items 0 0
        @returns requests 3
        """
        return super().parse_list(response, page)

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
            match = p.DATE_IN_TEXT_RE.search(shown or " ".join(row.css("span::text, p::text").getall()))
            # a .time cell may read "3小时前" or "07-08 16:00": parse_date resolves those against the crawl time
            yield href, match.group(0) if match else shown
        if not found:
            yield from self.every_article_link(response)

    def next_list_url(self, response, page):
        return self.next_link(response, 'normalize-space(.)=">"')

    # ----------------------------------------------------------------- articles

    def body_html(self, response):
        html = self.first_html(
            response, ".rticle-content .simditor-body", ".article-content .simditor-body", "div.simditor-body",
            "#article_content", "div.article-content", "div.rticle-content",
        )
        return strip_expanders(html)

    def populate(self, loader, response):
        loader.add_value("title", self.title_candidates(response, "h1.article-title", ".article-title h1", ".article h1", "h1"))
        loader.add_value("site", "电子发烧友网")
        info = p.clean_text(" ".join(response.css(".article-info, .art-info, .article-meta").xpath(".//text()").getall())) or ""
        loader.add_value(
            "published_at",
            self.text_of(response, ".article-info .time", ".article-info time", ".art-info .time", "span.time")
            + response.css('meta[property="article:published_time"]::attr(content)').getall()
            + p.DATE_IN_TEXT_RE.findall(info)[:1],
        )
        named = AUTHOR_RE.search(info)
        loader.add_value("author", [named.group("v")] if named else self.text_of(response, ".article-info a", ".art-info a"))
        loader.add_value("author", response.css('meta[name="author"]::attr(content)').getall())
        source = SOURCE_RE.search(info)
        loader.add_value("source", source.group("v") if source else None)
        crumbs = [p.clean_text(t) for t in response.css(
            ".crumbs a::text, .breadcrumb a::text, .position a::text, .crumb a::text"
        ).getall()]
        loader.add_value("categories", [c for c in crumbs if c and c not in ("首页", "电子发烧友网", "电子发烧友")])
        loader.add_value("categories", response.css(".hot-main li > span::text").getall())
        loader.add_value("tags", response.css(".article-tags a::text, .tag-list a::text").getall())
        loader.add_value("tags", response.xpath('//meta[translate(@name, "KEYWORDS", "keywords")="keywords"]/@content').getall())
        loader.add_value(
            "summary",
            response.xpath('//meta[translate(@name, "DESCRIPTION", "description")="description"]/@content').getall()
            + response.css('meta[property="og:description"]::attr(content)').getall(),
        )
        loader.add_value("body_html", self.article_body(response))
        loader.add_css("headimg", 'meta[property="og:image"]::attr(content)')


def strip_expanders(html: str | None) -> str | None:
    """Remove the "展开全文" button from a body fragment; the collapsed text itself stays (it is only hidden by CSS)."""
    if not html or not any(word in html for word in EXPANDERS):
        return html
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    while True:
        button = next(
            (e for e in root.iterdescendants() if isinstance(e.tag, str) and p.clean_text(e.text_content()) in EXPANDERS),
            None,
        )
        if button is None:
            break
        while button.getparent() is not root and p.clean_text(button.getparent().text_content()) in EXPANDERS:
            button = button.getparent()
        button.drop_tree()
    return ((root.text or "") + "".join(lxml.html.tostring(child, encoding="unicode") for child in root)) or None
