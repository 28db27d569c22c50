"""`scrapy dedupe-urls`: rewrite stored URLs to today's canonical form and merge the rows that become one."""

from __future__ import annotations

import sys

import sqlalchemy as sa
from scrapy.commands import ScrapyCommand

from newscrawl import config, db, migrations, recanonicalize
from newscrawl.exitcodes import EXIT_SPIDER_FAILED, EXIT_USAGE


class Command(ScrapyCommand):
    requires_project = True
    default_settings = {"LOG_ENABLED": False}

    def syntax(self):
        return "[--dry-run]"

    def short_desc(self):
        return "Rewrite stored URLs to the canonical form and merge rows that become one URL"

    def long_desc(self):
        return (
            "URLs are canonicalised with w3lib (percent-escapes, query order, tracking parameters) and each portal "
            "spider's own rule. Rows stored under an older spelling are rewritten; rows that become one URL are "
            "merged (the portal spider's row wins, its empty fields filled from the others); every old URL is kept "
            "as an alias, so incremental crawls know it. See docs/SCHEMA.md."
        )

    def add_options(self, parser):
        super().add_options(parser)
        parser.add_argument("--dry-run", action="store_true", help="print what would change, change nothing")

    def run(self, args, opts):
        if args:
            print(f"scrapy dedupe-urls: unexpected argument {args[0]!r}", file=sys.stderr)
            self.exitcode = EXIT_USAGE
            return
        try:
            engine = db.create_engine(config.for_command(self.settings, "dedupe-urls").database_url or "")
        except ValueError as exc:
            print(f"scrapy dedupe-urls: {exc}", file=sys.stderr)
            self.exitcode = EXIT_USAGE
            return
        canonical = recanonicalize.canonicalizer(self.crawler_process.spider_loader)
        try:
            migrations.upgrade(engine)
            with engine.begin() as connection:
                todo = recanonicalize.plan(connection, canonical)
                for old, new in sorted(todo.rewrite.items()):
                    print(f"rewrite {old} -> {new}")
                for new, ids in sorted(todo.merge.items()):
                    print(f"merge {len(ids)} rows (ids {', '.join(map(str, ids))}) -> {new}")
                if not opts.dry_run:
                    recanonicalize.apply(connection, todo)
        except sa.exc.SQLAlchemyError as exc:
            print(f"scrapy dedupe-urls: database error, nothing changed: {str(getattr(exc, 'orig', None) or exc).splitlines()[0]}",
                  file=sys.stderr)
            self.exitcode = EXIT_SPIDER_FAILED
            return
        finally:
            engine.dispose()
        verb = "would rewrite" if opts.dry_run else "rewrote"
        print(f"scrapy dedupe-urls: {verb} {len(todo.rewrite)} URL(s), "
              f"{'would merge' if opts.dry_run else 'merged'} {todo.merged_rows} duplicate row(s) into {len(todo.merge)}")
