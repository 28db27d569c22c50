"""End to end: `scrapy crawl ofweek` over the sample mirror into SQLite and JSON Lines."""

import json
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

from newscrawl.exitcodes import EXIT_MONITOR_ALARM

ROOT = Path(__file__).resolve().parents[1]
EXPECTED = json.loads((ROOT / "tests" / "fixtures" / "ofweek" / "EXPECTED.json").read_text("utf-8"))
KEYS = ["url", "portal", "site", "title", "published_at", "author", "source", "categories", "tags", "headimg",
        "images", "summary", "body_html", "body_text", "language", "crawled_at", "content_hash"]


def crawl(tmp_path, *args):
    db = tmp_path / "news.db"
    out = tmp_path / "articles.jsonl"
    command = [
        sys.executable, "-m", "scrapy", "crawl", "ofweek", *args,
        "-s", f"NEWSCRAWL_MIRROR={ROOT / 'samples' / 'mirror'}",
        "-s", f"NEWSCRAWL_DATABASE_URL=sqlite:///{db}",
        "-s", "LOG_LEVEL=INFO",
        "-s", f"NEWSCRAWL_SPOOL_DIR={tmp_path / 'spool'}",
        "-O", str(out),
    ]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stderr[-3000:]
    items = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    return items, db, result.stderr


def test_default_crawl_of_portal_list_into_sqlite_and_jsonl(tmp_path):
    items, db, log = crawl(tmp_path)
    listed = {e["url"] for page in EXPECTED["list_pages"] if "www.ofweek.com" in page
              for e in EXPECTED["list_pages"][page]["items"]}
    wanted = listed & set(EXPECTED["articles"])
    assert {item["url"] for item in items} == wanted
    assert len(items) == len(wanted) == 12
    for item in items:
        assert list(item) == KEYS
        assert "" not in item.values()
        expected = EXPECTED["articles"][item["url"]]
        for field in ("title", "published_at", "author", "source", "site", "headimg", "tags", "images"):
            assert item[field] == expected[field], (item["url"], field)
    rows = sqlite3.connect(db).execute("SELECT url, title, tags, images FROM articles").fetchall()
    assert len(rows) == 12
    stored = {url: (title, json.loads(tags), json.loads(images)) for url, title, tags, images in rows}
    for item in items:
        assert stored[item["url"]] == (item["title"], item["tags"], item["images"])
    # the deleted story and the dead link are counted, not crashed on
    assert "'newscrawl/pages/not_article': 1" in log
    assert "'newscrawl/pages/http_error/404': 2" in log
    assert "Traceback" not in log


def test_all_sample_channels_and_since(tmp_path):
    items, _, log = crawl(tmp_path, "-a", "channels=www,ee,laser", "-a", "since=2025-01-01")
    wanted = {url for url, a in EXPECTED["articles"].items() if a["published_at"] >= "2025-01-01"}
    assert {item["url"] for item in items} == wanted
    assert "'newscrawl/multipage_articles': 1" in log
    # the portal's own selectors found every field: the generic extractor filled nothing in
    assert not re.findall(r"newscrawl/fallback/(?!list_links)", log)


def test_bad_argument_is_one_line_and_exit_2(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "ofweek", "-a", "max_pages=zero"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1] == (
        "scrapy crawl ofweek: max_pages must be a whole number of at least 1, got 'zero'"
    )
    assert "Traceback" not in result.stderr


def test_renamed_body_container_still_stores_the_articles_and_alarms(tmp_path):
    """Portal drift: OFweek renames its body container; the generic extractor rescues every article."""
    mirror = tmp_path / "mirror"
    shutil.copytree(ROOT / "samples" / "mirror", mirror)
    renamed = 0
    for page in mirror.rglob("ART-*.html"):
        html = page.read_bytes()
        drifted = re.sub(rb'id="articleC"|class="(?:artical-content|article_con|TRS_Editor)"', b'class="story-text"', html)
        renamed += drifted != html
        page.write_bytes(drifted)
    assert renamed
    db, out = tmp_path / "news.db", tmp_path / "articles.jsonl"
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "ofweek", "-s", f"NEWSCRAWL_MIRROR={mirror}",
         "-s", f"NEWSCRAWL_DATABASE_URL=sqlite:///{db}", "-s", f"NEWSCRAWL_SPOOL_DIR={tmp_path / 'spool'}",
         "-s", "LOG_LEVEL=INFO", "-O", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=240,
    )
    log = result.stderr
    items = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    listed = {e["url"] for page in EXPECTED["list_pages"] if "www.ofweek.com" in page
              for e in EXPECTED["list_pages"][page]["items"]}
    assert {item["url"] for item in items} == listed & set(EXPECTED["articles"])  # none lost to the drift
    for item in items:
        assert item["title"] == EXPECTED["articles"][item["url"]]["title"]
        assert len(item["body_text"]) > 100
    assert sqlite3.connect(db).execute("SELECT count(*) FROM articles").fetchone()[0] == len(items)
    assert f"'newscrawl/fallback/body_html': {len(items)}" in log
    assert "'newscrawl/pages/not_article': 1" in log  # the deleted story is still no article
    assert re.search(r"ALARM ofweek: fallback body_html: 100% of \d+ articles from the generic extractor", log)
    assert result.returncode == EXIT_MONITOR_ALARM, log[-3000:]
