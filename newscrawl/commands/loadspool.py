"""`scrapy loadspool [DIR]`: write spooled items (from runs that lost the database) into the database."""

from __future__ import annotations

import os
import sys

import sqlalchemy as sa
from scrapy.commands import ScrapyCommand

from newscrawl import config, db, migrations, spool
from newscrawl.exitcodes import EXIT_NOT_STORED, EXIT_USAGE


class Command(ScrapyCommand):
    requires_project = True
    default_settings = {"LOG_ENABLED": False}

    def syntax(self):
        return "[DIR] [--all]"

    def short_desc(self):
        return "Load spool files (NEWSCRAWL_SPOOL_DIR, default ./spool) into the database"

    def long_desc(self):
        return (
            "Load the spool files meant for NEWSCRAWL_DATABASE_URL into it. With --all, load every spool "
            "file in DIR, whichever database its run was writing to (e.g. after the database moved)."
        )

    def add_options(self, parser):
        super().add_options(parser)
        parser.add_argument("--all", action="store_true", help="load spool files meant for any database")

    def run(self, args, opts):
        directory = args[0] if args else (config.for_command(self.settings, "loadspool").spool_dir or "spool")
        if args and not os.path.isdir(directory):
            print(f"scrapy loadspool: {directory}: no such directory; name the spool directory (NEWSCRAWL_SPOOL_DIR)",
                  file=sys.stderr)
            self.exitcode = EXIT_USAGE
            return
        key = None if opts.all else spool.database_key(config.for_command(self.settings, "loadspool").database_url or "")
        files = spool.pending(directory, key)
        if not files:
            others = len(spool.pending(directory)) if key else 0
            hint = f" ({others} file(s) for other databases: --all loads them)" if others else ""
            print(f"scrapy loadspool: nothing to load in {directory}{hint}")
            return
        url = config.for_command(self.settings, "loadspool").database_url or ""
        try:
            engine = db.create_engine(url, limits=db.Limits.from_settings(self.settings))
        except ValueError as exc:
            print(f"scrapy loadspool: {exc}", file=sys.stderr)
            self.exitcode = EXIT_USAGE
            return
        try:
            migrations.upgrade(engine)
            counts = spool.load(engine, directory, key=key)
        except sa.exc.SQLAlchemyError as exc:
            print(f"scrapy loadspool: {db.shown_url(url)}: {db.describe(exc)}; spool kept", file=sys.stderr)
            self.exitcode = db.exit_code_for(exc)
            return
        finally:
            engine.dispose()
        summary = ", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items())) or "no rows"
        print(f"scrapy loadspool: loaded {len(files)} file(s) from {directory}: {summary}")
        if counts.get("rejected"):
            print(f"scrapy loadspool: {counts['rejected']} rows refused, written with their reasons to "
                  f"{spool.Path(directory) / 'rejects'}", file=sys.stderr)
            self.exitcode = EXIT_NOT_STORED
