"""Each run's Prometheus metrics in a text file (NEWSCRAWL_METRICS_PATH) for node_exporter's textfile collector.

prometheus_client is imported only where a file is read or written: a crawl without NEWSCRAWL_METRICS_PATH does not
pay its import (every `scrapy crawl` imports this module, the extension being listed in settings.EXTENSIONS)."""

from __future__ import annotations

import fcntl
import logging
import time
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from scrapy import signals
from scrapy.exceptions import NotConfigured

from newscrawl import config, exitcodes
from newscrawl.extensions.monitor import ALARMS_KEY, UNREACHABLE_KEY, Measures

logger = logging.getLogger(__name__)

# What became of a run's items: label ``outcome`` of the item metrics, and the stat it is read from.
ITEM_OUTCOMES = {
    "scraped": "item_scraped_count", "stored": "newscrawl/store/written", "dropped": "item_dropped_count",
    "spooled": "newscrawl/store/spooled", "rejected": "newscrawl/store/rejected",
    "skipped_known": "newscrawl/incremental/skipped",
}
RUN_OUTCOMES = sorted(set(exitcodes.OUTCOMES.values()))
GAUGES = {
    "newscrawl_last_run_start_timestamp_seconds": "When the portal's last run started (Unix time)",
    "newscrawl_last_run_end_timestamp_seconds": "When the portal's last run ended (Unix time)",
    "newscrawl_last_run_duration_seconds": "How long the portal's last run took",
    "newscrawl_last_run_exit_code": "What `scrapy crawl` exits with for the last run (docs/OPERATIONS.md, Exit codes)",
    "newscrawl_last_run_outcome": "1 for the outcome of the portal's last run, 0 for the others",
    "newscrawl_last_run_items": "Items of the last run by what became of them",
    "newscrawl_last_run_requests": "Requests the last run sent",
    "newscrawl_last_run_errors": "ERROR log lines of the last run",
    "newscrawl_last_run_alarms": "Monitor alarms the last run raised (0: none)",
    "newscrawl_last_run_unreachable": "1 when no request of the last run got an answer",
    "newscrawl_last_run_field_coverage_ratio": "Share of the last run's articles with the field filled",
    "newscrawl_last_run_field_fallback_ratio": "Share of the last run's articles whose field came from the generic extractor",
}
COUNTERS = {
    "newscrawl_runs": "Runs written to this file, by outcome",
    "newscrawl_items": "Items of the runs written to this file, by what became of them",
}


def run_samples(portal: str, stats: dict, code: int, ended: float) -> dict[str, list[tuple[dict, float]]]:
    """The samples of one run: metric name (counters without _total) -> [(labels, value)]."""
    started = stats.get("start_time")
    start = started.timestamp() if isinstance(started, datetime) else ended
    outcome = exitcodes.outcome(code)
    measures = Measures.from_stats(stats)
    items = {name: float(stats.get(key) or 0) for name, key in ITEM_OUTCOMES.items()}
    p = {"portal": portal}
    return {
        "newscrawl_last_run_start_timestamp_seconds": [(p, start)],
        "newscrawl_last_run_end_timestamp_seconds": [(p, ended)],
        "newscrawl_last_run_duration_seconds": [(p, max(ended - start, 0.0))],
        "newscrawl_last_run_exit_code": [(p, float(code))],
        "newscrawl_last_run_outcome": [({**p, "outcome": o}, float(o == outcome)) for o in sorted({*RUN_OUTCOMES, outcome})],
        "newscrawl_last_run_items": [({**p, "outcome": name}, value) for name, value in items.items()],
        "newscrawl_last_run_requests": [(p, float(stats.get("downloader/request_count") or 0))],
        "newscrawl_last_run_errors": [(p, float(stats.get("log_count/ERROR") or 0))],
        "newscrawl_last_run_alarms": [(p, float(len(stats.get(ALARMS_KEY) or [])))],
        "newscrawl_last_run_unreachable": [(p, float(bool(stats.get(UNREACHABLE_KEY))))],
        "newscrawl_last_run_field_coverage_ratio": [({**p, "field": f}, v) for f, v in measures.coverage.items()],
        "newscrawl_last_run_field_fallback_ratio": [({**p, "field": f}, v) for f, v in measures.fallback.items()],
        "newscrawl_runs": [({**p, "outcome": outcome}, 1.0)],
        "newscrawl_items": [({**p, "outcome": name}, value) for name, value in items.items() if name != "skipped_known"],
    }


Samples = dict[str, dict[tuple, float]]  # metric -> {sorted label pairs: value}


def read(path: Path) -> Samples:
    """Our samples in an existing file; an unreadable or foreign file is started afresh (counters reset)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    found: Samples = {}
    try:
        from prometheus_client.parser import text_string_to_metric_families

        for family in text_string_to_metric_families(text):
            if family.name not in GAUGES and family.name not in COUNTERS:
                continue
            for sample in family.samples:
                if sample.name in (family.name, f"{family.name}_total"):
                    found.setdefault(family.name, {})[tuple(sorted(sample.labels.items()))] = sample.value
    except (ValueError, TypeError) as exc:
        logger.warning("NEWSCRAWL_METRICS_PATH %s could not be read (%s): writing it afresh", path, exc)
        return {}
    return found


def merge(previous: Samples, portal: str, run: dict[str, list[tuple[dict, float]]]) -> Samples:
    """The portal's last-run gauges replace its old ones; its counters add this run; other portals stay."""
    merged: Samples = {}
    for name in (*GAUGES, *COUNTERS):
        old = previous.get(name, {})
        if name in GAUGES:
            kept = {labels: v for labels, v in old.items() if dict(labels).get("portal") != portal}
            kept.update({tuple(sorted(labels.items())): v for labels, v in run.get(name, [])})
        else:
            kept = dict(old)
            for labels, v in run.get(name, []):
                key = tuple(sorted(labels.items()))
                kept[key] = kept.get(key, 0.0) + v
        merged[name] = kept
    return merged


class _Collector:
    def __init__(self, samples: Samples):
        self.samples = samples

    def collect(self):
        from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

        for name, help_text in (*GAUGES.items(), *COUNTERS.items()):
            values = self.samples.get(name, {})
            names = sorted({k for labels in values for k, _ in labels})
            family = (GaugeMetricFamily if name in GAUGES else CounterMetricFamily)(name, help_text, labels=names)
            for labels, value in sorted(values.items()):
                given = dict(labels)
                family.add_metric([given.get(n, "") for n in names], value)
            yield family


@contextmanager
def _locked(path: Path):
    """One writer at a time across processes (two crawls of different portals closing together)."""
    with open(path.with_name(path.name + ".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def record(path: Path, portal: str, stats: dict, code: int, ended: float | None = None) -> None:
    """Add one run to the metrics file; the file is replaced whole (a scraper never reads half of it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with _locked(path):
        samples = merge(read(path), portal, run_samples(portal, stats, code, ended if ended is not None else time.time()))
        from prometheus_client.exposition import write_to_textfile
        from prometheus_client.registry import CollectorRegistry

        registry = CollectorRegistry(auto_describe=False)
        registry.register(_Collector(samples))
        write_to_textfile(str(path), registry)


class MetricsWriter:
    """Writes the run's metrics when its spider closes, after the monitor and the store have had their say."""

    def __init__(self, crawler, path: Path):
        self.crawler = crawler
        self.path = path

    @classmethod
    def from_crawler(cls, crawler):
        path = config.options(crawler.settings).metrics_path
        if not path:
            raise NotConfigured
        writer = cls(crawler, Path(path).expanduser())
        crawler.signals.connect(writer.spider_closed, signal=signals.spider_closed)
        return writer

    def spider_closed(self, spider, reason):
        stats = self.crawler.stats.get_stats()
        try:
            record(self.path, spider.name, stats, exitcodes.run_exit_code(stats, reason))
        except OSError as exc:
            logger.error("NEWSCRAWL_METRICS_PATH: cannot write %s: %s", self.path, exc.strerror or exc)
