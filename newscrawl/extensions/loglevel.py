"""Log records below the crawl's LOG_LEVEL are not even made: Scrapy leaves the root logger at NOTSET."""

from __future__ import annotations

import logging

from scrapy import signals
from scrapy.utils.log import get_scrapy_root_handler


class LogLevelGate:
    """Scrapy's root handler drops records below LOG_LEVEL, but the root logger stays at NOTSET, so every
    ``logger.debug`` of a crawl at INFO still makes its record: "Crawled (200)" per response, "Scraped from"
    per item, and newscrawl's password masking (newscrawl/logmask.py) formats each one, the whole item
    included. Once the engine starts, the root logger takes the handler's level (only where Scrapy's root
    handler is installed: `scrapy crawl`, not a script with its own logging)."""

    @classmethod
    def from_crawler(cls, crawler):
        gate = cls()
        crawler.signals.connect(gate.engine_started, signal=signals.engine_started)
        return gate

    def engine_started(self) -> None:
        handler = get_scrapy_root_handler()
        if handler is not None and logging.root.level == logging.NOTSET and handler.level > logging.NOTSET:
            logging.root.setLevel(handler.level)
