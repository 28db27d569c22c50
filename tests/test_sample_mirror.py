"""The shipped sample mirror is a complete little world: every portal's default listings, crawlall green twice."""

import json
import subprocess
import sys
from pathlib import Path

import lxml.html
import pytest
from prometheus_client.parser import text_string_to_metric_families
from scrapy.spiderloader import SpiderLoader
from scrapy.utils.project import get_project_settings

from newscrawl.commands.crawlall import portal_spiders
from newscrawl.mirror import MirrorDownloaderMiddleware

ROOT = Path(__file__).resolve().parents[1]
MIRROR = ROOT / "samples" / "mirror"
LOADER = SpiderLoader.from_settings(get_project_settings())


@pytest.mark.parametrize("name", portal_spiders(LOADER))
def test_every_default_listing_of_a_scheduled_spider_is_in_the_sample(name):
    spider = LOADER.load(name)()
    mirror = MirrorDownloaderMiddleware(MIRROR)
    listings = spider.default_listings()
    assert listings
    missing = [url for url in listings if not any(c.is_file() for c in mirror.candidates(url))]
    assert missing == [], f"not in samples/mirror (samples/make_mirror.py writes them): {missing}"


def test_crawlall_over_the_sample_exits_0_twice(tmp_path):
    """The README's scheduled run over the sample: green on the first run and on the incremental second."""
    command = [
        sys.executable, "-m", "scrapy", "crawlall",
        "-s", f"NEWSCRAWL_MIRROR={MIRROR}", "-s", f"NEWSCRAWL_DATABASE_URL=sqlite:///{tmp_path / 'news.db'}",
        "-s", f"NEWSCRAWL_SPOOL_DIR={tmp_path / 'spool'}", "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0",
    ]
    reports = []
    metrics = tmp_path / "newscrawl.prom"
    for run in (1, 2):
        report, html = tmp_path / f"report-{run}.json", tmp_path / f"report-{run}.html"
        result = subprocess.run([*command, "--report", str(report), "--html", str(html),
                                 "-s", f"NEWSCRAWL_METRICS_PATH={metrics}"], cwd=ROOT, capture_output=True, text=True,
                                timeout=300)
        assert result.returncode == 0, result.stdout + result.stderr[-3000:]
        assert result.stdout.splitlines()[-1].startswith("crawlall: ok (exit 0)")
        assert result.stdout.splitlines()[-1].endswith(f"; HTML report {html}")
        reports.append(json.loads(report.read_text("utf-8")))
    first, second = ({s["spider"]: s for s in r["spiders"]} for r in reports)
    assert sorted(first) == portal_spiders(LOADER)
    # every portal stored something the first time, and the second run found nothing new anywhere
    assert all(entry["articles"]["scraped"] >= 1 for entry in first.values()), first
    assert all(entry["articles"]["scraped"] == 0 and entry["status"] == "ok" for entry in second.values()), second

    # crawlall --html: every portal on the report, its last run ok, two runs each on the timeline
    tree = lxml.html.fromstring(html.read_text("utf-8"))
    assert tree.xpath('//section[@class="portal"]/@data-portal') == sorted(first)
    assert tree.xpath('//table[@id="last-runs"]//span[@class="badge"]/text()') == ["ok"] * len(first)
    assert all(len(tree.xpath(f'//svg[@data-chart="runs"][@data-portal="{p}"]/rect')) == 2 for p in first)
    # the metrics file: each spider's two runs, and the items the first one stored
    samples = {(s.name, tuple(sorted(s.labels.items()))): s.value
               for f in text_string_to_metric_families(metrics.read_text("utf-8")) for s in f.samples}
    for name, entry in first.items():
        assert samples[("newscrawl_runs_total", (("outcome", "ok"), ("portal", name)))] == 2
        assert samples[("newscrawl_items_total", (("outcome", "stored"), ("portal", name)))] == entry["articles"]["written"]
        assert samples[("newscrawl_last_run_items", (("outcome", "skipped_known"), ("portal", name)))] == \
            second[name]["articles"]["known"]
