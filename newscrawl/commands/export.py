"""`scrapy export jsonl FILE | hexo OUTDIR`: stored articles as JSON Lines or as Hexo posts."""

from __future__ import annotations

import os
import re
import sys
import tempfile
from pathlib import Path

import sqlalchemy as sa
from scrapy.commands import ScrapyCommand

from newscrawl import config, db, hexo
from newscrawl.exporters import json_line
from newscrawl.reader import CommandError, check_portals, iter_articles, open_database, parse_portals, parse_since, spider_names


# ------------------------------------------------------------------ writing


class ReaderGone(Exception):
    """stdout's reader closed the pipe (`| head`): it has what it wanted, so the export stops quietly."""


def write_jsonl(articles, target: str) -> int:
    """One JSON object per line, keys in Article order; the file is replaced only when complete."""
    count = 0
    if target == "-":
        try:
            for article in articles:
                sys.stdout.write(json_line(article) + "\n")
                count += 1
            sys.stdout.flush()
        except BrokenPipeError:
            # Python would fail again flushing stdout at exit: point it at /dev/null first.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise ReaderGone from None
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
            articles = iter_articles(engine, portals, since, originals_only=opts.skip_near_duplicates,
                                     database_fields=kind == "jsonl")
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

