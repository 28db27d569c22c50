"""`scrapy report OUT.html`: one self-contained HTML page of charts from the store and crawl_runs."""

from __future__ import annotations

import sys
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from scrapy.commands import ScrapyCommand

from newscrawl import config, db, outputs
from newscrawl.exitcodes import EXIT_OUTPUT_FAILED
from newscrawl.extensions.monitor import Thresholds
from newscrawl.reader import CommandError, check_portals, open_database, parse_days, parse_portals, spider_names


def parse_zone(value: str | None):
    """An IANA zone name (Asia/Shanghai, UTC), or None for the machine's own."""
    if not value:
        return None
    try:
        return ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise CommandError(f"--tz {value!r} is not a time zone; use a name like Asia/Shanghai or UTC") from None


def make_report(settings, path: Path, days: int = 30, portals=(), tz=None) -> dict:
    """Read the database named by the settings and write the report; counts for the closing line."""
    from newscrawl import report

    engine = open_database(settings)
    try:
        check_portals(engine, list(portals), spider_names(settings))
        html = report.build(engine, days, portals, tz, Thresholds.from_settings(settings), datetime.now(timezone.utc))
    except sa.exc.DBAPIError as exc:
        raise CommandError(f"database error: {db.describe(exc)}", exitcode=db.exit_code_for(exc)) from None
    finally:
        engine.dispose()
    try:
        report.write(path, html)
    except OSError as exc:
        raise CommandError(f"cannot write {path}: {exc.strerror}", exitcode=EXIT_OUTPUT_FAILED) from None
    return {"bytes": len(html.encode("utf-8")), "charts": html.count('<svg class="chart"')}


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_ENABLED": False}

    def syntax(self):
        return "OUT.html [--days N] [--portal P] [--tz ZONE]"

    def short_desc(self):
        return "Write an HTML report (charts of runs, coverage, alarms, near-duplicates) from the database"

    def add_options(self, parser):
        super().add_options(parser)
        parser.add_argument("--days", metavar="N", default="30", help="days the report covers, up to now (default 30)")
        parser.add_argument("--portal", metavar="P", nargs="?", const="", help="only these portals (comma-separated)")
        parser.add_argument("--tz", metavar="ZONE", help="time zone of days and times (default: the machine's)")

    def run(self, args, opts):
        config.configure(self.settings)
        try:
            if len(args) != 1:
                raise CommandError("give one output file, e.g. `scrapy report report.html`")
            path = Path(args[0]).expanduser()
            days, portals, tz = parse_days(opts.days), parse_portals(opts.portal), parse_zone(opts.tz)
            problem = outputs.problem(path, "file")
            if problem:
                raise CommandError(f"{path}: cannot write there: {problem}")
            lines = config.problems(self.settings)
            if lines:
                raise CommandError(lines[0])
            counts = make_report(self.settings, path, days, portals, tz)
        except CommandError as exc:
            print(f"scrapy report: {exc}", file=sys.stderr)
            self.exitcode = exc.exitcode
            return
        print(f"report: {path} ({counts['charts']} charts, {counts['bytes'] // 1024} KB)")
