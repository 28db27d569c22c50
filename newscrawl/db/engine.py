"""Engines whose every wait is bounded, and database calls off the reactor's thread."""

from __future__ import annotations

import threading
from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from newscrawl.db.errors import DatabaseTimeout
from newscrawl.jsontext import json_line
from newscrawl.db.urls import check_database_url


class Limits:
    """Time limits of every database call, in seconds (docs/SCHEMA.md, "Time limits")."""

    def __init__(self, connect: float = 5.0, statement: float = 30.0, lock: float = 10.0, keepalive: float = 10.0):
        self.connect, self.statement, self.lock, self.keepalive = connect, statement, lock, keepalive

    @classmethod
    def from_options(cls, options) -> Limits:
        """From newscrawl.config.Options (NEWSCRAWL_STORE_TIMEOUT, NEWSCRAWL_DB_*_TIMEOUT, NEWSCRAWL_DB_KEEPALIVE)."""
        return cls(connect=options.store_timeout, statement=options.db_statement_timeout, lock=options.db_lock_timeout,
                   keepalive=options.db_keepalive)

    @classmethod
    def from_settings(cls, settings) -> Limits:
        from newscrawl import config

        return cls.from_options(config.options(settings))

    @property
    def call(self) -> float:
        """How long one call (connect, ping, a batch's statements) may take before it counts as an outage."""
        return self.connect + self.statement + self.lock + 5.0


def create_engine(url: str, timeout: float = 5.0, limits: Limits | None = None, **kwargs) -> sa.Engine:
    """An engine whose every wait is bounded: connect, statements, lock waits, a silent network (``limits``).

    ``timeout`` alone (seconds) sets the connect and SQLite lock wait limits.
    """
    check_database_url(url)
    limits = limits or Limits(connect=timeout)
    parsed = make_url(url)
    connect_args = kwargs.setdefault("connect_args", {})
    if parsed.get_backend_name() == "postgresql":
        # Fail fast when the server is gone or stops answering; the store retries and spools instead of hanging.
        connect_args.setdefault("connect_timeout", max(1, round(limits.connect)))
        options = f"-c statement_timeout={int(limits.statement * 1000)} -c lock_timeout={int(limits.lock * 1000)}"
        connect_args.setdefault("options", options)
        idle = max(1, round(limits.keepalive))
        for name, value in (("keepalives", 1), ("keepalives_idle", idle), ("keepalives_interval", max(1, idle // 3)),
                            ("keepalives_count", 3), ("tcp_user_timeout", int((limits.keepalive + limits.statement) * 1000))):
            connect_args.setdefault(name, value)
    else:
        connect_args.setdefault("timeout", limits.connect)
        if parsed.database and parsed.database != ":memory:" and not parsed.database.startswith("file:"):
            from pathlib import Path

            folder = Path(parsed.database).expanduser().resolve().parent
            if not folder.is_dir():
                raise ValueError(f"NEWSCRAWL_DATABASE_URL: the directory {folder} of the SQLite file does not exist; create it")
    # JSON as UTF-8 text (SQLite's lists readable with LIKE '%人工智能%' and json_each; jsonb does not care).
    kwargs.setdefault("json_serializer", json_line)
    engine = sa.create_engine(url, pool_pre_ping=True, **kwargs)
    if engine.dialect.name == "sqlite":

        @sa.event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute(f"PRAGMA busy_timeout={int(limits.connect * 1000)}")
            cursor.execute("PRAGMA journal_mode=WAL")
            # 64 MB page cache instead of 2 MB: near-duplicate lookups probe the lsh_bands index at random.
            cursor.execute("PRAGMA cache_size=-65536")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

    return engine


def in_thread(function, *args, timeout: float | None = None):
    """Run ``function(*args)`` on a new daemon thread; a Deferred of its result.

    Daemon, so a call hanging on a dead server never keeps the process alive after Ctrl-C; with
    ``timeout`` the Deferred fails with DatabaseTimeout when the call takes longer (the thread is left
    to finish or die with the process).
    """
    from twisted.internet import reactor
    from twisted.internet.defer import Deferred
    from twisted.python.failure import Failure

    done = Deferred()

    def settle(outcome):
        if not done.called:
            (done.errback if isinstance(outcome, Failure) else done.callback)(outcome)

    def work():
        try:
            outcome = function(*args)
        except BaseException as exc:  # noqa: BLE001 - handed to the Deferred
            outcome = Failure(exc)
        try:
            reactor.callFromThread(settle, outcome)
        except RuntimeError:
            pass  # the reactor is gone
    threading.Thread(target=work, daemon=True, name="newscrawl-db").start()
    if timeout:
        timer = reactor.callLater(timeout, lambda: settle(Failure(DatabaseTimeout(
            f"no answer from the database within {timeout:g} s"))))
        done.addBoth(lambda result: (timer.active() and timer.cancel(), result)[1])
    return done


def utcnow() -> datetime:
    return datetime.now(timezone.utc)
