"""`scrapy export jsonl FILE | hexo OUTDIR`: stored articles as JSON Lines or as Hexo posts."""

from __future__ import annotations

import os
import re
import sys
import tempfile
from datetime import datetime, time, timedelta, timezone
from pathlib import Path

import sqlalchemy as sa
from scrapy.commands import ScrapyCommand
from sqlalchemy.engine import make_url

from newscrawl import db, hexo
from newscrawl.exporters import json_line
from newscrawl import processors as p
from newscrawl.items import ARTICLE_FIELDS, LIST_FIELDS


class CommandError(Exception):
    """One line for the user, and the exit status (2: bad arguments or settings, 75: database down, 1: other trouble)."""

    def __init__(self, message: str, exitcode: int = 2):
        super().__init__(message)
        self.exitcode = exitcode


# ------------------------------------------------------------------ reading the store


def open_database(settings) -> sa.Engine:
    """An engine on NEWSCRAWL_DATABASE_URL that holds an ``articles`` table, or a CommandError."""
    url = settings.get("NEWSCRAWL_DATABASE_URL") or ""
    try:
        db.check_database_url(url)
    except ValueError as exc:
        raise CommandError(str(exc)) from None
    parsed = make_url(url)
    shown = parsed.render_as_string(hide_password=True)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        # Opening a missing SQLite file would silently create an empty database.
        if not Path(parsed.database).is_file():
            raise CommandError(
                f"no database at {shown}: run a crawl first or set NEWSCRAWL_DATABASE_URL", exitcode=2
            )
    engine = db.create_engine(url, limits=db.Limits.from_settings(settings))
    try:
        tables = sa.inspect(engine).get_table_names()
    except sa.exc.DBAPIError as exc:
        engine.dispose()
        raise CommandError(f"cannot read the database at {shown}: {db.describe(exc)}", exitcode=db.exit_code_for(exc)) from None
    if "articles" not in tables:
        engine.dispose()
        raise CommandError(f"{shown} has no articles table: run a crawl into it first", exitcode=1)
    return engine


def stored_columns(engine: sa.Engine, table: sa.Table) -> list[sa.Column]:
    """The columns of ``table`` that the database really has (an older schema may lack some)."""
    present = {c["name"] for c in sa.inspect(engine).get_columns(table.name)}
    return [c for c in table.columns if c.name in present]


def parse_since(value: str | None):
    if value == "":
        raise CommandError("--since needs a date like 2024-01-31")
    try:
        return p.parse_since(value)
    except ValueError as exc:
        raise CommandError(f"--since: {exc}") from None


def parse_portals(value: str | None) -> list[str]:
    portals = [x.strip() for x in (value or "").split(",") if x.strip()]
    if value is not None and not portals:
        raise CommandError("--portal needs a portal (spider) name, e.g. --portal ofweek")
    return portals


def spider_names(settings) -> list[str]:
    from scrapy.spiderloader import get_spider_loader

    try:
        return get_spider_loader(settings).list()
    except Exception:  # a broken spider must not stop reading what is stored
        return []


def check_portals(engine: sa.Engine, portals: list[str], known_spiders: list[str]) -> None:
    """A portal nobody ever crawled is a typo: say which ones exist instead of exporting nothing."""
    if not portals:
        return
    table = db.articles
    with engine.connect() as connection:
        stored = set(connection.execute(sa.select(table.c.portal).distinct()).scalars())
    unknown = [x for x in portals if x not in stored and x not in known_spiders]
    if unknown:
        choices = ", ".join(sorted(stored | set(known_spiders))) or "none yet"
        raise CommandError(f"--portal: no portal named {', '.join(unknown)} (known: {choices})")


def article_filters(columns: dict[str, sa.Column], portals: list[str], since) -> list:
    """WHERE clauses for --portal and --since; since is a date on the portal's own calendar."""
    clauses = []
    if portals:
        clauses.append(columns["portal"].in_(portals))
    if since is not None:
        # No portal is more than 14 h ahead of UTC: a bound the (portal, published_at) index can use,
        # then the exact local date from published_at_local (ISO text sorts by its date).
        start = datetime.combine(since, time(), timezone.utc) - timedelta(hours=14)
        clauses.append(columns["published_at"] >= start)
        if "published_at_local" in columns:
            clauses.append(sa.func.substr(columns["published_at_local"], 1, 10) >= since.isoformat())
        else:
            clauses.append(columns["published_at"] >= datetime.combine(since, time(), timezone.utc))
    return clauses


def iter_articles(engine: sa.Engine, portals: list[str] = (), since=None, originals_only=False, batch: int = 500):
    """Stored articles as Article dicts (the crawl's JSON Lines keys), oldest first, streamed.

    ``originals_only`` leaves out syndicated copies (rows with ``near_duplicate_of`` set).
    """
    columns = {c.name: c for c in stored_columns(engine, db.articles)}
    wanted = [columns[name] for name in (*ARTICLE_FIELDS, "published_at_local") if name in columns]
    where = article_filters(columns, list(portals), since)
    if originals_only and "near_duplicate_of" in columns:
        where.append(columns["near_duplicate_of"].is_(None))
    query = sa.select(*wanted).where(*where).order_by(columns["published_at"], columns["id"])
    with engine.connect() as connection:
        for row in connection.execution_options(yield_per=batch).execute(query):
            yield article_from_row(row._mapping)


def article_from_row(row) -> dict:
    """A database row back to the exact Article the crawl produced."""
    row = dict(row)
    article = {}
    for name in ARTICLE_FIELDS:
        value = row.get(name)
        if name in LIST_FIELDS:
            value = list(value or [])
        elif isinstance(value, datetime):
            value = p.to_iso(value)
        article[name] = value
    if row.get("published_at_local"):
        article["published_at"] = row["published_at_local"]
    return article


# ------------------------------------------------------------------ writing


def write_jsonl(articles, target: str) -> int:
    """One JSON object per line, keys in Article order; the file is replaced only when complete."""
    count = 0
    if target == "-":
        for article in articles:
            sys.stdout.write(json_line(article) + "\n")
            count += 1
        return count
    path = Path(target)
    with tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", newline="\n", dir=path.parent, prefix=f".{path.name}.", delete=False
    ) as handle:
        try:
            for article in articles:
                handle.write(json_line(article) + "\n")
                count += 1
        except BaseException:
            handle.close()
            os.unlink(handle.name)
            raise
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(handle.name, 0o666 & ~umask)  # a temporary file is private; the export is an ordinary file
    os.replace(handle.name, path)
    return count


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


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_ENABLED": False}

    def syntax(self):
        return "jsonl FILE | hexo OUTDIR  [--portal P] [--since YYYY-MM-DD] [--image-proxy PREFIX] [--skip-near-duplicates]"

    def short_desc(self):
        return "Export stored articles as JSON Lines or Hexo posts"

    def long_desc(self):
        return (
            "Read articles from NEWSCRAWL_DATABASE_URL. `jsonl FILE` writes the crawl's JSON Lines "
            "(FILE - is stdout); `hexo OUTDIR` writes one Hexo post per article at "
            "OUTDIR/<categories>/<title>-<url hash>.md and updates it in place on re-export."
        )

    def add_options(self, parser):
        super().add_options(parser)
        # nargs="?": a missing value reaches run() and gets our one-line message, not argparse's usage dump.
        parser.add_argument(
            "--portal", metavar="P", nargs="?", const="", help="only these portals (spider names, comma-separated)"
        )
        parser.add_argument(
            "--since", metavar="YYYY-MM-DD", nargs="?", const="", help="only articles published on or after this day"
        )
        parser.add_argument(
            "--image-proxy", metavar="PREFIX", nargs="?", const="",
            help="hexo: put PREFIX before every image URL and send no referrer",
        )
        parser.add_argument(
            "--skip-near-duplicates", action="store_true",
            help="leave out syndicated copies (near_duplicate_of set), keeping each story once",
        )

    def run(self, args, opts):
        try:
            message = self.export(args, opts)
        except CommandError as exc:
            print(f"scrapy export: {exc}", file=sys.stderr)
            self.exitcode = exc.exitcode
            return
        print(message, file=sys.stderr if args[1:2] == ["-"] else sys.stdout)

    def export(self, args, opts) -> str:
        if not args or args[0] not in ("jsonl", "hexo"):
            given = f"unknown format {args[0]!r}" if args else "no format given"
            raise CommandError(f"{given}; use `scrapy export jsonl FILE` or `scrapy export hexo OUTDIR`")
        kind = args[0]
        unknown = [a for a in args if a.startswith("-") and a != "-"]
        if unknown:
            raise CommandError(f"unknown option {unknown[0]}; see `scrapy export -h`")
        if len(args) != 2:
            what = "FILE" if kind == "jsonl" else "OUTDIR"
            extra = f" (unexpected: {' '.join(args[2:])})" if len(args) > 2 else ""
            raise CommandError(f"{kind} needs exactly one {what}{extra}")
        portals, since = parse_portals(opts.portal), parse_since(opts.since)
        proxy = opts.image_proxy
        if proxy is not None:
            if kind != "hexo":
                raise CommandError("--image-proxy applies to hexo posts only")
            if not re.match(r"^https?://[^/\s]+", proxy):
                raise CommandError(f"--image-proxy must be an http(s) URL prefix, got {proxy!r}")
        target = args[1]
        if kind == "jsonl" and target != "-" and (Path(target).is_dir() or not Path(target).parent.is_dir()):
            raise CommandError(f"cannot write {target}: give a file in an existing directory")
        if kind == "hexo" and Path(target).exists() and not Path(target).is_dir():
            raise CommandError(f"OUTDIR {target} is a file, not a directory")

        engine = open_database(self.settings)
        try:
            check_portals(engine, portals, spider_names(self.settings))
            articles = iter_articles(engine, portals, since, originals_only=opts.skip_near_duplicates)
            if kind == "jsonl":
                count = write_jsonl(articles, target)
                return f"exported {count} articles to {target}"
            outdir = Path(target)
            outdir.mkdir(parents=True, exist_ok=True)
            counts = write_hexo(articles, outdir, proxy)
            total = counts["new"] + counts["updated"] + counts["unchanged"]
            return (
                f"exported {total} articles to {outdir} ({counts['new']} new, {counts['updated']} updated, "
                f"{counts['unchanged']} unchanged, {counts['moved']} moved)"
            )
        except sa.exc.DBAPIError as exc:
            raise CommandError(f"database error: {db.describe(exc)}", exitcode=db.exit_code_for(exc)) from None
        except OSError as exc:  # disk full, no permission, a file where a directory should be
            raise CommandError(f"cannot write {exc.filename or target}: {exc.strerror or exc}", exitcode=1) from None
        finally:
            engine.dispose()

