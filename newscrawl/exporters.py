"""JSON Lines that every line splitter reads back as one record per line (FEED_EXPORTERS jsonlines/jsonl)."""

from __future__ import annotations

import json
import re

from scrapy.exporters import JsonLinesItemExporter

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


class SafeJsonLinesItemExporter(JsonLinesItemExporter):
    """Scrapy's JSON Lines exporter with ``escape_line_breakers``: 1 item = 1 line for ``str.splitlines()`` too."""

    def export_item(self, item) -> None:
        data = escape_line_breakers(self.encoder.encode(dict(self.get_serialized_fields(item)))) + "\n"
        self.file.write(data.encode(self.encoding or "utf-8"))
