"""A portal spider whose selectors drift and get fixed (tests of `scrapy reextract`): NEWSCRAWL_TEST_DRIFT=broken breaks it."""

from __future__ import annotations

import os

from newscrawl.pages.base import field
from newscrawl.pages.ofweek import OfweekPage
from newscrawl.spiders.ofweek import OfweekSpider


class OfweekDriftPage(OfweekPage):
    """OFweek's page, except that with NEWSCRAWL_TEST_DRIFT=broken the AI channel's headline selector matches the
    page's description instead (the channel's layout changed)."""

    @field
    def title(self):
        if os.environ.get("NEWSCRAWL_TEST_DRIFT") == "broken" and "//ai.ofweek.com/" in self.response.url:
            return self.read_first("title", 'meta[name="description"]::attr(content)')
        return super().title


class OfweekDriftSpider(OfweekSpider):
    name = "ofweekdrift"
    page_class = OfweekDriftPage
