"""A page longer (in tags or bytes) than anything downstream should parse is cut before the rest: bounded work per page."""

from __future__ import annotations

import functools
import re

from scrapy.exceptions import NotConfigured
from scrapy.http import TextResponse
from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, read_bom

from newscrawl import config
from newscrawl.middlewares import CrawlerMiddleware
from newscrawl.middlewares import charset


@functools.lru_cache(maxsize=4)
def _first_tags(count: int) -> re.Pattern:
    return re.compile(rb"(?:[^<]*<){%d}" % count)


def cut_page(body: bytes, max_tags: int, max_bytes: int) -> bytes | None:
    """``body`` before its ``max_tags``-th ``<`` and before the last ``<`` within ``max_bytes``, or None when it is
    within both (``0``: no limit).

    ``<`` is one byte in every ASCII-compatible encoding (UTF-8, GBK, GB18030, Big5 never use it inside a character).

    >>> cut_page(b"<p>a</p><p>b</p>", 3, 0), cut_page(b"<p>a</p><p>b</p>", 0, 10), cut_page(b"<p>a</p>", 3, 10)
    (b'<p>a</p>', b'<p>a</p>', None)
    """
    end = len(body)
    if max_bytes and end > max_bytes:
        end = body.rfind(b"<", 0, max_bytes) if b"<" in body[:max_bytes] else max_bytes
    if max_tags and body.count(b"<", 0, end) >= max_tags:
        end = _first_tags(max_tags).match(body).end() - 1
    return body[:end] if end < len(body) else None


def _wide(response) -> bool:
    """A UTF-16/32 page by its BOM or HTTP charset (``<`` is no single byte there); not ``response.encoding``, whose
    guess on a page without a declared charset reads every byte (charset-normalizer: seconds on 8 MB)."""
    bom, _ = read_bom(response.body[:4])
    declared = (response.headers.get(b"Content-Type") or b"").lower()
    return (bom or "").startswith(("utf-16", "utf-32")) or b"utf-16" in declared or b"utf-32" in declared


def _declares_encoding(response) -> bool:
    """Whether Scrapy reads the page's encoding (given, BOM, HTTP charset, ``<meta>`` in its first 4 KB) rather
    than guesses it: ``response.encoding`` would guess (read every byte) when it does not."""
    return bool(response._encoding or read_bom(response.body[:4])[0]  # _encoding: given to the response
                or http_content_type_encoding((response.headers.get(b"Content-Type") or b"").decode("latin-1"))
                or html_body_declared_encoding(response.body))


def _replace(response, body: bytes, encoding: str | None):
    """``response.replace(body=body, encoding=encoding)`` without reading ``response.encoding``: Response.replace
    reads every attribute of the old response, given or not, and that one is a guess over the whole uncut body
    when the page declares no charset."""
    kept = {name: getattr(response, name) for name in response.attributes if name not in ("body", "encoding")}
    return type(response)(**kept, body=body, encoding=encoding)


class PageCutMiddleware(CrawlerMiddleware):
    """Every parse, selector, body finder and date or byline scan of a page is linear in its elements: a page of
    8 MB of ``<p>a</p>`` (a million elements) took seconds where a news page (under 7,000 tags) takes milliseconds.
    It runs first among the response cleaners (before the charset is guessed, as that reads every byte).
    A page with NEWSCRAWL_MAX_PAGE_TAGS tags or more is cut before that tag, one over NEWSCRAWL_MAX_PAGE_BYTES before
    its last tag within them (a megabyte-long text node costs every text scan), once, before anything parses it;
    counted ``newscrawl/pages/cut`` (docs/OPERATIONS.md, "Bounded work per page"). ``0`` turns a limit off.
    A page over MAX_DETECT_BYTES that declares no charset is given Scrapy's guess made on a bounded sample
    (charset.guess_encoding): Scrapy's own reads all of it, seconds for a page of mixed bytes."""

    def __init__(self, crawler, max_tags: int, max_bytes: int):
        super().__init__(crawler)
        self.max_tags, self.max_bytes = max_tags, max_bytes

    @classmethod
    def from_crawler(cls, crawler):
        options = config.options(crawler.settings)
        limits = options.max_page_tags, options.max_page_bytes
        if not any(limits):
            raise NotConfigured("NEWSCRAWL_MAX_PAGE_TAGS=0 and NEWSCRAWL_MAX_PAGE_BYTES=0")
        return cls(crawler, *limits)

    def process_response(self, request, response, spider=None):
        if not isinstance(response, TextResponse) or _wide(response):
            return response
        body = cut = cut_page(response.body, self.max_tags, self.max_bytes)
        if cut is not None:
            self.crawler.stats.inc_value("newscrawl/pages/cut")
            (spider or self.crawler.spider).logger.info(
                "Page %s (%d bytes) cut at %d bytes (NEWSCRAWL_MAX_PAGE_TAGS=%d, NEWSCRAWL_MAX_PAGE_BYTES=%d)",
                response.url, len(response.body), len(cut), self.max_tags, self.max_bytes)
        else:
            body = response.body
        # the cut keeps the first 4 KB, so a page declares its charset after the cut as it did before it
        declared = _declares_encoding(response)
        if not declared and len(body) > charset.MAX_DETECT_BYTES:
            return _replace(response, body, charset.guess_encoding(body))
        # the encoding given to the response, else None: Scrapy reads the declared one from the cut page
        return response if cut is None else _replace(response, cut, response._encoding)
