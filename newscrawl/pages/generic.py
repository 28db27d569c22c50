"""The generic page: every field from the generic extractor (newscrawl/extract/), any site's article page."""

from __future__ import annotations

import logging
from functools import cached_property

from newscrawl.extract import PageExtractor
from newscrawl.pages.base import Page, field


class extracted(field):
    """A field the generic extractor supplies. Asked through ``super()`` by a portal page it is that page's
    fallback: used only when the page allows it, counted ``newscrawl/fallback/<field>``, and an extractor error
    costs the field, never the article (``newscrawl/fallback/failed``)."""

    def __init__(self, name: str, doc: str = ""):
        super().__init__(lambda page: page.clean(name, page.extractor_value(name) or None))
        self.__doc__ = doc

    def compute(self, page):
        if not page.falls_back:
            return self.func(page)
        if not page.fallback:
            return page.clean(self.name)
        try:
            value = self.func(page)
        except Exception as exc:  # the fallback is a bonus: never lose the portal's own item to it
            page.count("newscrawl/fallback/failed")
            page.log(logging.WARNING, f"Generic extraction of {self.name} failed on {page.response.url}: {exc!r}")
            return page.clean(self.name)
        if value:
            page.count(f"newscrawl/fallback/{self.name}")
            page.fallbacks.append(self.name)
            page.log(logging.DEBUG, f"Fallback {self.name} on {page.response.url}")
        return value


class GenericPage(Page):
    """Any article page, read by the generic extractor alone (the feed, sitemap and article spiders).

    ``PortalPage`` subclasses it: a portal page's field that finds nothing returns ``super().<field>``, this
    page's value, which counts as a fallback.
    """

    falls_back = False  # True on portal pages: the fields below are then their fallback
    # the body before the author: bylines in the text's first and last lines are read from it
    field_order = ("url", "site", "title", "body_html", "published_at", "author", "source", "summary",
                   "tags", "categories", "headimg", "language")

    @cached_property
    def extractor(self) -> PageExtractor:
        """The generic extractor on this page: each of its parts computed on first use (trafilatura only for the body).
        It reads the page's first MAX_EXTRACT_TAGS tags: a page it reads a part of is counted."""
        extractor = PageExtractor.from_response(self.response)
        if extractor.cut:
            self.count("newscrawl/pages/extract_cut")
        return extractor

    def extractor_value(self, name: str):
        """The generic extractor's raw value of field ``name``; a date found notes which kind of place it came from."""
        value = self.extractor.value(name)
        if name == "published_at" and value:
            self.date_source = self.extractor.date_source  # counted as newscrawl/date_source/<kind>
        return value

    @field
    def url(self) -> str | None:
        """The page's canonical link when it declares one, else its own URL."""
        declared = self.extractor.url
        return self.clean("url", declared if declared and declared != self.response.url else self.given_url)

    site = extracted("site", "og:site_name, the publisher, the title's suffix")
    title = extracted("title", "JSON-LD headline, the headline element, og:title, <title> without the site")
    body_html = extracted("body_html", "the main text (trafilatura), else JSON-LD articleBody")
    published_at = extracted("published_at", "machine-readable dates, then the byline, a labelled date, htmldate")
    author = extracted("author", "JSON-LD, a labelled or unlabelled byline, meta author, an account name")
    source = extracted("source", "来源 under the headline, an element classed like a source")
    summary = extracted("summary", "JSON-LD description, meta description")
    tags = extracted("tags", "a visible tag list, JSON-LD keywords, meta keywords")
    categories = extracted("categories", "articleSection, section metas, breadcrumbs")
    headimg = extracted("headimg", "JSON-LD image, og:image")
    language = extracted("language", "from the text's script, else the declared language")

    @property
    def is_article(self) -> bool:
        return bool(self.extractor.body_html)
