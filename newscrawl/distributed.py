"""Distributed crawling on scrapy-redis: NEWSCRAWL_REDIS_URL makes worker processes share one crawl."""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from datetime import datetime

import redis
from scrapy import signals
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy.utils.misc import load_object
from scrapy_redis import connection
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler

from newscrawl import config

logger = logging.getLogger(__name__)

JOB_META = "newscrawl_redis_job"
LAST_WORKER_KEY = "newscrawl/redis/last_worker"  # this worker closed a finished crawl: nobody else is left

# Pop the best request and, in the same step, file it under this worker as in flight.
_POP = """
local found = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #found == 0 then return false end
redis.call('ZREM', KEYS[1], found[1])
redis.call('HSET', KEYS[2], ARGV[1], found[2] .. '\\n' .. found[1])
return found[1]
"""
# Mark a request seen and queue it in one step: a worker killed between the two (scrapy-redis does them one
# after the other) left its fingerprint in the dupefilter and the request nowhere, and the list page that
# yields it, fetched again after the kill, had it dropped as seen: an article lost.
_PUSH_UNSEEN = """
if redis.call('SADD', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
return 1
"""
# Hand the in-flight requests of workers whose heartbeat ran out (or of one named worker) back to the queue.
_REQUEUE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local workers
if ARGV[2] ~= '' then workers = {ARGV[2]} else workers = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now) end
local result = {}
for _, worker in ipairs(workers) do
  local key = ARGV[1] .. worker
  local entries = redis.call('HVALS', key)
  for _, entry in ipairs(entries) do
    local cut = string.find(entry, '\\n', 1, true)
    redis.call('ZADD', KEYS[1], tonumber(string.sub(entry, 1, cut - 1)), string.sub(entry, cut + 1))
  end
  redis.call('DEL', key)
  redis.call('ZREM', KEYS[2], worker)
  table.insert(result, worker)
  table.insert(result, #entries)
end
return result
"""
_HEARTBEAT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
return now
"""
# Requests in flight anywhere but here, and other workers still alive.
_ELSEWHERE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local busy, alive = 0, 0
local entries = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
for i = 1, #entries, 2 do
  if entries[i] ~= ARGV[2] then
    busy = busy + redis.call('HLEN', ARGV[1] .. entries[i])
    if tonumber(entries[i + 1]) >= now then alive = alive + 1 end
  end
end
return {busy, alive}
"""


class ReliableQueue(PriorityQueue):
    """scrapy-redis' priority queue, plus a per-worker list of the requests it took and has not finished.

    Keys, all under the queue key K: ``K`` (sorted set of requests), ``K:workers`` (sorted set: worker ->
    heartbeat deadline in ms of Redis server time), ``K:processing:<worker>`` (hash: job id -> score and request).
    """

    def __init__(self, server, spider, key, worker: str, reliable: bool = True, serializer=None):
        super().__init__(server, spider, key, serializer)
        self.worker = worker
        self.reliable = reliable
        self.workers_key = f"{self.key}:workers"
        self.processing_prefix = f"{self.key}:processing:"
        self.processing_key = self.processing_prefix + worker
        self.jobs = 0
        self._pop = server.register_script(_POP)
        self._requeue = server.register_script(_REQUEUE)
        self._heartbeat = server.register_script(_HEARTBEAT)
        self._elsewhere = server.register_script(_ELSEWHERE)
        self._push_unseen = server.register_script(_PUSH_UNSEEN)

    def push_unseen(self, request, seen_key: str, fingerprint: str) -> bool:
        """Queue the request unless the dupefilter at ``seen_key`` has its fingerprint; both in one step."""
        data = self._encode_request(request)
        return bool(self._push_unseen(keys=[seen_key, self.key], args=[fingerprint, -request.priority, data]))

    def pop(self, timeout=0):
        if not self.reliable:
            return super().pop(timeout)
        self.jobs += 1
        job = str(self.jobs)
        data = self._pop(keys=[self.key, self.processing_key], args=[job])
        if not data:
            return None
        request = self._decode_request(data)
        request.meta[JOB_META] = job
        return request

    def ack(self, job: str) -> bool:
        return bool(self.server.hdel(self.processing_key, job))

    def in_flight(self) -> int:
        return self.server.hlen(self.processing_key)

    def heartbeat(self, ttl: float) -> None:
        self._heartbeat(keys=[self.workers_key], args=[self.worker, int(ttl * 1000)])

    def requeue_dead(self) -> dict[str, int]:
        """Re-queue the in-flight requests of every worker whose heartbeat ran out: {worker: count}."""
        flat = self._requeue(keys=[self.key, self.workers_key], args=[self.processing_prefix, ""])
        return {_text(flat[i]): int(flat[i + 1]) for i in range(0, len(flat), 2)}

    def release(self) -> int:
        """Leave the crawl: put back what this worker took and did not finish."""
        flat = self._requeue(keys=[self.key, self.workers_key], args=[self.processing_prefix, self.worker])
        return int(flat[1]) if flat else 0

    def elsewhere(self) -> tuple[int, int]:
        """(requests in flight at other workers, other workers alive)."""
        busy, alive = self._elsewhere(keys=[self.workers_key], args=[self.processing_prefix, self.worker])
        return int(busy), int(alive)


class SharedWalks:
    """The listing walks of one distributed crawl, in Redis under ``K`` = ``{prefix}:{spider}:walks``.

    ``K:started`` the walks' start time, the same for every worker (the first one sets it); ``K:listings``
    (sorted set) each listing walked and its deepest page; ``K:workers`` (hash) each worker that joined:
    ``running``, then ``clean`` or ``unclean`` (it failed requests or lost items) when it leaves. The last
    worker of a finished crawl completes the walks only when every worker left clean: a killed one never
    leaves, so its walks stay open and the next run reads them to the end (docs/SCHEMA.md).
    """

    def __init__(self, server, key: str, worker: str):
        self.server, self.key, self.worker = server, key, worker

    def join(self, now: datetime) -> datetime:
        """Register this worker; the crawl's walk start time (this one's ``now`` if it is the first)."""
        self.server.hset(f"{self.key}:workers", self.worker, "running")
        self.server.set(f"{self.key}:started", now.isoformat(), nx=True)
        return datetime.fromisoformat(_text(self.server.get(f"{self.key}:started")))

    def walked(self, listing: str, depth: int) -> None:
        self.server.zadd(f"{self.key}:listings", {listing: depth}, gt=True)

    def leave(self, clean: bool) -> None:
        self.server.hset(f"{self.key}:workers", self.worker, "clean" if clean else "unclean")

    def finish(self) -> tuple[dict[str, int], list[str]]:
        """For the crawl's last worker: (the walks to complete, the workers that did not leave clean); the keys go."""
        workers = {_text(k): _text(v) for k, v in self.server.hgetall(f"{self.key}:workers").items()}
        listings = {_text(k): int(v) for k, v in self.server.zrange(f"{self.key}:listings", 0, -1, withscores=True)}
        self.server.delete(f"{self.key}:workers", f"{self.key}:listings", f"{self.key}:started")
        return listings, sorted(w for w, state in workers.items() if state != "clean")


class RedisScheduler(Scheduler):
    """scrapy-redis' scheduler with a reliable queue: a killed worker's requests go back to the queue.

    scrapy-redis pops a request and forgets it; if the worker dies before finishing it, it is lost
    (the dupefilter already holds its fingerprint, so nobody fetches it again). Here every popped request
    is kept under the worker until its response has been handled (`RedisWorker`), and the others re-queue
    it when the worker's heartbeat stops. The queue and dupefilter persist across workers; the last
    worker to finish a complete crawl clears the dupefilter so the next run starts afresh.
    """

    def __init__(self, server, *, worker: str, reliable: bool = True, **kwargs):
        super().__init__(server, persist=True, **kwargs)
        self.worker = worker
        self.reliable = reliable
        self.queue: ReliableQueue | None = None

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        kwargs = {"flush_on_start": settings.getbool("SCHEDULER_FLUSH_ON_START")}
        for name, setting in (("queue_key", "SCHEDULER_QUEUE_KEY"), ("dupefilter_key", "SCHEDULER_DUPEFILTER_KEY"),
                              ("dupefilter_cls", "DUPEFILTER_CLASS")):
            if settings.get(setting):
                kwargs[name] = settings.get(setting)
        worker = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        instance = cls(
            connection.get_redis_from_settings(settings),
            worker=worker,
            reliable=config.options(settings).redis_recovery,
            **kwargs,
        )
        instance.stats = crawler.stats
        instance.crawler = crawler
        instance.heartbeat_ttl = config.options(settings).redis_heartbeat
        instance.walks_prefix = config.options(settings).redis_key_prefix or "newscrawl"
        return instance

    def open(self, spider):
        self.spider = spider
        self.queue = ReliableQueue(
            self.server, spider, self.queue_key, worker=self.worker, reliable=self.reliable,
            serializer=self.serializer,
        )
        self.df = load_object(self.dupefilter_cls).from_spider(spider)
        self.walks = SharedWalks(self.server, f"{self.walks_prefix}:{spider.name}:walks", self.worker)
        if self.flush_on_start:
            self.flush()
        if len(self.queue):
            logger.info("Worker %s joins a crawl with %d requests queued", self.worker, len(self.queue))
        from twisted.internet import task

        # From here on, before the pipelines open: a worker is alive as long as its reactor turns.
        self.last_beat = None
        self.beats = task.LoopingCall(self.beat)
        self.beats.start(min(0.5, self.heartbeat_ttl / 5), now=True)

    def beat(self):
        """Heartbeat; re-queue the requests of workers whose heartbeat ran out; wake the engine."""
        now = time.monotonic()
        if self.last_beat is not None and now - self.last_beat > self.heartbeat_ttl / 2:
            logger.warning(
                "Heartbeat %.1f s late (reactor busy); others declare this worker dead after NEWSCRAWL_REDIS_HEARTBEAT=%s s",
                now - self.last_beat, self.heartbeat_ttl,
            )
        self.last_beat = now
        try:
            self.queue.heartbeat(self.heartbeat_ttl)
            for worker, count in self.queue.requeue_dead().items():
                self.stats.inc_value("newscrawl/redis/dead_workers")
                self.stats.inc_value("newscrawl/redis/recovered", count)
                logger.warning("Worker %s stopped answering: put its %d unfinished requests back in the queue", worker, count)
        except redis.RedisError as exc:
            logger.error("Redis unreachable (%s); retrying", exc)
            return
        # An idle engine looks at its scheduler (and fires spider_idle) only every 5 s; wake it so that
        # work queued by others starts, and the idle timeout is checked, without that delay.
        slot = getattr(self.crawler.engine, "_slot", None)
        if slot is not None:
            slot.nextcall.schedule()

    def close(self, reason):
        if self.beats.running:
            self.beats.stop()
        # Said before leaving the workers' set, so that the last one out sees it (the pipelines have closed).
        from newscrawl.incremental import unfinished_work

        self.walks.leave(clean=not unfinished_work(self.stats.get_stats()))
        requeued = self.queue.release()
        if requeued:
            self.stats.inc_value("newscrawl/redis/requeued_on_close", requeued)
            logger.info("Put %d unfinished requests back in the queue for other workers", requeued)
        busy, alive = self.queue.elsewhere()
        if reason == "finished" and not len(self.queue) and not busy and not alive:
            self.stats.set_value(LAST_WORKER_KEY, 1)
            self.df.clear()
            self.server.delete(self.queue.workers_key)
            logger.info("Last worker of a finished crawl: cleared the Redis dupefilter for the next run")

    # enqueue_request and next_request are scrapy-redis' own, without the spider= argument to
    # StatsCollector.inc_value that Scrapy 2.19 deprecates.
    def enqueue_request(self, request):
        # A redirect or retry of a request in flight replaces it: once the new one is queued the old is done.
        job = request.meta.pop(JOB_META, None)
        try:
            if request.dont_filter:
                self.queue.push(request)
            elif not self.queue.push_unseen(request, self.df.key, self.df.request_fingerprint(request)):
                self.df.log(request, self.spider)
                return False
            self.stats.inc_value("scheduler/enqueued/redis")
            return True
        finally:
            if job is not None:
                self.ack(job)

    def next_request(self):
        request = self.queue.pop()
        if request is not None:
            self.stats.inc_value("scheduler/dequeued/redis")
            self.stats.inc_value("newscrawl/redis/taken")
        return request

    def ack(self, job: str) -> None:
        if self.queue.ack(job):
            self.stats.inc_value("newscrawl/redis/done")


class RedisWorker:
    """Extension for Redis workers: marks a request done when its response is handled, closes when idle.

    NEWSCRAWL_REDIS_IDLE_TIMEOUT (s): close once the shared queue has been empty, with nothing in flight
    at any worker (alive, or dead and not yet re-queued), that long. Done means the callback's items went
    through the pipelines, and the store pipeline returns an item only once its row is written.
    """

    def __init__(self, crawler):
        self.crawler = crawler
        self.idle_timeout = config.options(crawler.settings).redis_idle_timeout
        self.scheduler: RedisScheduler | None = None
        self.idle_since: float | None = None

    @classmethod
    def from_crawler(cls, crawler):
        if not config.options(crawler.settings).redis_url:
            raise NotConfigured
        extension = cls(crawler)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self, spider):
        scheduler = self.crawler.engine.scheduler
        if not isinstance(scheduler, RedisScheduler):
            logger.warning("NEWSCRAWL_REDIS_URL is set but SCHEDULER is %s: not a Redis worker", type(scheduler).__name__)
            return
        self.scheduler = scheduler
        scraper = self.crawler.engine.scraper
        enqueue_scrape = scraper.enqueue_scrape

        # Scrapy has no signal for "this response's output went through the pipelines"; the scraper's
        # Deferred for it is that moment, so the request is done there.
        def enqueue_scrape_and_ack(result, request):
            self.idle_since = None
            return enqueue_scrape(result, request).addBoth(self._done, request)

        scraper.enqueue_scrape = enqueue_scrape_and_ack

    def _done(self, result, request):
        job = request.meta.get(JOB_META)
        if job is not None and self.scheduler is not None:
            self.scheduler.ack(job)
        return result

    def spider_idle(self, spider):
        if self.scheduler is None:
            return
        busy, _ = self.scheduler.queue.elsewhere()
        if len(self.scheduler.queue) or busy:
            self.idle_since = None
            raise DontCloseSpider
        now = time.monotonic()
        if self.idle_since is None:
            self.idle_since = now
        if now - self.idle_since < self.idle_timeout:
            raise DontCloseSpider
        logger.info("Shared queue empty for %.0f s and nothing in flight: closing this worker", self.idle_timeout)

    def spider_closed(self, spider, reason):
        stats = self.crawler.stats
        if self.scheduler is not None:
            logger.info(
                "Redis worker %s: took %d requests, finished %d, recovered %d from dead workers",
                self.scheduler.worker, stats.get_value("newscrawl/redis/taken", 0),
                stats.get_value("newscrawl/redis/done", 0), stats.get_value("newscrawl/redis/recovered", 0),
            )


def _text(value) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
