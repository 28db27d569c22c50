"""Passwords in URLs never reach a log line: every record's message is masked when it is made."""

from __future__ import annotations

import logging

_installed = False


def install() -> None:
    """Wrap the log record factory once: ``scheme://user:secret@host`` is logged as ``scheme://user:***@host``.

    A factory rather than a handler filter, so it holds for every handler Scrapy, Twisted or a user adds.
    """
    global _installed
    if _installed:
        return
    _installed = True
    from newscrawl.db import mask_passwords

    make = logging.getLogRecordFactory()

    def masked(*args, **kwargs):
        record = make(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a malformed call: leave it to the formatter to report
            return record
        if "@" in message:  # malformed URLs too (no "://"): db.mask_passwords reads the raw text
            record.msg, record.args = mask_passwords(message), ()
        return record

    logging.setLogRecordFactory(masked)
