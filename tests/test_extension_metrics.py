"""NEWSCRAWL_METRICS_PATH: the Prometheus text file of each run, read back with prometheus_client's parser."""

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from newscrawl.extensions import metrics
from newscrawl.extensions.monitor import Measures

ROOT = Path(__file__).resolve().parents[1]


def parse(path: Path) -> dict[str, dict[tuple, float]]:
    """metric sample name -> {sorted labels: value}; the strict parser raises on anything malformed."""
    found = {}
    for family in text_string_to_metric_families(path.read_text("utf-8")):
        for sample in family.samples:
            found.setdefault(sample.name, {})[tuple(sorted(sample.labels.items()))] = sample.value
    return found


def value(samples, name: str, **labels) -> float:
    return samples[name][tuple(sorted(labels.items()))]


def test_the_metrics_of_each_real_run_equal_its_recorded_stats(report_store):
    url, path, codes = report_store
    samples = parse(path)
    with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
        recorded = {spider: (code, json.loads(stats)) for spider, code, stats in connection.execute(
            "SELECT spider, exit_code, stats FROM crawl_runs WHERE hostname != 'report-history' ORDER BY id")}
    assert set(recorded) == {"ofweek", "ithome", "c114"}
    for portal, (code, stats) in recorded.items():
        assert value(samples, "newscrawl_last_run_exit_code", portal=portal) == code == codes[portal][0]
        outcome = {0: "ok", 69: "unreachable"}[code]
        assert {dict(k)["outcome"] for k, v in samples["newscrawl_last_run_outcome"].items()
                if dict(k)["portal"] == portal and v == 1} == {outcome}
        assert value(samples, "newscrawl_runs_total", portal=portal, outcome=outcome) == 1
        for name, key in metrics.ITEM_OUTCOMES.items():
            assert value(samples, "newscrawl_last_run_items", portal=portal, outcome=name) == stats.get(key, 0), name
        assert value(samples, "newscrawl_items_total", portal=portal, outcome="stored") == stats.get("newscrawl/store/written", 0)
        assert value(samples, "newscrawl_last_run_requests", portal=portal) == stats["downloader/request_count"]
        assert value(samples, "newscrawl_last_run_errors", portal=portal) == stats.get("log_count/ERROR", 0)
        assert value(samples, "newscrawl_last_run_unreachable", portal=portal) == (code == 69)
        assert value(samples, "newscrawl_last_run_alarms", portal=portal) == len(stats["newscrawl/monitor/alarms"])
        measures = Measures.from_stats(stats)
        for kind, shares in (("coverage", measures.coverage), ("fallback", measures.fallback)):
            drawn = {dict(k)["field"]: v for k, v in samples.get(f"newscrawl_last_run_field_{kind}_ratio", {}).items()
                     if dict(k)["portal"] == portal}
            assert drawn == shares
        start = value(samples, "newscrawl_last_run_start_timestamp_seconds", portal=portal)
        end = value(samples, "newscrawl_last_run_end_timestamp_seconds", portal=portal)
        assert value(samples, "newscrawl_last_run_duration_seconds", portal=portal) == pytest.approx(end - start)
        assert 0 <= end - start < 600
    assert value(samples, "newscrawl_last_run_items", portal="ofweek", outcome="stored") == 12  # the portal-wide list of the sample (README)
    assert len({dict(k)["field"] for k in samples["newscrawl_last_run_field_coverage_ratio"]}) > 10


def test_names_and_labels_follow_the_prometheus_conventions(report_store):
    text = report_store[1].read_text("utf-8")
    families = list(text_string_to_metric_families(text))
    assert {f.name for f in families} == set(metrics.GAUGES) | set(metrics.COUNTERS)
    for family in families:
        assert re.fullmatch(r"newscrawl_[a-z_]+", family.name) and family.documentation
        assert f"# TYPE {family.name}{'_total' if family.type == 'counter' else ''} {family.type}" in text or \
               f"# TYPE {family.name} {family.type}" in text
        for sample in family.samples:
            assert set(sample.labels) <= {"portal", "field", "outcome"}
            assert sample.name.endswith("_total") == (family.type == "counter")
            assert not re.search(r"_(ms|milliseconds|percent|count)$", sample.name)  # base units, ratios 0..1


def test_counters_add_up_runs_and_other_portals_are_kept(tmp_path):
    path = tmp_path / "n.prom"
    one = {"item_scraped_count": 5, "newscrawl/store/written": 5, "downloader/request_count": 7,
           "newscrawl/monitor/alarms": []}
    metrics.record(path, "ofweek", one, 0, ended=100.0)
    metrics.record(path, "ithome", {**one, "newscrawl/store/written": 2}, 75, ended=110.0)
    metrics.record(path, "ofweek", {**one, "newscrawl/store/written": 3, "newscrawl/monitor/alarms": ["x", "y"]}, 3,
                   ended=120.0)
    samples = parse(path)
    assert value(samples, "newscrawl_runs_total", portal="ofweek", outcome="ok") == 1
    assert value(samples, "newscrawl_runs_total", portal="ofweek", outcome="alarm") == 1
    assert value(samples, "newscrawl_runs_total", portal="ithome", outcome="spooled") == 1
    assert value(samples, "newscrawl_items_total", portal="ofweek", outcome="stored") == 8
    assert value(samples, "newscrawl_last_run_items", portal="ofweek", outcome="stored") == 3
    assert value(samples, "newscrawl_last_run_alarms", portal="ofweek") == 2
    assert value(samples, "newscrawl_last_run_exit_code", portal="ithome") == 75
    assert value(samples, "newscrawl_last_run_end_timestamp_seconds", portal="ithome") == 110
    assert sorted(p.name for p in tmp_path.iterdir()) == ["n.prom", "n.prom.lock"]  # no temporary file left


def test_a_reader_never_sees_half_a_file(tmp_path):
    path = tmp_path / "n.prom"
    stats = {"item_scraped_count": 1, "newscrawl/monitor/alarms": []}
    metrics.record(path, "p0", stats, 0)
    seen, done = [], threading.Event()

    def read():
        while True:  # at least one read after the writes began, and one after they ended
            finished = done.is_set()
            seen.append(len(parse(path)["newscrawl_last_run_exit_code"]))
            if finished:
                return

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for i in range(1, 60):
            metrics.record(path, f"p{i}", stats, 0)
    finally:
        done.set()
        reader.join()
    assert seen == sorted(seen) and seen[-1] == 60  # every read parsed whole, none went back, the last saw all
    assert len(parse(path)["newscrawl_last_run_exit_code"]) == 60


def test_a_foreign_or_broken_file_is_written_afresh(tmp_path):
    path = tmp_path / "n.prom"
    path.write_text("this is { not prometheus\n")
    metrics.record(path, "ofweek", {"newscrawl/monitor/alarms": []}, 0)
    assert value(parse(path), "newscrawl_runs_total", portal="ofweek", outcome="ok") == 1


@pytest.mark.parametrize("where, says", [
    ("plain/n.prom", "is not a directory"),
    (".", "a directory, not a file"),
])
def test_an_unwritable_metrics_path_stops_the_crawl_at_start(tmp_path, where, says):
    (tmp_path / "plain").write_text("a file where a directory should be")
    target = tmp_path / where
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "ofweek", "-s", f"NEWSCRAWL_METRICS_PATH={target}",
         "-s", f"NEWSCRAWL_DATABASE_URL=sqlite:///{tmp_path / 'news.db'}"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, env={**os.environ, "NEWSCRAWL_LOG_LEVEL": "ERROR"})
    assert result.returncode == 2
    assert f"scrapy crawl ofweek: NEWSCRAWL_METRICS_PATH {target}: cannot write there: " in result.stderr
    assert says in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_the_documented_alert_rules_use_only_metrics_the_file_has(tmp_path):
    text = (ROOT / "docs" / "OPERATIONS.md").read_text("utf-8")
    [block] = re.findall(r"```yaml\n(groups:.*?)```", text, re.S)
    rules = yaml.safe_load(block)["groups"][0]["rules"]
    exposed = set(metrics.GAUGES) | {f"{name}_total" for name in metrics.COUNTERS}
    used = {name for rule in rules for name in re.findall(r"\bnewscrawl_\w+", rule["expr"])}
    assert len(rules) >= 3 and used and used <= exposed
    labels = {label for rule in rules for label in re.findall(r"(\w+)\s*(?:!=|=~|=)\s*\"", rule["expr"])}
    assert labels <= {"portal", "field", "outcome"}
    if shutil.which("promtool"):  # Debian's prometheus package; not installed by CI
        (tmp_path / "rules.yml").write_text(block)
        checked = subprocess.run(["promtool", "check", "rules", str(tmp_path / "rules.yml")], capture_output=True, text=True)
        assert checked.returncode == 0, checked.stdout + checked.stderr
