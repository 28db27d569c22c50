"""Retry 429/503 after the server's Retry-After (capped); a longer wait is given up and counted."""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.utils.defer import maybe_deferred_to_future

from newscrawl import config

logger = logging.getLogger(__name__)


def retry_after_seconds(value, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date); None when unreadable.

    >>> retry_after_seconds(b"5"), retry_after_seconds("x")
    (5.0, None)
    """
    if value is None:
        return None
    text = (value.decode("latin-1") if isinstance(value, bytes) else str(value)).strip()
    if text.isdigit():
        return float(int(text[:12]))
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return max(0.0, (moment - (now or datetime.now(timezone.utc))).total_seconds())


class RetryAfterMiddleware(RetryMiddleware):
    """Scrapy's RetryMiddleware, but a 429/503 with Retry-After waits that long before its retry.

    ``NEWSCRAWL_RETRY_AFTER_MAX`` (120 s): a longer Retry-After means give up now
    (``newscrawl/retry_after/too_long``) rather than hold a slot; waits are counted as ``newscrawl/retry_after/waited``.
    """

    @classmethod
    def from_crawler(cls, crawler):
        middleware = super().from_crawler(crawler)
        middleware.max_wait = config.options(crawler.settings).retry_after_max
        return middleware

    def process_response(self, request, response, spider=None):
        if response.status not in (429, 503) or request.meta.get("dont_retry", False):
            return super().process_response(request, response)
        wait = retry_after_seconds(response.headers.get("Retry-After"))
        if wait is None:
            return super().process_response(request, response)
        stats = self.crawler.stats
        if wait > self.max_wait:
            stats.inc_value("newscrawl/retry_after/too_long")
            logger.warning("Giving up %s: HTTP %s asks to retry after %.0f s (more than %.0f s)",
                           request.url, response.status, wait, self.max_wait)
            return response
        retry = self._retry(request, f"{response.status} Retry-After {wait:.0f}s")
        if retry is None:
            return response
        stats.inc_value("newscrawl/retry_after/waited")
        return self._later(retry, wait)

    async def _later(self, retry, wait: float):
        from twisted.internet import reactor
        from twisted.internet.task import deferLater

        await maybe_deferred_to_future(deferLater(reactor, wait, lambda: None))
        return retry
