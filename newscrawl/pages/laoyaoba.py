"""集微网 laoyaoba.com article pages: UTF-8, the info line's date, 来源 and 作者, a tag list."""

from __future__ import annotations

import re

from newscrawl.pages.base import field
from newscrawl.pages.portal import PortalPage
from newscrawl.pages.select import inline_text

# Date texts the portal prints: relative, year-less and full; anything else in the info line is not a date.
DATE_TEXT_RE = re.compile(
    r"^\s*(?:发布(?:时间|于)?\s*[:：]?\s*)?(?:\d+\s*(?:秒|分钟|小时|天)前|刚刚|(?:今天|昨天|前天)(?:\s*\d{1,2}:\d{2})?|"
    r"(?:\d{4}[-/.年])?\d{1,2}[-/.月]\d{1,2}日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?)\s*$"
)
# The info line holds a date, a source, an author and a few counters: its first MAX_INFO_NODES elements are read
# (docs/OPERATIONS.md, "Bounded work per page"; 10,000 paragraphs filled into it cost 0.5 s read whole).
MAX_INFO_NODES = 100


class LaoyaobaPage(PortalPage):
    site_names = (r"爱集微(?:APP)?", r"集微网", r"laoyaoba(?:\.com)?", r"集微")
    chrome_images = (
        r"laoyaoba\.com/(?:static|assets|public)/(?:images|img)/",
        r"/(?:logo|qrcode|erweima|ewm|icon|avatar)[\w-]*\.(?:png|jpe?g|gif|svg)",
        r"/ad(?:s|vert)?/",
    )
    drop_from_body = (
        "p[class]", ".article-ad", ".ad", "[class*=advert]", ".share", ".article-share",
        ".copyright", ".statement", ".related", ".qrcode",
    )
    title_selectors = ("div.article h1", ".article-title h1", "h1")
    body_selectors = ("div.article article", "article", "div.article-content")
    tags_css = ".article-tags a::text, div.tags a::text, .tag-list a::text"
    crumbs_css = ".crumbs a::text, .breadcrumb a::text"

    @field
    def info(self) -> list[str]:
        nodes = self.select(".content-center-text-info-left p, .content-center-text-info-left span")
        return [inline_text(node) or "" for node in nodes[:MAX_INFO_NODES]]

    @field
    def site(self):
        return self.clean("site", self.values('meta[property="og:site_name"]::attr(content)'), "集微网")

    @field
    def published_at(self):
        found = self.clean("published_at", [t for t in self.info if DATE_TEXT_RE.match(t)],
                           self.values('meta[property="article:published_time"]::attr(content)'))
        return found or super().published_at

    @field
    def source(self):
        return self.clean("source", [t for t in self.info if re.match(r"^\s*(?:来源|出处)\s*[:：]", t)]) or super().source

    @field
    def author(self):
        found = self.clean("author", [t for t in self.info if re.match(r"^\s*(?:作者|文)\s*[:：|｜丨]", t)],
                           self.values('meta[name="author"]::attr(content)'))
        return found or super().author

