"""`scrapy dbstats` on databases filled by a real crawl (SQLite and PostgreSQL)."""

import json
import re
import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa

from newscrawl import db
from newscrawl.items import ARTICLE_FIELDS

ROOT = Path(__file__).resolve().parents[1]
SEED_URL = "https://cloud.ofweek.com/2022-08/ART-178801-8420-30570417.html"
ITHOME_URL = "https://www.ithome.com/0/632/410.htm"


def filled(item, field):
    return item[field] not in (None, "", [])


def test_numbers_match_the_stored_articles(export_db, run):
    url, stored = export_db
    status, out, err = run("dbstats", "--json", url=url)
    assert (status, err) == (0, "")
    report = json.loads(out)
    assert report["articles"] == 5
    assert {name: p["articles"] for name, p in report["portals"].items()} == {"ithome": 1, "ofweek": 4}
    ofweek = report["portals"]["ofweek"]
    # the portal's own calendar: the 2021-12-31 23:30 Beijing article is the first day, not 2021-12-31 UTC by luck
    assert (ofweek["first_published"], ofweek["last_published"]) == ("2021-12-31", "2022-08-10")
    assert ofweek["edited"] == 0 and ofweek["near_duplicates"] == 0
    assert ofweek["last_crawled"] == max(a["crawled_at"] for a in stored if a["portal"] == "ofweek")

    days = list(report["per_day"])
    assert len(days) == 14 and days[0] == "2022-07-28" and days[-1] == "2022-08-10"
    assert report["per_day"]["2022-08-10"] == {"ithome": 1, "ofweek": 2}
    assert report["per_day"]["2022-08-09"] == {}  # a day without articles is shown, as a gap

    for portal in ("ofweek", "ithome"):
        items = [a for a in stored if a["portal"] == portal]
        expected = {f: sum(filled(a, f) for a in items) for f in ARTICLE_FIELDS if f not in ("url", "portal")}
        assert report["coverage"][portal] == expected
    assert report["coverage"]["ofweek"]["headimg"] == 2 and report["coverage"]["ofweek"]["author"] == 1

    # the crawl dropped one copy of another page's text: the run's stats say so
    assert report["runs"]["count"] == 1
    assert report["runs"]["dropped"] == {"DuplicateContent": 1}
    assert report["runs"]["recent"][0]["spider"] == "ofweek"


def test_text_report_reads_like_a_summary(export_db, run):
    status, out, _ = run("dbstats", url=export_db[0])
    assert status == 0
    assert "5 articles from 2 portal(s), published 2021-12-31 .. 2022-08-10" in out
    assert re.search(r"^ofweek\s+4\s+2021-12-31\s+2022-08-10\s+\S+\s+0\s+0$", out, re.M)
    assert re.search(r"^day\s+total\s+ithome\s+ofweek$", out, re.M)
    assert re.search(r"^2022-08-10\s+3\s+1\s+2$", out, re.M)
    assert re.search(r"^headimg\s+40%\s+0%\s+50%$", out, re.M)
    assert "near duplicates stored (near_duplicate_of set): 0" in out
    assert "dropped by crawls (1 recorded runs): DuplicateContent 1" in out


def test_filters_and_days(export_db, run):
    status, out, _ = run("dbstats", "--json", "--portal", "ithome", "--days", "3", url=export_db[0])
    report = json.loads(out)
    assert status == 0 and list(report["portals"]) == ["ithome"]
    assert report["per_day"] == {"2022-08-08": {}, "2022-08-09": {}, "2022-08-10": {"ithome": 1}}
    assert report["runs"]["count"] == 0  # no ithome crawl was recorded
    report = json.loads(run("dbstats", "--json", "--since", "2022-01-01", url=export_db[0])[1])
    assert report["portals"]["ofweek"]["articles"] == 3 and report["portals"]["ofweek"]["first_published"] == "2022-01-01"


@pytest.mark.parametrize("export_db", ["sqlite"], indirect=True)
def test_near_duplicates_and_edits_are_counted(export_db, run, tmp_path):
    copy = tmp_path / "copy.db"
    with sqlite3.connect(export_db[0].removeprefix("sqlite:///")) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    url = f"sqlite:///{copy}"
    engine = db.create_engine(url)
    with engine.begin() as connection:
        # what the store does for a syndicated copy on another portal, and for an edited article
        connection.execute(sa.update(db.articles).where(db.articles.c.url == ITHOME_URL).values(near_duplicate_of=SEED_URL))
        connection.execute(sa.update(db.articles).where(db.articles.c.url == SEED_URL).values(version=2))
    engine.dispose()
    report = json.loads(run("dbstats", "--json", url=url)[1])
    assert report["portals"]["ithome"]["near_duplicates"] == 1 and report["portals"]["ofweek"]["near_duplicates"] == 0
    assert report["portals"]["ofweek"]["edited"] == 1
    out = run("dbstats", url=url)[1]
    assert "near duplicates stored (near_duplicate_of set): 1" in out
    assert "edited after first stored (version > 1): 1 articles" in out


def test_empty_database_and_bad_arguments(tmp_path, run):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    engine = db.create_engine(url)
    db.metadata.create_all(engine)
    engine.dispose()
    status, out, _ = run("dbstats", url=url)
    assert status == 0 and "No articles stored" in out
    assert run("dbstats", "--days", "0", url=url) == (
        2, "", "scrapy dbstats: --days must be a whole number from 1 to 3660, got '0'\n"
    )
    assert run("dbstats", "ofweek", url=url) == (2, "", "scrapy dbstats: unexpected argument ofweek; see `scrapy dbstats -h`\n")
    assert run("dbstats", "--since", "soon", url=url)[0] == 2
    status, _, err = run("dbstats", "--portal", "nosuch", url=url)
    assert status == 2 and err.startswith("scrapy dbstats: --portal: no portal named nosuch (known: ")
    status, _, err = run("dbstats", url=f"sqlite:///{tmp_path / 'missing.db'}")
    assert status == 2 and err.startswith("scrapy dbstats: no database at")
