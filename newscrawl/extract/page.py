"""PageExtractor: every field the generic extractor finds on one page, each computed on first use."""

from __future__ import annotations

import re
from functools import cached_property
from urllib.parse import urlsplit

from parsel import Selector

from newscrawl import processors as p
from newscrawl.extract.body import escape_html, main_text_html
from newscrawl.extract.byline import DATETIME, RELATIVE_LINE, SOURCE_NODE, byline_value
from newscrawl.extract.crumbs import CRUMB_XPATH
from newscrawl.extract.structured import (
    ARTICLE_TYPES, AUTHOR_META, DATE_META, IMAGE_META, KEYWORD_META, SECTION_META, SUMMARY_META, TITLE_META,
    to_int, ld_name, ld_names, ld_text, ld_url, loads_lenient, ld_types,
)
from newscrawl.extract.title import TITLE_SEP

# Fields the extractor can supply, in the order a loader should receive them.
FIELDS = (
    "url", "site", "title", "published_at", "author", "source", "summary",
    "tags", "categories", "headimg", "body_html", "language",
)
# Titles of the pages a site answers at a deleted or mistyped article URL.
ERROR_TITLE = re.compile(r"页面不存在|页面没有找到|找不到|已删除|不存在|出错|错误页|^\s*404|\b404\b|not found|error", re.I)
MIN_ARTICLE_CHARS = 100


class PageExtractor:
    """What a generic extractor finds on one page; every part is computed on first use and kept.

    Structured data (JSON-LD, meta tags) is cheap; the main text (trafilatura) runs only when
    ``body_html`` is asked for, so a portal spider that lacks only ``summary`` never pays for it.
    """

    def __init__(self, html: str, url: str, selector: Selector | None = None):
        self.html = p.strip_control_markup(html) if html else ""  # lxml refuses control characters when text is set
        self.page_url = url
        self._selector = selector

    @classmethod
    def from_response(cls, response) -> PageExtractor:
        return cls(response.text, response.url, getattr(response, "selector", None))

    # ---------------------------------------------------------------- sources

    @cached_property
    def sel(self) -> Selector:
        return self._selector if self._selector is not None else Selector(text=self.html or "<html></html>")

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
    def h1(self) -> str | None:
        """The headline element's text: the h1 that the <title>/og:title starts with, else the first h1."""
        heads = [p.join_inline(node.xpath(".//text()").getall()) for node in self.sel.xpath("//h1")]
        heads = [h for h in heads if h and len(h) >= 4]
        ref = " ".join(x for x in (self.meta_first("og:title"), self.title_tag) if x)
        for head in heads:
            if head in ref:
                return head
        return heads[0] if heads else None

    @cached_property
    def title_tag(self) -> str | None:
        return p.clean_text(self.sel.xpath("//title/text()").get())

    @cached_property
    def header_text(self) -> str:
        """The short lines right after the headline (date, 来源, 作者 live there on Chinese portals)."""
        if not self.h1:
            return ""
        lines = []
        for node in self.sel.xpath("//h1"):
            if p.join_inline(node.xpath(".//text()").getall()) != self.h1:
                continue
            texts = node.xpath(
                "following::text()[not(ancestor::script) and not(ancestor::style)][normalize-space()][position() <= 30]"
            ).getall()
            for text in texts:
                text = p.clean_text(text) or ""
                if len(text) > 80:  # the body has begun
                    break
                # A lone label ("来源：") belongs with the next text node.
                if lines and re.search(r"[:：|｜丨]$", lines[-1]):
                    lines[-1] += text
                else:
                    lines.append(text)
            break
        return "\n".join(lines)

    # ----------------------------------------------------------------- fields

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
    def site(self) -> str | None:
        publisher = self.ld_article.get("publisher")
        return (
            self.meta_first("og:site_name", "application-name")
            or (ld_name(publisher) if publisher else None)
            or self._title_suffix
        )

    @cached_property
    def _title_suffix(self) -> str | None:
        if self.h1 and self.title_tag and self.title_tag.startswith(self.h1):
            parts = [part for part in TITLE_SEP.split(self.title_tag[len(self.h1):]) if part.strip()]
            return parts[-1].strip() if parts else None  # "标题_频道_站名": the site is last
        return None

    @cached_property
    def title(self) -> str | None:
        headline = p.clean_text(ld_text(self.ld_article.get("headline") or self.ld_article.get("name")))
        if headline:
            return headline
        if self.h1:
            return self.h1
        for candidate in (self.meta_first(*TITLE_META), self.title_tag):
            title = self._strip_site(candidate)
            if title:
                return title
        return None

    def _strip_site(self, title: str | None) -> str | None:
        title = p.clean_text(title)
        if not title:
            return None
        names = [n for n in (self.meta_first("og:site_name"), ld_name(self.ld_article.get("publisher"))) if n]
        stripped = p.strip_site_suffix(title, [re.escape(n) for n in names])
        if stripped != title:
            return stripped
        parts = TITLE_SEP.split(title)
        # "标题 - 站名" / "标题_频道_站名": keep the longest part when the others are short.
        if len(parts) > 1:
            longest = max(parts, key=len)
            if all(len(part) <= 16 for part in parts if part is not longest) and parts[0] is longest:
                return longest
        return title

    @cached_property
    def published_at(self) -> str | None:
        for key in ("datePublished", "dateCreated", "uploadDate"):
            value = ld_text(self.ld_article.get(key))
            if value:
                return value
        value = self.meta_first(*DATE_META)
        if value:
            return value
        value = self.sel.xpath(
            '//*[@itemprop="datePublished"]/@content | //*[@itemprop="datePublished"]/@datetime'
            ' | //article//time/@datetime | //time[@pubdate]/@datetime'
        ).get()
        if value:
            return value
        match = DATETIME.search(self.header_text)
        if match:
            return match.group(0)
        for line in self.header_text.splitlines():
            # "41分钟前", "昨天 10:20", "07-23 15:51" alone on a line: resolved against the crawl time
            match = RELATIVE_LINE.match(line)
            if match:
                return match.group(1)
        return None

    @cached_property
    def author(self) -> str | None:
        author = self.ld_article.get("author") or self.ld_article.get("creator")
        names = ld_names(author)
        if names:
            return ", ".join(names)
        site_names = {self.meta_first("og:site_name"), self._title_suffix, urlsplit(self.page_url or "").hostname}
        for key in AUTHOR_META:
            for value in self.meta.get(key, ()):
                # <meta name="author" content="IT之家"> names the site, not a person
                if not value.startswith(("http://", "https://")) and value not in site_names:
                    return value
        return self._byline("author")

    @cached_property
    def source(self) -> str | None:
        """来源: a labelled byline under the headline, else an element classed like a source (source-name)."""
        found = self._byline("source")
        if found:
            return found
        for node in self.sel.xpath(SOURCE_NODE)[:3]:
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
        keywords = self.ld_article.get("keywords")
        if keywords:
            return [k for k in (keywords if isinstance(keywords, list) else [keywords]) if isinstance(k, str)]
        found: list[str] = []
        for key in KEYWORD_META:
            found += self.meta.get(key, [])
        return found

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
        for node in self.sel.xpath(CRUMB_XPATH)[:1]:
            names = [p.join_inline(a.xpath(".//text()").getall()) for a in node.xpath(".//a")]
            return [n for n in names if n and n != self.title]
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
        """The main text by trafilatura, on a copy of the page whose lazy images carry their real source."""
        html = main_text_html(self.html, self.page_url, self.title)
        if html:
            return html
        body = ld_text(self.ld_article.get("articleBody"))
        if body and body.strip():
            return "".join(f"<p>{escape_html(line)}</p>" for line in body.splitlines() if line.strip())
        return None

    @cached_property
    def language(self) -> str | None:
        value = (
            ld_text(self.ld_article.get("inLanguage"))
            or self.sel.xpath("/html/@lang").get()
            or self.meta_first("content-language", "og:locale")
        )
        match = re.match(r"^\s*([A-Za-z]{2,3})(?:[-_].*)?$", value or "")
        return match.group(1).lower() if match else None

    @cached_property
    def looks_like_article(self) -> bool:
        """A headline that is not an error page's and a body of a news item's length (not a footer)."""
        if not self.title or ERROR_TITLE.search(self.title) or not self.body_html:
            return False
        return len(re.sub(r"\s+", "", p.html_to_text(self.body_html) or "")) >= MIN_ARTICLE_CHARS

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
