"""`scrapy reextract`: archived article pages replayed through the spiders, loaders and pipelines, with no network."""

from __future__ import annotations

import sys
from pathlib import Path

import sqlalchemy as sa
from scrapy.commands import BaseRunSpiderCommand
from scrapy.exceptions import UsageError

from newscrawl import arguments, config, db, exitcodes
from newscrawl.archive import reader, replay
from newscrawl.commands.crawl import configuration_error
from newscrawl.exitcodes import EXIT_SPIDER_FAILED, EXIT_USAGE
from newscrawl.reader import CommandError, parse_since

# What a replay turns off: the network and anything that would fetch, the archive writing its own replay, the
# incremental skips (every page is read again), the monitor and the run history (a replay is not a crawl).
REPLAY_SETTINGS = {
    "ROBOTSTXT_OBEY": False, "NEWSCRAWL_MIRROR": "", "NEWSCRAWL_ARCHIVE_DIR": "", "NEWSCRAWL_REDIS_URL": "",
    "NEWSCRAWL_INCREMENTAL": False, "NEWSCRAWL_MONITOR_ENABLED": False, "NEWSCRAWL_RECORD_RUNS": False,
    "DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "CONCURRENT_REQUESTS": 16, "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
    "RETRY_ENABLED": False, "JOBDIR": None,
}
HANDLER = "newscrawl.archive.replay.ArchiveReplayHandler"
OFF_MIDDLEWARES = ("newscrawl.mirror.MirrorDownloaderMiddleware", "newscrawl.middlewares.ssrf.SafeAddressMiddleware")
REEXTRACT_STORE = "newscrawl.pipelines.reextract.ReextractStorePipeline"


class Command(BaseRunSpiderCommand):
    requires_project = True

    def syntax(self):
        return "[--portal P] [--since YYYY-MM-DD] [--url U]"

    def short_desc(self):
        return "Extract archived pages again (NEWSCRAWL_ARCHIVE_DIR) and store what changed as new versions"

    def long_desc(self):
        return (
            "Replay the article pages kept in NEWSCRAWL_ARCHIVE_DIR through each portal's spider, loaders and pipelines, "
            "with no network: an article whose extraction changed gets a new version (reason 'reextract: <fields>'), "
            "an unchanged one is left as it is. --portal: these spiders only; --since: pages fetched on or after "
            "that UTC day; --url: these articles (found through their row, without a scan). See docs/OPERATIONS.md."
        )

    def add_options(self, parser):
        super().add_options(parser)
        parser.add_argument("--portal", metavar="P[,P]", help="spiders whose pages to replay (default: all)")
        parser.add_argument("--since", metavar="YYYY-MM-DD", help="pages fetched on or after this UTC day")
        parser.add_argument("--url", action="append", default=[], metavar="URL", help="an article URL (repeatable)")

    def process_options(self, args, opts):
        super().process_options(args, opts)
        config.configure(self.settings)  # the environment too, before the replay's own settings override it
        self.archive = self.settings.get("NEWSCRAWL_ARCHIVE_DIR") or ""
        for name, value in REPLAY_SETTINGS.items():
            self.settings.set(name, value, priority="cmdline")
        self.settings.set("DOWNLOAD_HANDLERS", {"http": HANDLER, "https": HANDLER}, priority="cmdline")
        middlewares = self.settings.getdict("DOWNLOADER_MIDDLEWARES")
        self.settings.set("DOWNLOADER_MIDDLEWARES", {**middlewares, **dict.fromkeys(OFF_MIDDLEWARES)}, priority="cmdline")
        pipelines = self.settings.getdict("ITEM_PIPELINES")
        store = pipelines.pop("newscrawl.pipelines.store.StorePipeline", 800)
        self.settings.set("ITEM_PIPELINES", {**pipelines, REEXTRACT_STORE: store}, priority="cmdline")

    def run(self, args, opts):
        if args:
            raise UsageError(f"reextract takes no positional arguments (got {' '.join(args)})", print_help=False)
        try:
            lines = config.problems(self.settings)
            if lines:
                raise CommandError(lines[0])
            directory = self._directory()
            since = parse_since(opts.since) if opts.since is not None else None
            portals = self._portals(opts.portal)
            urls = [u.strip() for value in opts.url for u in value.split(",") if u.strip()]
            for url in urls:
                arguments.urls("--url", url)
            for name, cut in reader.repair(directory):
                print(f"reextract: {name} was left open by a killed crawl: {cut} bytes of a cut record removed", file=sys.stderr)
            index, starts = self._select(directory, since, urls)
        except (CommandError, ValueError) as exc:
            print(f"scrapy reextract: {exc}", file=sys.stderr)
            self.exitcode = getattr(exc, "exitcode", EXIT_USAGE)
            return
        by_portal: dict[str, list[str]] = {}
        unassigned = 0
        for entry in starts:
            portal = replay.portal_of(entry, self._spiders())
            if portal is None:
                unassigned += 1
            elif portal in portals:
                by_portal.setdefault(portal, []).append(entry.url)
        if unassigned:
            print(f"reextract: {unassigned} archived article pages belong to no spider of this project: not replayed",
                  file=sys.stderr)
        if not by_portal:
            print("reextract: no archived article page matches")
            return
        try:
            self.exitcode = self.replay(index, by_portal)
        except SystemExit as exc:
            message = configuration_error(exc)
            if message is None:
                raise
            print(f"scrapy reextract: {message}", file=sys.stderr)
            self.exitcode = EXIT_USAGE

    def _directory(self) -> Path:
        if not self.archive:
            raise CommandError("NEWSCRAWL_ARCHIVE_DIR is not set: nothing was archived to re-extract")
        directory = Path(str(self.archive)).expanduser()
        if not directory.is_dir():
            raise CommandError(f"NEWSCRAWL_ARCHIVE_DIR={self.archive}: no such directory")
        return directory

    def _spiders(self) -> dict[str, type]:
        if getattr(self, "_loaded", None) is None:
            loader = self.crawler_process.spider_loader
            self._loaded = {name: loader.load(name) for name in loader.list()}
        return self._loaded

    def _portals(self, value: str | None) -> dict[str, type]:
        spiders = self._spiders()
        if value is None:
            return spiders
        names = [n.strip() for n in value.split(",") if n.strip()]
        unknown = [n for n in names if n not in spiders]
        if unknown or not names:
            raise CommandError(f"--portal: no spider named {', '.join(unknown) or repr(value)}; `scrapy list` shows them")
        return {name: spiders[name] for name in names}

    def _select(self, directory: Path, since, urls: list[str]):
        """The index to serve from and the first pages to replay; for --url, the files its rows name (no scan)."""
        if not urls:
            return replay.build_index(directory, since)
        located = stored_locations(self.settings.get("NEWSCRAWL_DATABASE_URL"), urls)
        files = {reader.resolve(directory, name) for name, _ in located.values()}
        if len(located) < len(urls) or None in files:  # not stored with a location: looked for in every file
            files = None
        index, starts = replay.build_index(directory, since, sorted(files, key=lambda p: p.stat().st_mtime) if files else None)
        wanted = set(urls)
        return index, [e for e in starts if e.url in wanted]

    def replay(self, index: replay.ReplayIndex, by_portal: dict[str, list[str]]) -> int:
        crawlers = {}
        for name, urls in by_portal.items():
            crawler = self.crawler_process.create_crawler(name)
            crawler.settings.set(replay.INDEX_SETTING, index, priority="cmdline")
            crawlers[name] = crawler
            self.crawler_process.crawl(crawler, start_urls=sorted(set(urls)))
        self.crawler_process.start()
        codes = set()
        rows = []
        for name, crawler in crawlers.items():
            stats = crawler.stats.get_stats() if crawler.stats is not None else {}
            codes.add(int(stats.get(exitcodes.EXIT_CODE_KEY) or 0))
            if stats.get("finish_reason") not in (None, "finished") or crawler.spider is None:
                codes.add(EXIT_SPIDER_FAILED)
            rows.append(counts(name, len(set(by_portal[name])), stats))
        print(report(rows))
        return exitcodes.most_urgent(codes)


def stored_locations(url: str | None, urls: list[str]) -> dict[str, tuple[str, int]]:
    """``url -> (archive file, offset)`` of the stored articles among ``urls`` (none when there is no store yet)."""
    try:
        db.check_database_url(url or "")
        engine = db.create_engine(url)
    except ValueError:
        return {}
    try:
        columns = {c["name"] for c in sa.inspect(engine).get_columns("articles")}
        if "archive_file" not in columns:
            return {}
        table = db.articles
        query = sa.select(table.c.url, table.c.archive_file, table.c.archive_offset).where(
            table.c.url.in_(urls), table.c.archive_file.is_not(None))
        with engine.connect() as connection:
            return {u: (f, o) for u, f, o in connection.execute(query)}
    except sa.exc.SQLAlchemyError:
        return {}
    finally:
        engine.dispose()


def counts(portal: str, replayed: int, stats: dict) -> dict:
    """One portal's outcome: pages replayed, articles new / changed (per field) / unchanged, pages that failed."""
    store = {k.removeprefix("newscrawl/store/"): v for k, v in stats.items() if k.startswith("newscrawl/store/")}
    fields = {k.removeprefix("changed/"): v for k, v in store.items() if k.startswith("changed/")}
    stored = store.get("inserted", 0) + store.get("updated", 0) + store.get("improved", 0) + store.get("unchanged", 0)
    return {
        "portal": portal, "replayed": replayed, "new": store.get("inserted", 0),
        "changed": store.get("updated", 0) + store.get("improved", 0), "unchanged": store.get("unchanged", 0),
        "failed": max(0, replayed - stored - store.get("spooled", 0)), "spooled": store.get("spooled", 0),
        "fields": fields, "not_archived": stats.get("newscrawl/reextract/not_archived", 0),
    }


def report(rows: list[dict]) -> str:
    lines = [f"{'portal':<12} {'replayed':>8} {'new':>6} {'changed':>8} {'unchanged':>10} {'failed':>7}  changed fields"]
    for row in rows:
        fields = ", ".join(f"{k} {v}" for k, v in sorted(row["fields"].items())) or "-"
        lines.append(f"{row['portal']:<12} {row['replayed']:>8} {row['new']:>6} {row['changed']:>8} {row['unchanged']:>10} "
                     f"{row['failed']:>7}  {fields}")
    return "\n".join(lines)
