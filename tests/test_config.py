"""Settings: `-s` and the environment take the same spellings; a bad value stops a crawl in one line, exit 2."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from scrapy.settings import Settings

from newscrawl import config
from newscrawl import settings as project

ROOT = Path(__file__).resolve().parents[1]


def scrapy(*args, env=None, timeout=120):
    environ = {k: v for k, v in os.environ.items() if not k.startswith("NEWSCRAWL_")} | (env or {})
    return subprocess.run([sys.executable, "-m", "scrapy", *args], cwd=ROOT, env=environ,
                          capture_output=True, text=True, timeout=timeout)


def project_settings(cmdline: dict | None = None, environ: dict | None = None) -> Settings:
    """What a command sees: settings.py, the environment (config add-on), then -s at cmdline priority."""
    settings = Settings()
    settings.setmodule(project, priority="project")
    settings.setdict(cmdline or {}, priority="cmdline")
    config.apply_environment(settings, environ or {})
    config.normalise(settings)
    return settings


def test_settings_module_parses_nothing_at_import():
    source = (ROOT / "newscrawl" / "settings.py").read_text()
    assert "os.environ" not in source and "int(" not in source and "float(" not in source


@given(word=st.sampled_from(config.TRUE_WORDS + config.FALSE_WORDS), upper=st.booleans())
def test_a_boolean_reads_the_same_from_s_and_the_environment(word, upper):
    word = word.upper() if upper else word
    from_s = project_settings(cmdline={"NEWSCRAWL_INCREMENTAL": word})
    from_env = project_settings(environ={"NEWSCRAWL_INCREMENTAL": word})
    assert from_s.getbool("NEWSCRAWL_INCREMENTAL") is from_env.getbool("NEWSCRAWL_INCREMENTAL")
    assert from_s.getbool("NEWSCRAWL_INCREMENTAL") is (word.lower() in config.TRUE_WORDS)
    assert config.problems(from_s, {}) == []


@given(word=st.text(max_size=6).filter(lambda w: w.strip().lower() not in config.TRUE_WORDS + config.FALSE_WORDS))
def test_any_other_boolean_word_is_one_problem(word):
    lines = config.problems(project_settings(cmdline={"NEWSCRAWL_RECORD_RUNS": word}), {})
    assert len(lines) == 1 and lines[0].startswith("NEWSCRAWL_RECORD_RUNS=") and "on/off" in lines[0]


def test_s_wins_over_the_environment_which_wins_over_settings_py():
    settings = project_settings(cmdline={"NEWSCRAWL_STORE_BATCH_SIZE": "7"},
                                environ={"NEWSCRAWL_STORE_BATCH_SIZE": "9", "NEWSCRAWL_STORE_RETRIES": "1"})
    assert settings.getint("NEWSCRAWL_STORE_BATCH_SIZE") == 7
    assert settings.getint("NEWSCRAWL_STORE_RETRIES") == 1
    assert settings.getint("NEWSCRAWL_STORE_TIMEOUT") == 5
    assert project_settings(environ={"NEWSCRAWL_LOG_LEVEL": "warning"})["LOG_LEVEL"] == "WARNING"


def test_each_mistake_is_one_line_naming_the_setting_and_what_it_takes():
    settings = project_settings(cmdline={
        "NEWSCRAWL_STORE_BATCH_SIZE": "abc", "DOWNLOAD_DELAY": "abc", "NEWSCRAWL_MONITOR_MIN_COVERAGE": '{"title": ',
        "NEWSCRAWL_MONITOR_MAX_NOT_ARTICLE": "2", "NEWSCRAWL_STORE_BACH_SIZE": "5", "CONCURRENT_REQUESTS": "0",
    })
    assert sorted(config.problems(settings, {})) == sorted([
        "NEWSCRAWL_STORE_BATCH_SIZE=abc: must be a whole number of at least 1",
        "DOWNLOAD_DELAY=abc: must be a number of at least 0",
        'NEWSCRAWL_MONITOR_MIN_COVERAGE={"title": : must be a JSON object of field names and shares between 0 and 1, '
        'e.g. {"title": 0.9}',
        "NEWSCRAWL_MONITOR_MAX_NOT_ARTICLE=2: must be a share between 0 and 1",
        "NEWSCRAWL_STORE_BACH_SIZE: no such setting (did you mean NEWSCRAWL_STORE_BATCH_SIZE?)",
        "CONCURRENT_REQUESTS=0: must be a whole number of at least 1",
    ])


def test_the_test_suites_own_variables_are_not_settings():
    assert config.problems(project_settings(), {"NEWSCRAWL_REQUIRE_SERVICES": "1", "NEWSCRAWL_TEST_REDIS_URL": "x"}) == []


@pytest.mark.parametrize("setting, line", [
    ("DOWNLOAD_DELAY=abc", "DOWNLOAD_DELAY=abc: must be a number of at least 0"),
    ("NEWSCRAWL_STORE_BATCH_SIZE=abc", "NEWSCRAWL_STORE_BATCH_SIZE=abc: must be a whole number of at least 1"),
    ("NEWSCRAWL_MONITOR_MIN_COVERAGE={bad", "NEWSCRAWL_MONITOR_MIN_COVERAGE={bad: must be a JSON object"),
])
def test_crawl_with_a_bad_setting_stops_in_one_line_with_exit_2(tmp_path, setting, line):
    result = scrapy("crawl", "ofweek", "-s", setting, "-s", f"NEWSCRAWL_DATABASE_URL=sqlite:///{tmp_path / 'n.db'}")
    assert result.returncode == 2, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith(f"scrapy crawl ofweek: {line}")


def test_environment_with_a_bad_value_leaves_list_working_and_stops_a_crawl(tmp_path):
    env = {"NEWSCRAWL_STORE_BATCH_SIZE": "abc", "NEWSCRAWL_DATABASE_URL": f"sqlite:///{tmp_path / 'n.db'}"}
    listed = scrapy("list", env=env)
    assert listed.returncode == 0 and "ofweek" in listed.stdout.split()
    result = scrapy("crawl", "ofweek", env=env)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1] == (
        "scrapy crawl ofweek: NEWSCRAWL_STORE_BATCH_SIZE=abc: must be a whole number of at least 1"
    )
    # the refused run is in the run history, with its reason
    with sqlite3.connect(tmp_path / "n.db") as connection:
        rows = connection.execute("SELECT spider, finish_reason, exit_code, stats FROM crawl_runs").fetchall()
    assert [(r[0], r[1], r[2]) for r in rows] == [("ofweek", "usage_error", 2)]
    assert "NEWSCRAWL_STORE_BATCH_SIZE=abc" in rows[0][3]


def test_a_scrapy_setting_in_the_environment_is_said_to_be_unread():
    """Scrapy reads no setting from the environment: DOWNLOAD_DELAY=abc there is named, not silently dropped."""
    assert config.ignored_environment({"DOWNLOAD_DELAY": "abc", "DOWNLOAD_MAXSIZE": "abc", "PATH": "/bin"}) == [
        "warning: DOWNLOAD_DELAY in the environment is not read: Scrapy's own settings come from -s DOWNLOAD_DELAY=…",
        "warning: DOWNLOAD_MAXSIZE in the environment is not read: Scrapy's own settings come from -s "
        "DOWNLOAD_MAXSIZE=… or NEWSCRAWL_DOWNLOAD_MAXSIZE in the environment",
    ]
    result = scrapy("crawl", "ofweek", "-s", "NEWSCRAWL_STORE_BATCH_SIZE=abc", env={"DOWNLOAD_DELAY": "abc"})
    assert result.returncode == 2  # for NEWSCRAWL_STORE_BATCH_SIZE; DOWNLOAD_DELAY is named in its own line
    assert "warning: DOWNLOAD_DELAY in the environment is not read" in result.stderr


def test_incremental_off_from_s_is_a_full_crawl_like_from_the_environment(tmp_path):
    """`-s NEWSCRAWL_INCREMENTAL=off` used to crash; now both spellings switch the middleware off."""
    from ofweek_site import LIST_URL, write_site

    mirror = tmp_path / "mirror"
    urls = write_site(mirror, 3)
    database = f"sqlite:///{tmp_path / 'n.db'}"
    common = ("crawl", "ofweek", "-a", f"start_urls={LIST_URL}", "-s", f"NEWSCRAWL_MIRROR={mirror}",
              "-s", f"NEWSCRAWL_DATABASE_URL={database}", "-s", "DOWNLOAD_DELAY=0", "-s", "ROBOTSTXT_OBEY=0",
              "-s", "NEWSCRAWL_MONITOR_ENABLED=0", "-s", "LOG_LEVEL=INFO")
    first = scrapy(*common)
    assert first.returncode == 0, first.stderr[-2000:]
    incremental = scrapy(*common)
    assert "'newscrawl/incremental/skipped': " in incremental.stderr  # on by default: stored articles skipped
    for args, env in ((("-s", "NEWSCRAWL_INCREMENTAL=off"), {}), ((), {"NEWSCRAWL_INCREMENTAL": "off"})):
        again = scrapy(*common, *args, env=env)
        assert again.returncode == 0, again.stderr[-2000:]
        assert "newscrawl/incremental/skipped" not in again.stderr
        assert f"'newscrawl/article_pages': {len(urls)}," in again.stderr


def test_commands_refuse_a_missing_spool_directory_and_an_empty_report_path(tmp_path):
    spool = scrapy("loadspool", str(tmp_path / "nonexistent"), env={"NEWSCRAWL_DATABASE_URL": f"sqlite:///{tmp_path / 'n.db'}"})
    assert spool.returncode == 2
    assert spool.stderr.strip() == (
        f"scrapy loadspool: {tmp_path / 'nonexistent'}: no such directory; name the spool directory (NEWSCRAWL_SPOOL_DIR)"
    )
    report = scrapy("crawlall", "--report", "", "--spiders", "ofweek")
    assert report.returncode == 2
    assert report.stderr == "scrapy crawlall: --report needs a file path; leave it out to use NEWSCRAWL_REPORT_PATH\n"


COMPONENTS_LOADED = """
import sys
from scrapy.utils.reactor import install_reactor
install_reactor("twisted.internet.asyncioreactor.AsyncioSelectorReactor")
from scrapy.crawler import Crawler
from scrapy.core.downloader.middleware import DownloaderMiddlewareManager
from scrapy.utils.project import get_project_settings
from newscrawl.spiders.ofweek import OfweekSpider

settings = get_project_settings()
for pair in sys.argv[1:]:
    settings.set(*pair.split("="), priority="cmdline")
crawler = Crawler(OfweekSpider, settings)
crawler._apply_settings()  # add-ons, then the extensions
crawler.spider = crawler._create_spider()
middlewares = DownloaderMiddlewareManager.from_crawler(crawler)
names = {type(c).__name__ for c in [*middlewares.middlewares, *crawler.extensions.middlewares]}
print(sorted(names & {"CookiesMiddleware", "TelnetConsole", "RemoteControl"}),
      sorted(m for m in ("aiohttp", "tldextract", "twisted.conch.telnet") if m in sys.modules))
"""


def test_components_switched_off_are_not_even_imported_and_switch_on_with_s():
    """Cookies, telnet and remote control are off by default: their modules (aiohttp, tldextract) cost
    a one-page cron run 0.15 s; their settings still turn them on (issue 12)."""
    def loaded(*pairs):
        done = subprocess.run([sys.executable, "-c", COMPONENTS_LOADED, *pairs], cwd=ROOT, capture_output=True,
                              text=True, env={k: v for k, v in os.environ.items() if not k.startswith("NEWSCRAWL_")})
        assert done.returncode == 0, done.stderr[-2000:]
        return done.stdout.strip().splitlines()[-1]

    assert loaded() == "[] []"
    assert loaded("COOKIES_ENABLED=True") == "['CookiesMiddleware'] ['tldextract']"
