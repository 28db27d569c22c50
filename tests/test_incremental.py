"""Incremental crawling end to end: a re-run downloads list pages only, new and edited articles are found."""

import json

import storecrawl as sc


def last_run(db_path):
    [(requests_skipped, stats)] = sc.sqlite_rows(db_path, "SELECT requests_skipped, stats FROM crawl_runs ORDER BY id DESC LIMIT 1")
    stats = json.loads(stats)
    return requests_skipped, stats.get("downloader/request_count", 0)


def test_second_run_downloads_list_pages_only_then_finds_new_and_edited_articles(tmp_path):
    mirror = tmp_path / "mirror"
    urls = sc.write_mirror(mirror, 25)  # 2 list pages of 20 and 5 articles
    db_path = tmp_path / "news.db"
    database = f"sqlite:///{db_path}"

    first = sc.crawl(tmp_path, mirror, database)
    assert first.returncode == 0, first.log[-2000:]
    assert len(first.items) == 25
    assert last_run(db_path) == (0, 27)
    # a fresh database: the listing's first walk, not one that "did not complete"
    assert "first walk, reading it to the end" in first.log and "did not complete" not in first.log

    second = sc.crawl(tmp_path, mirror, database)
    assert second.returncode == 0, second.log[-2000:]
    assert second.items == []
    # List page 1 only: its 20 articles are known, so page 2 is not requested either.
    assert second.stat("downloader/request_count") == 1
    assert second.stat("newscrawl/incremental/skipped/article") == 20
    assert second.stat("newscrawl/incremental/stopped_listings") == 1
    assert last_run(db_path) == (21, 1)

    # The portal publishes one story, and re-posts an old one's text under a new URL.
    new_url = sc.site.article_url(25)
    sc.write_article(mirror, new_url, sc.site.article_page(25))
    repost_url = "https://ee.ofweek.com/2026-09/ART-8110-2800-30799999.html"
    sc.write_article(mirror, repost_url, sc.read_article(mirror, urls[4]))
    sc.prepend_to_first_list_page(mirror, new_url, "新稿件")
    sc.prepend_to_first_list_page(mirror, repost_url, "旧文重发")
    third = sc.crawl(tmp_path, mirror, database)
    assert [item["url"] for item in third.items] == [new_url]
    # Page 1 held something new, so page 2 was read (and found nothing new): 2 list pages + 2 articles.
    assert third.stat("downloader/request_count") == 4
    assert third.stat("item_dropped_reasons_count/DuplicateContent") == 1
    assert third.stat("newscrawl/store/inserted") == 1

    # A known article is edited: only refresh=1 re-fetches known articles and sees it.
    edited = sc.read_article(mirror, urls[3]).replace("业内人士认为这一趋势仍将延续", "业内人士认为这一趋势将在明年放缓", 1)
    sc.write_article(mirror, urls[3], edited)
    refresh = sc.crawl(tmp_path, mirror, database, "-a", "refresh=1")
    # The re-posted URL is remembered as an alias of the old story: it stays known (not new).
    assert refresh.stat("downloader/request_count") == 1 + 22
    assert refresh.stat("newscrawl/store/updated") == 1
    assert refresh.stat("newscrawl/store/unchanged") == 20
    assert refresh.stat("item_dropped_reasons_count/DuplicateContent") == 1
    [(version,)] = sc.sqlite_rows(db_path, f"SELECT version FROM articles WHERE url = '{urls[3]}'")
    assert version == 2

    full = sc.crawl(tmp_path, mirror, database, "-a", "full=1")
    assert full.stat("downloader/request_count") == 2 + 27
    assert full.stat("newscrawl/incremental/skipped") == 0
    runs = sc.sqlite_rows(db_path, "SELECT spider, finish_reason, exit_code, finished_at IS NOT NULL FROM crawl_runs")
    assert runs == [("ofweek", "finished", 0, 1)] * 5


def test_the_setting_turns_incremental_crawling_off():
    import pytest
    from scrapy.exceptions import NotConfigured
    from scrapy.utils.test import get_crawler

    from newscrawl.incremental import IncrementalMiddleware

    crawler = get_crawler(settings_dict={"NEWSCRAWL_DATABASE_URL": "sqlite://", "NEWSCRAWL_INCREMENTAL": "0"})
    with pytest.raises(NotConfigured):
        IncrementalMiddleware.from_crawler(crawler)
    crawler = get_crawler(settings_dict={"NEWSCRAWL_DATABASE_URL": "sqlite://", "NEWSCRAWL_INCREMENTAL": "1"})
    assert IncrementalMiddleware.from_crawler(crawler).enabled


def test_a_list_entry_that_answers_404_is_remembered_and_not_fetched_every_run(tmp_path):
    mirror = tmp_path / "mirror"
    urls = sc.write_mirror(mirror, 25)
    gone = urls[3]
    sc._path(mirror, gone).unlink()  # the portal deleted the article; its list entry stays
    db_path = tmp_path / "news.db"
    database = f"sqlite:///{db_path}"
    first = sc.crawl(tmp_path, mirror, database)
    assert first.returncode == 0, first.log[-2000:]
    assert first.stat("newscrawl/pages/http_error/404") == 1 and len(first.items) == 24
    assert sc.sqlite_rows(db_path, "SELECT url, status FROM gone_urls") == [(gone, 404)]
    # The walk completed (a 404 is an answer): the next run reads page 1 only and does not ask for the gone article.
    second = sc.crawl(tmp_path, mirror, database, feed="second.jsonl")
    assert second.returncode == 0, second.log[-2000:]
    assert second.stat("downloader/request_count") == 1
    assert second.stat("newscrawl/pages/http_error/404") == 0
    # After NEWSCRAWL_GONE_DAYS it is asked for once more (it may have come back).
    third = sc.crawl(tmp_path, mirror, database, "-s", "NEWSCRAWL_GONE_DAYS=0", feed="third.jsonl")
    assert third.stat("newscrawl/pages/http_error/404") == 1
