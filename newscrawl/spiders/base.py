"""What every spider shares (arguments, article requests, pages read and counted), and the portal list -> article flow."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime

import scrapy
from scrapy.http import Response

from newscrawl import arguments as A
from newscrawl import contracts
from newscrawl import processors as p
from newscrawl.arguments import Argument, SpiderArgumentError  # noqa: F401 - spiders and tests import it here
from newscrawl.items import Article
from newscrawl.loaders import complete_article
from newscrawl.pages import GenericPage, Page, PageSettings

# response.meta key of a first page read in a worker process (newscrawl/middlewares/extractworker.py)
READ_IN_WORKER = "newscrawl_read"

SINCE = Argument("since", A.day, help="skip articles older than this day; stop a listing at a page of older ones",
                 metavar="YYYY-MM-DD")
FULL = Argument("full", A.flag, False, "ignore what is stored: request every article, read every list page",
                metavar="1|0")
REFRESH = Argument("refresh", A.flag, False, "request stored articles again (listings still stop early)", metavar="1|0")


class NewsSpider(scrapy.Spider):
    """The base of PortalSpider and GenericSpider: declared arguments, article requests, and the article callback.

    A spider names its ``page_class`` (newscrawl/pages/): the callback builds the page from the response,
    relays what it counted and logged, and follows multi-page articles. Its URL rules are
    ``is_article_url`` and ``canonical_article_url``.
    """

    tz = p.DEFAULT_TZ
    page_class: type[Page] = GenericPage
    # read_first_page needs nothing but the page and the spider's settings: it may run in a worker process
    read_in_worker = True

    def __init__(self, *args, **kwargs):
        values = A.parse(type(self), kwargs)
        super().__init__(*args, **{k: v for k, v in kwargs.items() if k in A.PASSED_BY_TOOLS})
        for name, value in values.items():
            setattr(self, name, value)

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        # a bad NEWSCRAWL_NOW stops the crawl here (config.ConfigError), not at the first article
        spider.page_settings = PageSettings.from_settings(crawler.settings, spider.tz)
        return spider

    @property
    def page_settings(self) -> PageSettings:
        """What pages read from the settings (PageSettings.from_settings); the defaults for a spider without a crawler."""
        found = self.__dict__.get("_page_settings")
        if found is None:
            crawler = getattr(self, "crawler", None)
            found = PageSettings.from_settings(crawler.settings if crawler is not None else None, self.tz)
            if crawler is not None:
                self.__dict__["_page_settings"] = found
        return found

    @page_settings.setter
    def page_settings(self, value: PageSettings) -> None:
        self.__dict__["_page_settings"] = value

    def is_article_url(self, url: str) -> bool:
        return True

    def canonical_article_url(self, url: str) -> str:
        return p.canonical_url(url)

    def page(self, response: Response, fallback: bool = True) -> Page:
        """The page object of an article page (``fallback=False``: a portal page's own selectors only)."""
        return self.page_class(response, self.page_settings, self.name, self.canonical_article_url(response.url), fallback)

    def _now(self, response: Response | None = None) -> datetime:
        """The crawl time relative dates resolve against; setting NEWSCRAWL_NOW pins it (tests, replays)."""
        return self.page_settings.moment()

    def _older_than_since(self, date_text, response) -> bool:
        if getattr(self, "since", None) is None or not date_text:
            return False
        parsed = p.parse_date(date_text, self.tz, self._now(response))
        return parsed is not None and parsed.date() < self.since

    # ---------------------------------------------------------------- the flow

    def article_request(self, url: str, **kwargs) -> scrapy.Request:
        """An article's first page, by canonical URL (``meta["newscrawl"] == "article"``)."""
        kwargs.setdefault("meta", {})["newscrawl"] = "article"
        return scrapy.Request(
            self.canonical_article_url(url), callback=self.parse_article, errback=self.on_error, **kwargs
        )

    def parse_article(self, response: Response, partial: Article | None = None, pages: int = 1, page: Page | None = None):
        stats = self.crawler.stats
        stats.inc_value("newscrawl/article_pages")
        if partial is None:
            request = getattr(response, "request", None)
            read = request.meta.get(READ_IN_WORKER) if request is not None else None  # read in a worker already
            item, next_page = read.result if read is not None and read.url == response.url else self.read_first_page(response, page)
            if item is None:
                return
        else:
            item, next_page = self.merge_page(partial, response, pages)
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
        if getattr(self, "since", None) and item.published_at and datetime.fromisoformat(item.published_at).date() < self.since:
            stats.inc_value("newscrawl/skipped/older_than_since")
            return
        yield item

    def read_first_page(self, response: Response, page: Page | None = None) -> tuple[Article | None, str | None]:
        """An article's first page to ``(article, URL of its page 2 or None)``, or ``(None, None)`` for a page that
        is not an article (counted): ``Page.read``, with what the page counted and logged relayed here. With
        NEWSCRAWL_EXTRACT_PROCESSES a worker process reads the page the same way (``self.page`` is picklable)."""
        page = page or self.page(response)
        result = page.read() if self.is_article_url(response.url) else page.not_article()
        self.relay(page.counts, page.notes)
        return result

    def relay(self, counts: dict[str, int], notes: list[tuple[str, int, str]]) -> None:
        """What a page counted into the crawl's stats, what it noted into the crawl's log."""
        stats = self.crawler.stats
        for key, count in counts.items():
            stats.inc_value(key, count)
        for name, level, message in notes:
            logging.getLogger(name).log(level, "%s", message)

    def merge_page(self, item: Article, response: Response, pages: int) -> tuple[Article, str | None]:
        """Append a continuation page's body to the article built so far; its tags, categories and images join.
        The page's own selectors only: the generic extractor does not read continuation pages."""
        page = self.page(response, fallback=False)
        more = page.body_html
        try:
            found = {name: getattr(page, name) or [] for name in ("tags", "categories")}
        except Exception as exc:  # page 2..n's own fields are a bonus: its body still joins
            self.crawler.stats.inc_value("newscrawl/multipage/fields_failed")
            self.logger.warning("Fields of continuation page %s failed: %r", response.url, exc)
            found = {}
        next_page = page.next_page_url if pages < 50 else None
        terms = {name: p.unique([*(getattr(item, name) or []), *found.get(name, [])]) for name in ("tags", "categories")}
        if not more and terms == {"tags": item.tags, "categories": item.categories}:
            return item, next_page
        body_html = "\n".join(x for x in (item.body_html, more) if x)
        cut = page.loader.context.pop("body_cut", False)  # its raw markup cut before cleaning (loaders._body)
        if page.settings.max_body_chars:
            body_html, capped = p.cap_body(body_html, page.settings.max_body_chars)
            cut = cut or capped
        if cut:
            page.body_cut()
            self.relay(page.counts, page.notes)
        return complete_article(replace(item, body_html=body_html, **terms)), next_page

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


class PortalSpider(NewsSpider):
    """Base for portal spiders: a portal spider is its URL rules, its listings and its page class.

    A portal spider sets ``name``, ``allowed_domains``, ``tz`` and ``page_class`` (a PortalPage, which reads
    the article pages), and implements:

    - ``default_listings()``: the list URLs to start from when no ``start_urls`` are given;
    - ``is_article_url(url)`` and ``canonical_article_url(url)``;
    - ``list_entries(response)``: ``(url, date_text_or_None)`` for each article on a list page;
    - ``next_list_url(response, page)``: the URL of list page ``page + 1`` or None;
    - or ``next_list_request(response, page)`` when the next page is not a plain GET (e.g. a POST API);
    - ``contract_urls``: a sample article and list page `scrapy check` tries (newscrawl/contracts.py).

    Spider arguments are declared in ``arguments`` (newscrawl/arguments.py); `scrapy args NAME` lists them.
    docs/CONTRIBUTING.md walks through adding a portal.
    """

    default_max_pages = 5
    contract_urls: dict[str, str] = {}  # "article"/"list": a sample page each (newscrawl/contracts.py)

    arguments = (
        Argument("start_urls", A.urls, help="list or article URLs to start from instead of the portal's listings",
                 metavar="URL[,URL…]"),
        Argument("max_pages", A.count, help="list pages read per listing", metavar="N"),
        SINCE, FULL, REFRESH,
    )

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "contract_urls" in vars(cls):
            contracts.install(cls)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.start_urls = getattr(self, "start_urls", None) or []
        self.max_pages = getattr(self, "max_pages", None) or self.default_max_pages

    # ------------------------------------------------------------- portal hooks

    def default_listings(self) -> list[str]:
        raise NotImplementedError

    def is_article_url(self, url: str) -> bool:
        raise NotImplementedError

    def list_entries(self, response: Response):
        raise NotImplementedError

    def next_list_url(self, response: Response, page: int) -> str | None:
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

    # ------------------------------------------------------------- list helpers

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

