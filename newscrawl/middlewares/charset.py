"""Decode again a page whose declared charset gives replacement characters its bytes did not contain."""

from __future__ import annotations

import logging
import re

from scrapy.http import TextResponse
from w3lib.encoding import resolve_encoding

from newscrawl.middlewares import CrawlerMiddleware

logger = logging.getLogger(__name__)

_REPLACEMENT_UTF8 = "\ufffd".encode()
# charset-normalizer reads at most this much of a body (docs/OPERATIONS.md, "Bounded work per page"): it decodes
# its whole input once per candidate code page, 1-2 s on the 2 MB a page is cut to. 64 KB of a page's text in
# its encoding tells it apart as well.
MAX_DETECT_BYTES = 65_536
_NON_ASCII = re.compile(rb"[\x80-\xff]")


def detection_sample(body: bytes, limit: int | None = None) -> bytes:
    """What of ``body`` an encoding detector reads: all of it up to ``limit`` bytes, else ``limit`` bytes from
    the tag before its first non-ASCII byte (the ASCII bytes before it read alike in every candidate), ending
    before a tag (``<`` is never inside a character of an ASCII-compatible encoding: no cut character).

    >>> detection_sample(b"<p>a</p>" * 3, 10), detection_sample(b"<p>a</p><p>\\xb9\\xfa</p><p>x</p>", 10)
    (b'<p>a</p>', b'<p>\\xb9\\xfa</p>')
    """
    limit = MAX_DETECT_BYTES if limit is None else limit
    if len(body) <= limit:
        return body
    first = _NON_ASCII.search(body)
    start = max(body.rfind(b"<", 0, first.start()), 0) if first else 0
    end = body.rfind(b"<", start + 1, start + limit)
    return body[start:end if end > start else start + limit]


def guess_encoding(body: bytes) -> str:
    """Scrapy's guess for a page that declares no charset (``TextResponse._auto_detect_fun``: ASCII, UTF-8, else
    charset-normalizer's best), charset-normalizer reading ``detection_sample``; cp1252 when nothing fits (Scrapy
    reads such a page as ASCII, with a replacement character for every other byte)."""
    for encoding in ("ascii", "utf-8"):
        try:
            body.decode(encoding)
            return resolve_encoding(encoding)
        except UnicodeError:
            pass
    from charset_normalizer import from_bytes

    match = from_bytes(detection_sample(body)).best()
    return resolve_encoding(match.encoding if match else "ascii")


class RedecodeMiddleware(CrawlerMiddleware):
    """GBK bytes on a page that declares utf-8 came out as ``����``: try GB18030 (Chinese portals), then
    charset-normalizer's best guess, and keep the decoding only if it has no replacement character.

    Counted: ``newscrawl/encoding/redecoded/<encoding>``; ``newscrawl/encoding/undecodable`` when nothing fits.
    """

    def process_response(self, request, response, spider=None):
        if not isinstance(response, TextResponse) or not response.body:
            return response
        try:
            text = response.text
        except Exception:  # an unknown declared encoding: let the detector pick one
            text = "\ufffd"
        replaced = text.count("\ufffd")
        if not replaced or replaced <= response.body.count(_REPLACEMENT_UTF8):
            return response
        encoding = self.detect(response.body)
        stats = self.crawler.stats
        if encoding is None:
            stats.inc_value("newscrawl/encoding/undecodable")
            logger.warning("%s: declared %s gives %d replacement characters and no other encoding fits",
                           response.url, response.encoding, replaced)
            return response
        stats.inc_value(f"newscrawl/encoding/redecoded/{encoding}")
        logger.info("%s declares %s but is %s: decoded again", response.url, response.encoding, encoding)
        return response.replace(encoding=encoding)

    @staticmethod
    def detect(body: bytes) -> str | None:
        for encoding in ("utf-8", "gb18030"):  # strict: a clean UTF-8 decoding is a strong sign, GBK is the usual other
            try:
                body.decode(encoding)
                return encoding
            except UnicodeDecodeError:
                pass
        from charset_normalizer import from_bytes

        best = from_bytes(detection_sample(body)).best()
        if best is None:
            return None
        try:
            text = body.decode(best.encoding)
        except (UnicodeDecodeError, LookupError):
            return None
        return best.encoding if "\ufffd" not in text else None
