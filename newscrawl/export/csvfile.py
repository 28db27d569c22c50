"""CSV export: one row per record, RFC 4180 (every text quoted, CRLF), UTF-8 with a BOM, lists as JSON text."""

from __future__ import annotations

import json
from datetime import date, datetime

from newscrawl.export.files import atomic_text

BOM = "\ufeff"  # spreadsheets take a CSV without it for the local code page and garble the Chinese


def field(value) -> str:
    """One CSV field: null is empty, text always quoted (so "" is an empty text, not a null), numbers bare."""
    if value is None:
        return ""
    if isinstance(value, bool):
        value = int(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        value = json.dumps(value, ensure_ascii=False)
    elif isinstance(value, (datetime, date)):
        value = value.isoformat()
    return '"' + value.replace('"', '""') + '"'


def fields(values) -> list[str]:
    """``field`` of each value; a text (most of them) without a call."""
    return ['"' + v.replace('"', '""') + '"' if v.__class__ is str else field(v) for v in values]


def write(batches, target: str, names) -> int:
    """A header of ``names``, then one line per record; return how many records."""
    count = 0
    with atomic_text(target, newline="") as handle:
        if target != "-":
            handle.write(BOM)
        handle.write(",".join(field(name) for name in names) + "\r\n")
        for batch in batches:
            columns = [fields(batch[name]) for name in names]
            handle.write("".join([",".join(row) + "\r\n" for row in zip(*columns)]))
            count += len(batch)
    return count
