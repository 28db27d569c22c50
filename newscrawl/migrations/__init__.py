"""Alembic migrations of the newscrawl database, and the helpers that run them (`scrapy migrate`)."""

from __future__ import annotations

import contextlib

import sqlalchemy as sa

from newscrawl.packaged import package_dir

FIRST_REVISION = "0001"
# The newest revision: a new migration sets it (tests/test_store_db.py checks it against Alembic's head).
# A crawl whose database is already there asks the database for its revision and imports no Alembic.
HEAD = "0006"
# Any 64-bit number: PostgreSQL advisory lock held while migrating, so concurrent crawls do not race.
_LOCK_KEY = 7_140_502_211


def alembic_config(connection: sa.Connection | None = None):
    from alembic.config import Config

    config = Config()
    # package_dir: a real directory even when running from a zipped egg (Scrapyd).
    config.set_main_option("script_location", str(package_dir(__name__)))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest revision, as Alembic reads it from the migration scripts."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def stored_revision(connection: sa.Connection) -> str | None:
    """What ``alembic_version`` holds, read without Alembic; None when the table is missing or empty."""
    if not sa.inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


def unversioned_revision(connection: sa.Connection) -> str | None:
    """The revision a database without ``alembic_version`` matches: made by ``metadata.create_all``.

    The first version of newscrawl created its table that way (revision 0001); tests and tools may do
    the same with today's metadata. The newest revision whose tables are all present is taken.
    """
    tables = set(sa.inspect(connection).get_table_names())
    # A new revision that adds a table adds its check here, newest first.
    if "articles" not in tables:
        return None
    if {"listing_walks", "gone_urls"} <= tables:
        columns = {c["name"] for c in sa.inspect(connection).get_columns("articles")}
        # 0005 changed no table (SQLite's JSON text): today's create_all is the newest
        return "0006" if "archive_file" in columns else "0005"
    if "url_aliases" in tables:
        return "0003"
    if {"article_versions", "lsh_bands", "crawl_runs"} <= tables:
        return "0002"
    return FIRST_REVISION


def current_revision(engine: sa.Engine) -> str | None:
    """The database's revision; for a database that predates Alembic, the one its tables match."""
    with engine.connect() as connection:
        revision = stored_revision(connection)
        return revision if revision is not None else unversioned_revision(connection)


def upgrade(engine: sa.Engine) -> tuple[str | None, str]:
    """Bring the database to the newest revision; return (revision before, revision after)."""
    with engine.connect() as connection:  # at the newest already (every run but the first): nothing to lock
        if stored_revision(connection) == HEAD:
            return HEAD, HEAD
    from alembic import command
    from alembic.runtime.migration import MigrationContext

    with _sqlite_file_lock(engine), engine.begin() as connection, _migration_lock(connection):
        context = MigrationContext.configure(connection)
        before = context.get_current_revision()
        config = alembic_config(connection)
        if before is None and (matched := unversioned_revision(connection)) is not None:
            # Made by metadata.create_all (the first version did so): record what it matches, upgrade from there.
            command.stamp(config, matched)
            before = matched
        command.upgrade(config, "head")
        return before, head_revision()


def lock_path(database: str) -> str:
    """The lock file of one SQLite database while it migrates: a separate file, since closing a descriptor
    of the database itself would drop SQLite's own POSIX locks."""
    import hashlib
    import os
    import tempfile

    key = hashlib.sha256(os.path.abspath(database).encode()).hexdigest()[:16]
    return os.path.join(tempfile.gettempdir(), f"newscrawl-migrate-{key}.lock")


@contextlib.contextmanager
def _sqlite_file_lock(engine: sa.Engine):
    """Workers started together on one fresh SQLite file would both create the tables: one at a time."""
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if not database or database == ":memory:" or database.startswith("file:"):
        yield
        return
    import fcntl
    import os

    path = lock_path(database)
    while True:
        handle = open(path, "a")
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            if os.fstat(handle.fileno()).st_ino == os.stat(path).st_ino:
                break  # still the file at that path: ours
        except FileNotFoundError:
            pass
        handle.close()  # the holder before us removed it while we waited: lock the new one
    try:
        yield
    finally:
        # Removed while still locked, so a waiter sees its file is gone and retries (no lock file is left behind).
        os.unlink(path)
        handle.close()


@contextlib.contextmanager
def _migration_lock(connection: sa.Connection):
    if connection.dialect.name != "postgresql":
        yield
        return
    connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
    yield
