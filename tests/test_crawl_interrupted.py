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


def interrupt(tmp_path, mirror, database, db_path, at: int, signals_sent, extra=(), latency=LATENCY, tight=True):
    """Start a crawl, freeze it once ``at`` articles are stored, send the signals; return its log and seconds taken.

    Events, not time: the crawl is stopped (SIGSTOP) the moment the count is seen, so a loaded machine that
    sees it late cannot let the crawl run to its end first; a second signal goes once the first is logged.
    """
    # tight: rows written one by one, and no download while a page waits for the store (SCRAPER_SLOT_MAX_ACTIVE_SIZE=1):
    # the stored count lags the downloads by what is in flight at most, however slow the machine makes the store
    store = ["-s", "NEWSCRAWL_STORE_BATCH_SIZE=1", "-s", "SCRAPER_SLOT_MAX_ACTIVE_SIZE=1"] if tight else [
        "-s", "NEWSCRAWL_STORE_BATCH_SIZE=10"]
    command = sc.command(tmp_path, mirror, database, "-a", "max_pages=10", "-s", f"NEWSCRAWL_MIRROR_LATENCY={latency}",
                         "-s", "CONCURRENT_REQUESTS=4", *store, *extra, feed="first.jsonl")
    log_path = tmp_path / "first.log"
    with log_path.open("w") as log_file:
        process = subprocess.Popen(command, cwd=sc.ROOT, stdout=subprocess.DEVNULL, stderr=log_file, text=True)
    try:
        deadline = time.monotonic() + 120
        while stored(db_path) < at and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        process.send_signal(signal.SIGSTOP)
        assert process.poll() is None, "the crawl ended before it could be interrupted"
        assert stored(db_path) < ARTICLES, "the crawl stored everything before it could be interrupted"
        sent = time.monotonic()
        for n, number in enumerate(signals_sent):
            process.send_signal(number)
            process.send_signal(signal.SIGCONT)
            if n + 1 < len(signals_sent):
                wait_for_line(log_path, "Received SIGINT", process)
        process.wait(90)
        return log_path.read_text(errors="replace"), time.monotonic() - sent
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def wait_for_line(path, text: str, process, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while text not in path.read_text(errors="replace"):
        assert process.poll() is None, f"the crawl ended before it logged {text!r}"
        assert time.monotonic() < deadline, f"no {text!r} in the log"
        time.sleep(0.02)


def assert_all_stored_once(db_path, urls):
    rows = sc.sqlite_rows(db_path, "SELECT url, version FROM articles")
    assert sorted(url for url, _ in rows) == sorted(urls)
    assert {version for _, version in rows} == {1}  # stored once, never rewritten as a new version
    assert sc.sqlite_rows(db_path, "SELECT count(*) FROM article_versions") == [(0,)]


@pytest.mark.parametrize("signals_sent, at", [
    ([signal.SIGKILL], 1),
    ([signal.SIGKILL], 35),
    ([signal.SIGKILL], 60),  # 80 of 100 stored: at most the 4 pages in flight more are downloaded
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
    log, _ = interrupt(tmp_path, mirror, database, db_path, 20 + at, signals_sent)
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
    # the graceful stop the first Ctrl-C starts waits for requests in flight (0.6 s each): the second one cuts it short
    # (slow pages keep the crawl far from its end; batches of 10 as in a real run: the forced stop does not wait
    # for dozens of one-row writes)
    # At 50 stored the store and read workers are up: a double Ctrl-C while they start leaves the process alive
    # after its summary (seen under load, not fixed here: see the issue 21 report).
    log, took = interrupt(tmp_path, mirror, database, db_path, 50, [signal.SIGINT, signal.SIGINT], jobdir, latency="0.6",
                          tight=False)
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
