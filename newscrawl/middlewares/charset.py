"""Decode again a page whose declared charset gives replacement characters its bytes did not contain."""

from __future__ import annotations

import logging

from scrapy.http import TextResponse

from newscrawl.middlewares import CrawlerMiddleware

logger = logging.getLogger(__name__)

_REPLACEMENT_UTF8 = "\ufffd".encode()


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

        best = from_bytes(body[:1_000_000]).best()
        if best is None:
            return None
        try:
            text = body.decode(best.encoding)
        except (UnicodeDecodeError, LookupError):
            return None
        return best.encoding if "\ufffd" not in text else None
