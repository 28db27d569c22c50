"""A real `scrapy crawl ofweek` of a local site whose article pages are 8 MB each: every page an article or a counted reason
(bench/bench_hugepages.py times the same crawl with 20 pages)."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from bench_crawl import build_site, start_server, stored  # noqa: E402
from bench_hugepages import crawl, fill, listed  # noqa: E402


def test_a_crawl_of_8_mb_pages_stores_each_article_or_counts_why_not(tmp_path):
    pages = 3  # one filled at the start of the body's text, one after the article, one before it
    lists = build_site(tmp_path / "site", pages)[0]
    assert [what.rsplit(" ", 1)[1] for what in fill(tmp_path / "site", 8, listed(pages))] == ["body", "after", "before"]
    server, proxy = start_server(tmp_path / "site", tmp_path)
    try:
        _, stats = crawl("ofweek", lists, [], proxy, tmp_path / "n.db", tmp_path)
    finally:
        server.kill()
    assert stats["newscrawl/pages/cut"] == pages  # every article page, before anything parsed it
    assert stats["exit status"] in (0, 3), stats  # 3: the monitor's alarm at a lost body, as it should
    # the page cut before its article is counted; the two others are stored
    assert stored(tmp_path / "n.db") == 2 and stats["newscrawl/pages/not_article"] == 1, stats
