"""The page object: one article page's fields, each computed on first use, the Article they make, what it counted."""

from __future__ import annotations

import logging
from functools import cached_property
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from scrapy.http import HtmlResponse, Request, Response, TextResponse
from scrapy.settings import Settings

from newscrawl import config
from newscrawl.archive import CAPTURED_AT
from newscrawl import processors as p
from newscrawl.items import Article
from newscrawl.loaders import ArticleLoader, complete_article
from newscrawl.pages import select as s


@dataclass(frozen=True)
class PageSettings:
    """What a page needs besides its bytes: the zone of naive dates, the crawl time relative dates resolve against
    (``now``; None: the clock), the sane date range and the body cap (0: none). Picklable: a read worker gets it."""

    tz: str
    now: datetime | None
    earliest: date
    max_ahead: timedelta
    max_body_chars: int

    @classmethod
    def from_settings(cls, settings=None, tz: str = p.DEFAULT_TZ) -> PageSettings:
        """From a crawl's settings through config.options (NEWSCRAWL_NOW, NEWSCRAWL_DATE_EARLIEST,
        NEWSCRAWL_DATE_MAX_AHEAD_DAYS, NEWSCRAWL_MAX_BODY_CHARS); None: settings.py's defaults."""
        options = config.options(settings if settings is not None else Settings())
        return cls(tz=tz, now=datetime.fromisoformat(options.now) if options.now else None,
                   earliest=date.fromisoformat(options.date_earliest),
                   max_ahead=timedelta(days=options.date_max_ahead_days), max_body_chars=options.max_body_chars)

    def moment(self, fetched: datetime | None = None) -> datetime:
        """The crawl time in the page's zone: NEWSCRAWL_NOW pins it (tests, replays), else when a replayed page
        was fetched (``fetched``: `scrapy reextract`), else the clock."""
        zone = ZoneInfo(self.tz)
        if self.now is not None:
            return (self.now if self.now.tzinfo else self.now.replace(tzinfo=zone)).astimezone(zone)
        return (fetched or datetime.now(timezone.utc)).astimezone(zone)


class field:
    """A page field: computed on first use and kept. Kept per defining class, so that a subclass's field can
    ask ``super().name`` for its parent's value (the generic page's, for a portal page) and both stay cached."""

    def __init__(self, func):
        self.func = func
        self.__doc__ = func.__doc__

    def __set_name__(self, owner, name):
        self.name = name
        self.key = f"{owner.__qualname__}.{name}"

    def __get__(self, page, owner=None):
        if page is None:
            return self
        values = page._values
        if self.key not in values:
            values[self.key] = self.compute(page)
        return values[self.key]

    def compute(self, page):
        return self.func(page)


class Page:
    """One article page. Subclasses define the fields (``@field`` methods returning the field's clean value,
    via ``clean``); ``to_item()`` makes the Article, ``read()`` the answer for a first page (the article or
    none, and the URL of page 2). What reading counted and would log is in ``counts`` and ``notes``, for
    the caller to relay (a spider's stats, a read worker's answer): a page needs no spider or crawler.
    """

    site_names: tuple[str, ...] = ()  # site-name suffixes stripped off titles (regular expressions)
    chrome_images: tuple[str, ...] = ()  # image URLs that are site chrome, never content (regular expressions)
    drop_from_body: tuple[str, ...] = ()  # CSS/XPath of what is no body text (ads, share bars, credits)
    # The fields to_item reads, in this order (a later field may read an earlier one's leftovers).
    field_order: tuple[str, ...] = ()

    def __init__(self, response: Response, settings: PageSettings | None = None, portal: str = "article",
                 url: str | None = None, fallback: bool = True):
        self.response = response
        self.settings = settings or PageSettings.from_settings()
        self.portal = portal
        self.given_url = url or p.canonical_url(response.url)
        self.fallback = fallback  # False: a portal page's own selectors only (references, continuation pages)
        self.counts: dict[str, int] = {}
        self.notes: list[tuple[str, int, str]] = []  # (logger name, level, message)
        self.fallbacks: list[str] = []  # the fields that came from the generic page
        self.date_source: str | None = None  # where the generic extractor found its date (None: the portal's selectors)
        self._values: dict = {}

    @classmethod
    def from_bytes(cls, url: str, body: bytes, settings: PageSettings | None = None, encoding: str | None = None,
                   **kwargs) -> Page:
        """A page from saved bytes answered at ``url`` (the page's own <meta charset> decides when no encoding)."""
        response = HtmlResponse(url=url, body=body, encoding=encoding, request=Request(url))
        return cls(response, settings, **kwargs)

    # ----------------------------------------------------------------- reading

    def count(self, key: str, amount: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + amount

    def log(self, level: int, message: str) -> None:
        self.notes.append((self.portal, level, message))

    @property
    def text_response(self) -> bool:
        return isinstance(self.response, TextResponse)

    def request_meta(self, key: str) -> dict:
        """A dict the request carried in ``meta`` (a feed entry, a sitemap entry), else {}."""
        request = getattr(self.response, "request", None)
        return (request.meta.get(key) if request is not None else None) or {}

    def now(self) -> datetime:
        request = getattr(self.response, "request", None)
        return self.settings.moment(request.meta.get(CAPTURED_AT) if request is not None else None)

    @cached_property
    def loader(self) -> ArticleLoader:
        """The loader whose processors clean each field (dates, labels, bodies) in this page's context."""
        response = self.response
        return ArticleLoader(
            selector=response.selector if isinstance(response, TextResponse) else None,  # the page parsed once
            response=response, base_url=response.url, tz=self.settings.tz, now=self.now(),
            site_names=self.site_names, chrome_images=self.chrome_images, drop=self.drop_from_body,
            earliest=self.settings.earliest, max_ahead=self.settings.max_ahead,
            max_body_chars=self.settings.max_body_chars,
        )

    def clean(self, name: str, *candidates):
        """The value of field ``name`` the candidates (strings, lists of strings, None) give once cleaned: the first
        that survives for a single-valued field, every one for a list, the fragments joined for the body."""
        flat = []
        for candidate in candidates:
            if isinstance(candidate, (list, tuple)):
                flat.extend(candidate)
            elif candidate is not None:
                flat.append(candidate)
        loader = self.loader
        loader.replace_value(name, flat)
        return loader.get_output_value(name)

    # ---------------------------------------------------------------- selectors

    def select(self, selector: str) -> list:
        return s.select(self.response, selector)

    def read_first(self, name: str, *selectors: str):
        """Field ``name`` from the first selector (text of its first match, or its strings) that gives a value."""
        for selector in selectors:
            found = s.read(self.response, selector)
            if found:
                value = self.clean(name, found)
                if value:
                    return value
        return self.clean(name)

    def values(self, *selectors: str) -> list[str]:
        return s.values(self.response, *selectors)

    def text_of(self, *selectors: str) -> list[str]:
        return s.text_of(self.response, *selectors)

    def first_html(self, *selectors: str) -> str | None:
        return s.first_html(self.response, selectors, self.drop_from_body)

    def title_candidates(self, *selectors: str) -> list[str]:
        """Headline candidates, best first: the portal's selectors, then og:title, then <title>."""
        return self.text_of(*selectors) + self.values('meta[property="og:title"]::attr(content)', "title::text")

    # ------------------------------------------------------------------ output

    @property
    def is_article(self) -> bool:
        raise NotImplementedError

    @property
    def next_page_url(self) -> str | None:
        """The URL of the article's next page (multi-page articles), or None."""
        return None

    def read(self) -> tuple[Article | None, str | None]:
        """A first page: ``(article, URL of page 2 or None)``, or ``(None, None)`` for a page that is no article (counted)."""
        if not self.text_response or not self.is_article:
            return self.not_article()
        return self.to_item(), self.next_page_url

    def not_article(self) -> tuple[None, None]:
        self.count("newscrawl/pages/not_article")
        self.log(logging.INFO, f"Not an article page: {self.response.url}")
        return None, None

    def to_item(self) -> Article:
        """The Article of this page: every field in ``field_order``, then what the loader derives (body text,
        images, hash), the body cut at NEWSCRAWL_MAX_BODY_CHARS (counted)."""
        values = {name: getattr(self, name) for name in self.field_order}
        item = Article(portal=self.portal, **{k: v for k, v in values.items() if v is not None})
        item.crawled_at = p.to_iso(datetime.now(timezone.utc))
        cut = self.loader.context.pop("body_cut", False)  # its raw markup cut before cleaning (loaders._body)
        if self.settings.max_body_chars:
            item.body_html, capped = p.cap_body(item.body_html, self.settings.max_body_chars)
            cut = cut or capped
        if cut:
            self.body_cut()
        item = complete_article(item)
        if item.published_at:  # where the date came from: the portal's selectors or the generic extractor's kind
            self.count(f"newscrawl/date_source/{self.date_source or 'portal'}")
        for text in dict.fromkeys(self.loader.context.get("unparsed_dates", [])):  # once, if two selectors found it
            self.count("newscrawl/date_unparsed")
            self.log(logging.WARNING, f"Unparsed date {text!r} on {self.response.url}")
        return item

    def body_cut(self) -> None:
        self.count("newscrawl/pages/body_truncated")
        self.log(logging.WARNING, f"Body of {self.response.url} cut at NEWSCRAWL_MAX_BODY_CHARS={self.settings.max_body_chars}")
