"""PageExtractor: every field the generic extractor finds on one page, each computed on first use."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from functools import cached_property
from urllib.parse import urlsplit

from parsel import Selector

from newscrawl import processors as p
from newscrawl.extract.body import STRAY_END as _STRAY_END
from newscrawl.extract.body import escape_html, main_text
from newscrawl.extract.authors import AuthorFields
from newscrawl.extract.byline import DATETIME, EN_DATE, LABELLED_DATE, RELATIVE_LINE, SOURCE_NODE, byline_value, has_time
from newscrawl.extract.crumbs import CRUMB_TEXT, CRUMB_XPATH, TAG_LIST_XPATH, crumb_names, split_keywords
from newscrawl.extract.structured import (
    ARTICLE_TYPES, DATE_META, IMAGE_META, KEYWORD_META, SECTION_META, SUMMARY_META, TITLE_META,
    to_int, ld_name, ld_text, ld_url, loads_lenient, ld_types,
)
from newscrawl.extract.title import TITLE_SEP

# Fields the extractor can supply, in the order a loader should receive them (the body before the author:
# bylines in the text's first and last lines are read from it).
FIELDS = (
    "url", "site", "title", "body_html", "published_at", "author", "source", "summary",
    "tags", "categories", "headimg", "language",
)
_HEADLINE_XPATH = (
    "//h1|//h2|//h3|//h4|//h5|//*[self::div or self::p or self::span or self::strong or self::td]"
    '[re:test(concat(" ", @class, " ", @id, " "), "[\\s_-](?:title|headline|tit|biaoti|bt)(?:[\\s_-]|text)", "i")]'
)
_SCRIPT_DATE = re.compile(
    r"\bvar\s+ct\s*=\s*[\"'](?P<epoch>1\d{9})[\"']"
    r"|[\"'](?:publish_?time|pubtime|pubDate|publishDate|datePublished|ptime)[\"']\s*:\s*[\"']"
    r"(?P<date>(?:19|20)\d{2}-\d{2}-\d{2}[ T]\d{2}:\d{2}(?::\d{2})?)"
)
_FLAG = re.compile(r"^(?:原创|独家|转载|置顶|推荐|热)\s*(?=\S{6})")


_WEAK_CHROME = {"right", "side"}  # layout words: a sidebar for small headings, a column for h1/h2
_CHROME_PARTS = {"sidebar", "aside", "footer", "foot", "nav", "menu", "logo", "hot", "rank", "ranking",
                 "recommend", "related", "relate", "comment", "comments", "tuijian", "xgwz"}


def _in_chrome(node) -> bool:
    """A heading inside a sidebar, footer, navigation or recommendation block (class/id parts say so)."""
    for ancestor in node.xpath("ancestor::*[@class or @id]")[-6:]:
        # root.get, not .attrib (a dict of every attribute): lxml raises on a mangled attribute name
        tokens = f"{ancestor.root.get('class') or ''} {ancestor.root.get('id') or ''}".lower().split()
        parts = {part for token in tokens for part in re.split(r"[-_]", token)}
        if parts & _CHROME_PARTS or (parts & _WEAK_CHROME and node.root.tag not in ("h1", "h2")):
            return True
    return False


def _longest_part(title: str) -> str:
    """"标题 - 站名" / "标题_频道_站名": the first part when it is the longest and the others are short."""
    parts = TITLE_SEP.split(title)
    if len(parts) > 1:
        longest = max(parts, key=len)
        if all(len(part) <= 16 for part in parts if part is not longest) and parts[0] is longest:
            return longest
    return title


def _norm(text: str | None) -> str:
    return re.sub(r"\W+", "", text or "").lower()


def _strip_flag(text: str | None) -> str | None:
    """"原创最不愁吃肉的国家…": a flag label glued to the headline."""
    return _FLAG.sub("", text) if text else text


def _following_lines(node, limit: int) -> list[str]:
    """The short text lines after ``node``; a lone label ("来源：") joins the next line, long lines are skipped."""
    lines: list[str] = []
    texts = node.xpath(
        "following::text()[not(ancestor::script) and not(ancestor::style)][normalize-space()][position() <= 40]"
    ).getall()
    long_lines = 0
    for text in texts:
        text = p.clean_text(text) or ""
        if len(text) > 80:  # a paragraph of the text (or a caption): the byline may still follow a lead image
            long_lines += 1
            if long_lines >= 2:
                break
            continue
        if lines and re.search(r"[:：|｜丨]$", lines[-1]):
            lines[-1] += text
        else:
            lines.append(text)
        if len(lines) >= limit:
            break
    return lines


def _dash_time(value: str) -> str:
    """"2007-08-20-23:59:59" (a CMS's meta) as "2007-08-20 23:59:59"."""
    return re.sub(r"^(\d{4}-\d{2}-\d{2})-(\d{2}:\d{2})", r"\1 \2", value)


def _same_day(a: str, b: str) -> bool:
    first, second = p.parse_date(a), p.parse_date(b)
    return bool(first and second and first.date() == second.date())


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


# Titles of the pages a site answers at a deleted or mistyped article URL.
ERROR_TITLE = re.compile(r"页面不存在|页面没有找到|找不到|已删除|不存在|出错|错误页|^\s*404|\b404\b|not found|error", re.I)
MIN_ARTICLE_CHARS = 100


class PageExtractor(AuthorFields):
    """What a generic extractor finds on one page; every part is computed on first use and kept.

    Structured data (JSON-LD, meta tags) is cheap; the main text (trafilatura) runs only when
    ``body_html`` is asked for, so a portal spider that lacks only ``summary`` never pays for it.
    """

    def __init__(self, html: str, url: str, selector: Selector | None = None):
        self._body_credits: list[str] = []  # byline lines trimmed off the text (read for the author)
        self.html = p.strip_control_markup(html) if html else ""  # lxml refuses control characters when text is set
        self.page_url = url
        self._selector = selector

    @classmethod
    def from_response(cls, response) -> PageExtractor:
        return cls(response.text, response.url, getattr(response, "selector", None))

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
    def _headline(self):
        """(text, node) of the headline: the heading or title-classed element whose text the <title>/og:title
        holds (the longest), else the first heading followed by a date, else the first h1."""
        ref = _norm(" ".join(x for x in (self.meta_first("og:title", "twitter:title"), self.title_tag) if x))
        candidates = []
        for node in self.sel.xpath(_HEADLINE_XPATH)[:200]:
            if _in_chrome(node):
                continue
            text = _strip_flag(p.join_inline(node.xpath(".//text()").getall()))
            if text and 4 <= len(text) <= 120:
                candidates.append((text, node))
        segments = [_norm(part) for part in TITLE_SEP.split(self.title_tag or "") if _norm(part)]
        # "新闻动态--中国地理学会官网": the segments beside the longest name the site or the channel
        chrome = sorted(segments, key=len)[:-1] if len(segments) > 1 else []
        matching = [
            (t, n) for t, n in candidates
            if len(_norm(t)) >= 4 and _norm(t) in ref
            and not any(_norm(t) in seg for seg in chrome) or (segments and _norm(t) == max(segments, key=len))
        ]
        if matching:
            return max(matching, key=lambda c: len(_norm(c[0])))
        for text, node in candidates:
            if node.root.tag in ("h1", "h2", "h3", "h4", "h5") and not CRUMB_TEXT.search(" " + text) \
                    and re.search(f"{DATETIME.pattern}|{EN_DATE.pattern}", " ".join(_following_lines(node, 3))):
                return text, node
        h1 = [(t, n) for t, n in candidates if n.root.tag == "h1"]
        return h1[0] if h1 else (None, None)

    @property
    def h1(self) -> str | None:
        """The headline element's text (whatever element carries it)."""
        return self._headline[0]

    @cached_property
    def title_tag(self) -> str | None:
        return p.clean_text(self.sel.xpath("//title/text()").get())

    @cached_property
    def header_text(self) -> str:
        """The short lines right after the headline (date, 来源, 作者 live there on Chinese portals)."""
        node = self._headline[1]
        return "\n".join(_following_lines(node, 15)) if node is not None else ""

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
        if self.h1 and self.title_tag and self.title_tag.startswith(self.h1) and self.title_tag != self.h1:
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
        names = [n for n in (self.meta_first("og:site_name"), ld_name(self.ld_article.get("publisher")), self.source) if n]
        stripped = p.strip_site_suffix(title, [re.escape(n) for n in names])
        if stripped != title:
            return _longest_part(stripped)
        for name in names:
            # "标题 东区办事处": a site or source name joined by a space only
            if len(title) > len(name) + 4 and title.endswith(" " + name):
                return title[: -len(name)].strip()
        return _longest_part(title)

    @cached_property
    def published_at(self) -> str | None:
        """Machine-readable dates first (JSON-LD of any type, meta, <time>, microdata, page scripts), then the
        byline under the headline, then a labelled date anywhere, then htmldate; a byline with a time wins over
        a date-only value of the same day."""
        machine = self._machine_date
        text = self._text_date
        if machine and text and not has_time(machine) and has_time(text) and _same_day(machine, text):
            return text
        return machine or text or self._labelled_date or self._modified_date or self._htmldate

    @cached_property
    def _machine_date(self) -> str | None:
        for node in [self.ld_article] + self.jsonld:
            for key in ("datePublished", "dateCreated", "uploadDate"):
                value = ld_text(node.get(key))
                if value:
                    return value
        value = self.meta_first(*DATE_META)
        if value:
            return _dash_time(value)
        value = self.sel.xpath(
            '//*[@itemprop="datePublished"]/@content | //*[@itemprop="datePublished"]/@datetime'
            ' | //time[@pubdate]/@datetime | //article//time/@datetime | //time/@datetime'
        ).get()
        if value and value.strip():
            return value.strip()
        value = p.clean_text(" ".join(self.sel.xpath('//*[@itemprop="datePublished"]//text()').getall()))
        if value and DATETIME.search(value):
            return DATETIME.search(value).group(0)
        for script in self.sel.xpath("//script[not(@src)]/text()").getall():
            match = _SCRIPT_DATE.search(script)
            if match:
                if match.group("epoch"):
                    moment = datetime.fromtimestamp(int(match.group("epoch")), timezone.utc)
                    return moment.isoformat()
                return match.group("date")
        return None

    @cached_property
    def _text_date(self) -> str | None:
        found = sorted([*DATETIME.finditer(self.header_text), *EN_DATE.finditer(self.header_text)], key=lambda m: m.start())
        for match in found:
            if not re.search(r"(?:更新|修改|编辑于)\S{0,3}\s*[:：]?\s*$", self.header_text[max(0, match.start() - 8):match.start()]):
                return match.group(0)
        for line in self.header_text.splitlines():
            # "41分钟前", "昨天 10:20", "07-23 15:51" alone on a line: resolved against the crawl time
            match = RELATIVE_LINE.match(line)
            if match:
                return match.group(1)
        return None

    @cached_property
    def _labelled_date(self) -> str | None:
        text = " ".join(self.sel.xpath("//body//text()[not(ancestor::script) and not(ancestor::style)]").getall())
        match = LABELLED_DATE.search(text)
        return match.group(1) if match else None

    @cached_property
    def _modified_date(self) -> str | None:
        return self.meta_first("dateupdate", "datemodified", "article:modified_time", "og:updated_time", "lastmodifiedtime")

    @cached_property
    def _htmldate(self) -> str | None:
        try:
            from htmldate import find_date  # installed with trafilatura

            return find_date(self.html, original_date=True, extensive_search=False, outputformat="%Y-%m-%d %H:%M:%S")
        except Exception:  # a last resort must not cost the article
            return None

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
        """A visible tag list first, then JSON-LD keywords, then the keyword metas, split and checked."""
        best: list[str] = []
        for node in self.sel.xpath(TAG_LIST_XPATH)[:6]:
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
        for text in self.sel.xpath("//body//text()[not(ancestor::script) and not(ancestor::style)]").getall()[:400]:
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
        """The main text by trafilatura, on a copy of the page whose lazy images carry their real source."""
        node = self._headline[1]
        html, self._body_credits = main_text(self.html, self.page_url, self.title,
                                             node.root.sourceline if node is not None else None)
        if html:
            return html
        body = ld_text(self.ld_article.get("articleBody"))
        if body and body.strip():
            return "".join(f"<p>{escape_html(line)}</p>" for line in body.splitlines() if line.strip())
        return None

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
        sample = " ".join(x for x in (self.title, (p.html_to_text(self.body_html) or "")[:2000]) if x)
        found = text_language(sample)
        if found == "en" and declared and declared not in ("zh", "ja", "ko"):
            return declared  # Latin script: the page knows better whether it is English or French
        return found or declared

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
