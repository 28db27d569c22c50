"""`scrapy crawlall`: exit codes, summary table, JSON report, run records and layout-change alarms."""

import json
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from scrapy.spiderloader import SpiderLoader
from scrapy.utils.project import get_project_settings

from newscrawl.commands.crawlall import conditions_line, overall_exit_code, portal_spiders, spider_summary, split_arguments

ROOT = Path(__file__).resolve().parents[1]
MIRROR = ROOT / "samples" / "mirror"
EXPECTED = json.loads((ROOT / "tests" / "fixtures" / "ofweek" / "EXPECTED.json").read_text("utf-8"))


def crawlall(tmp_path, *args, mirror=MIRROR, db="news.db"):
    report = tmp_path / "report.json"
    command = [
        sys.executable, "-m", "scrapy", "crawlall", *args,
        "-s", f"NEWSCRAWL_MIRROR={mirror}",
        "-s", f"NEWSCRAWL_DATABASE_URL=sqlite:///{tmp_path / db}",
        "-s", "ROBOTSTXT_OBEY=0", "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0",
        "--report", str(report),
    ]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=240)
    data = json.loads(report.read_text("utf-8")) if report.exists() else None
    return result, data


def changed_mirror(tmp_path, *replacements):
    """A copy of the sample mirror whose OFweek article pages had their markup changed."""
    mirror = tmp_path / "mirror"
    shutil.copytree(MIRROR, mirror)
    for page in mirror.rglob("ART-*.html"):
        html = page.read_bytes().decode("gb18030")
        for old, new in replacements:
            html = html.replace(old, new)
        page.write_bytes(html.encode("gb18030"))
    return mirror


def test_success_prints_summary_writes_report_and_records_run(tmp_path):
    result, report = crawlall(tmp_path, "--spiders", "ofweek", "-s", f"JOBDIR={tmp_path / 'job'}")
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    # a finished spider leaves no job state behind, or the next hourly run would skip every page it saw
    assert (tmp_path / "job").is_dir() and not (tmp_path / "job" / "ofweek").exists()
    header, row = result.stdout.splitlines()[:2]
    assert header.split()[:6] == ["spider", "status", "requests", "pages", "known", "articles"]
    assert row.split()[:2] == ["ofweek", "ok"]
    assert re.search(r"crawlall: ok \(exit 0\) in [\d.]+s; report ", result.stdout)
    # cron (no terminal): nothing on stderr but errors
    assert result.stderr == ""

    [entry] = report["spiders"]
    assert report["exit_code"] == 0 and entry["status"] == "ok" and entry["finish_reason"] == "finished"
    assert entry["articles"]["scraped"] == 12
    assert entry["articles"]["dropped"] == {} and entry["alarms"] == []
    assert entry["requests"] >= 15 and entry["duration_s"] > 0
    with sqlite3.connect(tmp_path / "news.db") as connection:
        assert connection.execute("SELECT count(*) FROM articles").fetchone()[0] == 12
        runs = connection.execute("SELECT spider, finish_reason, items_scraped FROM crawl_runs").fetchall()
    assert runs == [("ofweek", "finished", 12)]


def test_spider_cut_short_is_a_failure(tmp_path):
    result, report = crawlall(tmp_path, "--spiders", "ofweek", "-s", "CLOSESPIDER_PAGECOUNT=3", "-s", f"JOBDIR={tmp_path / 'job'}")
    assert result.returncode == 1, result.stdout + result.stderr[-3000:]
    assert f"FAILED ofweek: finished with reason 'closespider_pagecount'; the next run resumes from {tmp_path / 'job' / 'ofweek'}" in result.stdout
    assert report["spiders"][0]["status"] == "FAILED"
    # the job state stays, so that the next run resumes where this one stopped
    assert report["spiders"][0]["jobdir"] == str(tmp_path / "job" / "ofweek")
    assert (tmp_path / "job" / "ofweek" / "requests.queue").is_dir()


def test_usage_errors_exit_2_with_one_line(tmp_path):
    result, report = crawlall(tmp_path, "--spiders", "ofweek", "-a", "since=last tuesday")
    assert result.returncode == 2
    assert result.stderr.strip().startswith("scrapy crawlall: ofweek: since")
    assert len(result.stderr.strip().splitlines()) == 1 and report is None


def test_portal_spiders_are_found_without_the_generic_ones():
    names = portal_spiders(SpiderLoader.from_settings(get_project_settings()))
    assert "ofweek" in names
    assert not {"feed", "sitemap", "article"} & set(names)


def test_body_container_renamed_trips_the_monitor(tmp_path):
    mirror = changed_mirror(
        tmp_path,
        ('id="articleC"', 'id="articleBody"'), ('artical-content', 'detail-body'),
        ('article_con', 'detail-con'), ('TRS_Editor', 'trs-body'),
    )
    result, report = crawlall(tmp_path, "--spiders", "ofweek", mirror=mirror)
    assert result.returncode == 3, result.stdout + result.stderr[-3000:]
    [entry] = report["spiders"]
    assert entry["status"] == "ALARM"
    assert any("held no article" in alarm or "body_html" in alarm for alarm in entry["alarms"]), entry["alarms"]
    assert "ALARM ofweek: " in result.stdout
    with sqlite3.connect(tmp_path / "news.db") as connection:
        [(code, stats)] = connection.execute("SELECT exit_code, stats FROM crawl_runs").fetchall()
    assert code == 3 and json.loads(stats)["newscrawl/monitor/alarms"] == entry["alarms"]


def test_field_lost_against_recent_runs_trips_the_monitor(tmp_path):
    """No fixed threshold covers `source`: the drop is seen against the previous runs in crawl_runs."""
    result, _ = crawlall(tmp_path, "--spiders", "ofweek")
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    mirror = changed_mirror(tmp_path, ('class="source-name"', 'class="origin"'), ('id="laiyuan"', 'id="origin"'))
    # full=1: read the known articles again rather than skip them (incremental crawling)
    result, report = crawlall(tmp_path, "--spiders", "ofweek", "-a", "full=1", mirror=mirror)
    assert result.returncode == 3, result.stdout + result.stderr[-3000:]
    [alarm] = report["spiders"][0]["alarms"]
    assert re.match(r"(coverage source: \d+% now|fallback source: \d+% from the generic extractor now), \d+% in the last 1 runs", alarm), alarm


def summary(stats, failure=None):
    return spider_summary("ofweek", {"finish_reason": "finished", **stats}, failure, max_errors=2)


def test_exit_codes_of_each_spider_and_of_the_run():
    ok = summary({"item_scraped_count": 5})
    failed = summary({}, failure="RuntimeError: boom")
    errors = summary({"log_count/ERROR": 3})
    alarm = summary({"newscrawl/monitor/alarms": ["coverage title: 0% …"], "newscrawl/exit_code": 3})
    spooled = summary({"newscrawl/exit_code": 75})
    assert [e["exit_code"] for e in (ok, failed, errors, alarm, spooled)] == [0, 1, 4, 3, 75]
    assert summary({"log_count/ERROR": 2})["exit_code"] == 0  # at the threshold is fine
    assert spider_summary("x", {"finish_reason": "shutdown"}, None, 0)["exit_code"] == 1
    assert overall_exit_code([ok, spooled, alarm]) == 3
    assert overall_exit_code([ok, errors, spooled]) == 75
    assert overall_exit_code([errors, failed, alarm]) == 1
    # a database outage logs errors as well: the spider says 75, what happened, not 4
    assert summary({"log_count/ERROR": 5, "newscrawl/exit_code": 75})["exit_code"] == 75
    assert overall_exit_code([ok, ok]) == 0


def test_the_last_line_names_every_condition_whatever_the_exit_code():
    alarm = spider_summary("gasgoo", {"newscrawl/exit_code": 3, "finish_reason": "finished"}, None, 0)
    spooled = [spider_summary(n, {"newscrawl/exit_code": 75, "log_count/ERROR": 4, "finish_reason": "finished"}, None, 0)
               for n in ("c114", "elecfans", "ithome", "laoyaoba", "ofweek")]
    assert overall_exit_code([alarm, *spooled]) == 3
    assert conditions_line([alarm, *spooled]) == "ALARM gasgoo; SPOOLED 5 portals"
    both = spider_summary("ofweek", {"newscrawl/exit_code": 75, "newscrawl/monitor/alarms": ["x"], "finish_reason": "finished"}, None, 0)
    errors = spider_summary("c114", {"log_count/ERROR": 2, "finish_reason": "finished"}, None, 0)
    assert conditions_line([both, errors]) == "ALARM ofweek; SPOOLED ofweek; ERRORS c114"
    assert conditions_line([spider_summary("c114", {"finish_reason": "finished"}, None, 0)]) == "ok"


def test_dropped_items_are_listed_by_reason_and_duplicates_apart():
    entry = summary({
        "item_dropped_reasons_count/MissingTitle": 2, "item_dropped_reasons_count/DuplicateUrl": 1,
        "item_dropped_reasons_count/DuplicateContent": 4, "newscrawl/store/inserted": 7,
    })
    assert entry["articles"]["dropped"] == {"MissingTitle": 2}
    assert entry["articles"]["duplicate"] == 5
    assert entry["articles"]["inserted"] == 7


def test_spider_specific_arguments():
    arguments = split_arguments({"since": "2025-01-01", "ofweek:channels": "all"}, ["ofweek", "gasgoo"])
    assert arguments == {"ofweek": {"since": "2025-01-01", "channels": "all"}, "gasgoo": {"since": "2025-01-01"}}
    with pytest.raises(Exception, match="'ithome' is not among the spiders of this run"):
        split_arguments({"ithome:x": "1"}, ["ofweek"])


def test_a_crawl_that_crashes_is_remembered_with_its_first_line():
    """Either reactor setting: CrawlerProcess returns a Deferred, AsyncCrawlerProcess an asyncio Task."""
    import asyncio

    from twisted.internet import defer

    from newscrawl.commands.crawlall import Command

    failures = {}
    Command._watch(defer.fail(RuntimeError("store could not open\nTraceback …")), "ofweek", failures)
    loop = asyncio.new_event_loop()
    try:
        async def boom():
            raise ValueError("bad selector")

        task = loop.create_task(boom())
        Command._watch(task, "ithome", failures)
        loop.run_until_complete(asyncio.wait([task]))
        loop.run_until_complete(asyncio.sleep(0))
    finally:
        loop.close()
    assert failures == {"ofweek": "RuntimeError: store could not open", "ithome": "ValueError: bad selector"}
    assert spider_summary("ofweek", {}, failures["ofweek"], 0)["status"] == "FAILED"
