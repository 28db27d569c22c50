"""JSON Lines export: one record per line, keys in column order, times with their offset."""

from __future__ import annotations

from datetime import date, datetime

from newscrawl.jsontext import json_line
from newscrawl.export.files import atomic_text


def plain(record: dict) -> dict:
    """A record with JSON's kinds of values: times ISO 8601 with offset, days YYYY-MM-DD."""
    return {k: v.isoformat() if isinstance(v, (datetime, date)) else v for k, v in record.items()}


def write(batches, target: str) -> int:
    """Write every record of ``batches`` to ``target`` (``-``: stdout); return how many."""
    count = 0
    with atomic_text(target) as handle:
        for records in batches:
            handle.write("".join(json_line(plain(record)) + "\n" for record in records))
            count += len(records)
    return count
