"""`scrapy report`'s generation time on a big store (default 100,000 articles, 5,000 runs), against `scrapy dbstats`.

The store is written by tests/report_history.py: six portals, runs spread evenly over the window with a drift, an
outage, an unreachable portal and a killed run, articles spread over the same days, a tenth of them syndicated. Each
round builds the whole HTML report (queries, charts, page) and, interleaved, `scrapy dbstats`' summary of the same
store (its collect(): the existing command that reads the same tables), so machine load hits both alike.

    .venv/bin/python bench/bench_report.py                       # SQLite in a temp dir
    .venv/bin/python bench/bench_report.py --articles 20000 --runs 1000 --rounds 3
    .venv/bin/python bench/bench_report.py --url postgresql+psycopg://postgres@127.0.0.1:5432/bench_report
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import report_history as rh  # noqa: E402
from newscrawl import db, migrations, report  # noqa: E402
from newscrawl.commands import dbstats  # noqa: E402

PORTALS = (rh.Scenario("drifty", drift_last=3), rh.Scenario("downdb", outage_last=2, killed=(-30,)),
           rh.Scenario("gone", unreachable_last=4), rh.Scenario("steady"), rh.Scenario("steady2"), rh.Scenario("steady3"))


def make_store(url: str, articles: int, runs: int, days: int) -> None:
    engine = db.create_engine(url)
    migrations.upgrade(engine)
    every = timedelta(days=days) / (runs / len(PORTALS))
    started = time.perf_counter()
    rh.fill(engine, days=days, every=every, articles_per_portal=articles // len(PORTALS), scenarios=PORTALS,
            end_before=timedelta(minutes=5))
    with engine.connect() as connection:
        counts = [connection.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
                  for t in (db.articles, db.crawl_runs)]
    engine.dispose()
    print(f"store: {counts[0]:,} articles, {counts[1]:,} runs, {len(PORTALS)} portals over {days} days "
          f"(written in {time.perf_counter() - started:.1f} s)")


def timed(function) -> tuple[float, object]:
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5_000)
    parser.add_argument("--days", type=int, default=30, help="the window the runs and articles fill (report: --days 30)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--url", help="a database to fill (empty); default: SQLite in a temp dir")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        make_store(url, args.articles, args.runs, args.days)
        engine = db.create_engine(url)
        zone, out = ZoneInfo("Asia/Shanghai"), Path(tmp) / "report.html"
        times = {"report": [], "dbstats": []}
        size = 0
        for _ in range(args.rounds):
            elapsed, html = timed(lambda: report.build(engine, args.days, (), zone, now=datetime.now(timezone.utc)))
            report.write(out, html)
            times["report"].append(elapsed)
            size = len(html.encode("utf-8"))
            times["dbstats"].append(timed(lambda: dbstats.collect(engine, days=args.days))[0])
        engine.dispose()
    for name, values in times.items():
        print(f"{name:8s} median {statistics.median(values):.2f} s  (min {min(values):.2f}, max {max(values):.2f}, "
              f"{len(values)} rounds)")
    median = statistics.median(times["report"])
    print(f"report: {size / 1e6:.2f} MB of HTML; {median:.2f} s, {'under' if median < 5 else 'OVER'} the 5 s budget; "
          f"{median / statistics.median(times['dbstats']):.2f}x the time of dbstats' summary of the same store")


if __name__ == "__main__":
    main()
