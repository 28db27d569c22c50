"""JSON Lines export: one record per line, keys in column order, times with their offset."""

from __future__ import annotations

import json

from newscrawl.export.files import atomic_text
from newscrawl.jsontext import escape_line_breakers

_encode = json.JSONEncoder(ensure_ascii=False).encode  # what json.dumps(record, ensure_ascii=False) does
_BREAKERS = ("\x85", "\u2028", "\u2029")


def lines(batch, names) -> bytes:
    """The batch's records as UTF-8 JSON Lines, each newscrawl.jsontext.json_line of the record (the values
    of a batch are already JSON's kinds: times ISO 8601 text, days YYYY-MM-DD)."""
    text = "".join([_encode(dict(zip(names, row))) + "\n" for row in batch.rows(names)])
    if any(c in text for c in _BREAKERS):
        text = escape_line_breakers(text)  # the same as line by line: it replaces single characters
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate
        return escape_line_breakers(text).encode("utf-8")


def write(batches, target: str, names) -> int:
    """Write every record of ``batches`` to ``target`` (``-``: stdout); return how many."""
    count = 0
    with atomic_text(target) as handle:
        handle.flush()
        out = getattr(handle, "buffer", None)  # a stdout replaced by a text stream has none
        for batch in batches:
            data = lines(batch, names)
            out.write(data) if out is not None else handle.write(data.decode("utf-8"))
            count += len(batch)
    return count
