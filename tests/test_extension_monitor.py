"""The run monitor: coverage, fallback and count alarms against fixed thresholds and recent runs."""

from datetime import datetime, timedelta, timezone

import pytest
from scrapy.utils.test import get_crawler

from newscrawl import config, db
from newscrawl.extensions.monitor import ALARMS_KEY, Measures, MonitorExtension, Thresholds, check
from newscrawl.spiders.ofweek import OfweekSpider


def run_stats(items=40, missing=None, fallback=None, article_pages=None, not_article=0, skipped=0):
    stats = {
        "downloader/request_count": items + 3,
        "newscrawl/list_pages": 2,
        "newscrawl/items/checked": items,
        "newscrawl/article_pages": items + not_article if article_pages is None else article_pages,
        "newscrawl/pages/not_article": not_article,
        "newscrawl/incremental/skipped": skipped,
    }
    for name, count in (missing or {}).items():
        stats[f"newscrawl/field/{name}/missing"] = count
    for name, count in (fallback or {}).items():
        stats[f"newscrawl/fallback/{name}"] = count
    return stats


LIMITS = Thresholds(
    min_coverage={"title": 0.95, "published_at": 0.9, "body_text": 0.9},
    max_fallback={"title": 0.5, "published_at": 0.5, "body_html": 0.5},
)


def alarms(stats, history=(), limits=LIMITS, portal=True):
    return check(Measures.from_stats(stats), [Measures.from_stats(s) for s in history], limits, portal)


def test_healthy_run_has_no_alarm():
    assert alarms(run_stats(missing={"author": 10, "headimg": 40}), [run_stats(missing={"author": 12, "headimg": 38})] * 3) == []


def test_measures_share_of_articles_with_each_field():
    measures = Measures.from_stats(run_stats(items=40, missing={"author": 10}, fallback={"title": 4}, skipped=60))
    assert measures.coverage["author"] == 0.75
    assert measures.coverage["title"] == 1.0
    assert measures.fallback["title"] == 0.1
    assert measures.seen == 100


def test_dates_stop_parsing_trips_the_fixed_coverage_threshold():
    [alarm] = alarms(run_stats(missing={"published_at": 30}))
    assert alarm.startswith("coverage published_at: 25% of 40 articles, below 90%")


def test_broken_body_selector_shows_as_pages_without_article():
    [alarm] = alarms(run_stats(items=3, article_pages=40, not_article=37))
    assert "37 of 40 article pages held no article" in alarm
    # a sitemap read without -a pattern= meets many pages that are no articles: not an alarm there
    assert alarms(run_stats(items=3, article_pages=40, not_article=37), portal=False) == []


def test_sharp_drop_against_recent_runs_of_a_field_without_fixed_threshold():
    history = [run_stats(missing={"source": 2}), run_stats(missing={"source": 0}), run_stats(missing={"source": 4})]
    [alarm] = alarms(run_stats(missing={"source": 40}), history)
    assert alarm == "coverage source: 0% now, 95% in the last 3 runs"
    # a small wobble is not a drop
    assert alarms(run_stats(missing={"source": 8}), history) == []


def test_rise_of_fields_from_the_generic_extractor():
    history = [run_stats(fallback={"author": 1})] * 4
    found = alarms(run_stats(fallback={"author": 30, "body_html": 25}), history)
    assert "fallback body_html: 62% of 40 articles from the generic extractor, above 50%" in found
    assert "fallback author: 75% from the generic extractor now, 2% in the last 4 runs" in found
    # generic spiders take every field from the extractor: nothing to judge there
    assert alarms(run_stats(fallback={"author": 30, "body_html": 25}), history, portal=False) == []


def test_item_count_collapse_against_recent_runs():
    history = [run_stats(items=40), run_stats(items=50), run_stats(items=45)]
    [alarm] = alarms(run_stats(items=5), history)
    assert alarm == "listing: 2.5 article links per list page now, 22.5 usual in the last 3 runs"
    # known articles skipped by incremental crawling still count as seen
    assert alarms(run_stats(items=5, skipped=35), history) == []


def test_an_incremental_run_of_an_unchanged_site_is_compared_like_with_like():
    """The first full crawl read 10 list pages of 20; an unchanged re-run reads page 1, all 20 known."""
    first = {**run_stats(items=200), "newscrawl/list_pages": 10, "newscrawl/list_entries": 200}
    rerun = {**run_stats(items=0, skipped=21), "downloader/request_count": 1, "newscrawl/list_pages": 1,
             "newscrawl/list_entries": 20, "newscrawl/article_pages": 0}
    assert alarms(rerun, [first]) == []
    assert alarms(rerun, [first, rerun, rerun]) == []
    slow = {**rerun, "newscrawl/items/checked": 3, "newscrawl/list_entries": 20, "newscrawl/article_pages": 3}
    assert alarms(slow, [first, rerun]) == []
    # A listing that shrinks to 2 links per page is still caught.
    broken = {**rerun, "newscrawl/list_entries": 2}
    assert alarms(broken, [first, rerun]) == ["listing: 2 article links per list page now, 20 usual in the last 2 runs"]


def test_a_run_no_request_of_which_got_an_answer_is_unreachable_not_an_alarm():
    from newscrawl.extensions.monitor import unreachable

    stats = {"downloader/request_count": 3, "downloader/exception_count": 3,
             "downloader/exception_type_count/twisted.internet.error.DNSLookupError": 3}
    assert unreachable(stats).startswith("portal unreachable: none of 3 requests got an answer (DNSLookupError 3)")
    assert unreachable({**stats, "response_received_count": 1}) is None
    assert unreachable({"downloader/request_count": 0}) is None


def test_small_runs_are_not_judged_on_coverage():
    assert alarms(run_stats(items=4, missing={"published_at": 4, "title": 4})) == []


def test_nothing_read_is_an_alarm():
    stats = {"downloader/request_count": 3, "newscrawl/pages/http_error/404": 3}
    assert alarms(stats) == ["nothing read: 3 requests, no list or article page could be parsed"]


def test_fixed_minimum_item_count():
    limits = Thresholds(min_items=50)
    assert alarms(run_stats(items=40), limits=limits) == ["items: 40 articles, fewer than NEWSCRAWL_MONITOR_MIN_ITEMS=50"]


def test_thresholds_from_settings_and_environment_style_json():
    crawler = get_crawler(OfweekSpider, {"NEWSCRAWL_MONITOR_MIN_COVERAGE": '{"author": 0.5}', "NEWSCRAWL_MONITOR_HISTORY": "3"})
    limits = Thresholds.from_settings(crawler.settings)
    assert limits.min_coverage == {"author": 0.5}
    assert limits.history == 3
    bad = get_crawler(OfweekSpider, {"NEWSCRAWL_MONITOR_MIN_COVERAGE": '{"author": "most"}'})
    with pytest.raises(config.ConfigError, match="NEWSCRAWL_MONITOR_MIN_COVERAGE=.*: must be a JSON object of field names and shares"):
        Thresholds.from_settings(bad.settings)


def test_extension_reads_history_from_crawl_runs_and_sets_alarms_and_exit_code(tmp_path):
    if not hasattr(db, "crawl_runs"):
        pytest.skip("newscrawl.db has no crawl_runs table yet")
    url = f"sqlite:///{tmp_path / 'runs.db'}"
    engine = db.create_engine(url)
    db.metadata.create_all(engine)
    now = datetime.now(timezone.utc)
    with engine.begin() as connection:
        for hours in (3, 2, 1):
            connection.execute(db.crawl_runs.insert().values(
                spider="ofweek", started_at=now - timedelta(hours=hours), finished_at=now - timedelta(hours=hours),
                finish_reason="finished", stats=run_stats(missing={"source": 1}),
            ))
        # a run that was cut short does not set the norm
        connection.execute(db.crawl_runs.insert().values(
            spider="ofweek", started_at=now - timedelta(minutes=30), finish_reason="shutdown", stats=run_stats(missing={"source": 40}),
        ))
    engine.dispose()

    crawler = get_crawler(OfweekSpider, {"NEWSCRAWL_DATABASE_URL": url})
    crawler.stats.set_stats({"start_time": now, **run_stats(missing={"source": 40})})
    extension = MonitorExtension.from_crawler(crawler)
    extension.spider_closed(OfweekSpider(), "finished")
    assert crawler.stats.get_value(ALARMS_KEY) == ["coverage source: 0% now, 98% in the last 3 runs"]
    assert crawler.stats.get_value("newscrawl/exit_code") == 3

    # a run cut short is not judged; an exit code set by the store stays
    crawler.stats.set_stats({"start_time": now, "newscrawl/exit_code": 75, **run_stats(missing={"source": 40})})
    extension.spider_closed(OfweekSpider(), "shutdown")
    assert crawler.stats.get_value(ALARMS_KEY) == []
    assert crawler.stats.get_value("newscrawl/exit_code") == 75
