"""`scrapy loadspool [DIR]`: write spooled items (from runs that lost the database) into the database."""

from __future__ import annotations

import sys

import sqlalchemy as sa
from scrapy.commands import ScrapyCommand

from newscrawl import db, migrations, spool


class Command(ScrapyCommand):
    requires_project = True
    default_settings = {"LOG_ENABLED": False}

    def syntax(self):
        return "[DIR]"

    def short_desc(self):
        return "Load spool files (NEWSCRAWL_SPOOL_DIR, default ./spool) into the database"

    def run(self, args, opts):
        directory = args[0] if args else (self.settings.get("NEWSCRAWL_SPOOL_DIR") or "spool")
        files = spool.pending(directory)
        if not files:
            print(f"scrapy loadspool: nothing to load in {directory}")
            return
        try:
            engine = db.create_engine(self.settings.get("NEWSCRAWL_DATABASE_URL") or "")
        except ValueError as exc:
            print(f"scrapy loadspool: {exc}", file=sys.stderr)
            self.exitcode = 2
            return
        try:
            migrations.upgrade(engine)
            counts = spool.load(engine, directory)
        except sa.exc.SQLAlchemyError as exc:
            print(f"scrapy loadspool: database error, spool kept: {str(getattr(exc, 'orig', None) or exc).splitlines()[0]}", file=sys.stderr)
            self.exitcode = 1
            return
        finally:
            engine.dispose()
        summary = ", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items())) or "no rows"
        print(f"scrapy loadspool: loaded {len(files)} file(s) from {directory}: {summary}")
