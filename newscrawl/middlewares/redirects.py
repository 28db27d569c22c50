"""Count, with the original URL, every redirect that ends offsite, in a loop, past the limit or at the dupefilter."""

from __future__ import annotations

import logging
from urllib.parse import urljoin

from scrapy import signals
from scrapy.exceptions import IgnoreRequest

from newscrawl import processors as p

logger = logging.getLogger(__name__)


class RedirectRefused(IgnoreRequest):
    """A redirect not followed; ``reason`` is offsite, loop or too_many."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


class RedirectOutcomeMiddleware:
    """Sits just before Scrapy's RedirectMiddleware (its process_response sees a 3xx first).

    Counted as ``newscrawl/redirect/<reason>``: ``offsite`` (a target outside the spider's ``allowed_domains``),
    ``loop`` (a target already in the chain, A -> A?x -> A), ``too_many`` (REDIRECT_MAX_TIMES), ``dupefilter``
    (a redirected request the scheduler drops as already seen). Refused redirects reach the request's errback.
    """

    def __init__(self, crawler):
        self.crawler = crawler
        self.max_times = crawler.settings.getint("REDIRECT_MAX_TIMES")
        crawler.signals.connect(self.request_dropped, signal=signals.request_dropped)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_response(self, request, response, spider=None):
        location = response.headers.get("Location")
        if response.status not in (301, 302, 303, 307, 308) or not location or request.meta.get("dont_redirect"):
            return response
        target = p.absolute_url(location.decode("latin-1"), request.url)
        if target is None:
            target = urljoin(request.url, location.decode("latin-1", errors="replace"))
        chain = [*request.meta.get("redirect_urls", []), request.url]
        domains = getattr(self.crawler.spider, "allowed_domains", None)
        if domains and not p.url_in_domains(target, domains):
            self.refuse("offsite", chain, target)
        if _same(target) in {_same(url) for url in chain}:
            self.refuse("loop", chain, target)
        if len(chain) > self.max_times:
            self.refuse("too_many", chain, target)
        return response

    def refuse(self, reason: str, chain: list[str], target: str):
        self.crawler.stats.inc_value(f"newscrawl/redirect/{reason}")
        logger.warning("Redirect %s: %s -> %s (after %d redirect(s)), not followed", reason.replace("_", " "),
                       chain[0], target, len(chain) - 1)
        raise RedirectRefused(reason, f"redirect {reason}: {chain[0]} -> {target}")

    def request_dropped(self, request, spider=None):
        chain = request.meta.get("redirect_urls")
        if not chain:
            return
        self.crawler.stats.inc_value("newscrawl/redirect/dupefilter")
        logger.warning("Redirect to an already seen URL dropped: %s -> %s", chain[0], request.url)


def _same(url: str) -> str:
    return (p.canonical_url(url) or url).rstrip("/")
