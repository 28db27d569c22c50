"""A listing walk shared by Redis workers completes only when every worker finished it without loss."""

import subprocess
import sys

import storecrawl as sc
from ofweek_site import LIST_URL


def test_a_walk_stays_open_when_a_worker_that_failed_part_of_it_is_killed_after_another_finished(redis_keys, tmp_path):
    url, prefix = redis_keys
    mirror = tmp_path / "mirror"
    urls = sc.write_mirror(mirror, 60)  # 3 list pages of 20
    db_path = tmp_path / "news.db"
    database = f"sqlite:///{db_path}"
    # Page 1's articles are stored (a plain run that read one page)
    first = sc.crawl(tmp_path, mirror, database, "-a", "max_pages=1", feed="first.jsonl")
    assert first.returncode == 0 and len(first.items) == 20, first.log[-3000:]
    # Two workers of a distributed crawl walk the listing: B fails page 2, A finishes first, B is killed.
    race = subprocess.run([sys.executable, str(sc.ROOT / "tests" / "walk_race.py"), database, url, prefix, LIST_URL],
                          cwd=sc.ROOT, capture_output=True, text=True, timeout=120)
    assert race.returncode == 0 and "Traceback" not in race.stderr, race.stderr[-3000:]
    [(open_since, completed)] = sc.sqlite_rows(db_path, "SELECT open_walk_started_at, completed_at FROM listing_walks")
    assert open_since is not None, "the walk was marked complete although worker B lost pages 2 and 3"
    # The next plain run cannot trust page 1 (all known): it walks to the end and stores the rest.
    rerun = sc.crawl(tmp_path, mirror, database, feed="rerun.jsonl")
    assert rerun.returncode == 0, rerun.log[-3000:]
    assert sorted(r[0] for r in sc.sqlite_rows(db_path, "SELECT url FROM articles")) == sorted(urls)
