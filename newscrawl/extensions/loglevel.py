"""Log records below the crawl's LOG_LEVEL are not even made: Scrapy leaves the root logger at NOTSET and its
own ``scrapy`` logger at DEBUG."""

from __future__ import annotations

import logging

from scrapy import signals
from scrapy.utils.log import DEFAULT_LOGGING, get_scrapy_root_handler


class LogLevelGate:
    """Scrapy's root handler drops records below LOG_LEVEL, but the root logger stays at NOTSET and Scrapy's
    logging configuration (``DEFAULT_LOGGING``) sets the ``scrapy`` logger to DEBUG, so every ``logger.debug``
    of a crawl at INFO still makes its record: "Crawled (200)" per response, "Scraped from" per item, and
    newscrawl's password masking (newscrawl/logmask.py) formats each one, the whole item included. Once the
    engine starts, the root logger and each logger Scrapy configured below the handler's level take that level
    (only where Scrapy's root handler is installed: `scrapy crawl`, not a script with its own logging); they
    are given back their levels when the engine stops."""

    def __init__(self):
        self.saved: dict[str, int] = {}

    @classmethod
    def from_crawler(cls, crawler):
        gate = cls()
        crawler.signals.connect(gate.engine_started, signal=signals.engine_started)
        crawler.signals.connect(gate.engine_stopped, signal=signals.engine_stopped)
        return gate

    def engine_started(self) -> None:
        handler = get_scrapy_root_handler()
        if handler is None or handler.level <= logging.NOTSET:
            return
        if logging.root.level == logging.NOTSET:
            self.raise_level(logging.root, "", handler.level)
        for name in DEFAULT_LOGGING.get("loggers", {}):
            logger = logging.getLogger(name)
            if logging.NOTSET < logger.level < handler.level:
                self.raise_level(logger, name, handler.level)

    def raise_level(self, logger: logging.Logger, name: str, level: int) -> None:
        self.saved.setdefault(name, logger.level)
        logger.setLevel(level)

    def engine_stopped(self) -> None:
        saved, self.saved = self.saved, {}
        for name, level in saved.items():
            (logging.getLogger(name) if name else logging.root).setLevel(level)
