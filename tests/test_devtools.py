"""Scrapy's dev tools on the portal spiders: `scrapy check` contracts, `scrapy parse` on any URL, no run recorded."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

from scrapy.spiderloader import SpiderLoader
from scrapy.utils.project import get_project_settings

from newscrawl.commands.crawlall import portal_spiders

ROOT = Path(__file__).resolve().parents[1]
MIRROR = ROOT / "samples" / "mirror"
ARTICLE = "https://ai.ofweek.com/2026-02/ART-201700-8420-30701342.html"
LIST = "https://www.ofweek.com/CATList-8100-CHANGYIEXINWE.html"


def scrapy(*args, database=None, timeout=180):
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSCRAWL_")} | {"NEWSCRAWL_MIRROR": str(MIRROR)}
    if database:
        env["NEWSCRAWL_DATABASE_URL"] = f"sqlite:///{database}"
    return subprocess.run([sys.executable, "-m", "scrapy", *args, "-s", "DOWNLOAD_DELAY=0"], cwd=ROOT, env=env,
                          capture_output=True, text=True, errors="replace", timeout=timeout)


def test_check_passes_contracts_for_every_portal_spider():
    result = scrapy("check", "-v")
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    passed = re.findall(r"^\[(\w+)\] (\w+) \(@(\w+) post-hook\) \.\.\. ok$", result.stdout + result.stderr, re.M)
    portals = portal_spiders(SpiderLoader.from_settings(get_project_settings()))
    for name in portals:
        assert (name, "parse_article", "scrapes") in passed, name
        assert (name, "parse_list", "returns") in passed, name
    assert re.search(r"Ran (\d+) contracts", result.stderr).group(1) == str(len(passed))


def test_check_fails_when_a_page_lacks_a_contracted_field(tmp_path):
    """The contract is not a formality: the same article without its source line fails `@scrapes`."""
    host = tmp_path / "mirror" / "ai.ofweek.com" / "2026-02"
    host.mkdir(parents=True)
    page = (MIRROR / "ai.ofweek.com" / "2026-02" / "ART-201700-8420-30701342.html").read_bytes()
    stripped = re.sub(rb'<div class="source-name">.*?</div>', b"", page, flags=re.S)
    (host / "ART-201700-8420-30701342.html").write_bytes(stripped)
    (tmp_path / "mirror" / "www.ofweek.com").mkdir()
    (tmp_path / "mirror" / "www.ofweek.com" / "CATList-8100-CHANGYIEXINWE.html").write_bytes(
        (MIRROR / "www.ofweek.com" / "CATList-8100-CHANGYIEXINWE.html").read_bytes())
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSCRAWL_")}
    result = subprocess.run([sys.executable, "-m", "scrapy", "check", "ofweek", "-s", f"NEWSCRAWL_MIRROR={tmp_path / 'mirror'}",
                             "-s", "DOWNLOAD_DELAY=0"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)
    assert result.returncode != 0
    assert "Missing fields: source" in result.stderr


def test_parse_picks_the_article_or_list_callback_from_the_url():
    article = scrapy("parse", "--spider=ofweek", "--nolog", ARTICLE)
    assert article.returncode == 0, article.stderr[-2000:]
    assert f"'url': '{ARTICLE}'" in article.stdout and "'title': '" in article.stdout
    listing = scrapy("parse", "--spider=ofweek", "--nolog", LIST)
    assert listing.returncode == 0
    assert "# Scraped Items" in listing.stdout and len(re.findall(r"<GET https://\w+\.ofweek\.com/.*ART-", listing.stdout)) >= 5
    found = scrapy("parse", "--nolog", "https://www.ithome.com/0/871/234.htm")  # the spider found by domain
    assert "'categories': ['业界', '电脑']" in found.stdout


def test_parse_that_reads_nothing_is_not_a_success():
    missing = scrapy("parse", "https://www.ithome.com/0/999/999.htm")  # not in the mirror: a 404, no callback ran
    assert missing.returncode == 1 and "No response downloaded" in missing.stderr
    unknown = scrapy("parse", "https://nosuch.example/x.htm")  # no spider takes the URL
    assert unknown.returncode == 2 and "Unable to find spider for: https://nosuch.example/x.htm" in unknown.stderr
    assert "Deprecat" not in missing.stderr + unknown.stderr


def test_dev_tools_leave_the_run_history_alone(tmp_path):
    database = tmp_path / "news.db"
    crawl = scrapy("crawl", "ofweek", "-a", "max_pages=1", database=database)
    assert crawl.returncode in (0, 3), crawl.stderr[-2000:]
    with sqlite3.connect(database) as connection:
        before = connection.execute("SELECT * FROM crawl_runs").fetchall()
        articles = connection.execute("SELECT count(*) FROM articles").fetchone()
    assert len(before) == 1
    for command in (["parse", "--spider=ofweek", ARTICLE], ["parse", "--spider=ofweek", LIST], ["fetch", ARTICLE],
                    ["shell", ARTICLE, "-c", "response.status"], ["check", "ofweek"]):
        result = scrapy(*command, database=database)
        assert result.returncode == 0, (command, result.stderr[-2000:])
        assert "ALARM" not in result.stderr
    with sqlite3.connect(database) as connection:
        assert connection.execute("SELECT * FROM crawl_runs").fetchall() == before
        assert connection.execute("SELECT count(*) FROM articles").fetchone() == articles
