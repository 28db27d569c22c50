"""Declared spider arguments: unknown names and bad values stop the run in one line; -a help=1 lists them."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from scrapy.spiderloader import SpiderLoader
from scrapy.utils.project import get_project_settings

from newscrawl import arguments
from newscrawl.arguments import SpiderArgumentError
from newscrawl.spiders.generic import GenericSpider
from newscrawl.spiders.ithome import IthomeSpider
from newscrawl.spiders.ofweek import OfweekSpider

ROOT = Path(__file__).resolve().parents[1]


def crawl(*args, database=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSCRAWL_")}
    settings = ["-s", f"NEWSCRAWL_DATABASE_URL=sqlite:///{database}"] if database else []
    return subprocess.run([sys.executable, "-m", "scrapy", *args, *settings], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def spider_classes():
    loader = SpiderLoader.from_settings(get_project_settings())
    return [loader.load(name) for name in loader.list()]


@pytest.mark.parametrize("spidercls", spider_classes(), ids=lambda cls: cls.name)
def test_every_spider_declares_its_arguments_with_help(spidercls):
    table = arguments.declared(spidercls)
    common = {"since", "full", "refresh"} | ({"start_urls", "max_pages"} if not issubclass(spidercls, GenericSpider) else set())
    assert common <= set(table)
    assert all(argument.help for argument in table.values())
    described = arguments.describe(spidercls)
    assert all(f"  {name}=" in described for name in table)


@pytest.mark.parametrize("spidercls, kwargs, message", [
    (OfweekSpider, {"full": "ture"}, "full must be 1/0, true/false, yes/no or on/off, got 'ture'"),
    (OfweekSpider, {"chanels": "ee"}, "unknown argument 'chanels'; did you mean channels? ofweek takes"),
    (IthomeSpider, {"channels": "ee"}, "unknown argument 'channels'; ithome takes start_urls, max_pages"),
    (IthomeSpider, {"refresh": "maybe"}, "refresh must be 1/0, true/false, yes/no or on/off, got 'maybe'"),
])
def test_typos_and_bad_values_are_refused(spidercls, kwargs, message):
    with pytest.raises(SpiderArgumentError) as raised:
        spidercls(**kwargs)
    assert str(raised.value).startswith(message)
    assert "\n" not in str(raised.value)


@given(word=st.sampled_from(["1", "0", "true", "false", "yes", "no", "on", "off"]), upper=st.booleans())
def test_boolean_arguments_take_the_four_pairs_in_any_case(word, upper):
    spider = OfweekSpider(full=word.upper() if upper else word)
    assert spider.full is (word in ("1", "true", "yes", "on"))


def test_generic_spiders_refuse_start_urls_they_would_ignore():
    from newscrawl.spiders.feed import FeedSpider

    with pytest.raises(SpiderArgumentError, match="unknown argument 'start_urls'; feed takes since, full, refresh, tz"):
        FeedSpider(url="https://example.com/feed.xml", start_urls="https://example.com/")


def test_scrapyd_job_id_is_not_an_unknown_argument():
    assert OfweekSpider(_job="abc123", channels="ee").channels == ["ee"]


def test_help_lists_the_arguments_and_runs_nothing(tmp_path):
    result = crawl("crawl", "ofweek", "-a", "help=1", database=tmp_path / "n.db")
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout == arguments.describe(OfweekSpider) + "\n"
    assert "channels=A,B" in result.stdout and "(default www)" in result.stdout
    assert not (tmp_path / "n.db").exists()
    listed = crawl("args", "ithome")
    assert listed.returncode == 0 and listed.stdout == arguments.describe(IthomeSpider) + "\n"


@pytest.mark.parametrize("argument, line", [
    ("full=ture", "scrapy crawl ithome: full must be 1/0, true/false, yes/no or on/off, got 'ture'"),
    ("channels=ee", "scrapy crawl ithome: unknown argument 'channels'; ithome takes start_urls, max_pages, since, "
                    "full, refresh (`scrapy args ithome` explains them)"),
])
def test_crawl_with_a_bad_argument_is_one_line_exit_2_and_a_run_row(tmp_path, argument, line):
    result = crawl("crawl", "ithome", "-a", argument, database=tmp_path / "n.db")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1] == line
    with sqlite3.connect(tmp_path / "n.db") as connection:
        rows = connection.execute("SELECT finish_reason, exit_code, arguments, stats FROM crawl_runs").fetchall()
    assert len(rows) == 1 and rows[0][:2] == ("usage_error", 2)
    assert argument.split("=")[0] in rows[0][2] and line.split(": ", 1)[1].replace("'", "") in rows[0][3].replace("'", "")
