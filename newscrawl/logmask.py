"""Passwords in URLs never reach a log line: every record's message is masked when it is made."""

from __future__ import annotations

import logging

_steps: set[str] = set()


def add_step(name: str, step) -> None:
    """Once per ``name``: ``step(record)`` runs on every log record as it is made, whatever handler gets it.

    A record factory rather than a handler filter, so it holds for every handler Scrapy, Twisted or a user adds.
    """
    if name in _steps:
        return
    _steps.add(name)
    make = logging.getLogRecordFactory()

    def made(*args, **kwargs):
        record = make(*args, **kwargs)
        step(record)
        return record

    logging.setLogRecordFactory(made)


def install() -> None:
    """``scheme://user:secret@host`` is logged as ``scheme://user:***@host`` (malformed URLs too)."""
    add_step("mask passwords", _mask)


def _mask(record: logging.LogRecord) -> None:
    from newscrawl.db import mask_passwords

    try:
        message = record.getMessage()
    except Exception:  # a malformed call: leave it to the formatter to report
        return
    if "@" in message:  # malformed URLs too (no "://"): db.mask_passwords reads the raw text
        record.msg, record.args = mask_passwords(message), ()
