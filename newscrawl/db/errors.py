"""What a database error means for the caller: fix the setting, isolate the row, or retry later."""

from __future__ import annotations

import sqlalchemy as sa

from newscrawl.db.urls import mask_passwords


class DatabaseTimeout(sa.exc.SQLAlchemyError):
    """A database call did not return within its time limit (a hanging server or network)."""


class WorkerError(sa.exc.SQLAlchemyError):
    """A database error raised in the store's worker process (newscrawl/storeworker.py), as plain data:
    what ``classify`` and ``describe`` said of it there, and its exception class name."""

    def __init__(self, kind: str, text: str, name: str):
        super().__init__(kind, text, name)
        self.kind, self.text, self.name = kind, text, name

    def __str__(self) -> str:
        return self.text

    def __reduce__(self):
        return type(self), (self.kind, self.text, self.name)


CONFIGURATION_ERRORS = (
    "password authentication failed", "role \"", "does not exist", "could not translate host name",
    "name or service not known", "nodename nor servname", "no pg_hba.conf entry", "unable to open database file",
    "invalid dsn", "invalid connection option", "sslmode value", "authentication failed", "temporary failure in name resolution",
)


def classify(exc: BaseException) -> str:
    """What a database error means for the caller.

    ``configuration`` (a wrong password, role, database, host or path: retrying cannot help, fix the
    setting), ``rejected`` (the database refuses a row or a value: isolate it), ``outage`` (the
    server is down, slow, locked or cut off: retry later, spool meanwhile).
    """
    if isinstance(exc, DatabaseTimeout):
        return "outage"
    if isinstance(exc, WorkerError):
        return exc.kind
    message = describe(exc).lower()
    if isinstance(exc, (sa.exc.OperationalError, sa.exc.InterfaceError)) and any(m in message for m in CONFIGURATION_ERRORS):
        return "configuration"
    if isinstance(exc, (sa.exc.DataError, sa.exc.IntegrityError)):
        return "rejected"
    if isinstance(exc, sa.exc.StatementError) and not isinstance(exc, sa.exc.DBAPIError):
        return "rejected"  # a value the driver cannot send (bad date, wrong type)
    if isinstance(exc, (ValueError, TypeError, OverflowError)):
        return "rejected"
    return "outage"


def describe(exc: BaseException) -> str:
    """The first line of a database error, without SQLAlchemy's statement dump, passwords masked."""
    text = str(getattr(exc, "orig", None) or exc).strip()
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return mask_passwords(" ".join(lines[:2]) if lines and lines[0].endswith(":") else (lines[0] if lines else type(exc).__name__))


def exit_code_for(exc: BaseException) -> int:
    """A command's exit code for a database error: 2 fix the setting, 75 retry later, 74 refused, 1 otherwise."""
    from newscrawl.exitcodes import EXIT_NOT_STORED, EXIT_SPIDER_FAILED, EXIT_SPOOLED, EXIT_USAGE

    kind = classify(exc)
    if kind == "configuration":
        return EXIT_USAGE
    if kind == "rejected":
        return EXIT_NOT_STORED
    if isinstance(exc, (DatabaseTimeout, sa.exc.OperationalError, sa.exc.InterfaceError)):
        return EXIT_SPOOLED
    return EXIT_SPIDER_FAILED
