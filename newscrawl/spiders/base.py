"""The list -> article flow every portal spider shares, and the common spider arguments."""

from __future__ import annotations

import functools
import re
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from typing import NamedTuple
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import scrapy
from lxml import etree
from parsel.csstranslator import css2xpath
from scrapy.http import Response, TextResponse
from scrapy.settings import Settings

from newscrawl import arguments as A
from newscrawl import config
from newscrawl import processors as p
from newscrawl.arguments import Argument, SpiderArgumentError
from newscrawl.extract import FIELDS as EXTRACTED_FIELDS
from newscrawl.extract import PageExtractor
from newscrawl.items import Article
from newscrawl.loaders import ArticleLoader, complete_article


# response.meta key of a first page read in a worker process (newscrawl/middlewares/extractworker.py)
READ_IN_WORKER = "newscrawl_read"

_ORPHAN_TAGS = {"p", "img", "figure", "blockquote", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "pre", "center"}


def _orphans(element, response, drop: tuple[str, ...]) -> list[str]:
    """The plain content elements a stray closing tag pushed out of ``element`` (see ``first_html``)."""
    import lxml.html

    if not hasattr(element, "itersiblings") or element.getnext() is None and element.getparent() is None:
        return []
    dropped = None
    tests = _self_tests(drop)
    found = []
    for _ in range(3):
        for sibling in element.itersiblings():
            if not isinstance(sibling.tag, str):
                continue  # comments
            if sibling.tag not in _ORPHAN_TAGS or sibling.get("class") or sibling.get("id"):
                if any(test(sibling) for test in tests.simple):
                    continue
                if tests.other:  # selectors with combinators: matched on the whole page, once
                    if dropped is None:
                        dropped = _matching(response, tests.other)
                    if sibling in dropped:
                        continue
                break
            found.append(lxml.html.tostring(sibling, encoding="unicode", with_tail=False))
        element = element.getparent()
        if element is None or element.tag in ("body", "html"):
            break
    return found


class _SelfTests(NamedTuple):
    """``simple``: one boolean XPath per drop selector that is a single step (does this element match it?);
    ``other``: the selectors that are not (combinators, unions), matched on the whole page instead."""

    simple: tuple
    other: tuple


@functools.lru_cache(maxsize=256)
def _self_tests(selectors: tuple[str, ...]) -> _SelfTests:
    """Whether one element matches a selector, without evaluating the selector over the whole page.

    A CSS compound selector (``div.page``, ``#nextPage``, ``[class*=ad]``) or an XPath of one step below the
    context (``.//p[...]``) matches an element exactly when ``self::<that step>`` is true of it; 13 whole-page
    queries per article (0.9 ms) become a few node tests.
    """
    from parsel.csstranslator import HTMLTranslator

    simple, other = [], []
    for selector in selectors:
        try:
            if selector.startswith(".//"):
                step = "self::" + selector[3:]
            elif selector.startswith(("/", "(", "./")):
                step = None
            else:
                step = HTMLTranslator().css_to_xpath(selector, prefix="self::")
            if step is not None and _one_step(step):
                simple.append(etree.XPath(f"boolean({step})", namespaces={"re": "http://exslt.org/regular-expressions"}))
                continue
        except Exception:  # a selector this translator cannot take: matched the slow way (or not at all)
            pass
        other.append(selector)
    return _SelfTests(tuple(simple), tuple(other))


def _one_step(xpath: str) -> bool:
    """True for a location path of one step: no ``/`` or ``|`` outside predicates and string literals."""
    depth, quote = 0, None
    for char in xpath:
        if quote:
            quote = None if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
        elif depth == 0 and char in "/|":
            return False
    return depth == 0


def _matching(response, selectors: tuple[str, ...]) -> set:
    """The elements of the page any of ``selectors`` (CSS, or XPath when starting with / or () matches."""
    matched = set()
    for selector in selectors:
        try:
            matched.update(node for node in select(response, selector) if not isinstance(node, str))
        except Exception:  # a selector this parser cannot run: it simply matches nothing here
            continue
    return matched


class PortalSpider(scrapy.Spider):
    """Base for portal spiders.

    A portal spider sets ``name``, ``allowed_domains``, ``tz`` and ``site_names``, and implements:

    - ``default_listings()``: the list URLs to start from when no ``start_urls`` are given;
    - ``is_article_url(url)`` and ``canonical_article_url(url)``;
    - ``list_entries(response)``: ``(url, date_text_or_None)`` for each article on a list page;
    - ``next_list_url(response, page)``: the URL of list page ``page + 1`` or None;
    - or ``next_list_request(response, page)`` when the next page is not a plain GET (e.g. a POST API);
    - ``populate(loader, response)``: add the article's fields to an ``ArticleLoader``;
    - optionally ``next_article_page(response)`` and ``body_html(response)`` for multi-page articles.

    Spider arguments are declared in ``arguments`` (newscrawl/arguments.py); `scrapy args NAME` lists them.
    """

    tz = p.DEFAULT_TZ
    site_names: tuple[str, ...] = ()
    chrome_images: tuple[str, ...] = ()
    drop_from_body: tuple[str, ...] = ()
    default_max_pages = 5
    # Filled from the generic extractor (newscrawl/extract/) when the portal's selectors find nothing.
    fallback_fields: tuple[str, ...] = (
        "title", "published_at", "author", "source", "summary", "tags", "categories", "headimg", "body_html",
    )
    # Fields the portal does not carry on every article (an empty one means "none"): never asked of the fallback.
    optional_fields: tuple[str, ...] = ()
    # read_first_page needs nothing but the page and the spider's arguments: it may run in a worker process
    read_in_worker = True

    arguments = (
        Argument("start_urls", A.urls, help="list or article URLs to start from instead of the portal's listings",
                 metavar="URL[,URL…]"),
        Argument("max_pages", A.count, help="list pages read per listing", metavar="N"),
        Argument("since", A.day, help="skip articles older than this day; stop a listing at a page of older ones",
                 metavar="YYYY-MM-DD"),
        Argument("full", A.flag, False, "ignore what is stored: request every article, read every list page",
                 metavar="1|0"),
        Argument("refresh", A.flag, False, "request stored articles again (listings still stop early)", metavar="1|0"),
    )

    def __init__(self, *args, **kwargs):
        values = A.parse(type(self), kwargs)
        super().__init__(*args, **{k: v for k, v in kwargs.items() if k in A.PASSED_BY_TOOLS})
        for name, value in values.items():
            setattr(self, name, value)
        self.start_urls = getattr(self, "start_urls", None) or []
        self.max_pages = getattr(self, "max_pages", None) or self.default_max_pages

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.arguments_given = dict(kwargs)  # a worker process builds its copy of the spider from them
        spider._now(None)  # a bad NEWSCRAWL_NOW stops the crawl here, not at the first article
        return spider

    # ------------------------------------------------------------- portal hooks

    def default_listings(self) -> list[str]:
        raise NotImplementedError

    def is_article_url(self, url: str) -> bool:
        raise NotImplementedError

    def canonical_article_url(self, url: str) -> str:
        return p.canonical_url(url)

    def list_entries(self, response: Response):
        raise NotImplementedError

    def next_list_url(self, response: Response, page: int) -> str | None:
        return None

    def populate(self, loader: ArticleLoader, response: Response) -> None:
        raise NotImplementedError

    def next_article_page(self, response: Response) -> str | None:
        return None

    def body_html(self, response: Response) -> str | None:
        """The raw body fragment of one page (used for continuation pages)."""
        return None

    # ---------------------------------------------------------------- the flow

    async def start(self):
        for url in self.start_urls or self.default_listings():
            yield self.request_for(url)

    def request_for(self, url: str, **kwargs) -> scrapy.Request:
        """A start URL becomes an article request or a listing request."""
        if self.is_article_url(url):
            return self.article_request(url)
        return self.list_request(url, page=1, **kwargs)

    def list_request(self, url: str, page: int, **kwargs) -> scrapy.Request:
        """A list page. ``meta["newscrawl"]`` tells middlewares what a request is for.

        ``formdata=`` makes it a form POST (``scrapy.FormRequest``), for list APIs.
        """
        kwargs.setdefault("meta", {})["newscrawl"] = "list"
        cls = scrapy.FormRequest if "formdata" in kwargs else scrapy.Request
        return cls(url, callback=self.parse_list, errback=self.on_error, cb_kwargs={"page": page}, **kwargs)

    def article_request(self, url: str, **kwargs) -> scrapy.Request:
        """An article's first page, by canonical URL (``meta["newscrawl"] == "article"``)."""
        kwargs.setdefault("meta", {})["newscrawl"] = "article"
        return scrapy.Request(
            self.canonical_article_url(url), callback=self.parse_article, errback=self.on_error, **kwargs
        )

    def parse(self, response: Response, **kwargs):
        """The callback by URL, so `scrapy parse --spider=NAME URL` works on an article or a list page."""
        if self.is_article_url(response.url):
            return self.parse_article(response)
        return self.parse_list(response, page=1)

    def parse_list(self, response: Response, page: int = 1):
        stats = self.crawler.stats
        stats.inc_value("newscrawl/list_pages")
        entries, older = 0, 0
        seen = set()
        for url, date_text in self.list_entries(response):
            url = p.absolute_url(url, response.url)
            if not url or not self.is_article_url(url):
                continue
            url = self.canonical_article_url(url)
            if url in seen:
                continue
            seen.add(url)
            entries += 1
            if self._older_than_since(date_text, response):
                older += 1
                stats.inc_value("newscrawl/skipped/older_than_since")
                continue
            yield self.article_request(url)
        stats.inc_value("newscrawl/list_entries", entries)  # the monitor compares entries per list page across runs
        if not entries:
            stats.inc_value("newscrawl/list_pages_empty")
            self.logger.warning("No article links on list page %s", response.url)
            return
        if older and older == entries:
            self.logger.info("List page %s holds only articles older than %s: stopping", response.url, self.since)
            return
        if page >= self.max_pages:
            return
        next_request = self.next_list_request(response, page)
        if next_request is not None:
            yield next_request

    def next_list_request(self, response: Response, page: int) -> scrapy.Request | None:
        """The request for list page ``page + 1``: a GET of ``next_list_url`` unless a portal overrides it."""
        next_url = self.next_list_url(response, page)
        if not next_url:
            return None
        return self.list_request(p.absolute_url(next_url, response.url), page=page + 1)

    def _older_than_since(self, date_text, response) -> bool:
        if self.since is None or not date_text:
            return False
        parsed = p.parse_date(date_text, self.tz, self._now(response))
        return parsed is not None and parsed.date() < self.since

    def parse_article(self, response: Response, partial: Article | None = None, pages: int = 1):
        stats = self.crawler.stats
        stats.inc_value("newscrawl/article_pages")
        if partial is None:
            request = getattr(response, "request", None)
            read = request.meta.get(READ_IN_WORKER) if request is not None else None  # read in a worker already
            item, next_page = read.result if read is not None and read.url == response.url else self.read_first_page(response)
            if item is None:
                return
        else:
            item = self.merge_page(partial, response)
            next_page = self.next_article_page(response) if pages < 50 else None
        if next_page:
            next_page = p.absolute_url(next_page, response.url)
        if next_page and next_page != response.url:
            yield scrapy.Request(
                next_page,
                callback=self.parse_article,
                errback=self.on_continuation_error,
                cb_kwargs={"partial": item, "pages": pages + 1},
                meta={"newscrawl": "article_page"},
            )
            return
        if pages > 1:
            stats.inc_value("newscrawl/multipage_articles")
        if self.since and item.published_at and datetime.fromisoformat(item.published_at).date() < self.since:
            stats.inc_value("newscrawl/skipped/older_than_since")
            return
        yield item

    def read_first_page(self, response: Response) -> tuple[Article | None, str | None]:
        """An article's first page to ``(article, URL of its page 2 or None)``, or ``(None, None)`` for a page that
        is not an article (counted). This is the part of ``parse_article`` that reads the page: with
        NEWSCRAWL_EXTRACT_PROCESSES it runs in a worker process, on a copy of this spider, and what it counts
        and logs is counted and logged here."""
        if not self.looks_like_article(response):
            self.crawler.stats.inc_value("newscrawl/pages/not_article")
            self.logger.info("Not an article page: %s", response.url)
            return None, None
        return self.load_article(response), self.next_article_page(response)

    def looks_like_article(self, response: Response) -> bool:
        """An article page: text (not an image or PDF answered at an article URL), an article URL, a body.

        The body is the portal's own, else one the generic extractor finds with a title: when the portal
        renames its body container the articles are still stored (``newscrawl/fallback/body_html`` rises,
        and the monitor's fallback threshold raises the drift alarm).
        """
        if not (isinstance(response, TextResponse) and self.is_article_url(response.url)):
            return False
        return bool(self.article_body(response)) or self.rescued_by_extractor(response)

    def rescued_by_extractor(self, response: Response) -> bool:
        """An article URL whose body selectors miss: does the generic extractor find a title and a body?"""
        if "body_html" not in self.fallback_fields:
            return False
        page = self.page_extractor(response)
        try:
            found = page.looks_like_article
        except Exception as exc:  # the rescue is a bonus: a failure leaves the page counted as not_article
            self.crawler.stats.inc_value("newscrawl/fallback/failed")
            self.logger.warning("Generic extraction failed on %s: %r", response.url, exc)
            return False
        if found:
            self.logger.warning("Body selectors found nothing on %s: the generic extractor's body is used", response.url)
        return found

    def load_article(self, response: Response) -> Article:
        loader = self.article_loader(response)
        loader.add_value("url", self.canonical_article_url(response.url))
        loader.add_value("portal", self.name)
        self.populate(loader, response)
        self.fill_missing(loader, response)
        item = loader.load_item()
        self.count_cut(loader, response)
        if item.published_at:  # where the date came from: the portal's selectors or the generic extractor's kind
            self.crawler.stats.inc_value(f"newscrawl/date_source/{loader.context.get('date_source') or 'portal'}")
        for text in dict.fromkeys(loader.context.get("unparsed_dates", [])):  # once, if two selectors found it
            self.crawler.stats.inc_value("newscrawl/date_unparsed")
            self.logger.warning("Unparsed date %r on %s", text, response.url)
        return item

    def fill_missing(self, loader: ArticleLoader, response: Response) -> None:
        """Fields the portal's selectors left empty come from the generic extractor, counted per field.

        A rising ``newscrawl/fallback/<field>`` means the portal changed its layout. The page is
        extracted lazily and once; trafilatura runs only when the body itself is missing.
        """
        missing = [f for f in self.fallback_fields if f not in self.optional_fields and not loader.get_output_value(f)]
        if "headimg" in missing and p.images_from_html(loader.get_output_value("body_html")):
            missing.remove("headimg")  # the body's first image becomes the lead image
        if not missing:
            return
        page = self.page_extractor(response)
        for field in missing:
            try:
                filled = page.fill(loader, (field,)) and loader.get_output_value(field)
            except Exception as exc:  # the fallback is a bonus: never lose the portal's own item to it
                self.crawler.stats.inc_value("newscrawl/fallback/failed")
                self.logger.warning("Generic extraction of %s failed on %s: %r", field, response.url, exc)
                continue
            if filled:
                self.crawler.stats.inc_value(f"newscrawl/fallback/{field}")
                self.logger.debug("Fallback %s on %s", field, response.url)

    def article_body(self, response: Response) -> str | None:
        """``body_html(response)``, found once per page: looks_like_article and populate share it."""
        cached = getattr(self, "_article_body", None)
        if cached is None or cached[0] is not response:
            cached = (response, self.body_html(response))
            self._article_body = cached
        return cached[1]

    def page_extractor(self, response: Response) -> PageExtractor:
        """The generic extractor for ``response``, built once per page."""
        cached = getattr(self, "_page_extractor", None)
        if cached is None or cached[0] is not response:
            cached = (response, PageExtractor.from_response(response))
            self._page_extractor = cached
        return cached[1]

    def article_loader(self, response: Response) -> ArticleLoader:
        return ArticleLoader(
            selector=response.selector if isinstance(response, TextResponse) else None,  # the page parsed once
            response=response,
            base_url=response.url,
            tz=self.tz,
            now=self._now(response),
            site_names=self.site_names,
            chrome_images=self.chrome_images,
            drop=self.drop_from_body,
            **self.limits(),
        )

    def limits(self) -> dict:
        """Loader context from settings: the sane date range and the body cap (NEWSCRAWL_DATE_*, NEWSCRAWL_MAX_BODY_CHARS)."""
        cached = getattr(self, "_limits", None)
        if cached is None:
            options = config.options(self.crawler.settings if getattr(self, "crawler", None) else Settings())
            cached = {
                "earliest": date.fromisoformat(options.date_earliest),
                "max_ahead": timedelta(days=options.date_max_ahead_days),
                "max_body_chars": options.max_body_chars,
            }
            self._limits = cached
        return cached

    def count_cut(self, loader: ArticleLoader, response: Response) -> None:
        if loader.context.pop("body_cut", False):
            self.crawler.stats.inc_value("newscrawl/pages/body_truncated")
            self.logger.warning("Body of %s cut at NEWSCRAWL_MAX_BODY_CHARS=%s", response.url, loader.context["max_body_chars"])

    def merge_page(self, item: Article, response: Response) -> Article:
        """Append a continuation page's body to the article built so far; its tags, categories and images join."""
        loader = self.article_loader(response)
        loader.add_value("body_html", self.body_html(response))
        more = loader.get_output_value("body_html")
        page = self.article_loader(response)
        try:
            self.populate(page, response)
        except Exception as exc:  # page 2..n's own fields are a bonus: its body still joins
            self.crawler.stats.inc_value("newscrawl/multipage/fields_failed")
            self.logger.warning("Fields of continuation page %s failed: %r", response.url, exc)
        terms = {name: p.unique([*(getattr(item, name) or []), *(page.get_output_value(name) or [])])
                 for name in ("tags", "categories")}
        if not more and terms == {"tags": item.tags, "categories": item.categories}:
            return item
        body_html = "\n".join(x for x in (item.body_html, more) if x)
        max_body = loader.context.get("max_body_chars")
        if max_body:
            body_html, cut = p.cap_body(body_html, max_body)
            if cut:
                loader.context["body_cut"] = True
                self.count_cut(loader, response)
        images = p.unique([*(item.images or []), *(page.get_output_value("images") or [])])
        return complete_article(replace(item, body_html=body_html, images=images, **terms))

    def on_continuation_error(self, failure):
        """A missing page 2..n: keep what we have rather than lose the article."""
        self.on_error(failure)
        partial = failure.request.cb_kwargs.get("partial")
        if partial is not None:
            self.crawler.stats.inc_value("newscrawl/multipage_incomplete")
            yield partial

    def on_error(self, failure):
        stats = self.crawler.stats
        response = getattr(failure.value, "response", None)
        if response is not None:
            stats.inc_value(f"newscrawl/pages/http_error/{response.status}")
            self.logger.info("HTTP %s on %s", response.status, response.url)
        else:
            stats.inc_value(f"newscrawl/pages/failed/{failure.type.__name__}")
            self.logger.warning("Request failed: %s (%s)", failure.request.url, failure.getErrorMessage())

    def _now(self, response: Response) -> datetime:
        """The crawl time relative dates resolve against; setting NEWSCRAWL_NOW pins it (tests, replays)."""
        fixed = config.options(self.crawler.settings).now if getattr(self, "crawler", None) else None
        if fixed:
            moment = datetime.fromisoformat(fixed)
            return (moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(self.tz))).astimezone(ZoneInfo(self.tz))
        return datetime.now(timezone.utc).astimezone(ZoneInfo(self.tz))

    # ------------------------------------------------------------- helpers

    def first_html(self, response: Response, *selectors: str) -> str | None:
        """Outer HTML of the first CSS/XPath selector that matches something non-empty, with its orphans.

        Orphans (docs/PORTALS.md, "Broken markup"): a stray ``</div></div>`` inside a body closes the body
        (and its column) early, and the paragraphs after it become siblings of the body or of its ancestors.
        Plain content elements (no class or id) right after the body, its parent or grandparent are kept;
        what the portal drops from bodies anyway (``drop_from_body``: ads, credits) is passed over.
        """
        for selector in selectors:
            for node in select(response, selector):
                html = etree.tostring(node, method="html", encoding="unicode", with_tail=False)
                if html and (_NORMALIZED_TEXT(node) or "<img" in html):
                    return html + "".join(_orphans(node, response, getattr(self, "drop_from_body", ())))
        return None

    def title_candidates(self, response: Response, *selectors: str) -> list[str]:
        """Headline candidates, best first: the portal's selectors, then og:title, then <title>."""
        return self.text_of(response, *selectors) + values(response, 'meta[property="og:title"]::attr(content)', "title::text")

    def every_article_link(self, response: Response):
        """List entries for a page whose list selectors matched nothing: every link, no dates (counted)."""
        self.crawler.stats.inc_value("newscrawl/fallback/list_links")
        for href in response.css("a::attr(href)").getall():
            yield href, None

    NEXT_LINK = (
        'contains(normalize-space(.), "下一页") or normalize-space(.)="下页" or @rel="next"'
        ' or contains(concat(" ", normalize-space(@class), " "), " next ")'
    )

    def next_link(self, response: Response, *more_conditions: str) -> str | None:
        """The href of an explicit next-page link (下一页, rel=next, class next, or ``more_conditions``)."""
        condition = " or ".join((self.NEXT_LINK, *more_conditions))
        for href in response.xpath(f"//a[{condition}]/@href").getall():
            if href.strip() and not href.strip().lower().startswith(("javascript", "#")):
                return href.strip()
        return None

    @staticmethod
    def add_first(loader: ArticleLoader, field: str, source, *selectors: str) -> None:
        """Add ``read(source, selector)`` for each selector in priority order until the field has a value.

        For a field whose output is its first value this gives what adding every candidate would, without
        evaluating the fallback selectors of the layouts the page does not have.
        """
        for selector in selectors:
            found = read(source, selector)
            if found:
                loader.add_value(field, found)
                if loader.get_output_value(field):
                    return

    @staticmethod
    def text_of(response_or_selector, *selectors: str) -> list[str]:
        """All descendant text of each selector's first match, joined inline; selectors in priority order."""
        found = []
        for selector in selectors:
            for node in select(response_or_selector, selector)[:1]:
                text = p.join_inline(_TEXT(node))
                if text:
                    found.append(text)
        return found


@functools.lru_cache(maxsize=1024)
def _compiled(selector: str, whole_page: bool) -> etree.XPath:
    # parsel translates and compiles a selector on every call; pages are read with the same few dozen
    if selector.startswith(("/", "(", "./")):
        query = selector
    elif whole_page and not any(c in selector for c in "\"'["):  # a comma here only separates selectors
        query = " | ".join(_css_to_xpath(part.strip()) for part in selector.split(","))
    else:
        query = css2xpath(selector)
    return etree.XPath(query, namespaces={"re": "http://exslt.org/regular-expressions"}, smart_strings=False)


_ID_FIRST = re.compile(r"^#([A-Za-z][\w-]*)(?:\s+([^\s>+~].*))?$")


def _css_to_xpath(css: str) -> str:
    """CSS to XPath for a whole page: "#id rest" looks the id up in libxml2's id table instead of testing every element.

    (On markup that repeats an id, the first element with it is the one found.)
    """
    match = _ID_FIRST.match(css)
    if not match:
        return css2xpath(css)
    start = f"id('{match.group(1)}')"
    return start if not match.group(2) else f"{start}/{css2xpath(match.group(2)).replace('descendant-or-self::', 'descendant::', 1)}"


_TEXT = etree.XPath(".//text()", smart_strings=False)
_NORMALIZED_TEXT = etree.XPath("normalize-space(string())")


def select(source, selector: str) -> list:
    """What a CSS (``::text``/``::attr()`` included) or XPath selector matches in a response or a parsel Selector:
    lxml elements or strings, as ``source.css(selector)`` would find them, with the query compiled once."""
    if isinstance(source, TextResponse):
        return _compiled(selector, True)(source.selector.root)
    return _compiled(selector, False)(source.root)


def read(source, selector: str) -> list[str]:
    """A selector's text: the first matched element's descendant text joined inline (``text_of``), or the strings
    (``::text``, ``::attr()``, ``@attr``) it matches."""
    found = select(source, selector)
    if found and not isinstance(found[0], str):
        text = p.join_inline(_TEXT(found[0]))
        return [text] if text else []
    return [str(value) for value in found]


def values(source, *selectors: str) -> list[str]:
    """The strings (text nodes, attributes) every selector matches, in selector order: ``.css(s).getall()`` of each."""
    return [str(v) for selector in selectors for v in select(source, selector)]


_DOMAINS = None


def site_domain(url: str) -> str:
    """The registrable domain of a URL (rss.news.sina.com.cn -> sina.com.cn), else its host (IPs, test hosts).

    >>> site_domain("https://rss.news.sina.com.cn/a.xml"), site_domain("http://127.0.0.1:8080/feed")
    ('sina.com.cn', '127.0.0.1')
    """
    global _DOMAINS
    import tldextract

    if _DOMAINS is None:  # the bundled public suffix list: never fetched from the network
        _DOMAINS = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)
    host = (urlsplit(url).hostname or "").lower()
    return _DOMAINS(host).top_domain_under_public_suffix or host


class GenericSpider(PortalSpider):
    """Base for the spiders that read any site (feed, sitemap, article): every field from the generic extractor.

    Spider arguments: ``tz`` (default Asia/Shanghai): the zone of dates that carry no UTC offset;
    ``follow_domains`` (comma-separated, or ``*``): domains to follow besides those of the given URLs; by
    default the spider keeps to the registrable domains of its URLs (links and redirects elsewhere are counted).
    """

    fallback_fields = ()  # populate() already is the generic extractor
    read_in_worker = False  # the feed spider's pages carry their feed entry in meta, which a worker does not get
    scheduled = False  # needs its URL argument: `scrapy crawlall` leaves it out
    url_argument = "url"
    url_help = "URL[,URL…]"

    # Their URLs come from their own required argument, and they read no paginated lists.
    not_arguments = ("start_urls", "max_pages")
    arguments = (
        Argument("tz", A.zone, help="time zone of dates that carry no UTC offset (default Asia/Shanghai)",
                 metavar="ZONE"),
        Argument("follow_domains", A.domains, (), "other domains whose links may be followed (or *: any); "
                 "by default only the given URLs' own sites", "A,B"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.tz = self.tz or type(self).tz

    def required_urls(self, value) -> list[str]:
        """The spider's main URL argument, or a one-line message saying what to pass."""
        try:
            urls = A.urls(self.url_argument, value) if value else []
        except ValueError as exc:
            raise SpiderArgumentError(str(exc)) from None
        if not urls:
            raise SpiderArgumentError(f"{self.name} needs -a {self.url_argument}={self.url_help}")
        self.allowed_domains = None if "*" in self.follow_domains else p.unique(
            [*(site_domain(url) for url in urls), *self.follow_domains])
        return urls

    def default_listings(self) -> list[str]:
        return []

    def follows(self, url: str | None, what: str = "link") -> bool:
        """True for a URL within the spider's domains; one elsewhere is counted ``newscrawl/offsite/<what>``."""
        domains = getattr(self, "allowed_domains", None)
        if not url or not domains or p.url_in_domains(url, domains):
            return bool(url)
        self.crawler.stats.inc_value(f"newscrawl/offsite/{what}")
        self.logger.info("Not following %s %s: outside %s (-a follow_domains=... to allow)", what, url, ",".join(domains))
        return False

    def is_article_url(self, url: str) -> bool:
        return True

    def body_html(self, response: Response) -> str | None:
        return self.page_extractor(response).body_html

    def looks_like_article(self, response: Response) -> bool:
        return hasattr(response, "text") and bool(self.body_html(response))

    def populate(self, loader: ArticleLoader, response: Response) -> None:
        page = self.page_extractor(response)
        canonical = page.url
        if canonical and canonical != response.url:
            loader.replace_value("url", canonical)
        page.fill(loader, [f for f in EXTRACTED_FIELDS if f != "url"])
