"""The archive end to end: a crawl through a local server, a drifted spider fixed, `scrapy reextract` with no network."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

import ofweek_site as site
from storecrawl import wait_for

ROOT = Path(__file__).resolve().parents[1]
SETTINGS = ("DOWNLOAD_DELAY=0", "AUTOTHROTTLE_ENABLED=0", "ROBOTSTXT_OBEY=0", "NEWSCRAWL_MONITOR_ENABLED=0",
            "SPIDER_MODULES=newscrawl.spiders,driftspider", "LOG_LEVEL=INFO")
COMPARED = ("url", "portal", "site", "title", "published_at_local", "author", "source", "categories", "tags", "headimg",
            "images", "summary", "body_html", "body_text", "language", "content_hash")
ARTICLES = 40




@pytest.fixture
def served(tmp_path):
    """The OFweek-like site behind bench/local_site.py (an HTTP(S) proxy) that appends every request it gets to a file."""
    root, hits = tmp_path / "site", tmp_path / "hits.txt"
    site.write_site(root, ARTICLES)
    hits.touch()
    port = tmp_path / "port"
    server = subprocess.Popen([sys.executable, str(ROOT / "bench/local_site.py"), str(root), str(port), str(hits)])
    try:
        proxy = "http://127.0.0.1:" + wait_for(lambda: port.exists() and port.read_text(), "the local site to listen", 60)
        yield proxy, hits
    finally:
        server.terminate()
        server.wait()


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path):
    if request.param == "sqlite":
        return lambda name: f"sqlite:///{tmp_path / name}.db"
    make = request.getfixturevalue("make_postgres_database")
    return lambda name: make(f"newscrawl_reextract_{name}")


def scrapy(tmp_path, proxy, *args, drift: str | None = None, timeout: float = 300):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSCRAWL_", "SCRAPY_")) and "proxy" not in k.lower()}
    env.update(PYTHONPATH=os.pathsep.join([str(ROOT), str(ROOT / "tests")]), http_proxy=proxy, https_proxy=proxy)
    if drift:
        env["NEWSCRAWL_TEST_DRIFT"] = drift
    settings = [x for pair in SETTINGS for x in ("-s", pair)]
    return subprocess.run([sys.executable, "-m", "scrapy", *args, *settings, "-s", f"NEWSCRAWL_SPOOL_DIR={tmp_path / 'spool'}"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)


def rows(url: str, *columns: str) -> dict[str, tuple]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            names = ", ".join(columns)
            return {r[0]: tuple(r) for r in connection.execute(sa.text(f"SELECT {names} FROM articles ORDER BY url"))}
    finally:
        engine.dispose()


def versions(url: str) -> list[tuple]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return [tuple(r) for r in connection.execute(sa.text(
                "SELECT a.url, v.version, v.title, a.version, a.version_reason FROM article_versions v "
                "JOIN articles a ON a.id = v.article_id ORDER BY a.url"))]
    finally:
        engine.dispose()


def warcio(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(Path(sys.executable).with_name("warcio")), *args], capture_output=True, text=True)


def test_a_drift_fixed_then_reextracted_gives_the_rows_of_a_fresh_crawl_without_a_request(tmp_path, served, database):
    proxy, hits = served
    archive, drifted, fresh = tmp_path / "archive", database("drifted"), database("fresh")
    crawl = scrapy(tmp_path, proxy, "crawl", "ofweekdrift", "-s", f"NEWSCRAWL_DATABASE_URL={drifted}",
                   "-s", f"NEWSCRAWL_ARCHIVE_DIR={archive}", drift="broken")
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    broken = rows(drifted, "url", "title", "archive_file", "archive_offset")
    assert len(broken) == ARTICLES and all(file and offset for _, _, file, offset in broken.values())
    ai = {url for url in broken if "//ai.ofweek.com/" in url}
    assert ai and all(broken[url][1].endswith("产业观察。") for url in ai)  # the description, not the headline
    files = sorted(archive.iterdir())
    assert files and all(f.name.endswith(".warc.gz") for f in files)  # closed: none left .open
    for args in (("check", "-v"), ("index",)):
        done = warcio(*args, *map(str, files))
        assert done.returncode == 0 and "response" in done.stdout, done.stdout + done.stderr
    requests_before = hits.read_text().splitlines()
    assert len(requests_before) >= ARTICLES

    replay = scrapy(tmp_path, proxy, "reextract", "--portal", "ofweekdrift", "-s", f"NEWSCRAWL_DATABASE_URL={drifted}",
                    "-s", f"NEWSCRAWL_ARCHIVE_DIR={archive}")
    assert replay.returncode == 0, replay.stderr[-3000:]
    assert hits.read_text().splitlines() == requests_before  # no request reached the server
    [line] = [x for x in replay.stdout.splitlines() if x.startswith("ofweekdrift")]
    assert line.split()[:6] == ["ofweekdrift", str(ARTICLES), "0", str(len(ai)), str(ARTICLES - len(ai)), "0"], replay.stdout
    assert line.split()[6:] == ["title", str(len(ai))]
    # exactly one new version for each changed article, none for the others, the reason recorded
    assert sorted((url, version, title, now, reason) for url, version, title, now, reason in versions(drifted)) == sorted(
        (url, 1, broken[url][1], 2, "reextract: title") for url in ai)

    again = scrapy(tmp_path, proxy, "reextract", "-s", f"NEWSCRAWL_DATABASE_URL={drifted}", "-s", f"NEWSCRAWL_ARCHIVE_DIR={archive}")
    assert again.returncode == 0, again.stderr[-3000:]
    assert len(versions(drifted)) == len(ai)  # unchanged extractions: untouched

    crawl = scrapy(tmp_path, proxy, "crawl", "ofweekdrift", "-s", f"NEWSCRAWL_DATABASE_URL={fresh}")
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    assert rows(drifted, *COMPARED) == rows(fresh, *COMPARED)
    # the replayed rows still point at the pages they were read from
    assert rows(drifted, "url", "archive_file", "archive_offset") == {u: (u, f, o) for u, _, f, o in broken.values()}


def test_reextract_of_one_url_reads_its_record_through_the_row(tmp_path, served):
    proxy, hits = served
    archive, url = tmp_path / "archive", f"sqlite:///{tmp_path / 'one.db'}"
    crawl = scrapy(tmp_path, proxy, "crawl", "ofweekdrift", "-s", f"NEWSCRAWL_DATABASE_URL={url}",
                   "-s", f"NEWSCRAWL_ARCHIVE_DIR={archive}", drift="broken")
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    target = site.article_url(1)  # an AI channel article
    before = hits.read_text()
    replay = scrapy(tmp_path, proxy, "reextract", "--url", target, "-s", f"NEWSCRAWL_DATABASE_URL={url}",
                    "-s", f"NEWSCRAWL_ARCHIVE_DIR={archive}")
    assert replay.returncode == 0, replay.stderr[-3000:]
    assert hits.read_text() == before
    assert "ofweekdrift         1      0        1          0       0  title 1" in replay.stdout, replay.stdout
    assert [v[0] for v in versions(url)] == [target]


def test_reextract_stops_with_one_line_without_an_archive(tmp_path):
    done = scrapy(tmp_path, "", "reextract", "-s", f"NEWSCRAWL_DATABASE_URL=sqlite:///{tmp_path / 'x.db'}")
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1] == "scrapy reextract: NEWSCRAWL_ARCHIVE_DIR is not set: nothing was archived to re-extract"
    done = scrapy(tmp_path, "", "reextract", "--portal", "nosuch", "-s", f"NEWSCRAWL_ARCHIVE_DIR={tmp_path}")
    assert done.returncode == 2 and "--portal: no spider named nosuch" in done.stderr
