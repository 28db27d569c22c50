"""Drop items that cannot be articles (no url, title or body), and count field coverage."""

from __future__ import annotations

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem

from newscrawl.items import ARTICLE_FIELDS


class InvalidArticle(DropItem):
    """Base of the validation drop reasons."""


class MissingUrl(InvalidArticle):
    pass


class MissingTitle(InvalidArticle):
    pass


class MissingBodyText(InvalidArticle):
    pass


REQUIRED = {
    "url": MissingUrl,
    "title": MissingTitle,
    "body_text": MissingBodyText,
}


class ValidatePipeline:
    """Counts ``newscrawl/field/<name>/missing`` for every field; drops items without a required one.

    A missing ``published_at`` is no reason to lose an article: it is stored with ``published_at`` null
    and counted in ``newscrawl/field/published_at/missing``, which the monitor's coverage watches.
    """

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_item(self, item):
        adapter = ItemAdapter(item)
        stats = self.crawler.stats
        stats.inc_value("newscrawl/items/checked")
        for name in ARTICLE_FIELDS:
            if adapter.get(name) in (None, "", [], ()):
                stats.inc_value(f"newscrawl/field/{name}/missing")
        for name, reason in REQUIRED.items():
            value = adapter.get(name)
            if value in (None, "", [], ()):
                raise reason(f"{name} missing on {adapter.get('url') or '(no url)'}")
        return item
