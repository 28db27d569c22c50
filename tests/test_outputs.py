"""Every output a run writes (feeds, log file, JOBDIR, spool, report) is checked at start; a later failure is exit 73."""

import subprocess
import sys
from pathlib import Path

import pytest
from scrapy.settings import Settings

from newscrawl import outputs

ROOT = Path(__file__).resolve().parents[1]
MIRROR = ROOT / "samples" / "mirror"


@pytest.fixture
def in_the_way(tmp_path):
    """A file where a directory should be: no one can write below it, root included."""
    path = tmp_path / "a-file"
    path.write_text("")
    return path


def scrapy(tmp_path, *args, command="crawl"):
    spider = ["ofweek"] if command == "crawl" else []
    return subprocess.run(
        [sys.executable, "-m", "scrapy", command, *spider, *args, "-s", f"NEWSCRAWL_MIRROR={MIRROR}",
         "-s", f"NEWSCRAWL_DATABASE_URL=sqlite:///{tmp_path / 'news.db'}", "-s", "DOWNLOAD_DELAY=0",
         "-s", "AUTOTHROTTLE_ENABLED=0"],
        cwd=ROOT, capture_output=True, text=True, timeout=240,
    )


def test_each_kind_of_output_is_checked(tmp_path, in_the_way):
    settings = Settings({
        "FEEDS": {str(in_the_way / "x.jsonl"): {}, f"{in_the_way}/%(name)s/%(time)s.jsonl": {}, "s3://bucket/x.jsonl": {},
                  str(tmp_path / "new" / "dir" / "ok.jsonl"): {}, "/dev/full": {}},
        "LOG_FILE": str(tmp_path / "missing" / "x.log"), "JOBDIR": str(in_the_way / "job"),
        "NEWSCRAWL_SPOOL_DIR": str(in_the_way),
    })
    lines = outputs.problems(settings, {"--report": ("file", str(in_the_way / "r.json"))})
    assert lines == [
        f"-o/-O {in_the_way / 'x.jsonl'}: cannot write there: {in_the_way} is not a directory",
        f"-o/-O {in_the_way}/: cannot write there: not a directory",
        f"JOBDIR {in_the_way / 'job'}: cannot write there: {in_the_way} is not a directory",
        f"NEWSCRAWL_SPOOL_DIR {in_the_way}: cannot write there: not a directory",
        # the log file is opened as it is: its directory must exist
        f"--logfile {tmp_path / 'missing' / 'x.log'}: cannot write there: no such directory {tmp_path / 'missing'}",
        f"--report {in_the_way / 'r.json'}: cannot write there: {in_the_way} is not a directory",
    ]
    assert not (tmp_path / "new").exists()  # checking created nothing


def test_a_new_output_registers_its_setting(tmp_path, in_the_way, monkeypatch):
    monkeypatch.setattr(outputs, "OUTPUT_SETTINGS", dict(outputs.OUTPUT_SETTINGS))
    outputs.register("NEWSCRAWL_SOMETHING_DIR", "directory")
    assert outputs.problems(Settings({"NEWSCRAWL_SOMETHING_DIR": str(in_the_way)})) == [
        f"NEWSCRAWL_SOMETHING_DIR {in_the_way}: cannot write there: not a directory"]
    assert outputs.problems(Settings({"NEWSCRAWL_SOMETHING_DIR": str(tmp_path / "to-be-made")})) == []


@pytest.mark.parametrize("option, label", [
    (["-O", "{bad}/articles.jsonl"], "-o/-O"),
    (["-o", "{bad}/articles.jsonl"], "-o/-O"),
    (["--logfile", "{missing}/crawl.log"], "--logfile"),
    (["-s", "JOBDIR={bad}/job"], "JOBDIR"),
    (["-s", "NEWSCRAWL_SPOOL_DIR={bad}/spool"], "NEWSCRAWL_SPOOL_DIR"),
])
def test_crawl_refuses_an_unwritable_output_in_one_line_before_any_request(tmp_path, in_the_way, option, label):
    args = [a.format(bad=in_the_way, missing=tmp_path / "missing") for a in option]
    result = scrapy(tmp_path, *args)
    assert result.returncode == 2, result.stderr[-2000:]
    [line] = result.stderr.splitlines()
    assert line.startswith(f"scrapy crawl ofweek: {label} {args[-1].split('=')[-1]}: cannot write there: "), line
    assert not (tmp_path / "news.db").exists()  # nothing started: no store, no request


def test_crawlall_refuses_an_unwritable_report(tmp_path, in_the_way):
    result = scrapy(tmp_path, "--report", str(in_the_way / "report.json"), command="crawlall")
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"scrapy crawlall: --report {in_the_way / 'report.json'}: cannot write there: {in_the_way} is not a directory"]


def test_a_feed_that_fails_while_written_is_exit_73_in_one_line(tmp_path):
    """/dev/full opens (the start check passes) and refuses every write: a disk that filled up mid-crawl."""
    result = scrapy(tmp_path, "-O", "/dev/full:jsonl", "-s", "LOG_LEVEL=WARNING")
    assert result.returncode == 73, result.stderr[-3000:]
    errors = [line for line in result.stderr.splitlines() if "] ERROR: " in line]
    assert len(errors) == 1 and "feed /dev/full: cannot write it (No space left on device)" in errors[0]
    assert "Traceback" not in result.stderr


def test_a_rerun_that_leaves_the_feed_empty_says_where_the_articles_are(tmp_path):
    feed = tmp_path / "articles.jsonl"
    first = scrapy(tmp_path, "-O", str(feed))
    assert first.returncode == 0 and len(feed.read_text("utf-8").splitlines()) == 12
    assert "is empty" not in first.stderr
    second = scrapy(tmp_path, "-O", str(feed))
    assert second.returncode == 0 and feed.read_text("utf-8") == ""
    assert f"{feed} is empty: nothing new this run" in second.stderr
    assert f"every stored article: scrapy export jsonl {feed}" in second.stderr
    # and the run's last line, its summary, says it again
    assert second.stderr.splitlines()[-1].endswith(
        f"ofweek: 0 articles (0 new, 0 updated), 13 known; exit 0: ok; nothing new this run, "
        f"every stored article: scrapy export jsonl {feed}")


def test_a_report_that_fails_while_written_is_exit_73(tmp_path):
    """/dev/full passes the start check and refuses the write: the run says so and does not exit 0."""
    result = scrapy(tmp_path, "--spiders", "ofweek", "--report", "/dev/full", command="crawlall")
    assert result.returncode == 73, result.stdout + result.stderr[-2000:]
    assert "crawlall: cannot write the report to /dev/full" in result.stderr
    assert result.stdout.splitlines()[-1].startswith("crawlall: NOT WRITTEN report (exit 73)")
