"""`scrapy export FORMAT TARGET`: stored articles as JSON Lines, CSV, Parquet, DuckDB (newscrawl/export/) or Hexo posts."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import sqlalchemy as sa
from scrapy.commands import ScrapyCommand

from newscrawl import config, db, hexo, outputs
from newscrawl.export.files import ReaderGone
from newscrawl.export.jobs import Job, parse_cursor, parse_time, run_job
from newscrawl.export.source import Selection, portal_domains, sequential
from newscrawl.reader import CommandError, check_portals, iter_articles, open_database, parse_portals, parse_since, spider_names


# ------------------------------------------------------------------ hexo


def existing_posts(outdir: Path) -> dict[str, Path]:
    """Posts already exported, by the URL hash in their names (to move a post whose title changed)."""
    found = {}
    for path in outdir.rglob("*.md"):
        match = hexo.POST_NAME.search(path.name)
        if match:
            found[match.group(1)] = path
    return found


def write_hexo(articles, outdir: Path, image_proxy: str | None = None) -> dict[str, int]:
    """One post per article; an unchanged post is not rewritten, so Hexo's cache stays warm."""
    counts = {"new": 0, "updated": 0, "unchanged": 0, "moved": 0}
    previous = existing_posts(outdir)
    for article in articles:
        target = outdir / hexo.post_path(article)
        text = hexo.post_text(article, image_proxy)
        old = previous.get(hexo.url_key(article["url"]))
        if old is not None and old != target and old.exists():
            old.unlink()
            counts["moved"] += 1
        if target.exists():
            if target.read_text(encoding="utf-8") == text:
                counts["unchanged"] += 1
                continue
            counts["updated"] += 1
        else:
            counts["new"] += 1
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{target.name}.tmp")
        temporary.write_text(text, encoding="utf-8", newline="\n")
        os.replace(temporary, target)
    return counts


# ------------------------------------------------------------------ the command

DATA_FORMATS = ("jsonl", "csv", "parquet", "duckdb")
USAGE = "use `scrapy export jsonl FILE` or `scrapy export hexo OUTDIR` (also csv FILE, parquet OUTDIR, duckdb FILE)"
TARGETS = {"jsonl": "FILE", "csv": "FILE", "parquet": "OUTDIR", "duckdb": "FILE", "hexo": "OUTDIR"}


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_ENABLED": False}

    def syntax(self):
        return ("{jsonl,csv,duckdb} FILE | parquet OUTDIR | hexo OUTDIR  [--portal P] [--since YYYY-MM-DD] "
                "[--changed-since TIME] [--cursor NAME] [--versions] [--no-bodies] [--skip-near-duplicates] "
                "[--image-proxy PREFIX]")

    def short_desc(self):
        return "Export stored articles: JSON Lines, CSV, Parquet, DuckDB, Hexo posts"

    def long_desc(self):
        return (
            "Read articles from NEWSCRAWL_DATABASE_URL. `jsonl FILE` and `csv FILE` (FILE - is stdout), "
            "`parquet OUTDIR` (Hive-partitioned by portal and local month, bodies apart) and `duckdb FILE` write "
            "the columns of docs/ANALYTICS.md; `hexo OUTDIR` writes one Hexo post per article at "
            "OUTDIR/<categories>/<title>-<url hash>.md and updates it in place on re-export. "
            "--cursor NAME exports what changed since that cursor's last complete export."
        )

    def add_options(self, parser):
        super().add_options(parser)
        # nargs="?": a missing value reaches run() and gets our one-line message, not argparse's usage dump.
        def option(name, metavar, help):
            parser.add_argument(name, metavar=metavar, nargs="?", const="", help=help)

        option("--portal", "P", "only these portals (spider names, comma-separated)")
        option("--since", "YYYY-MM-DD", "only articles published on or after this day")
        option("--changed-since", "TIME", "only articles stored or changed after TIME (ISO 8601; no offset: UTC)")
        option("--cursor", "NAME", "only what changed since this cursor's last complete export; then advance it")
        option("--image-proxy", "PREFIX", "hexo: put PREFIX before every image URL and send no referrer")
        parser.add_argument("--versions", action="store_true",
                            help="jsonl/csv: export the earlier versions of edited articles instead of the articles")
        parser.add_argument("--no-bodies", action="store_true", help="jsonl/csv: leave out body_html and body_text")
        parser.add_argument(
            "--skip-near-duplicates", action="store_true",
            help="leave out syndicated copies (near_duplicate_of set), keeping each story once",
        )

    def run(self, args, opts):
        config.configure(self.settings)  # no crawler process here: the environment is read by hand
        try:
            message = self.export(args, opts)
        except ReaderGone:
            return
        except CommandError as exc:
            print(f"scrapy export: {exc}", file=sys.stderr)
            self.exitcode = exc.exitcode
            return
        print(message, file=sys.stderr if args[1:2] == ["-"] else sys.stdout)

    def check_arguments(self, args, opts) -> str:
        if not args or args[0] not in TARGETS:
            given = f"unknown format {args[0]!r}" if args else "no format given"
            raise CommandError(f"{given}; {USAGE}")
        kind = args[0]
        unknown = [a for a in args if a.startswith("-") and a != "-"]
        if unknown:
            raise CommandError(f"unknown option {unknown[0]}; see `scrapy export -h`")
        if len(args) != 2:
            extra = f" (unexpected: {' '.join(args[2:])})" if len(args) > 2 else ""
            raise CommandError(f"{kind} needs exactly one {TARGETS[kind]}{extra}")
        proxy = opts.image_proxy
        if proxy is not None:
            if kind != "hexo":
                raise CommandError("--image-proxy applies to hexo posts only")
            if not re.match(r"^https?://[^/\s]+", proxy):
                raise CommandError(f"--image-proxy must be an http(s) URL prefix, got {proxy!r}")
        if kind == "hexo" and (opts.changed_since is not None or opts.cursor is not None or opts.versions):
            raise CommandError("--changed-since, --cursor and --versions apply to jsonl, csv, parquet and duckdb")
        if (opts.versions or opts.no_bodies) and kind not in ("jsonl", "csv"):
            raise CommandError(f"--versions and --no-bodies apply to jsonl and csv ({kind} always has both, apart)")
        target = args[1]
        if TARGETS[kind] == "FILE" and target != "-" and (Path(target).is_dir() or not Path(target).parent.is_dir()):
            raise CommandError(f"cannot write {target}: give a file in an existing directory")
        if target == "-" and kind == "duckdb":
            raise CommandError("duckdb needs a file, not stdout")
        if TARGETS[kind] == "OUTDIR" and Path(target).exists() and not Path(target).is_dir():
            raise CommandError(f"OUTDIR {target} is a file, not a directory")
        if kind in DATA_FORMATS and target != "-":
            # Before the store is read, as a crawl checks its outputs (newscrawl/outputs.py): a FILE is written
            # beside itself and renamed over it, an OUTDIR is made when missing.
            where = Path(target) if TARGETS[kind] == "OUTDIR" else Path(target).parent
            problem = outputs.problem(where, "directory")
            if problem:
                raise CommandError(f"{target}: cannot write there: {problem}")
        return kind

    def export(self, args, opts) -> str:
        kind = self.check_arguments(args, opts)
        portals, since = parse_portals(opts.portal), parse_since(opts.since)
        target = args[1]
        engine = open_database(self.settings)
        try:
            check_portals(engine, portals, spider_names(self.settings))
            if kind == "hexo":
                return self.export_hexo(engine, portals, since, target, opts)
            selection = Selection(portals=portals, since=since, originals_only=opts.skip_near_duplicates,
                                  changed_after=parse_time(opts.changed_since),
                                  domains=portal_domains(self.settings))
            job = Job(kind, target, selection, versions=opts.versions, bodies=not opts.no_bodies)
            return run_job(sequential(engine), job, cursor=parse_cursor(opts.cursor))
        except sa.exc.DBAPIError as exc:
            raise CommandError(f"database error: {db.describe(exc)}", exitcode=db.exit_code_for(exc)) from None
        except OSError as exc:  # disk full, no permission, a file where a directory should be
            raise CommandError(f"cannot write {exc.filename or target}: {exc.strerror or exc}", exitcode=1) from None
        finally:
            engine.dispose()

    def export_hexo(self, engine, portals, since, target, opts) -> str:
        articles = iter_articles(engine, portals, since, originals_only=opts.skip_near_duplicates)
        outdir = Path(target)
        outdir.mkdir(parents=True, exist_ok=True)
        counts = write_hexo(articles, outdir, opts.image_proxy)
        total = counts["new"] + counts["updated"] + counts["unchanged"]
        return (
            f"exported {total} articles to {outdir} ({counts['new']} new, {counts['updated']} updated, "
            f"{counts['unchanged']} unchanged, {counts['moved']} moved)"
        )
