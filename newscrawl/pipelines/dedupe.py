"""Drop the second copy of an article within one run: same canonical URL or same text."""

from __future__ import annotations

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem


class DuplicateUrl(DropItem):
    pass


class DuplicateContent(DropItem):
    pass


class DedupePipeline:
    def __init__(self, crawler):
        self.crawler = crawler
        self.urls: set[str] = set()
        self.hashes: dict[str, str] = {}

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_item(self, item):
        adapter = ItemAdapter(item)
        url, digest = adapter.get("url"), adapter.get("content_hash")
        if url in self.urls:
            raise DuplicateUrl(f"already seen in this run: {url}")
        if digest and digest in self.hashes:
            raise DuplicateContent(f"{url} has the same text as {self.hashes[digest]}")
        self.urls.add(url)
        if digest:
            self.hashes[digest] = url
        return item
