"""The distributed-crawling add-on: switches to the Redis scheduler only when NEWSCRAWL_REDIS_URL is set."""

from __future__ import annotations

from scrapy.exceptions import NotConfigured

from newscrawl import config


class DistributedCrawl:
    """Add-on (ADDONS): with NEWSCRAWL_REDIS_URL set, switch the scheduler and dupefilter to Redis.

    Unset, it raises NotConfigured and nothing changes.
    """

    def __init__(self, url: str):
        self.url = url

    @classmethod
    def from_crawler(cls, crawler):
        url = config.options(crawler.settings).redis_url
        if not url:
            raise NotConfigured
        return cls(url)

    def update_settings(self, settings):
        import redis  # only here: a crawl without NEWSCRAWL_REDIS_URL never imports redis or scrapy-redis

        try:
            server = redis.Redis.from_url(self.url, socket_connect_timeout=5, socket_timeout=5)
            server.ping()
            server.close()
        except (redis.RedisError, ValueError) as exc:
            raise config.StartError(
                f"NEWSCRAWL_REDIS_URL={self.url}: cannot use it ({exc}); start Redis or fix the URL (redis://host:6379/0)"
            ) from None
        prefix = config.options(settings).redis_key_prefix or "newscrawl"
        settings.set("REDIS_URL", self.url, "addon")
        settings.set("SCHEDULER", "newscrawl.distributed.RedisScheduler", "addon")
        settings.set("DUPEFILTER_CLASS", "scrapy_redis.dupefilter.RFPDupeFilter", "addon")
        settings.set("SCHEDULER_QUEUE_KEY", f"{prefix}:%(spider)s:requests", "addon")
        settings.set("SCHEDULER_DUPEFILTER_KEY", f"{prefix}:%(spider)s:dupefilter", "addon")
        settings.set_in_component_priority_dict("EXTENSIONS", "newscrawl.distributed.RedisWorker", 500)
