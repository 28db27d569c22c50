"""The console log: tracebacks at DEBUG only, failed downloads left to the summary, operator warnings always shown."""

from __future__ import annotations

import logging

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.log import get_scrapy_root_handler

from newscrawl import logmask

# ``logger.warning(..., extra=ACT)``: a warning the operator must act on (spool files of another database,
# rejected rows), shown on a console set to ERROR too (crawlall under cron).
ACT = {"newscrawl_act": True}
# Per-request download failures: counted in the stats, summed up by the UNREACHABLE line and the monitor's
# failed-share alarm; on a quiet console (WARNING and above) they are not a line each.
DOWNLOAD_FAILURES = (
    ("scrapy.downloadermiddlewares.retry", "Gave up retrying"),
    ("scrapy.downloadermiddlewares.robotstxt", "Error downloading"),
    ("scrapy.core.scraper", "Error downloading"),
)


# Start-up chatter at INFO that a hand-run crawl does not need to see (at DEBUG it is all there): Scrapy's
# versions, component lists and overridden settings, Alembic's plugin and context lines.
STARTUP_CHATTER = (
    ("scrapy.utils.log", "Versions"), ("scrapy.addons", "Enabled addons"), ("scrapy.middleware", "Enabled "),
    ("scrapy.crawler", "Overridden settings"), ("alembic.runtime.plugins", ""),
    ("alembic.runtime.migration", "Context impl"), ("alembic.runtime.migration", "Will assume"),
)


def quiet_startup() -> None:
    """Start-up chatter filed at DEBUG as each record is made, for every handler (console or log file)."""
    logmask.add_step("quiet start-up", _demote)


def _demote(record: logging.LogRecord) -> None:
    if record.levelno == logging.INFO and any(
            record.name == name and str(record.msg).startswith(start) for name, start in STARTUP_CHATTER):
        record.levelno, record.levelname = logging.DEBUG, "DEBUG"


class ConsoleLog:
    """Extension: shapes Scrapy's root handler when it writes to a console (a log file keeps everything)."""

    @classmethod
    def from_crawler(cls, crawler):
        if crawler.settings.get("LOG_FILE") or not crawler.settings.getbool("LOG_ENABLED"):
            raise NotConfigured
        extension = cls()
        # Scrapy installs the crawler's root handler again after building the extensions: shaped once the spider opened.
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        return extension

    def spider_opened(self, spider):
        handler = get_scrapy_root_handler()
        if type(handler) is logging.StreamHandler:  # not a FileHandler, nor a test's
            attach(handler)


def attach(handler: logging.Handler) -> None:
    """Once per handler: its level stays the threshold for ordinary records, ``ACT`` ones pass at WARNING."""
    if getattr(handler, "_newscrawl_console", False):
        return
    handler._newscrawl_console = True
    threshold = handler.level
    if threshold > logging.DEBUG:
        handler.setFormatter(NoTraceback(handler.formatter or logging.Formatter()))
    if threshold > logging.WARNING:
        handler.setLevel(logging.WARNING)
    handler.addFilter(lambda record: shown(record, threshold))


def shown(record: logging.LogRecord, threshold: int) -> bool:
    if getattr(record, "newscrawl_act", False) and record.levelno >= logging.WARNING:
        return True
    if record.levelno < threshold:
        return False
    if threshold > logging.INFO and record.levelno < logging.CRITICAL:
        message = str(record.msg)
        return not any(record.name == name and message.startswith(start) for name, start in DOWNLOAD_FAILURES)
    return True


class NoTraceback(logging.Formatter):
    """The wrapped formatter's line, with the exception's type and first line instead of its traceback."""

    def __init__(self, inner: logging.Formatter):
        super().__init__()
        self.inner = inner

    def format(self, record: logging.LogRecord) -> str:
        saved = record.exc_info, record.exc_text, record.stack_info
        record.exc_info = record.exc_text = record.stack_info = None
        try:
            line = self.inner.format(record)
        finally:
            record.exc_info, record.exc_text, record.stack_info = saved
        exc = saved[0][1] if saved[0] else None
        if exc is not None:
            first = (str(exc).strip().splitlines() or [""])[0]
            if first not in line:
                line += f" ({type(exc).__name__}: {first})" if first else f" ({type(exc).__name__})"
        return line
