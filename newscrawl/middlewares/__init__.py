"""Downloader and spider middlewares, one job each (docs/OPERATIONS.md, "Hostile pages")."""


class CrawlerMiddleware:
    """Built by ``from_crawler``; keeps the crawler (its stats and settings)."""

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)
