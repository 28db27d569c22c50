"""A portal spider whose selectors drift and get fixed (tests of `scrapy reextract`): NEWSCRAWL_TEST_DRIFT=broken breaks it."""

from __future__ import annotations

import os

from newscrawl.spiders.ofweek import OfweekSpider


class OfweekDriftSpider(OfweekSpider):
    """OFweek, except that with NEWSCRAWL_TEST_DRIFT=broken the AI channel's headline selector matches the page's
    description instead (the channel's layout changed)."""

    name = "ofweekdrift"

    def populate(self, loader, response):
        super().populate(loader, response)
        if os.environ.get("NEWSCRAWL_TEST_DRIFT") == "broken" and "//ai.ofweek.com/" in response.url:
            loader.replace_value("title", response.css('meta[name="description"]::attr(content)').get())
