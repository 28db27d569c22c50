"""A crawl killed (SIGKILL), interrupted (SIGINT) or forced down (SIGINT twice) at any moment loses no article:
the next plain run stores every one exactly once, and the runs after it fetch no article page of the unchanged site."""

import signal
import subprocess
import time

import pytest

import storecrawl as sc

ARTICLES = 100  # 5 list pages of 20
LATENCY = "0.1"


def stored(db_path) -> int:
    try:
        return sc.sqlite_rows(db_path, "SELECT count(*) FROM articles")[0][0]
    except Exception:  # not created yet, or locked for a moment
        return 0


def interrupt(tmp_path, mirror, database, db_path, at: int, signals_sent, extra=(), latency=LATENCY):
    """Start a crawl, wait until ``at`` articles are stored, send the signals; return the process's stderr."""
    command = sc.command(tmp_path, mirror, database, "-a", "max_pages=10", "-s", f"NEWSCRAWL_MIRROR_LATENCY={latency}",
                         "-s", "CONCURRENT_REQUESTS=4", "-s", "NEWSCRAWL_STORE_BATCH_SIZE=10", *extra, feed="first.jsonl")
    process = subprocess.Popen(command, cwd=sc.ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 90
    while stored(db_path) < at and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert process.poll() is None, "the crawl ended before it could be interrupted"
    sent = time.monotonic()
    for number in signals_sent:
        process.send_signal(number)
        time.sleep(0.3)
    _, log = process.communicate(timeout=60)
    return log, time.monotonic() - sent


def assert_all_stored_once(db_path, urls):
    rows = sc.sqlite_rows(db_path, "SELECT url, version FROM articles")
    assert sorted(url for url, _ in rows) == sorted(urls)
    assert {version for _, version in rows} == {1}  # stored once, never rewritten as a new version
    assert sc.sqlite_rows(db_path, "SELECT count(*) FROM article_versions") == [(0,)]


@pytest.mark.parametrize("signals_sent, at", [
    ([signal.SIGKILL], 1),
    ([signal.SIGKILL], 35),
    ([signal.SIGKILL], 70),
    ([signal.SIGINT], 30),
])
def test_a_killed_or_interrupted_run_is_completed_by_the_next_plain_run(tmp_path, signals_sent, at):
    mirror = tmp_path / "mirror"
    urls = sc.write_mirror(mirror, ARTICLES, newest_first=True)
    db_path = tmp_path / "news.db"
    database = f"sqlite:///{db_path}"
    # An earlier complete crawl of the first 20 articles: the listing's last walk completed.
    # Then the portal publishes 80 more, and the run that would fetch them is interrupted.
    early = tmp_path / "early"
    sc.write_mirror(early, 20, newest_first=True)
    assert sc.crawl(tmp_path, early, database, feed="early.jsonl").returncode == 0
    # A graceful stop finishes what is in flight: a slower site keeps the rest of it unfetched (with margin
    # for a loaded machine, where the poll below sees the count late).
    latency = "0.6" if signals_sent == [signal.SIGINT] else LATENCY
    log, _ = interrupt(tmp_path, mirror, database, db_path, 20 + at, signals_sent, latency=latency)
    first = stored(db_path)
    assert first < ARTICLES, "not interrupted mid-way"

    second = sc.crawl(tmp_path, mirror, database, "-a", "max_pages=10", feed="second.jsonl", monitor=True)
    assert second.returncode == 0, second.log[-3000:]
    assert "Traceback" not in second.log
    assert_all_stored_once(db_path, urls)
    # What the interrupted run had stored is not fetched again.
    assert second.stat("newscrawl/article_pages") == ARTICLES - first

    for feed in ("third.jsonl", "fourth.jsonl"):
        again = sc.crawl(tmp_path, mirror, database, "-a", "max_pages=10", feed=feed, monitor=True)
        assert again.returncode == 0, again.log[-3000:]
        assert again.stat("downloader/request_count") == 1  # list page 1, nothing new: the walk stops
        assert again.stat("newscrawl/article_pages") == 0
        assert "ALARM" not in again.log


def test_a_site_never_crawled_to_the_end_is_walked_to_the_end(tmp_path):
    """The very first run killed after page 1's articles: the rerun must not stop at the all-known page 1."""
    mirror = tmp_path / "mirror"
    urls = sc.write_mirror(mirror, ARTICLES, newest_first=True)
    db_path = tmp_path / "news.db"
    database = f"sqlite:///{db_path}"
    interrupt(tmp_path, mirror, database, db_path, 20, [signal.SIGKILL])
    rerun = sc.crawl(tmp_path, mirror, database, "-a", "max_pages=10", feed="second.jsonl")
    assert rerun.returncode == 0, rerun.log[-3000:]
    assert_all_stored_once(db_path, urls)
    assert rerun.stat("newscrawl/incremental/unconfirmed_listings") == 1


def test_ctrl_c_twice_ends_the_process_in_seconds_and_its_jobdir_loses_nothing(tmp_path):
    mirror = tmp_path / "mirror"
    urls = sc.write_mirror(mirror, ARTICLES, newest_first=True)
    db_path = tmp_path / "news.db"
    database = f"sqlite:///{db_path}"
    jobdir = ["-s", f"JOBDIR={tmp_path / 'job'}"]
    log, took = interrupt(tmp_path, mirror, database, db_path, 30, [signal.SIGINT, signal.SIGINT], jobdir)
    assert "forcing unclean shutdown" in log
    assert took < 20, f"still alive {took:.0f} s after the second Ctrl-C"
    assert stored(db_path) < ARTICLES

    resumed = sc.crawl(tmp_path, mirror, database, "-a", "max_pages=10", *jobdir, feed="second.jsonl")
    assert resumed.returncode == 0, resumed.log[-3000:]
    assert "Traceback" not in resumed.log and "struct.error" not in resumed.log
    assert "cannot be resumed" in resumed.log  # one line says why it starts afresh
    assert_all_stored_once(db_path, urls)
    again = sc.crawl(tmp_path, mirror, database, "-a", "max_pages=10", *jobdir, feed="third.jsonl")
    assert again.returncode == 0 and again.stat("newscrawl/article_pages") == 0
    assert "cannot be resumed" not in again.log
