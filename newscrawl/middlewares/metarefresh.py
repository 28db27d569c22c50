"""Follow a meta refresh only when it is in the page's <head>: one inside an article body is content, not a redirect."""

from __future__ import annotations

import logging

from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware
from scrapy.http import HtmlResponse

logger = logging.getLogger(__name__)

_IN_HEAD = ('//head//meta[translate(@http-equiv, "REFSH", "refsh") = "refresh"]'
            '[not(ancestor::noscript)]')


class HeadMetaRefreshMiddleware(MetaRefreshMiddleware):
    """Scrapy's MetaRefreshMiddleware reads the first 4,096 characters wherever the tag is; this one needs it in
    <head> (as parsed by lxml, which moves a meta found after body content into <body>).
    Ignored ones: ``newscrawl/redirect/meta_refresh_in_body``."""

    def process_response(self, request, response, spider=None):
        result = super().process_response(request, response)
        if result is response or not isinstance(response, HtmlResponse):
            return result
        try:
            in_head = bool(response.xpath(_IN_HEAD))
        except Exception:  # markup lxml cannot read: a redirect we cannot place is not followed
            in_head = False
        if in_head:
            return result
        self.crawler.stats.inc_value("newscrawl/redirect/meta_refresh_in_body")
        logger.info("Not following a meta refresh inside the body of %s", response.url)
        return response
