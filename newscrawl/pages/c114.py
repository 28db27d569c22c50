"""C114通信网 c114.com.cn article pages: GBK, the longest div.text as body, a byline of source and author, page 2..n."""

from __future__ import annotations

import re

from newscrawl import processors as p
from newscrawl.pages.base import field
from newscrawl.pages.portal import PortalPage
from newscrawl.pages.select import with_orphans

ARTICLE_RE = re.compile(
    r"^https?://(?:www\.)?c114\.com\.cn(?::\d+)?/(?P<path>(?:[a-z0-9_-]+/)+)a(?P<id>\d{4,})(?:_(?P<page>\d+))?\.html?"
    r"(?:[?#].*)?$",
    re.IGNORECASE,
)
OUTLET_RE = re.compile(r"(?:网|报|社|日报|新闻|科技|时报|财经|在线|周刊|杂志|频道|观察|世界|官微|资讯|研究院|协会)$")


class C114Page(PortalPage):
    site_names = (r"C114\s*(?:中国)?通信网", r"C114")
    chrome_images = (r"c114\.com\.cn/(?:skin|style|images|img)/", r"/images/(?:logo|icon|share|ewm|qrcode|erweima)")
    drop_from_body = (
        ".ad", "[class*=guanggao]", "[id^=ad_]", "div.share", ".bdsharebuttonbox", "div.tag", "div.text_page",
        "div.pages", ".editor_note", ".xgyd", ".related", "div.author", "div.r_time",
    )
    site_name = "C114通信网"
    title_selectors = ("div.r_box h1", "div.text_title h1", "div.article h1", "h1")
    body_selectors = ("#text", "div.article_content", "div.content_text", "div.content")
    crumbs_css = "div.dqwz a::text, div.position a::text, div.crumb a::text, .breadcrumb a::text, div.location a::text"
    not_crumbs = ("首页", "C114通信网", "C114首页")

    @field
    def body_fragment(self):
        # "text" is a common class name: of several div.text blocks the article is the longest one.
        # A stray closing tag inside it pushes the paragraphs after it out: they are kept as its orphans.
        blocks = [(len(node.xpath("normalize-space(string())").get() or ""), index, node)
                  for index, node in enumerate(self.response.css("div.text"))]
        longest = max(blocks, key=lambda b: (b[0], -b[1]), default=None)
        if longest and (longest[0] or longest[2].css("img")):
            return with_orphans(longest[2], self.response, self.drop_from_body)
        return self.first_html(*self.body_selectors)

    @field
    def published_at(self):
        header = " ".join(self.response.css("div.r_box, div.article, div.left").xpath(
            ".//text()[not(ancestor::div[contains(@class, 'text')])]").getall()[:80])
        found = self.clean(
            "published_at",
            self.text_of("div.r_time", ".r_time", "div.time", "span.time"),
            self.values('meta[property="article:published_time"]::attr(content), meta[name="publishdate"]::attr(content)'),
            p.date_in_text(header),
        )
        return found or super().published_at

    @field
    def source(self):
        return self.clean("source", self.byline[0]) or super().source

    @field
    def author(self):
        return self.clean("author", self.byline[1]) or super().author

    @field
    def byline(self) -> tuple[str | None, str | None]:
        """``div.author`` reads ``C114通信网  名字`` on own stories and ``来源  作者`` or one outlet on others."""
        raw = " ".join(self.response.css("div.author").xpath(".//text()").getall()[:12]).replace("\u00a0", " ")
        text = p.clean_text(raw)
        if not text:
            return None, None
        labelled = {}
        for label, key in (("来源", "source"), ("作者", "author"), ("记者", "author"), ("编辑", None), ("责编", None)):
            match = re.search(rf"{label}\s*[:：]\s*(\S+)", text)
            if match and key and key not in labelled:
                labelled[key] = match.group(1)
        if labelled:
            return labelled.get("source"), labelled.get("author")
        tokens = [t for t in re.split(r"\s+|[|｜丨]", text) if t]
        if tokens and re.match(r"^C114(?:中国)?通信网$", tokens[0]):
            return "C114通信网", " ".join(tokens[1:]) or None
        if len(tokens) >= 2:
            return tokens[0], " ".join(tokens[1:])
        if OUTLET_RE.search(tokens[0]):
            return tokens[0], None
        return None, tokens[0]

    @property
    def next_page_url(self) -> str | None:
        hrefs = self.response.css("div.text_page a::attr(href), div.pages a::attr(href), div.page a::attr(href)").getall()
        return self.page_after(ARTICLE_RE, hrefs)
