"""When a crawl starts its worker processes (newscrawl/workerpool.py ``worth_starting``): a run too small to
gain from them (a cron run that finds one new article) starts none and never waits for one; a run with
NEWSCRAWL_WORKERS_MIN_PAGES article pages seen or waiting starts both, and stores every article either way."""

from __future__ import annotations

import ofweek_site
import storecrawl as sc

READ_START = "Starting 1 read worker process (newscrawl-read)"
STORE_START = "Starting 1 store worker process (newscrawl-store)"
NEW_ARTICLE = ofweek_site.article_url(701)


def stored(tmp_path) -> set[str]:
    return {row[0] for row in sc.sqlite_rows(tmp_path / "news.db", "SELECT url FROM articles")}


def test_small_runs_start_no_worker_and_store_everything_in_the_crawls_process(tmp_path):
    mirror = tmp_path / "mirror"
    urls = sc.write_mirror(mirror, 30)  # 30 articles: below the default 400
    database = f"sqlite:///{tmp_path / 'news.db'}"
    first = sc.crawl(tmp_path, mirror, database, "-s", "NEWSCRAWL_STORE_BATCH_SIZE=10")
    assert first.returncode == 0, first.log[-3000:]
    assert READ_START not in first.log and STORE_START not in first.log
    assert first.stat("newscrawl/extract/pages_in_worker") == 0 and first.stat("newscrawl/store/batches_in_worker") == 0
    assert first.stat("newscrawl/store/batches") >= 3 and stored(tmp_path) == set(urls)

    # the cron run: one new article on list page 1 of a store that has the rest
    sc.prepend_to_first_list_page(mirror, NEW_ARTICLE, "新文章")
    sc.write_article(mirror, NEW_ARTICLE, ofweek_site.article_page(701))
    cron = sc.crawl(tmp_path, mirror, database, "-a", "max_pages=1", feed="cron.jsonl")
    assert cron.returncode == 0, cron.log[-3000:]
    assert READ_START not in cron.log and STORE_START not in cron.log
    assert [item["url"] for item in cron.items] == [NEW_ARTICLE] and stored(tmp_path) == {*urls, NEW_ARTICLE}


def test_a_run_with_enough_pages_waiting_starts_its_workers(tmp_path):
    mirror = tmp_path / "mirror"
    urls = sc.write_mirror(mirror, 30)
    run = sc.crawl(tmp_path, mirror, f"sqlite:///{tmp_path / 'news.db'}", "-s", "NEWSCRAWL_WORKERS_MIN_PAGES=20",
                   "-s", "NEWSCRAWL_STORE_BATCH_SIZE=10")
    assert run.returncode == 0, run.log[-3000:]
    # the 20th article page (or item) at the latest: seen ones and those scheduled or downloading count
    assert READ_START in run.log and STORE_START in run.log
    assert run.log.count(READ_START) == 1 and run.log.count(STORE_START) == 1
    assert stored(tmp_path) == set(urls) and len(run.items) == 30
