"""`scrapy migrate`: upgrade the database at NEWSCRAWL_DATABASE_URL to the newest schema revision."""

from __future__ import annotations

import sys

import sqlalchemy as sa
from scrapy.commands import ScrapyCommand

from newscrawl import config, db, migrations


class Command(ScrapyCommand):
    requires_project = True
    default_settings = {"LOG_ENABLED": False}

    def syntax(self):
        return "[--show]"

    def short_desc(self):
        return "Upgrade the newscrawl database schema (Alembic migrations)"

    def add_options(self, parser):
        super().add_options(parser)
        parser.add_argument("--show", action="store_true", help="print the current and newest revision, change nothing")

    def run(self, args, opts):
        url = config.for_command(self.settings, "migrate").database_url or ""
        try:
            engine = db.create_engine(url, limits=db.Limits.from_settings(self.settings))
        except ValueError as exc:
            print(f"scrapy migrate: {exc}", file=sys.stderr)
            self.exitcode = 2
            return
        shown = db.shown_url(engine.url)
        try:
            if opts.show:
                print(f"{shown}: revision {migrations.current_revision(engine) or 'none (empty)'}, newest {migrations.head_revision()}")
                return
            before, after = migrations.upgrade(engine)
            done = "already at" if before == after else f"upgraded from {before or 'empty'} to"
            print(f"{shown}: {done} revision {after}")
        except sa.exc.SQLAlchemyError as exc:
            print(f"scrapy migrate: {shown}: {db.describe(exc)}", file=sys.stderr)
            self.exitcode = db.exit_code_for(exc)
        finally:
            engine.dispose()
