"""`scrapy crawl`, with invalid spider arguments reported in one line instead of a traceback."""

from __future__ import annotations

import sys

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError

from newscrawl.spiders.base import SpiderArgumentError


class Command(ScrapyCrawlCommand):
    def run(self, args, opts):
        if len(args) == 1 and self.crawler_process is not None:
            try:
                spidercls = self.crawler_process.spider_loader.load(args[0])
            except KeyError:
                raise UsageError(f"no spider named {args[0]!r}; `scrapy list` shows them") from None
            try:
                spidercls(**opts.spargs)
            except SpiderArgumentError as exc:
                print(f"scrapy crawl {args[0]}: {exc}", file=sys.stderr)
                self.exitcode = 2
                return
        super().run(args, opts)
        # A component asked for a non-zero exit (e.g. 75: items spooled, docs/SCHEMA.md).
        crawler = getattr(self, "_newscrawl_crawler", None)
        code = int(crawler.stats.get_value("newscrawl/exit_code") or 0) if crawler is not None and crawler.stats else 0
        if code and not self.exitcode:
            self.exitcode = code

    def _create_crawler(self, spname):
        self._newscrawl_crawler = super()._create_crawler(spname)
        return self._newscrawl_crawler
