"""Text responses lose the control characters XML refuses: lxml builds no text or attribute with them."""

from __future__ import annotations

import re

from scrapy.http import TextResponse

from newscrawl.middlewares import CrawlerMiddleware

# C0 controls but tab and line ends, and DEL: single bytes in every ASCII-compatible encoding (UTF-8, GBK,
# GB18030, Big5, Shift_JIS never use them inside a multi-byte character); UTF-16/32 pages are left alone.
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
_CONTROL_REFS = re.compile(
    rb"&#(?:[xX]0*(?:[0-8bBcCeEfF]|1[0-9a-fA-F]|7[fF])(?![0-9a-fA-F])|0*(?:[0-8]|1[124-9]|2[0-9]|3[01]|127)(?![0-9]));?"
)


def without_controls(body: bytes) -> bytes:
    r"""The bytes without raw control characters nor character references to them.

    >>> without_controls(b"a\x0bb&#11;c&#x0;d&#10;e")
    b'abcd&#10;e'
    """
    body = body.translate(None, _CONTROL_BYTES)
    return _CONTROL_REFS.sub(b"", body) if b"&#" in body else body


class ControlCharactersMiddleware(CrawlerMiddleware):
    """A ``\\x0b`` or ``&#11;`` in a page made lxml raise "All strings must be XML compatible" wherever a spider or
    the extractor set text or read attributes: removed once here, before anything parses the page.
    Counted: ``newscrawl/pages/control_characters``."""

    def process_response(self, request, response, spider=None):
        if not isinstance(response, TextResponse) or response.encoding.lower().startswith(("utf-16", "utf-32", "utf_16", "utf_32")):
            return response
        cleaned = without_controls(response.body)
        if len(cleaned) == len(response.body):
            return response
        self.crawler.stats.inc_value("newscrawl/pages/control_characters")
        return response.replace(body=cleaned)
