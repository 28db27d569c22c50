"""Any RSS 2.0, RSS 1.0 (RDF) or Atom feed: each entry's page through the generic extractor, -a url=FEED[,FEED…]."""

from __future__ import annotations

import calendar
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import scrapy

from newscrawl import processors as p
from newscrawl.arguments import Argument, urls
from newscrawl.pages import GenericPage, field
from newscrawl.spiders.generic import GenericSpider


class FeedPage(GenericPage):
    """The feed entry's date and categories win over the page's; its title and author stand in for missing ones."""

    @property
    def entry(self) -> dict:
        return self.request_meta("feed_entry")

    @field
    def published_at(self):
        return self.clean("published_at", self.entry.get("published_at"), self.extractor_value("published_at") or None)

    @field
    def categories(self):
        return self.clean("categories", self.entry.get("categories"), self.extractor.categories or None)

    @field
    def title(self):
        return self.clean("title", self.extractor.title or None, self.entry.get("title"))

    @field
    def author(self):
        return self.clean("author", self.extractor.author or None, self.entry.get("author"))


class FeedSpider(GenericSpider):
    """Feed dates and categories win over the page's; the entry's own content stands in for a page that fails."""

    name = "feed"
    page_class = FeedPage
    url_help = "FEED_URL[,FEED_URL…] (RSS or Atom)"

    arguments = (Argument("url", urls, help="the RSS or Atom feeds to read (required)", metavar="URL[,URL…]"),)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.start_urls = self.required_urls(self.url)

    async def start(self):
        for url in self.start_urls:
            yield scrapy.Request(url, callback=self.parse_feed, errback=self.on_error, meta={"newscrawl": "list"})

    def parse(self, response, **kwargs):
        """`scrapy parse --spider=feed URL`: a feed's entries, or an article page through the extractor."""
        kind = response.headers.get("Content-Type", b"").decode("latin-1").lower()
        if "xml" in kind or "rss" in kind or "atom" in kind or response.body.lstrip()[:5] == b"<?xml":
            return self.parse_feed(response)
        return self.parse_article(response)

    def parse_feed(self, response):
        stats = self.crawler.stats
        stats.inc_value("newscrawl/list_pages")
        import feedparser  # here, not at import: every crawl loads every spider module

        feed = feedparser.parse(
            response.body,
            response_headers={
                "content-type": response.headers.get("Content-Type", b"").decode("latin-1"),
                "content-location": response.url,
            },
            sanitize_html=False,  # nh3 sanitizes bodies in the loader
            resolve_relative_uris=True,
        )
        if not feed.entries:
            discovered = [] if response.meta.get("feed_discovered") else self.discover_feeds(response)
            discovered = [url for url in discovered if self.follows(url, "feed")]
            if discovered:
                self.logger.info("%s is a page, not a feed: following its feed links %s", response.url, discovered)
                for url in discovered:
                    yield scrapy.Request(url, callback=self.parse_feed, errback=self.on_error,
                                         meta={"newscrawl": "list", "feed_discovered": True})
                return
            stats.inc_value("newscrawl/list_pages_empty")
            reason = f" ({feed.bozo_exception})" if feed.get("bozo") else ""
            self.logger.warning("No entries in feed %s%s", response.url, reason)
            return
        if feed.get("bozo"):
            stats.inc_value("newscrawl/feed/malformed")
            self.logger.info("Feed %s is malformed, read what could be read: %s", response.url, feed.bozo_exception)
        seen = set()
        for raw in feed.entries:
            entry = self.entry_dict(raw, response.url)
            if not entry["link"]:
                stats.inc_value("newscrawl/feed/entry_without_link")
                self.logger.info("Feed entry without a link skipped: %r in %s", entry["title"], response.url)
                continue
            if entry["link"] in seen:
                continue
            seen.add(entry["link"])
            stats.inc_value("newscrawl/feed/entries")
            published = entry["published_at"]
            if self.since and published and datetime.fromisoformat(published).date() < self.since:
                stats.inc_value("newscrawl/skipped/older_than_since")
                continue
            if not self.follows(entry["link"], "feed_entry"):
                yield from self.entry_article(entry, "its link is outside the feed's domains")
                continue
            yield self.article_request(entry["link"], meta={"feed_entry": entry})

    @staticmethod
    def discover_feeds(response) -> list[str]:
        """The RSS/Atom links an HTML page declares (``<link rel="alternate" type="application/rss+xml">``)."""
        if not hasattr(response, "xpath"):
            return []
        hrefs = response.xpath(
            '//link[contains(concat(" ", normalize-space(@rel), " "), " alternate ")]'
            '[contains(@type, "rss") or contains(@type, "atom") or contains(@type, "rdf")]/@href'
        ).getall()
        return p.unique(p.absolute_url(href, response.url) for href in hrefs)

    def entry_dict(self, raw, feed_url: str) -> dict:
        """The parts of a feedparser entry the spider uses, as plain values."""
        link = raw.get("link") or ""
        if not link:
            for candidate in raw.get("links", []):
                if candidate.get("rel", "alternate") == "alternate" and candidate.get("href"):
                    link = candidate["href"]
                    break
        if not link and str(raw.get("id", "")).startswith(("http://", "https://")):
            link = raw["id"]
        content = ""
        for part in raw.get("content", []) or []:
            if part.get("value"):
                content = part["value"]
                break
        return {
            "link": p.absolute_url(link, feed_url),
            "title": p.clean_text(raw.get("title")),
            "published_at": self.entry_date(raw),
            "author": p.clean_text(raw.get("author")),
            "categories": [t.get("term") or t.get("label") for t in raw.get("tags", []) or [] if t.get("term") or t.get("label")],
            "summary": raw.get("summary") or "",
            "content": content or raw.get("summary") or "",
        }

    def entry_date(self, raw) -> str | None:
        unparsed = []
        for key in ("published", "updated", "created"):
            # dict.get: feedparser's own get() answers "updated" with "published" (and warns)
            parsed = dict.get(raw, f"{key}_parsed")
            if parsed:
                moment = datetime.fromtimestamp(calendar.timegm(parsed), timezone.utc)
                return p.to_iso(moment.astimezone(ZoneInfo(self.tz)))
            text = dict.get(raw, key)
            if text:
                moment = p.parse_date(text, self.tz)
                if moment is not None:
                    return p.to_iso(moment)
                unparsed.append(text)
        for text in p.unique(unparsed):
            self.crawler.stats.inc_value("newscrawl/date_unparsed")
            self.logger.info("Unparsed feed date %r for %s: the page's date is used", text, raw.get("link"))
        return None

    def parse_article(self, response, partial=None, pages=1, page=None):
        entry = response.meta.get("feed_entry")
        if entry and partial is None:
            page = self.page(response)
            if not (page.text_response and page.is_article):
                yield from self.entry_article(entry, f"no article body on {response.url}")
                return
        yield from super().parse_article(response, partial=partial, pages=pages, page=page)

    def on_error(self, failure):
        super().on_error(failure)
        entry = failure.request.meta.get("feed_entry")
        if entry:
            yield from self.entry_article(entry, f"page failed: {failure.getErrorMessage()}")

    def entry_article(self, entry: dict, why: str):
        """The feed entry's own content as the article, when its page gives none."""
        self.crawler.stats.inc_value("newscrawl/feed/entry_content_used")
        self.logger.info("Using the feed entry's own content for %s (%s)", entry["link"], why)
        loader = self.article_loader_for(entry["link"])
        loader.add_value("url", entry["link"])
        loader.add_value("portal", self.name)
        loader.add_value("title", entry["title"])
        loader.add_value("published_at", entry["published_at"])
        loader.add_value("author", entry["author"])
        loader.add_value("categories", entry["categories"])
        loader.add_value("summary", p.html_to_text(entry["summary"]) if "<" in entry["summary"] else entry["summary"])
        loader.add_value("body_html", entry["content"] if "<" in entry["content"] else _paragraphs(entry["content"]))
        item = loader.load_item()
        if self.since and item.published_at and datetime.fromisoformat(item.published_at).date() < self.since:
            self.crawler.stats.inc_value("newscrawl/skipped/older_than_since")
            return
        yield item

    def article_loader_for(self, url: str):
        from newscrawl.loaders import ArticleLoader

        return ArticleLoader(base_url=url, tz=self.tz, now=datetime.now(timezone.utc))


def _paragraphs(text: str) -> str:
    return "".join(
        f"<p>{line.replace('&', '&amp;').replace('<', '&lt;')}</p>" for line in (text or "").splitlines() if line.strip()
    )
