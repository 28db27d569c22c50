"""盖世汽车 gasgoo.com article pages: current and old layouts, the info line's date, 来源 and 作者, a summary box."""

from __future__ import annotations

import re

from newscrawl.pages.base import field
from newscrawl.pages.portal import DESCRIPTION, OG_DESCRIPTION, PortalPage

DATE_RE = re.compile(r"\d{4}\s*[-/年]\s*\d{1,2}\s*[-/月]\s*\d{1,2}\s*日?(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?")
SOURCE_RE = re.compile(r"来源\s*[:：]\s*(?P<name>[^\s|｜丨]+)")
AUTHOR_RE = re.compile(r"(?:作者|文)\s*[:：|｜丨]\s*(?P<name>[^\s|｜丨]{1,30})")


class GasgooPage(PortalPage):
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
    site_name = "盖世汽车"
    title_selectors = (".detailsBox h1", ".newsDetail h1", ".articleTitle h1", "h1")
    body_selectors = ("#ArticleContent", "div.articletab", "div.contentDetailed")
    tags_css = ".tags a::text, .keyWords a::text, .articleTag a::text"
    crumbs_css = "div.crumb a::text, .breadcrumb a::text"
    not_crumbs = ("首页", "盖世汽车", "盖世汽车网")

    @field
    def info(self) -> str:
        return " ".join(self.text_of("span.timeSource", ".userInfo", ".articleInfo", ".newsInfo", ".info"))

    @field
    def published_at(self):
        found = self.clean(
            "published_at",
            self.values('meta[property="article:published_time"]::attr(content), meta[name="pubdate"]::attr(content)'),
            DATE_RE.findall(self.info),
            DATE_RE.findall(" ".join(self.values("//h1/following::text()[position() < 30]"))),
        )
        return found or super().published_at

    @field
    def source(self):
        found = self.clean("source", [m.group("name") for m in SOURCE_RE.finditer(self.info)],
                           self.text_of(".userInfo .source", "span.source"))
        return found or super().source

    @field
    def author(self):
        found = self.clean("author", [m.group("name") for m in AUTHOR_RE.finditer(self.info)],
                           self.values('meta[name="author"]::attr(content)'))
        return found or super().author

    @field
    def summary(self):
        found = self.clean(
            "summary",
            [re.sub(r"^\s*摘要\s*[:：]\s*", "", t) for t in self.text_of(".summary", ".abstract")],
            self.values(DESCRIPTION, OG_DESCRIPTION),
        )
        return found or super().summary

