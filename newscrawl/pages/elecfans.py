"""电子发烧友 elecfans.com article pages: the info line's 来源/作者, collapsed ("展开全文") bodies."""

from __future__ import annotations

import re

import lxml.html

from newscrawl import processors as p
from newscrawl.pages.base import field
from newscrawl.pages.portal import PortalPage

SOURCE_RE = re.compile(r"来源\s*[:：]\s*(?P<v>[^\s|｜丨]{1,40})")
AUTHOR_RE = re.compile(r"作者\s*[:：]\s*(?P<v>[^\s|｜丨]{1,40})")
# The button that reveals a collapsed article: chrome, never text of the article.
EXPANDERS = {"展开全文", "阅读全文", "查看全文", "展开剩余全文", "点击展开全文", "展开阅读全文"}


class ElecfansPage(PortalPage):
    site_names = (r"电子发烧友网?", r"\S{1,10}(?:新闻|频道|资讯|技术)")
    chrome_images = (
        r"elecfans\.com/(?:static|skin|images)/", r"/images/(?:logo|icon|share|ewm|qrcode|code)",
        r"elecfans\.com/.*(?:wx|weixin|gzh)_?(?:code|qr)",
    )
    drop_from_body = (
        ".statement", ".article-declare", ".declare", ".copyright", ".ad", ".advert", "[class*=guanggao]",
        "[id^=ad_]", ".share", ".article-share", ".hot-main", ".article-tags",
    )
    site_name = "电子发烧友网"
    title_selectors = ("h1.article-title", ".article-title h1", ".article h1", "h1")
    tags_css = ".article-tags a::text, .tag-list a::text"
    crumbs_css = ".crumbs a::text, .breadcrumb a::text, .position a::text, .crumb a::text"
    not_crumbs = ("首页", "电子发烧友网", "电子发烧友")
    body_selectors = (".rticle-content .simditor-body", ".article-content .simditor-body", "div.simditor-body",
                      "#article_content", "div.article-content", "div.rticle-content")

    @field
    def body_fragment(self):
        return strip_expanders(self.first_html(*self.body_selectors))

    @field
    def info(self) -> str:
        return p.clean_text(" ".join(self.response.css(".article-info, .art-info, .article-meta").xpath(".//text()").getall())) or ""

    @field
    def published_at(self):
        found = self.clean(
            "published_at",
            self.text_of(".article-info .time", ".article-info time", ".art-info .time", "span.time"),
            self.values('meta[property="article:published_time"]::attr(content)'),
            p.date_in_text(self.info),
        )
        return found or super().published_at

    @field
    def author(self):
        named = AUTHOR_RE.search(self.info)
        found = self.clean("author", [named.group("v")] if named else self.text_of(".article-info a", ".art-info a"),
                           self.values('meta[name="author"]::attr(content)'))
        return found or super().author

    @field
    def source(self):
        source = SOURCE_RE.search(self.info)
        return self.clean("source", source.group("v") if source else None) or super().source

    @field
    def categories(self):
        crumbs = [p.clean_text(t) for t in self.values(self.crumbs_css)]
        found = self.clean("categories", [c for c in crumbs if c and c not in self.not_crumbs],
                           self.values(".hot-main li > span::text"))
        return found or super().categories

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
