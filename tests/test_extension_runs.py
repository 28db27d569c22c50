"""crawl_runs: every run leaves its row, also one that ended while the database was down (spooled, loaded later)."""

import json
import subprocess
import sys

import lxml.html

import storecrawl as sc

def test_a_run_during_an_outage_is_recorded_by_the_next_run_and_shows_on_the_report(tmp_path):
    mirror = tmp_path / "mirror"
    sc.write_mirror(mirror, 20)
    path = tmp_path / "news.db"
    url = f"sqlite:///{path}"
    # the crawl_runs row too waits for the lock, up to the database time limits
    down = sc.crawl_while_locked(tmp_path, mirror, path, "-s", "NEWSCRAWL_DB_STATEMENT_TIMEOUT=0.5",
                                 "-s", "NEWSCRAWL_DB_LOCK_TIMEOUT=0.5")
    assert down.returncode == 75, down.log[-2000:]
    assert sc.sqlite_rows(path, "SELECT count(*) FROM crawl_runs") == [(0,)]
    [waiting] = list((tmp_path / "spool" / "runs").glob("*.json"))
    assert "its row waits in" in down.log

    again = sc.crawl(tmp_path, mirror, url, feed="again.jsonl")
    assert again.returncode == 0, again.log[-2000:]
    assert again.stat("newscrawl/runs/spool_loaded") == 1 and not waiting.exists()
    rows = sc.sqlite_rows(path, "SELECT exit_code, finish_reason, items_spooled, items_stored, stats FROM crawl_runs "
                                "ORDER BY started_at")
    # the second run stored the spooled articles at its start, and found nothing new to fetch
    assert [row[:4] for row in rows] == [(75, "finished", 20, 0), (0, "finished", 0, 0)]
    assert sc.sqlite_rows(path, "SELECT count(*) FROM articles") == [(20,)]
    assert json.loads(rows[0][4])["newscrawl/store/spooled"] == 20

    out = tmp_path / "report.html"
    result = subprocess.run([sys.executable, "-m", "scrapy", "report", str(out), "-s", f"NEWSCRAWL_DATABASE_URL={url}"],
                            cwd=sc.ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    tree = lxml.html.fromstring(out.read_text("utf-8"))
    assert sorted(tree.xpath('//svg[@data-chart="runs"]/rect/@data-outcome')) == ["ok", "spooled"]
    assert tree.xpath('//table[@id="last-runs"]//span[@class="badge"]/text()') == ["ok"]  # the later run, by start time
