"""JSON text as newscrawl writes it everywhere (JSON Lines, SQLite's JSON columns): UTF-8, one line for any splitter."""

from __future__ import annotations

import json
import re

# str.splitlines() also breaks on NEL, LINE/PARAGRAPH SEPARATOR (JSON leaves them raw when not ASCII-only);
# lone surrogates cannot be written as UTF-8 at all. All of them become \u escapes, which JSON reads back.
_LINE_BREAKERS = re.compile("[\x85\u2028\u2029\ud800-\udfff]")


def escape_line_breakers(encoded_json: str) -> str:
    r"""A JSON text without the characters line splitters break on.

    >>> escape_line_breakers(json.dumps({"t": "a\u2028b\x85"}, ensure_ascii=False))
    '{"t": "a\\u2028b\\u0085"}'
    """
    return _LINE_BREAKERS.sub(lambda m: f"\\u{ord(m.group(0)):04x}", encoded_json)


def json_line(record) -> str:
    """One JSON Lines record (no trailing newline) of a dict of plain values."""
    return escape_line_breakers(json.dumps(record, ensure_ascii=False))
