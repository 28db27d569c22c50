"""C114通信网 c114.com.cn: the rolling list and its day archives, channel lists, GBK article pages."""

from __future__ import annotations

import re
from datetime import date, timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

from newscrawl import processors as p
from newscrawl.spiders.base import PortalSpider

ROLL = "https://www.c114.com.cn/news/roll.asp"
ARTICLE_RE = re.compile(
    r"^https?://(?:www\.)?c114\.com\.cn(?::\d+)?/(?P<path>(?:[a-z0-9_-]+/)+)a(?P<id>\d{4,})(?:_(?P<page>\d+))?\.html?"
    r"(?:[?#].*)?$",
    re.IGNORECASE,
)
MOBILE_RE = re.compile(r"^https?://m\.c114\.com\.cn(?::\d+)?/w(?P<chan>\d+)-(?P<id>\d{4,})\.html?(?:[?#].*)?$", re.I)
TIME_ONLY_RE = re.compile(r"^\d{1,2}:\d{2}$")
MONTH_DAY_RE = re.compile(r"^(\d{1,2})/(\d{1,2})$")
OUTLET_RE = re.compile(r"(?:网|报|社|日报|新闻|科技|时报|财经|在线|周刊|杂志|频道|观察|世界|官微|资讯|研究院|协会)$")


class C114Spider(PortalSpider):
    name = "c114"
    allowed_domains = ["c114.com.cn"]
    tz = "Asia/Shanghai"
    site_names = (r"C114\s*(?:中国)?通信网", r"C114")
    chrome_images = (r"c114\.com\.cn/(?:skin|style|images|img)/", r"/images/(?:logo|icon|share|ewm|qrcode|erweima)")
    drop_from_body = (
        ".ad", "[class*=guanggao]", "[id^=ad_]", "div.share", ".bdsharebuttonbox", "div.tag", "div.text_page",
        "div.pages", ".editor_note", ".xgyd", ".related", "div.author", "div.r_time",
    )


    # ---------------------------------------------------------------- contracts

    def parse_article(self, response, **kwargs):
        """C114 article page -> one Article (`NEWSCRAWL_MIRROR=samples/mirror scrapy check c114`).

        @url https://www.c114.com.cn/news/118/a1302468.html
        @returns items 1 1
        @returns requests 0 0
        @scrapes url portal site title published_at author source categories body_html body_text
        """
        return super().parse_article(response, **kwargs)

    def parse_list(self, response, page=1):
        """C114 list page -> article requests.

        @url https://www.c114.com.cn/news/roll.asp
        @returns items 0 0
        @returns requests 3
        """
        return super().parse_list(response, page)

    # --------------------------------------------------------------------- URLs

    def default_listings(self) -> list[str]:
        return [ROLL]

    def is_article_url(self, url: str) -> bool:
        return bool(ARTICLE_RE.match(url or "") or MOBILE_RE.match(url or ""))

    def canonical_article_url(self, url: str) -> str:
        """Desktop https URL of page 1; a mobile ``/w{chan}-{id}.html`` maps to ``/news/{chan}/a{id}.html``."""
        match = ARTICLE_RE.match(url or "")
        if match:
            return f"https://www.c114.com.cn/{match.group('path')}a{match.group('id')}.html"
        match = MOBILE_RE.match(url or "")
        if match:
            return f"https://www.c114.com.cn/news/{match.group('chan')}/a{match.group('id')}.html"
        return p.canonical_url(url)

    @staticmethod
    def article_id(url: str) -> str | None:
        match = ARTICLE_RE.match(url or "") or MOBILE_RE.match(url or "")
        return match.group("id") if match else None

    # -------------------------------------------------------------------- lists

    def list_entries(self, response):
        day = self.list_day(response)
        rows = response.css("div.new_list_c")
        for row in rows:
            stamp = p.clean_text(row.css("div.new_list_time::text, .new_list_time ::text").get())
            yield row.css("h6 a::attr(href), h5 a::attr(href), a::attr(href)").get(), self._entry_date(stamp, day)
        if not rows:
            links = response.css("div.content_c_list a::attr(href), div.news_list a::attr(href), ul.list li a::attr(href)").getall()
            if not links:  # a changed layout
                yield from self.every_article_link(response)
            for href in links:
                yield href, None

    @staticmethod
    def _entry_date(stamp: str | None, day: date | None) -> str | None:
        """A list shows ``HH:MM`` for today's stories and ``M/D`` for others: both completed from the page's day."""
        if not stamp:
            return None
        if TIME_ONLY_RE.match(stamp):
            return f"{day.isoformat()} {stamp}" if day else f"今天 {stamp}"
        match = MONTH_DAY_RE.match(stamp)
        if match and day:
            year = day.year if int(match.group(1)) <= day.month else day.year - 1
            return f"{year}-{int(match.group(1)):02d}-{int(match.group(2)):02d}"
        return stamp

    def list_day(self, response) -> date | None:
        """The day a rolling list shows: the URL's y/m/d, else the archive form's, else today for a bare roll.asp."""
        parts = {k: v[0] for k, v in parse_qs(urlsplit(response.url).query).items()}
        for name in "ymd":
            value = response.css(f'input[name="{name}"]::attr(value), select[name="{name}"] option[selected]::attr(value)').get()
            if value and value.strip().isdigit():
                parts.setdefault(name, value.strip())
        try:
            return date(int(parts["y"]), int(parts["m"]), int(parts["d"]))
        except (KeyError, ValueError):
            pass
        if urlsplit(response.url).path.lower().endswith("/roll.asp"):
            return self._now(response).date()
        return None

    def next_list_url(self, response, page):
        """An explicit 下一页 link, else for the rolling list the archive of the day before."""
        explicit = self.next_link(response)
        if explicit:
            return explicit
        parts = urlsplit(response.url)
        if not parts.path.lower().endswith("/roll.asp"):
            return None
        day = self.list_day(response)
        if day is None:
            return None
        previous = day - timedelta(days=1)
        query = {"y": previous.year, "m": previous.month, "d": previous.day}
        original = parse_qs(parts.query).get("o")
        if original:
            query["o"] = original[0]
        return f"{ROLL}?{urlencode(query)}"

    # ----------------------------------------------------------------- articles

    def body_html(self, response):
        # "text" is a common class name: of several div.text blocks the article is the longest one.
        blocks = [(len(node.xpath("normalize-space(string())").get() or ""), index, node.get())
                  for index, node in enumerate(response.css("div.text"))]
        longest = max(blocks, key=lambda b: (b[0], -b[1]), default=None)
        if longest and (longest[0] or "<img" in longest[2]):
            return longest[2]
        return self.first_html(response, "#text", "div.article_content", "div.content_text", "div.content")

    def next_article_page(self, response):
        current = ARTICLE_RE.match(response.url)
        if not current:
            return None
        page = int(current.group("page") or 1)
        for href in response.css("div.text_page a::attr(href), div.pages a::attr(href), div.page a::attr(href)").getall():
            match = ARTICLE_RE.match(p.absolute_url(href, response.url) or "")
            if match and match.group("id") == current.group("id") and int(match.group("page") or 1) == page + 1:
                return p.absolute_url(href, response.url)
        return None

    def populate(self, loader, response):
        loader.add_value("title", self.title_candidates(response, "div.r_box h1", "div.text_title h1", "div.article h1", "h1"))
        loader.add_value("site", "C114通信网")
        header = " ".join(response.css("div.r_box, div.article, div.left").xpath(".//text()[not(ancestor::div[contains(@class, 'text')])]").getall()[:80])
        loader.add_value(
            "published_at",
            self.text_of(response, "div.r_time", ".r_time", "div.time", "span.time")
            + response.css('meta[property="article:published_time"]::attr(content), meta[name="publishdate"]::attr(content)').getall()
            + p.DATE_IN_TEXT_RE.findall(header)[:1],
        )
        source, author = self.byline(response)
        loader.add_value("source", source)
        loader.add_value("author", author)
        crumbs = [p.clean_text(t) for t in response.css(
            "div.dqwz a::text, div.position a::text, div.crumb a::text, .breadcrumb a::text, div.location a::text"
        ).getall()]
        loader.add_value("categories", [c for c in crumbs if c and c not in ("首页", "C114通信网", "C114首页")])
        loader.add_value("tags", response.xpath('//meta[translate(@name, "KEYWORDS", "keywords")="keywords"]/@content').getall())
        loader.add_value(
            "summary",
            response.xpath('//meta[translate(@name, "DESCRIPTION", "description")="description"]/@content').getall()
            + response.css('meta[property="og:description"]::attr(content)').getall(),
        )
        loader.add_value("body_html", self.article_body(response))
        loader.add_css("headimg", 'meta[property="og:image"]::attr(content)')

    def byline(self, response) -> tuple[str | None, str | None]:
        """``div.author`` reads ``C114通信网  名字`` on own stories and ``来源  作者`` or one outlet on others."""
        raw = " ".join(response.css("div.author").xpath(".//text()").getall()[:12]).replace("\u00a0", " ")
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
