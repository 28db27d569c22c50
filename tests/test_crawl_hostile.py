"""A real `scrapy crawl feed` against a local server whose every feed entry is a fault: 0 lost, every failure counted."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from hostile_server import TITLE, Faults, start
from storecrawl import Run

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def servers():
    internal = start(Faults("127.0.0.2"))  # an "internal" service: the crawl must never reach it
    faults = start(Faults("127.0.0.1", internal_port=internal.server_address[1]))
    yield faults, internal
    for server in (faults, internal):
        server.shutdown()
        server.server_close()


def test_every_fault_ends_as_an_article_or_a_counted_reason(tmp_path, servers):
    faults, internal = servers
    entries = faults.entries()
    out = tmp_path / "items.jsonl"
    command = [
        sys.executable, "-m", "scrapy", "crawl", "feed", "-a", f"url={faults.base}/feed.xml",
        # every host of the fault links is followed, so that only the address guard stands in the way
        "-a", "follow_domains=127.0.0.2,169.254.169.254,10.0.0.1,localhost,0x7f000002",
        "-s", "NEWSCRAWL_ALLOWED_NETWORKS=127.0.0.1/32", "-s", f"NEWSCRAWL_DATABASE_URL=sqlite:///{tmp_path / 'n.db'}",
        "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "RETRY_TIMES=1", "-s", "DOWNLOAD_TIMEOUT=20",
        "-s", "NEWSCRAWL_MONITOR_ENABLED=0", "-s", "NEWSCRAWL_RECORD_RUNS=0", "-s", "NEWSCRAWL_STORE_FLUSH_INTERVAL=0.2",
        "-s", "LOG_LEVEL=INFO", "-O", str(out),
    ]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=240)
    run = Run(result.returncode, result.stderr, [json.loads(line) for line in out.read_text("utf-8").splitlines()])
    assert run.returncode == 0, run.log[-4000:]

    # 0 lost: every entry is one article, from its page or (page failed) from the feed's own content; the one
    # redirected to an already fetched page is that page's article, its redirect counted at the dupefilter
    by_url = {item["url"]: item for item in run.items}
    expected = set(entries.values()) - {entries["redirect_to_seen"]}
    assert len(run.items) == len(expected) and set(by_url) == expected, sorted(expected ^ set(by_url))
    assert run.stat("item_dropped_count") == 0
    assert run.stat("newscrawl/redirect/dupefilter") == 1
    assert f"Redirect to an already seen URL dropped: {entries['redirect_to_seen']} -> {entries['ok']}" in run.log

    # 0 requests to internal addresses, the redirect to 169.254.169.254 included
    assert internal.hits == []
    assert run.stat("newscrawl/ssrf/refused/link_local") >= 2  # the entry and the redirect
    assert run.stat("newscrawl/ssrf/refused/private") >= 1
    assert run.stat("newscrawl/ssrf/refused/loopback") >= 3  # 127.0.0.2, localhost, 0x7f000002

    # the mis-declared GBK page is stored with its real title
    assert by_url[entries["gbk_declared_utf8"]]["title"] == f"{TITLE} gbk"
    assert run.stat("newscrawl/encoding/redecoded/gb18030") == 1
    assert all("\ufffd" not in (item.get("title") or "") + (item.get("body_text") or "") for item in run.items)

    # a meta refresh inside the body is content, not a redirect
    assert run.stat("newscrawl/redirect/meta_refresh_in_body") == 1
    assert faults.count("/elsewhere.html") == 0
    assert by_url[entries["meta_refresh_in_body"]]["title"] == f"{TITLE} /metabody.html"

    # Retry-After: 1 s is waited for, 1 h is given up at once
    first, second = [t for t, p in faults.hits if p == "/429.html"]
    assert second - first >= 0.9
    assert by_url[entries["retry_after_1s"]]["title"] == f"{TITLE} /429.html"
    assert run.stat("newscrawl/retry_after/waited") == 1 and run.stat("newscrawl/retry_after/too_long") == 1
    assert faults.count("/429long.html") == 1

    # redirects that end in a loop or offsite, counted and logged with the original URL
    assert run.stat("newscrawl/redirect/loop") == 1 and run.stat("newscrawl/redirect/offsite") == 1
    assert f"Redirect offsite: {entries['redirect_offsite']} -> https://offsite.example/stolen.html" in run.log
    assert f"Redirect loop: {entries['redirect_loop']}" in run.log

    # resets, short bodies, an oversized page and a gzip bomb: failed downloads, counted, never stored whole
    failed = sum(int(v) for k, v in _stats(run.log).items() if k.startswith("newscrawl/pages/failed/"))
    page_failures = ("reset", "short_body", "redirect_loop", "redirect_offsite", "redirect_to_metadata", "oversized",
                     "gzip_bomb", "internal_127_0_0_2", "metadata_169_254", "private_10", "localhost_redis", "hex_loopback")
    assert failed == len(page_failures), _stats(run.log)
    assert run.stat("newscrawl/pages/http_error/429") == 1
    assert run.stat("newscrawl/feed/entry_content_used") == len(page_failures) + 1
    assert max(len(item.get("body_text") or "") for item in run.items) < 10_000
    assert run.stat("spider_exceptions/count") == 0


def _stats(log: str) -> dict:
    import re

    return {k: int(v) for k, v in re.findall(r"'([^']+)': (\d+)", log.rsplit("Dumping Scrapy stats", 1)[-1])}
