"""A callback that raises: the page is counted per exception and logged once with its URL, never lost silently."""

from __future__ import annotations

import logging

from scrapy.spidermiddlewares.httperror import HttpError

from newscrawl.middlewares import CrawlerMiddleware

logger = logging.getLogger(__name__)


class CallbackErrorMiddleware(CrawlerMiddleware):
    """``newscrawl/pages/failed/<Exception>`` (the monitor's failed-page rate) and one log line with the URL and traceback.

    Outermost spider middleware, so exceptions from other middlewares' output are counted too.
    """

    def process_spider_exception(self, response, exception, spider=None):
        if isinstance(exception, HttpError):
            return None  # HttpErrorMiddleware's and the errbacks' job
        name = type(exception).__name__
        self.crawler.stats.inc_value(f"newscrawl/pages/failed/{name}")
        self.crawler.stats.inc_value("newscrawl/pages/failed_callbacks")
        logger.error("Page lost to a %s in the spider: %s (%s)", name, response.url, exception,
                     exc_info=(type(exception), exception, exception.__traceback__))
        return []
