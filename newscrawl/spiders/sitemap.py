"""Any sitemap, sitemap index, news sitemap or robots.txt: article URLs through the generic extractor, -a url=…"""

from __future__ import annotations

import codecs
import re

import lxml.etree
import scrapy
from scrapy.utils.gz import gunzip, gzip_magic_number
from scrapy.utils.sitemap import sitemap_urls_from_robots

from newscrawl import processors as p
from newscrawl.arguments import Argument, regex, urls
from newscrawl.pages import GenericPage, field
from newscrawl.spiders.generic import GenericSpider

_CLOSED_ROOT = re.compile(rb"</(?:[\w.-]+:)?(?:urlset|sitemapindex)\s*>\s*$")
_ENTRY_END = re.compile(rb"</(?:[\w.-]+:)?(?:url|sitemap)\s*>")
_ROOT_OPEN = re.compile(rb"<((?:[\w.-]+:)?(?:urlset|sitemapindex))[\s>]")
_PARSER = dict(recover=True, remove_comments=True, resolve_entities=False, no_network=True, huge_tree=False)
MAX_SITEMAP_BYTES = 50 * 1024 * 1024  # the sitemaps.org limit for one uncompressed file


class SitemapPage(GenericPage):
    """A news sitemap's own title, date and keywords stand in for what the page lacks."""

    @property
    def entry(self) -> dict:
        return self.request_meta("sitemap_entry")

    @field
    def title(self):
        return self.clean("title", self.extractor.title or None, self.entry.get("title"))

    @field
    def published_at(self):
        return self.clean("published_at", self.extractor_value("published_at") or None, self.entry.get("publication_date"))

    @field
    def tags(self):
        return self.clean("tags", self.extractor.tags or None, self.entry.get("keywords"))


class SitemapSpider(GenericSpider):
    """``-a pattern=REGEX`` keeps matching URLs only; ``-a since`` skips entries and child sitemaps by
    news:publication_date, else lastmod.

    Scrapy's own SitemapSpider gives lastmod to ``sitemap_filter`` but flattens only direct children (the
    news:news block's publication_date and title are lost), reads no plain-text sitemaps and requests
    the cut-off last <loc> of a truncated file; so the walk is done here, with Scrapy's gzip and
    robots.txt helpers.
    """

    name = "sitemap"
    page_class = SitemapPage
    url_help = "SITEMAP_OR_ROBOTS_TXT_URL"

    arguments = (
        Argument("url", urls, help="sitemaps, sitemap indexes or robots.txt files to read (required)",
                 metavar="URL[,URL…]"),
        Argument("pattern", regex, help="keep only article URLs this regular expression finds", metavar="REGEX"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.start_urls = self.required_urls(self.url)
        self._sitemaps_seen: set[str] = set()

    async def start(self):
        for url in self.start_urls:
            if url.rstrip("/").endswith("/robots.txt"):
                yield scrapy.Request(url, callback=self.parse_robots, errback=self.on_error, meta={"newscrawl": "list"})
            else:
                yield self.sitemap_request(url)

    def sitemap_request(self, url: str) -> scrapy.Request | None:
        if url in self._sitemaps_seen or not self.follows(url, "sitemap"):
            return None
        self._sitemaps_seen.add(url)
        return scrapy.Request(url, callback=self.parse_sitemap, errback=self.on_error, meta={"newscrawl": "list"})

    def parse(self, response, **kwargs):
        """`scrapy parse --spider=sitemap URL`: robots.txt, a sitemap (index), or an article page."""
        if response.url.rstrip("/").endswith("/robots.txt"):
            return self.parse_robots(response)
        kind = response.headers.get("Content-Type", b"").decode("latin-1").lower()
        body = response.body.lstrip()[:5]
        if "xml" in kind or "text/plain" in kind or body == b"<?xml" or gzip_magic_number(response):
            return self.parse_sitemap(response)
        return self.parse_article(response)

    def parse_robots(self, response):
        # A UTF-8 byte order mark would hide the first line's "Sitemap:" from Scrapy's reader.
        body = response.body[3:] if response.body.startswith(codecs.BOM_UTF8) else response.body
        urls = list(sitemap_urls_from_robots(body, base_url=response.url))
        if not urls:
            self.crawler.stats.inc_value("newscrawl/list_pages_empty")
            self.logger.warning("No Sitemap: lines in %s", response.url)
        for url in urls:
            request = self.sitemap_request(url)
            if request is not None:
                yield request

    def parse_sitemap(self, response):
        stats = self.crawler.stats
        stats.inc_value("newscrawl/list_pages")
        body = self.sitemap_body(response)
        if body and body.startswith(codecs.BOM_UTF8):
            body = body[3:]
        if body and not body.lstrip()[:1] == b"<":
            yield from self.parse_text_sitemap(response, body)
            return
        body = self.complete_entries(response, body)
        root = None
        if body:
            try:
                root = lxml.etree.fromstring(body, parser=lxml.etree.XMLParser(**_PARSER))
            except lxml.etree.XMLSyntaxError:
                root = None
        if root is None or _local(root.tag) not in ("urlset", "sitemapindex"):
            stats.inc_value("newscrawl/list_pages_empty")
            self.logger.warning("Not a sitemap: %s", response.url)
            return
        index = _local(root.tag) == "sitemapindex"
        entries = 0
        for node in root:
            if _local(node.tag) not in ("url", "sitemap"):
                continue
            entry = _entry(node)
            loc = p.absolute_url(entry.get("loc"), response.url)
            if not loc:
                continue
            entries += 1
            if self._older_than_since(entry.get("publication_date") or entry.get("lastmod"), response):
                stats.inc_value("newscrawl/skipped/older_than_since")
                continue
            if index:
                request = self.sitemap_request(loc)
                if request is not None:
                    yield request
                continue
            if self.pattern and not self.pattern.search(loc):
                stats.inc_value("newscrawl/sitemap/url_not_matching")
                continue
            if not self.follows(loc, "sitemap_url"):
                continue
            stats.inc_value("newscrawl/sitemap/urls")
            yield self.article_request(loc, meta={"sitemap_entry": entry})
        if not entries:
            stats.inc_value("newscrawl/list_pages_empty")
            self.logger.warning("Empty sitemap %s", response.url)

    def parse_text_sitemap(self, response, body: bytes):
        """A plain-text sitemap (sitemaps.org): one URL per line, UTF-8; anything else on a line is skipped."""
        stats = self.crawler.stats
        entries = 0
        for line in body.decode("utf-8", errors="replace").splitlines():
            loc = p.absolute_url(line.strip()) if line.strip().lower().startswith(("http://", "https://")) else None
            if not loc:
                continue
            entries += 1
            if self.pattern and not self.pattern.search(loc):
                stats.inc_value("newscrawl/sitemap/url_not_matching")
                continue
            stats.inc_value("newscrawl/sitemap/urls")
            yield self.article_request(loc, meta={"sitemap_entry": {"loc": loc}})
        if not entries:
            stats.inc_value("newscrawl/list_pages_empty")
            self.logger.warning("Not a sitemap: %s", response.url)

    def complete_entries(self, response, body: bytes | None) -> bytes | None:
        """A file cut off mid-way (no closing root tag) back to its last complete entry, so that no
        half-written <loc> is requested (``newscrawl/sitemap/truncated``)."""
        root = _ROOT_OPEN.search(body[:4096]) if body else None
        if root is None or _CLOSED_ROOT.search(body[-2048:]):
            return body  # complete, or not a sitemap at all (said later)
        ends = list(_ENTRY_END.finditer(body))
        self.crawler.stats.inc_value("newscrawl/sitemap/truncated")
        self.logger.warning("Sitemap %s is truncated: reading its %s complete entries", response.url,
                            "no" if not ends else "first")
        if not ends:
            return None
        return body[: ends[-1].end()] + b"</" + root.group(1) + b">"

    def sitemap_body(self, response) -> bytes | None:
        """The XML of a sitemap response, gunzipped when it is a .gz file."""
        if gzip_magic_number(response):
            try:
                return gunzip(response.body, max_size=MAX_SITEMAP_BYTES)
            except Exception as exc:  # truncated or oversized archives: count, never crash
                self.crawler.stats.inc_value("newscrawl/sitemap/bad_gzip")
                self.logger.warning("Cannot gunzip sitemap %s: %s", response.url, exc)
                return None
        return response.body

def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _entry(node) -> dict:
    """loc, lastmod and the news:news children (publication_date, title, keywords) of one <url>/<sitemap>."""
    entry = {}
    for child in node:
        if _local(child.tag) in ("loc", "lastmod") and (child.text or "").strip():
            entry.setdefault(_local(child.tag), child.text.strip())
    for child in node.iter():
        name = _local(child.tag)
        in_news = isinstance(child.tag, str) and "sitemap-news" in child.tag
        if in_news and name in ("publication_date", "title", "keywords") and (child.text or "").strip():
            entry.setdefault(name, child.text.strip())
    return entry
