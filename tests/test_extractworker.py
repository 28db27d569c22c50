"""Article pages read in worker processes (newscrawl/middlewares/extractworker.py, NEWSCRAWL_EXTRACT_PROCESSES):
the same articles, stats and log lines as reading them in the crawl's process, and nothing lost when a worker
or the crawl is killed."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import ofweek_site
import pytest
import storecrawl as sc

NOW = "2026-10-01T12:00:00+08:00"
NOT_ARTICLE = "https://ee.ofweek.com/2026-05/ART-2800-8420-30799999.html"
UNPARSED_DATE = ofweek_site.article_url(999)


def _processes() -> dict[int, tuple[int, str]]:
    """pid -> (parent pid, process name) of every process."""
    found = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            name = stat[stat.index("(") + 1 : stat.rindex(")")]
            found[int(entry)] = (int(stat[stat.rindex(")") + 2 :].split()[1]), name)
    return found


def stored_count(database: Path) -> int:
    try:
        return sc.sqlite_rows(database, "SELECT count(*) FROM articles")[0][0]
    except Exception:  # not created yet, or locked for a moment
        return 0


def read_workers(crawl_pid: int) -> list[int]:
    """The crawl's read workers: descendants named newscrawl-read (the forkserver is their parent)."""
    table = _processes()

    def descends(pid):
        for _ in range(10):
            pid = table.get(pid, (0, ""))[0]
            if pid == crawl_pid:
                return True
            if pid <= 1:
                return False
        return False

    return [pid for pid, (_, name) in table.items() if name == "newscrawl-read" and descends(pid)]


def gone(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except OSError:
        return True


def _mirror(tmp_path: Path, count: int) -> tuple[Path, list[str]]:
    """The OFweek-like site, plus an article URL that answers with a page that is no article and an article
    whose date does not parse (both logged by the spider)."""
    import re

    mirror = tmp_path / "mirror"
    urls = sc.write_mirror(mirror, count)
    last = (count + ofweek_site.PER_PAGE - 1) // ofweek_site.PER_PAGE  # read last: by then the workers are up
    sc.prepend_to_list_page(mirror, last, NOT_ARTICLE, "已删除")
    sc.write_article(mirror, NOT_ARTICLE, "<html><head><title>页面不存在</title></head><body><p>404</p></body></html>")
    sc.prepend_to_list_page(mirror, last, UNPARSED_DATE, "日期不详")
    page = re.sub(r'<div class="time fl">.*?</div>', '<div class="time fl">上周某日</div>', ofweek_site.article_page(999), flags=re.S)
    sc.write_article(mirror, UNPARSED_DATE, page)
    return mirror, urls


def _newscrawl_stats(run: sc.Run) -> dict[str, int]:
    import re

    return {key: int(value) for key, value in re.findall(r"'(newscrawl/[^']+)': (\d+)", run.log)
            if not key.startswith(("newscrawl/extract/", "newscrawl/store/", "newscrawl/timing"))}


def test_pages_read_in_workers_give_the_articles_stats_and_log_lines_of_reading_them_here(tmp_path):
    mirror, urls = _mirror(tmp_path, 160)
    runs = {}
    # workers from the first page (NEWSCRAWL_WORKERS_MIN_PAGES=0): the reading is what is compared here
    for processes, slow in ((1, ("-s", "NEWSCRAWL_MIRROR_LATENCY=0.04", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=2",
                                 "-s", "NEWSCRAWL_WORKERS_MIN_PAGES=0")), (0, ())):
        work = tmp_path / f"p{processes}"
        work.mkdir()
        runs[processes] = sc.crawl(work, mirror, f"sqlite:///{work / 'news.db'}", "-a", "max_pages=10",
                                   "-s", f"NEWSCRAWL_NOW={NOW}", "-s", f"NEWSCRAWL_EXTRACT_PROCESSES={processes}", *slow)
    workers, here = runs[1], runs[0]
    assert workers.returncode == 0 and here.returncode == 0, workers.log[-3000:] + here.log[-3000:]
    # the first pages are read here while the worker starts (how many depends on the machine), the rest there
    assert 0 < workers.stat("newscrawl/extract/pages_in_worker") <= 162
    assert here.stat("newscrawl/extract/pages_in_worker") == 0

    def articles(run):
        return sorted(({k: v for k, v in item.items() if k != "crawled_at"} for item in run.items), key=lambda i: i["url"])

    assert len(workers.items) == 161 and articles(workers) == articles(here)
    assert {item["url"] for item in workers.items} == {*urls, UNPARSED_DATE}
    assert _newscrawl_stats(workers) == _newscrawl_stats(here)
    assert workers.stat("newscrawl/pages/not_article") == 1 and workers.stat("newscrawl/date_unparsed") == 1
    # what the spider logged is in the crawl's log, at its level, wherever the page was read
    for line in (f"[ofweek] INFO: Not an article page: {NOT_ARTICLE}", f"[ofweek] WARNING: Unparsed date '上周某日' on {UNPARSED_DATE}"):
        assert line in workers.log and line in here.log


def test_a_worker_returns_what_the_spider_counted_and_logged_on_the_page(tmp_path):
    """The worker's side of the relay, in a real worker process: the article or none, page 2's URL, the
    stats the page counted and its log records at the crawl's level (DEBUG records left out)."""
    import logging

    from scrapy.http import HtmlResponse
    from scrapy.settings import Settings

    from newscrawl.middlewares import extractworker as ew
    from newscrawl.pages import PageSettings
    from newscrawl.spiders.ofweek import OfweekSpider
    from newscrawl.workerpool import WorkerPool

    pool = WorkerPool("read worker", 1, setup=ew._setup, warm=ew._warm, setup_args=(logging.INFO,))
    settings = PageSettings.from_settings(Settings({"NEWSCRAWL_NOW": NOW}), OfweekSpider.tz)
    try:
        pool.wait_ready()

        def read(url, html):
            spec = ew.PageSpec(OfweekSpider.page_class, settings, "ofweek", OfweekSpider().canonical_article_url(url))
            return pool.submit(ew._read, spec, url, HtmlResponse, 200, {}, html.encode("gb18030"), "gb18030", []).result(30)

        (item, next_page), counts, records = read(ofweek_site.article_url(7), ofweek_site.article_page(7))
        assert item.title == ofweek_site._title(7) and item.published_at.startswith("2026-08-08T15:49")
        assert next_page is None and "newscrawl/pages/not_article" not in counts
        assert not [r for r in records if r[1] < 20]  # nothing below INFO crosses
        (item, next_page), counts, records = read(NOT_ARTICLE, "<html><body><p>404</p></body></html>")
        assert item is None and counts == {"newscrawl/pages/not_article": 1}
        assert records == [("ofweek", 20, f"Not an article page: {NOT_ARTICLE}")]
        page = ofweek_site.article_page(999).replace('<div class="time fl">', '<div class="time fl">上周某日<!--', 1)
        (item, _), counts, records = read(UNPARSED_DATE, page.replace("</div><div class=\"source-name\">", "--></div><div class=\"source-name\">", 1))
        assert counts.get("newscrawl/date_unparsed") == 1  # once, though two of its selectors find the text
        assert records.count(("ofweek", 30, f"Unparsed date '上周某日' on {UNPARSED_DATE}")) == 1
    finally:
        pool.close()


def test_a_killed_read_worker_loses_no_article_and_new_workers_take_over(tmp_path):
    # enough pages that the crawl still has many to read once its workers are up (they start slowly on a busy machine)
    mirror, urls = _mirror(tmp_path, 320)
    # batches of 5: the stored count follows the pages read closely
    command = sc.command(tmp_path, mirror, f"sqlite:///{tmp_path / 'news.db'}", "-a", "max_pages=20",
                         "-s", "NEWSCRAWL_MIRROR_LATENCY=0.08", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=2",
                         "-s", "NEWSCRAWL_WORKERS_MIN_PAGES=0", "-s", "NEWSCRAWL_STORE_BATCH_SIZE=5")
    log_path = tmp_path / "crawl.log"
    with log_path.open("w") as log_file:
        crawl = subprocess.Popen(command, cwd=sc.ROOT, stderr=log_file, text=True)
    database = tmp_path / "news.db"
    try:
        # Events, not time: the workers said they are ready and pages are being stored; then the crawl is frozen
        # (SIGSTOP) while its worker is killed, so it cannot have read every page by the time it notices.
        deadline, killed = time.monotonic() + 120, None
        while killed is None:
            assert crawl.poll() is None, "the crawl ended before its read worker could be killed"
            assert time.monotonic() < deadline, "the read workers never got ready"
            workers = read_workers(crawl.pid)
            if workers and "Read workers ready" in log_path.read_text() and stored_count(database) >= 5:
                crawl.send_signal(signal.SIGSTOP)
                assert stored_count(database) < len(urls) - 40, "the crawl read most pages before its workers were up"
                killed = workers[0]
                os.kill(killed, signal.SIGKILL)
                crawl.send_signal(signal.SIGCONT)
            time.sleep(0.05)
        crawl.wait(180)
        log = log_path.read_text()
    finally:
        if crawl.poll() is None:
            crawl.kill()
    assert killed is not None, "no read worker was seen while the crawl ran"
    run = sc.Run(crawl.returncode, log, [])
    assert run.returncode == 0, log[-3000:]
    stored = {row[0] for row in sc.sqlite_rows(tmp_path / "news.db", "SELECT url FROM articles")}
    assert stored == {*urls, UNPARSED_DATE}
    assert run.stat("newscrawl/extract/worker_died") >= 1 and "A read worker died" in log
    # after the death, new workers read the rest: not every page fell back to the crawl's process
    assert 0 < run.stat("newscrawl/extract/pages_in_worker") < len(urls) + 2
    assert run.stat("newscrawl/pages/failed_callbacks") == 0


def test_read_workers_exit_with_a_crawl_that_is_killed(tmp_path):
    mirror, _ = _mirror(tmp_path, 160)
    command = sc.command(tmp_path, mirror, f"sqlite:///{tmp_path / 'news.db'}", "-a", "max_pages=10",
                         "-s", "NEWSCRAWL_MIRROR_LATENCY=0.08", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=2",
                         "-s", "NEWSCRAWL_EXTRACT_PROCESSES=2", "-s", "NEWSCRAWL_WORKERS_MIN_PAGES=0")
    crawl = subprocess.Popen(command, cwd=sc.ROOT, stderr=subprocess.DEVNULL)
    try:
        deadline, workers = time.monotonic() + 60, []
        while len(workers) < 2 and time.monotonic() < deadline and crawl.poll() is None:
            workers = read_workers(crawl.pid)
            time.sleep(0.05)
        assert len(workers) == 2, "two read workers were not seen while the crawl ran"
        crawl.kill()
        crawl.wait(10)
        deadline = time.monotonic() + 10
        while not all(gone(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert all(gone(pid) for pid in workers), "read workers outlived their crawl"
    finally:
        if crawl.poll() is None:
            crawl.kill()


def test_a_pool_closed_while_it_starts_leaves_no_worker_and_never_starts_again():
    """newscrawl/workerpool.py: the crawl's end (spider_closed) does not wait for workers still starting, and
    they do not outlive it; a reset pool starts new workers, a closed one none."""
    import threading

    from newscrawl.workerpool import Unavailable, WorkerPool

    pool = WorkerPool("test worker", 1)
    pool.wait_ready()
    [first] = pool.processes()
    assert Path(f"/proc/{first.pid}/comm").read_text().strip() == "newscrawl-test"
    assert pool.submit(os.getpid).result(10) == first.pid != os.getpid()
    pool.reset()
    assert not first.is_alive()
    assert pool.submit(os.getpid).result(10) != first.pid  # a new worker

    starting = WorkerPool("test worker", 2)
    def start():
        try:
            starting.start()  # done before the close, or refused by it: either way no worker survives
        except Unavailable:
            pass

    thread = threading.Thread(target=start)
    for closing in (pool, starting):
        if closing is starting:
            thread.start()
            time.sleep(0.05)
        began = time.monotonic()
        closing.close()
        assert time.monotonic() - began < 5
    thread.join(10)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and [p for p in _processes().values() if p[1] == "newscrawl-test"]:
        time.sleep(0.1)
    assert not [p for p in _processes().values() if p[1] == "newscrawl-test"]
    with pytest.raises(Unavailable):
        pool.submit(os.getpid)
