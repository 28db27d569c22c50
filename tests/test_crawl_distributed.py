"""Redis workers sharing one crawl of a 300-article OFweek-like site; a SIGKILLed worker's requests are recovered."""

from __future__ import annotations

import signal
import time

import pytest

from newscrawl import config
from ofweek_site import write_site
from redis_workers import in_flight, start_worker, stored_urls, worker_log, worker_stats

ARTICLES = 300


@pytest.fixture
def site(tmp_path):
    mirror = tmp_path / "mirror"
    return mirror, write_site(mirror, ARTICLES)


def wait(processes, timeout=90):
    deadline = time.monotonic() + timeout
    for process in processes:
        try:
            process.wait(max(0.1, deadline - time.monotonic()))
        except Exception:
            for other in processes:
                other.kill()
            raise


def redis_client(url):
    import redis

    return redis.Redis.from_url(url)


def test_two_workers_share_one_crawl_and_store_every_article_once(redis_keys, site, tmp_path):
    url, prefix = redis_keys
    mirror, urls = site
    database = tmp_path / "news.db"
    workers = [
        start_worker(name, tmp_path, mirror, database, redis_url=url, prefix=prefix, latency=0.03)
        for name in ("a", "b")
    ]
    wait(workers)
    assert [w.returncode for w in workers] == [0, 0], worker_log(tmp_path, "a")[-3000:] + worker_log(tmp_path, "b")[-3000:]
    stats = [worker_stats(tmp_path, name) for name in ("a", "b")]

    stored = stored_urls(database)
    assert sorted(stored) == sorted(urls)
    # Exactly once: every page was fetched by one worker only, every article scraped and inserted once.
    assert [s.get("item_scraped_count", 0) > 0 for s in stats] == [True, True], stats
    assert sum(s.get("item_scraped_count", 0) for s in stats) == ARTICLES
    assert sum(s.get("newscrawl/store/inserted", 0) for s in stats) == ARTICLES
    assert sum(s.get("newscrawl/redis/taken", 0) for s in stats) == ARTICLES + ARTICLES // 20  # + 15 list pages
    assert all(s.get("newscrawl/redis/done") == s.get("newscrawl/redis/taken") for s in stats)
    assert all("'finish_reason': 'finished'" in worker_log(tmp_path, name) for name in ("a", "b"))
    # The last worker out cleared the dupefilter: the next scheduled run crawls again.
    assert list(redis_client(url).scan_iter(f"{prefix}:*")) == []


def test_sigkilled_worker_loses_nothing(redis_keys, site, tmp_path):
    url, prefix = redis_keys
    mirror, urls = site
    client = redis_client(url)
    database = tmp_path / "news.db"
    survivor = start_worker("a", tmp_path, mirror, database, redis_url=url, prefix=prefix, latency=0.05)
    victim = start_worker("b", tmp_path, mirror, database, redis_url=url, prefix=prefix, latency=0.05)
    try:
        deadline = time.monotonic() + 120
        while True:
            assert victim.poll() is None and survivor.poll() is None, "a worker ended before the kill"
            assert time.monotonic() < deadline, "the victim never had requests in flight"
            if len(stored_urls(database)) >= ARTICLES // 5:
                # frozen, its requests in flight cannot finish between the look and the kill
                victim.send_signal(signal.SIGSTOP)
                if in_flight(client, prefix, victim.pid):
                    break
                victim.send_signal(signal.SIGCONT)
            time.sleep(0.05)
        victim.send_signal(signal.SIGKILL)
        victim.wait(10)
        # What scrapy-redis would lose: taken from the queue, fingerprint in the dupefilter, never finished.
        lost_by_design = in_flight(client, prefix, victim.pid)
        stored_at_kill = set(stored_urls(database))
        wait([survivor])
    finally:
        for process in (survivor, victim):
            if process.poll() is None:
                process.kill()
    assert survivor.returncode == 0, worker_log(tmp_path, "a")[-3000:]
    unfinished_articles = [u for u in lost_by_design if "/ART-" in u and u not in stored_at_kill]
    stats = worker_stats(tmp_path, "a")
    print(f"in flight at SIGKILL: {len(lost_by_design)} requests, {len(unfinished_articles)} articles not yet stored; "
          f"re-processed after recovery: {stats.get('newscrawl/store/unchanged', 0):.0f} articles already stored")
    assert lost_by_design
    assert stats.get("newscrawl/redis/dead_workers") == 1
    assert stats.get("newscrawl/redis/recovered") == len(lost_by_design)
    assert "stopped answering: put its" in worker_log(tmp_path, "a")
    stored = stored_urls(database)
    assert sorted(stored) == sorted(urls)  # every article, each once (url is unique)
    assert set(unfinished_articles) <= set(stored)
    assert list(client.scan_iter(f"{prefix}:*")) == []


def crawler_with(**settings):
    from scrapy.utils.test import get_crawler

    from newscrawl import settings as project

    return get_crawler(settings_dict={"ADDONS": project.ADDONS, **settings})


def test_without_redis_url_nothing_changes():
    crawler = crawler_with(NEWSCRAWL_REDIS_URL="")
    assert crawler.settings["SCHEDULER"] == "scrapy.core.scheduler.Scheduler"
    assert "newscrawl.distributed.RedisWorker" not in str(crawler.settings.getdict("EXTENSIONS"))


def test_redis_url_switches_scheduler_dupefilter_and_keys(redis_keys):
    url, prefix = redis_keys
    crawler = crawler_with(NEWSCRAWL_REDIS_URL=url, NEWSCRAWL_REDIS_KEY_PREFIX=prefix)
    assert crawler.settings["SCHEDULER"] == "newscrawl.distributed.RedisScheduler"
    assert crawler.settings["DUPEFILTER_CLASS"] == "scrapy_redis.dupefilter.RFPDupeFilter"
    assert crawler.settings["SCHEDULER_QUEUE_KEY"] == f"{prefix}:%(spider)s:requests"
    assert "RedisWorker" in str(crawler.settings.getdict("EXTENSIONS"))


def test_unreachable_redis_stops_with_one_line():
    with pytest.raises(config.StartError) as stopped:
        crawler_with(NEWSCRAWL_REDIS_URL="redis://127.0.0.1:1/0")
    message = str(stopped.value)
    assert "NEWSCRAWL_REDIS_URL=redis://127.0.0.1:1/0" in message and "\n" not in message


def test_interrupted_worker_resumes_from_redis(redis_keys, tmp_path):
    url, prefix = redis_keys
    urls = write_site(tmp_path / "mirror", 120)
    database = tmp_path / "news.db"
    # rows written one by one and no download while a page waits for the store: the stored count follows the downloads
    first = start_worker("first", tmp_path, tmp_path / "mirror", database, redis_url=url, prefix=prefix, latency=0.05,
                         settings=("NEWSCRAWL_STORE_BATCH_SIZE=1", "SCRAPER_SLOT_MAX_ACTIVE_SIZE=1"))
    client = redis_client(url)
    try:
        deadline = time.monotonic() + 120
        while len(stored_urls(database)) < 30:
            assert first.poll() is None and time.monotonic() < deadline, worker_log(tmp_path, "first")[-3000:]
            time.sleep(0.05)
        # frozen the moment 30 are seen: a loaded machine that looks late cannot let it finish the crawl first
        first.send_signal(signal.SIGSTOP)
        assert client.zcard(f"{prefix}:ofweek:requests"), "the worker took every request before it could be interrupted"
        first.send_signal(signal.SIGINT)
        first.send_signal(signal.SIGCONT)
        first.wait(60)
    finally:
        if first.poll() is None:
            first.kill()
    assert "'finish_reason': 'shutdown'" in worker_log(tmp_path, "first")
    stored_first = stored_urls(database)
    assert 30 <= len(stored_first) < len(urls)
    # The queue and the dupefilter stayed in Redis: the same command carries on where the first stopped.
    second = start_worker("second", tmp_path, tmp_path / "mirror", database, redis_url=url, prefix=prefix)
    wait([second])
    assert second.returncode == 0, worker_log(tmp_path, "second")[-3000:]
    assert worker_stats(tmp_path, "second").get("newscrawl/store/inserted") == len(urls) - len(stored_first)
    assert sorted(stored_urls(database)) == sorted(urls)
