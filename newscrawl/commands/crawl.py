"""`scrapy crawl`, with settings and spider arguments checked first: one line per mistake, exit code 2."""

from __future__ import annotations

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError

from newscrawl import arguments, config
from newscrawl.exitcodes import EXIT_USAGE
from newscrawl.extensions.runs import record_refused_run


class Command(ScrapyCrawlCommand):
    def long_desc(self):
        return "Run a spider. `-a help=1` (or `scrapy args SPIDER`) lists its arguments; bad ones stop it with exit code 2."

    def run(self, args, opts):
        if len(args) == 1 and self.crawler_process is not None:
            try:
                spidercls = self.crawler_process.spider_loader.load(args[0])
            except KeyError:
                raise UsageError(f"no spider named {args[0]!r}; `scrapy list` shows them") from None
            if "help" in opts.spargs:
                print(arguments.describe(spidercls))
                return
            lines = config.problems(self.settings)
            if not lines:
                try:
                    spidercls(**opts.spargs)
                except arguments.SpiderArgumentError as exc:
                    lines = [str(exc)]
            if lines:
                record_refused_run(self.settings, args[0], opts.spargs, lines)
                config.report(lines, f"scrapy crawl {args[0]}: ")
                self.exitcode = EXIT_USAGE
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
