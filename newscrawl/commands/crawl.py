"""`scrapy crawl`: settings and arguments checked first (one line per mistake, 2), then newscrawl's exit codes."""

from __future__ import annotations

import logging
import sys

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError

from newscrawl import arguments, config, exitcodes, outputs
from newscrawl.exitcodes import EXIT_SPIDER_FAILED, EXIT_USAGE
from newscrawl.extensions.runs import record_refused_run


def configuration_error(exc: SystemExit) -> str | None:
    """The one-line message of a component that refused to start (``SystemExit("what to fix")``), else None."""
    return exc.code.strip().splitlines()[0] if isinstance(exc.code, str) and exc.code.strip() else None


def refuse_unwritable(settings, prefix: str, extra: dict | None = None) -> None:
    """Stop with one line per output that cannot be written, exit 2: before the log file is opened, or any request."""
    config.configure(settings)  # NEWSCRAWL_SPOOL_DIR and the others from the environment too
    lines = outputs.problems(settings, extra)
    if lines:
        for line in lines:
            print(f"{prefix}{line}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def summary_line(name: str, stats: dict, code: int) -> str:
    """A run's last line: what happened to the articles, and what the exit code means."""
    count = lambda key: int(stats.get(key) or 0)  # noqa: E731
    stored = f"{count('newscrawl/store/inserted')} new, {count('newscrawl/store/updated')} updated"
    parts = [f"{count('item_scraped_count')} articles ({stored})", f"{count('newscrawl/incremental/skipped/article')} known"]
    dropped = sum(v for k, v in stats.items() if k.startswith("item_dropped_reasons_count/"))
    parts += [f"{dropped} dropped"] if dropped else []
    parts += [f"{count('newscrawl/store/spooled')} spooled"] if count("newscrawl/store/spooled") else []
    line = f"{name}: {', '.join(parts)}; exit {code}: {exitcodes.MEANING.get(code, 'see docs/OPERATIONS.md')}"
    if stats.get("newscrawl/outputs/empty_feed"):
        line += f"; nothing new this run, every stored article: scrapy export jsonl {stats['newscrawl/outputs/empty_feed']}"
    return line


class Command(ScrapyCrawlCommand):
    def long_desc(self):
        return "Run a spider. `-a help=1` (or `scrapy args SPIDER`) lists its arguments; bad ones stop it with exit code 2."

    def process_options(self, args, opts):
        super().process_options(args, opts)
        refuse_unwritable(self.settings, f"scrapy crawl {' '.join(args)}: ")

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
        refused: list[str] = []
        try:
            self.start_crawl(args, opts, refused)
        except SystemExit as exc:
            message = configuration_error(exc)
            if message is None:
                raise
            refused.append(message)
        if refused:
            config.report(refused, f"scrapy crawl {' '.join(args)}: ")
            self.exitcode = EXIT_USAGE
            return
        # Components ask for a non-zero exit through the stat (75 spooled, 74 not stored, 69 unreachable, 3 alarm).
        crawler = getattr(self, "_newscrawl_crawler", None)
        stats = crawler.stats if crawler is not None and crawler.stats else None
        codes = {self.exitcode}
        if stats is not None:
            codes.add(int(stats.get_value(exitcodes.EXIT_CODE_KEY) or 0))
            reason = stats.get_value("finish_reason")
            if reason is not None and reason != "finished":
                codes.add(EXIT_SPIDER_FAILED)
        self.exitcode = exitcodes.most_urgent(codes)
        if stats is not None:
            logging.getLogger("newscrawl.summary").info("%s", summary_line(args[0], stats.get_stats(), self.exitcode))

    def start_crawl(self, args, opts, refused: list[str]) -> None:
        """Scrapy's crawl, where a component that cannot start as configured (config.StartError) gives its line."""
        if len(args) != 1:
            super().run(args, opts)  # Scrapy's usage errors
            return

        def note(exc) -> bool:
            if isinstance(exc, config.ConfigError):
                refused.extend(exc.lines)
            elif isinstance(exc, config.StartError):
                refused.extend(str(exc).strip().splitlines()[:1])
            return isinstance(exc, (config.StartError, config.ConfigError))

        result = self.crawler_process.crawl(self._create_crawler(args[0]), **opts.spargs)
        if hasattr(result, "addErrback"):  # a Deferred, or an asyncio Task (AsyncCrawlerProcess)
            result.addErrback(lambda failure: None if note(failure.value) else failure)
        else:
            result.add_done_callback(lambda task: task.cancelled() or task.exception() is None or note(task.exception()))
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed and not refused:
            self.exitcode = EXIT_SPIDER_FAILED

    def _create_crawler(self, spname):
        self._newscrawl_crawler = super()._create_crawler(spname)
        return self._newscrawl_crawler
