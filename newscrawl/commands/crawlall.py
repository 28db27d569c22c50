"""`scrapy crawlall`: run every portal spider in one process, print a summary, write a report, exit with a status."""

from __future__ import annotations

import json
import os
import shutil
import socket
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from scrapy.commands import BaseRunSpiderCommand
from scrapy.exceptions import UsageError

from newscrawl import config
from newscrawl.commands.crawl import configuration_error, refuse_unwritable
from newscrawl.exitcodes import EXIT_OUTPUT_FAILED, EXIT_USAGE
from newscrawl.runsummary import (  # noqa: F401 - the summary crawlall prints; tests import it from here
    SEVERITY, STATUS, conditions_line, most_urgent, overall_exit_code, spider_summary, summary_table,
)
from newscrawl.spiders.base import PortalSpider, SpiderArgumentError


def portal_spiders(spider_loader) -> list[str]:
    """Spiders a scheduled run starts: PortalSpider subclasses that need no arguments.

    A spider class may say so itself with ``scheduled = True/False``; otherwise one whose
    constructor refuses to run without arguments (feed, sitemap, article) is left out.
    """
    names = []
    for name in sorted(spider_loader.list()):
        cls = spider_loader.load(name)
        if not issubclass(cls, PortalSpider):
            continue
        scheduled = getattr(cls, "scheduled", None)
        if scheduled is None:
            try:
                cls()
                scheduled = True
            except SpiderArgumentError:
                scheduled = False
            except Exception:
                scheduled = True  # broken, not argument-bound: let the run fail visibly
        if scheduled:
            names.append(name)
    return names


def split_arguments(spargs: dict, names: list[str]) -> dict[str, dict]:
    """``-a name=v`` goes to every spider, ``-a spider:name=v`` to that spider only."""
    common = {k: v for k, v in spargs.items() if ":" not in k}
    per_spider = {name: dict(common) for name in names}
    for key, value in spargs.items():
        if ":" not in key:
            continue
        spider, _, argument = key.partition(":")
        if spider not in per_spider or not argument:
            raise UsageError(f"-a {key}=…: {spider!r} is not among the spiders of this run ({','.join(names)})", print_help=False)
        per_spider[spider][argument] = value
    return per_spider


class Command(BaseRunSpiderCommand):
    requires_project = True

    def syntax(self):
        return "[options]"

    def short_desc(self):
        return "Run all portal spiders (a scheduled run): summary table, JSON report, exit status"

    def long_desc(self):
        return (
            "Run the portal spiders concurrently in one process, print one summary row per spider, write a "
            "JSON run report and exit 0 (ok), 1 (a spider failed), 2 (usage or configuration), 3 (monitor alarm), "
            "4 (errors above NEWSCRAWL_MAX_ERRORS), 69 (portal unreachable), 74 (items not stored) or "
            "75 (items spooled, database unreachable). "
            "-a name=value goes to every spider, -a spider:name=value to one. See docs/OPERATIONS.md."
        )

    def add_options(self, parser):
        super().add_options(parser)
        parser.add_argument("--spiders", metavar="A,B", help="run these spiders only (default: every portal spider)")
        parser.add_argument("--report", metavar="PATH", help="JSON run report (default: NEWSCRAWL_REPORT_PATH; strftime codes allowed)")
        parser.add_argument("--list", action="store_true", help="print the spiders a run would start, and exit")
        parser.add_argument("--html", metavar="PATH", help="after the run, write the HTML report (`scrapy report`) to PATH; "
                                                           "strftime codes allowed")

    def process_options(self, args, opts):
        super().process_options(args, opts)
        # Said in run(), in one line (a UsageError here would print argparse's usage block too).
        self.refused = "--report needs a file path; leave it out to use NEWSCRAWL_REPORT_PATH" if (
            opts.report is not None and not opts.report.strip()) else None
        self.html = None
        if opts.html is not None:
            self.html = Path(datetime.now(timezone.utc).strftime(opts.html)).expanduser() if opts.html.strip() else None
            self.refused = self.refused or ("--html needs a file path" if self.html is None else None)
        if opts.report:
            self.settings.set("NEWSCRAWL_REPORT_PATH", opts.report, priority="cmdline")
        # Cron: only errors reach stderr unless the operator chose a level or a log file.
        chosen = self.settings.getpriority("LOG_LEVEL") >= 40 or "NEWSCRAWL_LOG_LEVEL" in os.environ
        if not sys.stderr.isatty() and not chosen and not self.settings.get("LOG_FILE"):
            self.settings.set("LOG_LEVEL", "ERROR", priority="cmdline")
        if not self.refused:
            report = config.for_command(self.settings, "crawlall").report_path
            extra = {"--report": ("file", datetime.now(timezone.utc).strftime(report))} if report else {}
            if self.html:
                extra["--html"] = ("file", str(self.html))
            refuse_unwritable(self.settings, "scrapy crawlall: ", extra)

    def run(self, args, opts):
        if getattr(self, "refused", None):
            print(f"scrapy crawlall: {self.refused}", file=sys.stderr)
            self.exitcode = EXIT_USAGE
            return
        if args:
            raise UsageError(f"crawlall takes no positional arguments (got {' '.join(args)}); use --spiders a,b")
        loader = self.crawler_process.spider_loader
        if opts.spiders:
            names = [n.strip() for n in opts.spiders.split(",") if n.strip()]
            unknown = [n for n in names if n not in loader.list()]
            if unknown or not names:
                raise UsageError(f"no spider named {','.join(unknown) or opts.spiders!r}; `scrapy list` shows them", print_help=False)
        else:
            names = portal_spiders(loader)
        if opts.list:
            print("\n".join(names))
            return
        if not names:
            raise UsageError("no portal spiders found", print_help=False)
        lines = config.problems(self.settings)
        if lines:
            config.report(lines, "scrapy crawlall: ")
            self.exitcode = EXIT_USAGE
            return
        arguments = split_arguments(opts.spargs, names)
        for name in names:
            try:
                loader.load(name)(**arguments[name])
            except SpiderArgumentError as exc:
                print(f"scrapy crawlall: {name}: {exc}", file=sys.stderr)
                self.exitcode = EXIT_USAGE
                return
        try:
            self.exitcode = self.crawl(names, arguments)
        except SystemExit as exc:
            message = configuration_error(exc)
            if message is None:
                raise
            print(f"scrapy crawlall: {message}", file=sys.stderr)
            self.exitcode = EXIT_USAGE

    def prepare_database(self) -> None:
        """Create or upgrade the schema once, before the spiders' stores open it at the same moment.

        Concurrent stores in one process would otherwise race to create the same tables (SQLite has no
        migration lock); afterwards each store finds the database current and changes nothing.
        """
        url = config.for_command(self.settings, "crawlall").database_url
        if not url or "newscrawl.pipelines.store.StorePipeline" not in self.settings.getdict("ITEM_PIPELINES"):
            return
        if not config.for_command(self.settings, "crawlall").db_auto_migrate:
            return
        from newscrawl import db, migrations

        try:
            engine = db.create_engine(url, limits=db.Limits.from_settings(self.settings))
        except ValueError as exc:
            raise SystemExit(str(exc)) from None
        try:
            migrations.upgrade(engine)
        except Exception as exc:
            if db.classify(exc) == "configuration":
                raise SystemExit(f"database {db.shown_url(url)}: {db.describe(exc)}; fix NEWSCRAWL_DATABASE_URL") from None
            # An outage: the stores will meet it too and spool; their lines say so per spider.
            print(f"crawlall: could not prepare the database: {db.describe(exc)}", file=sys.stderr)
        finally:
            engine.dispose()

    def crawl(self, names: list[str], arguments: dict[str, dict]) -> int:
        started, clock = datetime.now(timezone.utc), time.monotonic()
        self.prepare_database()
        jobdir = self.settings.get("JOBDIR")
        crawlers, failures = {}, {}
        for name in names:
            crawler = self._create_crawler(name)
            if jobdir:
                # Each spider keeps its own queue and seen-requests file.
                crawler.settings.set("JOBDIR", str(Path(jobdir) / name), priority=50)  # above -s, which the runner merges again
            crawlers[name] = crawler
            self._watch(self.crawler_process.crawl(crawler, **arguments[name]), name, failures)
        self.crawler_process.start()
        refused = list(dict.fromkeys(line for exc in failures.values() if isinstance(exc, Exception) for line in str(exc).splitlines()))
        if refused:
            config.report(refused, "scrapy crawlall: ")
            return EXIT_USAGE

        max_errors = config.for_command(self.settings, "crawlall").max_errors
        entries = []
        for name, crawler in crawlers.items():
            stats = dict(crawler.stats.get_stats()) if getattr(crawler, "stats", None) is not None else {}
            failure = failures.get(name)
            if failure is None and getattr(crawler, "spider", None) is None:
                failure = "the spider did not start (see the log)"
            entry = spider_summary(name, stats, failure, max_errors)
            entry["arguments"] = arguments[name]
            entry["jobdir"] = None
            entries.append(entry)
        if jobdir:
            self.clear_finished_jobs(Path(jobdir), entries)
        code = overall_exit_code(entries)
        report = {
            "command": "crawlall",
            "started_at": started.isoformat(),
            "finished_at": datetime.now(timezone.utc).isoformat(),
            "duration_s": round(time.monotonic() - clock, 3),
            "hostname": socket.gethostname(),
            "pid": os.getpid(),
            "exit_code": code,
            "status": STATUS.get(code, f"exit {code}"),
            "spiders": entries,
        }
        print(summary_table(entries))
        path = self.write_report(report, started)
        html = self.write_html(self.html) if self.html else None
        if path is None and self.settings.get("NEWSCRAWL_REPORT_PATH"):  # checked at start, failed now: not a 0
            code = most_urgent({code, EXIT_OUTPUT_FAILED})
            entries.append({"spider": "report", "status": STATUS[EXIT_OUTPUT_FAILED], "conditions": [STATUS[EXIT_OUTPUT_FAILED]]})
        print(f"crawlall: {conditions_line(entries)} (exit {code}) in {report['duration_s']:.1f}s" + (f"; report {path}" if path else "")
              + (f"; HTML report {html}" if html else ""))
        sys.stdout.flush()
        return code

    def write_html(self, path: Path) -> Path | None:
        """The HTML report of the last 30 days, this run included; a failure to write it is said, not fatal."""
        from newscrawl.commands.report import make_report
        from newscrawl.reader import CommandError

        try:
            make_report(self.settings, path)
        except CommandError as exc:
            print(f"crawlall: no HTML report: {exc}", file=sys.stderr)
            return None
        return path

    @staticmethod
    def clear_finished_jobs(jobdir: Path, entries: list[dict]) -> None:
        """A finished spider's job state goes, so the next scheduled run starts afresh; a paused one stays to resume.

        Left in place, its seen-requests file would make the next run skip every list page it read before.
        """
        for entry in entries:
            entry["jobdir"] = str(jobdir / entry["spider"])
            if entry["finish_reason"] == "finished" and not entry["failure"]:
                shutil.rmtree(jobdir / entry["spider"], ignore_errors=True)
                entry["jobdir"] = None

    @staticmethod
    def _watch(result, name: str, failures: dict) -> None:
        """Remember why a crawl failed to start or crashed (Deferred or asyncio Task, per reactor setting)."""

        def describe(exc):
            if isinstance(exc, (config.StartError, config.ConfigError)):
                failures[name] = exc  # a configuration that cannot work: one line and exit 2, not a failed spider
                return
            first_line = (str(exc).strip().splitlines() or [""])[0]
            failures[name] = f"{type(exc).__name__}: {first_line}".rstrip(": ")

        if hasattr(result, "addErrback"):
            result.addErrback(lambda f: describe(f.value))
        elif hasattr(result, "add_done_callback"):
            result.add_done_callback(lambda t: None if t.cancelled() or t.exception() is None else describe(t.exception()))

    def write_report(self, report: dict, started: datetime) -> str | None:
        template = config.for_command(self.settings, "crawlall").report_path
        if not template:
            return None
        path = Path(started.strftime(template)).expanduser()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        except OSError as exc:
            print(f"crawlall: cannot write the report to {path}: {exc.strerror}; set NEWSCRAWL_REPORT_PATH", file=sys.stderr)
            return None
        return str(path)
