"""PageExtractor: every field the generic extractor finds on one page, each computed on first use."""

from __future__ import annotations

import re
from functools import cached_property, lru_cache
from urllib.parse import urlsplit

from parsel import Selector

from newscrawl import processors as p
from newscrawl.extract.authors import AuthorFields
from newscrawl.extract.body import STRAY_END as _STRAY_END
from newscrawl.extract.body import escape_html, main_text
from newscrawl.extract.byline import DATETIME, SOURCE_NODE, byline_value
from newscrawl.extract.crumbs import (
    CRUMB_TEXT,
    CRUMB_XPATH,
    TAG_LIST_XPATH,
    crumb_names,
    split_keywords,
)
from newscrawl.extract.dates import DateFields
from newscrawl.extract.embedded import script_text_html
from newscrawl.extract.structured import (
    ARTICLE_TYPES,
    IMAGE_META,
    KEYWORD_META,
    SECTION_META,
    SUMMARY_META,
    ld_name,
    ld_text,
    ld_types,
    ld_url,
    loads_lenient,
    to_int,
)
from newscrawl.extract.title import TitleFields

# Fields the extractor can supply, in the order a loader should receive them (the body before the author:
# bylines in the text's first and last lines are read from it).
FIELDS = (
    "url", "site", "title", "body_html", "published_at", "author", "source", "summary",
    "tags", "categories", "headimg", "language",
)


def text_language(text: str | None) -> str | None:
    """zh when CJK ideographs make a fair share of the letters, ja/ko by kana/hangul, en for Latin text.

    >>> [text_language(t) for t in ("中国男篮以77比73战胜韩国队", "The match ended 77-73.", "これは日本語です", "")]
    ['zh', 'en', 'ja', None]
    """
    letters = re.findall(r"[^\W\d_]", text or "")
    if len(letters) < 4:
        return None
    kana = len(re.findall(r"[\u3040-\u30ff]", text))
    hangul = len(re.findall(r"[\uac00-\ud7af]", text))
    cjk = len(re.findall(r"[\u4e00-\u9fff]", text))
    if kana > len(letters) * 0.05:
        return "ja"
    if hangul > len(letters) * 0.2:
        return "ko"
    if cjk > len(letters) * 0.2:
        return "zh"
    latin = len(re.findall(r"[A-Za-z]", text))
    return "en" if latin > len(letters) * 0.8 else None


# The generic extractor reads a page's first MAX_EXTRACT_TAGS tags (docs/OPERATIONS.md, "Bounded work per page"):
# every one of its steps (main-text scoring, trafilatura and its fallbacks, the date, byline and crumb scans,
# htmldate) costs per element, 30-60 µs a tag, where a portal's selectors cost a fraction of that. Each of the
# 88 real pages of /work/shared/realpages gives the same fields read up to 6,000 tags as read whole (three have
# more, 6,047-6,491: their tails are footers); up to 5,000, one of them (APNews) loses part of its body.
MAX_EXTRACT_TAGS = 6_000


@lru_cache(maxsize=4)
def _first_tags(count: int) -> re.Pattern:
    return re.compile(r"(?:[^<]*<){%d}" % count)


def first_tags(html: str, max_tags: int) -> str:
    """``html`` before its ``max_tags``-th ``<`` (all of it when it has fewer).

    >>> first_tags("<p>a</p><p>b</p>", 3), first_tags("<p>a</p>", 3)
    ('<p>a</p>', '<p>a</p>')
    """
    if html.count("<") < max_tags:
        return html
    return html[:_first_tags(max_tags).match(html).end() - 1]


# Titles of the pages a site answers at a deleted or mistyped article URL.
ERROR_TITLE = re.compile(r"页面不存在|页面没有找到|找不到|已删除|不存在|出错|错误页|^\s*404|\b404\b|not found|error", re.I)
MIN_ARTICLE_CHARS = 100


class PageExtractor(TitleFields, DateFields, AuthorFields):
    """What a generic extractor finds on one page; every part is computed on first use and kept.

    Structured data (JSON-LD, meta tags) is cheap; the main text (trafilatura) runs only when
    ``body_html`` is asked for, so a portal spider that lacks only ``summary`` never pays for it.
    """

    def __init__(self, html: str, url: str, selector: Selector | None = None):
        self._body_credits: list[str] = []  # byline lines trimmed off the text (read for the author)
        cut = first_tags(html, MAX_EXTRACT_TAGS) if html else html
        self.cut = cut is not html  # read only up to MAX_EXTRACT_TAGS (counted by the page: newscrawl/pages/extract_cut)
        if self.cut:
            html, selector = cut, None  # the response's selector holds the whole page
        self.html = p.strip_control_markup(html) if html else ""  # lxml refuses control characters when text is set
        self.page_url = url
        self._selector = selector

    @classmethod
    def from_response(cls, response) -> PageExtractor:
        text = response.text
        # the response's selector (parsed once for the spider's own selectors) when the extractor reads all of
        # the page; a page it cuts is parsed from the cut (making the response's selector would parse all of it)
        whole = text.count("<") < MAX_EXTRACT_TAGS
        return cls(text, response.url, getattr(response, "selector", None) if whole else None)

    # ---------------------------------------------------------------- sources

    @cached_property
    def sel(self) -> Selector:
        if self._selector is not None and not _STRAY_END.search(self.html):
            return self._selector
        # an included fragment's "</html>" mid-page ends the parse there: drop it
        return Selector(text=_STRAY_END.sub(" ", self.html) or "<html></html>")

    @cached_property
    def meta(self) -> dict[str, list[str]]:
        """``meta`` tags by lower-cased name/property/itemprop, values in page order."""
        found: dict[str, list[str]] = {}
        for node in self.sel.xpath("//meta[@content]"):
            key = node.xpath("@property").get() or node.xpath("@name").get() or node.xpath("@itemprop").get()
            value = p.clean_text(node.xpath("@content").get())
            if key and value:
                found.setdefault(key.strip().lower(), []).append(value)
        return found

    def first_nodes(self, xpath: str, count: int):
        """``self.sel.xpath(xpath)[:count]``, without a selector made for each of the matches after the first ``count``
        (a page of 4,000 links or text nodes)."""
        return self.sel.xpath(f"({xpath})[position() <= {count}]")

    def meta_first(self, *keys: str) -> str | None:
        for key in keys:
            for value in self.meta.get(key, ()):
                return value
        return None

    @cached_property
    def jsonld(self) -> list[dict]:
        """Every JSON-LD object of the page, ``@graph`` members and lists flattened."""
        objects: list[dict] = []
        for raw in self.sel.xpath('//script[contains(translate(@type, "LDJSON", "ldjson"), "ld+json")]/text()').getall():
            data = loads_lenient(raw)
            stack = [data]
            while stack:
                node = stack.pop(0)
                if isinstance(node, list):
                    stack[:0] = node
                elif isinstance(node, dict):
                    objects.append(node)
                    if isinstance(node.get("@graph"), list):
                        stack[:0] = node["@graph"]
        return objects

    @cached_property
    def ld_article(self) -> dict:
        """The page's Article-like JSON-LD object (NewsArticle, BlogPosting, ...), or {}."""
        for node in self.jsonld:
            if ld_types(node) & ARTICLE_TYPES:
                return node
        return {}

    @cached_property
    def url(self) -> str | None:
        """The page's canonical link (not a bare site root), else og:url / JSON-LD url, else the page URL."""
        candidates = self.sel.xpath('//link[contains(concat(" ", normalize-space(@rel), " "), " canonical ")]/@href').getall()
        candidates += self.meta.get("og:url", [])
        candidates += [ld_url(self.ld_article.get("mainEntityOfPage")), ld_url(self.ld_article.get("url"))]
        for candidate in candidates:
            url = p.absolute_url(candidate, self.page_url)
            if url and urlsplit(url).path.strip("/"):
                return url
        return self.page_url

    @cached_property
    def source(self) -> str | None:
        """来源: a labelled byline under the headline, else an element classed like a source (source-name)."""
        found = self._byline("source")
        if found:
            return found
        for node in self.first_nodes(SOURCE_NODE, 3):
            text = p.strip_label(p.join_inline(node.xpath(".//text()").getall()))
            if text and len(text) <= 30 and not DATETIME.search(text):
                return text
        return None

    def _byline(self, field: str) -> str | None:
        return byline_value(field, self.header_text)

    @cached_property
    def summary(self) -> str | None:
        return p.clean_text(ld_text(self.ld_article.get("description"))) or self.meta_first(*SUMMARY_META)

    @cached_property
    def tags(self) -> list[str]:
        """A visible tag list first, then JSON-LD keywords, then the keyword metas, split and checked."""
        best: list[str] = []
        for node in self.first_nodes(TAG_LIST_XPATH, 6):
            texts = node.xpath(".//a//text() | .//li[not(.//a)]//text()").getall()
            tags = p.unique([
                t for t in (p.clean_text(x) for x in texts)
                if t and len(t) <= 20 and not re.search(r"[:：]$|首页|主页|^更多", t)
            ])
            labelled = re.match(r"^\s*(?:标签|关键词|关键字|文章关键词)", node.xpath("normalize-space()").get() or "")
            if (len(tags) >= 2 or (tags and labelled)) and len(tags) > len(best):
                best = tags
        if best:
            return best
        keywords = self.ld_article.get("keywords")
        if keywords:
            values = keywords if isinstance(keywords, list) else [keywords]
            return p.unique([t for v in values if isinstance(v, str) for t in split_keywords(v, self.title)])
        for key in KEYWORD_META:
            found = [t for v in self.meta.get(key, []) for t in split_keywords(v, self.title)]
            if found:
                return p.unique(found)
        return []

    @cached_property
    def categories(self) -> list[str]:
        section = self.ld_article.get("articleSection")
        if section:
            return [s for s in (section if isinstance(section, list) else [section]) if isinstance(s, str)]
        found: list[str] = []
        for key in SECTION_META:
            found += self.meta.get(key, [])
        if found:
            return found
        for node in self.jsonld:
            if "breadcrumblist" in ld_types(node):
                items = sorted(
                    (i for i in node.get("itemListElement") or [] if isinstance(i, dict)),
                    key=lambda i: to_int(i.get("position")),
                )
                names = [ld_name(i.get("item")) or ld_name(i) for i in items]
                return [n for n in names if n and n != self.title][1:] if len(names) > 1 else []
        for node in [n for n in self.sel.xpath(CRUMB_XPATH) if len(n.xpath(".//a")) <= 7][:3]:
            names = crumb_names(node.xpath(".//text()[not(ancestor::script)]").getall(), self.title)
            if names:
                return names
        for text in self.first_nodes("//body//text()[not(ancestor::script) and not(ancestor::style)]", 400).getall():
            if CRUMB_TEXT.search(text) and len(text) < 120:
                names = crumb_names([text], self.title)
                if names:
                    return names
        return []

    @cached_property
    def headimg(self) -> str | None:
        image = self.ld_article.get("image") or self.ld_article.get("thumbnailUrl")
        for candidate in [ld_url(image)] + [self.meta_first(*IMAGE_META)]:
            url = p.image_url(candidate, self.url)
            if url:
                return url
        return None

    @cached_property
    def body_html(self) -> str | None:
        """The main text (body.main_text), else JSON-LD's articleBody, else the text a script-rendered page holds
    in its state (extract/embedded.py)."""
        node = self._headline[1]
        # a page cut to its first tags (junk-dense: MAX_EXTRACT_TAGS) gets trafilatura without its fallbacks
        html, self._body_credits = main_text(self.html, self.page_url, self.title,
                                             node.root.sourceline if node is not None else None, (self.h1,),
                                             fast=self.cut)
        if html:
            return html
        body = ld_text(self.ld_article.get("articleBody"))
        if body and body.strip():
            return "".join(f"<p>{escape_html(line)}</p>" for line in body.splitlines() if line.strip())
        # a script-rendered page: the text is in its hydration state only, read like a page of its own
        state = script_text_html(self.sel.xpath("//script[not(@src)]/text()").getall())
        if state and "<" not in state:
            state = "".join(f"<p>{escape_html(line)}</p>" for line in state.splitlines() if line.strip())
        return main_text(f"<html><body><article>{state}</article></body></html>", self.page_url, self.title)[0] \
            if state else None

    @cached_property
    def body_text(self) -> str | None:
        """The main text's plain text (read by the language, the article test and the byline scan: once)."""
        return p.html_to_text(self.body_html)

    @cached_property
    def language(self) -> str | None:
        """From the text: a CJK share of the letters says zh (kana ja, hangul ko); else the declared language."""
        declared = (
            ld_text(self.ld_article.get("inLanguage"))
            or self.sel.xpath("/html/@lang").get()
            or self.meta_first("content-language", "og:locale")
        )
        match = re.match(r"^\s*([A-Za-z]{2,3})(?:[-_].*)?$", declared or "")
        declared = match.group(1).lower() if match else None
        sample = " ".join(x for x in (self.title, (self.body_text or "")[:2000]) if x)
        found = text_language(sample)
        if found == "en" and declared and declared not in ("zh", "ja", "ko"):
            return declared  # Latin script: the page knows better whether it is English or French
        return found or declared

    @cached_property
    def looks_like_article(self) -> bool:
        """A headline that is not an error page's and a body of a news item's length (not a footer)."""
        if not self.title or ERROR_TITLE.search(self.title) or not self.body_html:
            return False
        return len(re.sub(r"\s+", "", self.body_text or "")) >= MIN_ARTICLE_CHARS

    # ---------------------------------------------------------------- output

    def value(self, field: str):
        return getattr(self, field)

    def fill(self, loader, fields=FIELDS) -> list[str]:
        """Add each of ``fields`` the page has to an ArticleLoader; returns the fields added."""
        added = []
        for field in fields:
            value = self.value(field)
            if value:
                loader.add_value(field, value)
                added.append(field)
                if field == "published_at":  # counted by the spider as newscrawl/date_source/<kind>
                    loader.context["date_source"] = self.date_source
        return added


def extract_article(html: str, url: str, tz: str = p.DEFAULT_TZ, portal: str = "article", now=None):
    """An Article from one page by the generic extractor alone (used by bench and tests)."""
    from scrapy.http import HtmlResponse

    from newscrawl.loaders import ArticleLoader

    response = HtmlResponse(url=url, body=html.encode("utf-8"), encoding="utf-8")
    page = PageExtractor.from_response(response)
    loader = ArticleLoader(response=response, base_url=url, tz=tz, now=now)
    loader.add_value("portal", portal)
    page.fill(loader)
    return loader.load_item()
