"""Feed exports: JSON Lines every line splitter reads back line by line, files whose failed writes are not silent."""

from __future__ import annotations

import io
import logging

from scrapy.exporters import JsonLinesItemExporter
from scrapy.extensions.feedexport import FileFeedStorage

from newscrawl import exitcodes
from newscrawl.jsontext import escape_line_breakers, json_line  # noqa: F401 - json_line: the exporters' name for it

logger = logging.getLogger(__name__)

class SafeJsonLinesItemExporter(JsonLinesItemExporter):
    """Scrapy's JSON Lines exporter with ``escape_line_breakers``: 1 item = 1 line for ``str.splitlines()`` too."""

    def export_item(self, item) -> None:
        data = escape_line_breakers(self.encoder.encode(dict(self.get_serialized_fields(item)))) + "\n"
        self.file.write(data.encode(self.encoding or "utf-8"))


class _GuardedFile(io.BufferedIOBase):
    """A feed file whose first failing write is reported once; later writes are dropped, not raised per item."""

    def __init__(self, file, failed):
        self.file, self.failed, self.written = file, failed, 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        if self.failed.error is None:
            try:
                self.file.write(data)
                self.written += len(data)
            except OSError as exc:
                self.failed(exc)
        return len(data)

    def flush(self) -> None:
        if self.failed.error is None and not self.file.closed:
            try:
                self.file.flush()
            except OSError as exc:
                self.failed(exc)

    def close(self) -> None:
        if not self.file.closed:
            try:
                self.file.close()
            except OSError as exc:
                if self.failed.error is None:
                    self.failed(exc)
        super().close()


class CheckedFileFeedStorage(FileFeedStorage):
    """FEED_STORAGES file: a write that fails is one error line and exit code 73, never a quiet exit 0.

    A feed left empty by an incremental rerun says where the articles are (``scrapy export``).
    """

    def __init__(self, uri: str, *, feed_options: dict | None = None, crawler=None):
        super().__init__(uri, feed_options=feed_options)
        self.crawler, self.error, self.file = crawler, None, None
        self.format = (feed_options or {}).get("format") or "jsonl"

    @classmethod
    def from_crawler(cls, crawler, uri: str, *, feed_options: dict | None = None):
        return cls(uri, feed_options=feed_options, crawler=crawler)

    def __call__(self, exc: OSError) -> None:
        self.error = exc
        logger.error("feed %s: cannot write it (%s); the articles are stored: `scrapy export` writes them",
                     self.path, exc.strerror or exc)
        if self.crawler is not None and self.crawler.stats is not None:
            self.crawler.stats.inc_value("newscrawl/outputs/failed")
            exitcodes.record(self.crawler.stats, exitcodes.EXIT_OUTPUT_FAILED)

    def open(self, spider):
        try:
            self.file = _GuardedFile(super().open(spider), self)
        except OSError as exc:
            self(exc)
            self.file = _GuardedFile(io.BytesIO(), self)
        return self.file

    def store(self, file) -> None:
        file.close()
        if self.error is None and self.file is not None and not self.file.written and self.write_mode == "wb":
            target = self.path if self.format in ("jsonl", "jsonlines", "jl") else "articles.jsonl"
            logger.warning("%s is empty: nothing new this run (a rerun stores only new articles, and -O overwrites); "
                           "every stored article: scrapy export jsonl %s", self.path, target)
            if self.crawler is not None and self.crawler.stats is not None:
                self.crawler.stats.set_value("newscrawl/outputs/empty_feed", self.path)
