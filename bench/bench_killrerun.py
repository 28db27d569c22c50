"""Benchmark (not a test): kill a real crawl at random moments, rerun it plainly, count lost and duplicated articles.

Usage: .venv/bin/python bench/bench_killrerun.py [-n 200] [--rounds 10] [--modes sigkill,sigint,sigint2] [--seed 1]

Each round builds an OFweek-like site of N articles (tests/ofweek_site.py, newest first, 20 per list page),
first crawls the site as it was with N/5 articles (a completed walk: the listing is trusted), then grows it
to N and starts `scrapy crawl ofweek` over it (mirror latency 0.05 s, 4 concurrent requests, batches of 10).
At a random moment between 0.2 s and the duration of an uninterrupted crawl it sends the mode's signal:

- ``sigkill``: SIGKILL (cron timeout, OOM killer, reboot);
- ``sigint``: one SIGINT without JOBDIR (graceful stop, the queue is gone);
- ``sigint2``: two SIGINTs 0.3 s apart with JOBDIR (forced unclean shutdown; the rerun uses the same JOBDIR).

Then a plain rerun, and a third run. Per mode it prints: rounds, articles stored by the interrupted runs
(min-max), lost (expected URLs missing after the rerun), duplicated (rows beyond one per URL, plus rows
rewritten as a new version), refetched (article pages the rerun fetched that were already stored), the
rerun's exit codes, and the third run's requests (1 = it stopped at list page 1 of the unchanged site).
"""

from __future__ import annotations

import argparse
import random
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import ofweek_site as site  # noqa: E402
import storecrawl as sc  # noqa: E402

MODES = {"sigkill": [signal.SIGKILL], "sigint": [signal.SIGINT], "sigint2": [signal.SIGINT, signal.SIGINT]}


def stored(db_path: Path) -> int:
    try:
        with sqlite3.connect(db_path) as connection:
            return connection.execute("SELECT count(*) FROM articles").fetchone()[0]
    except sqlite3.Error:
        return 0


def args_for(count: int, tmp: Path, jobdir: bool) -> list[str]:
    extra = ["-a", f"max_pages={-(-count // site.PER_PAGE) + 1}", "-s", "NEWSCRAWL_MIRROR_LATENCY=0.05",
             "-s", "CONCURRENT_REQUESTS=4", "-s", "NEWSCRAWL_STORE_BATCH_SIZE=10"]
    return extra + (["-s", f"JOBDIR={tmp / 'job'}"] if jobdir else [])


def one_round(count: int, mode: str, kill_after: float | None) -> dict:
    with tempfile.TemporaryDirectory(prefix="killrerun-") as directory:
        tmp = Path(directory)
        db_path = tmp / "news.db"
        database = f"sqlite:///{db_path}"
        early = tmp / "early"
        site.write_site(early, count // 5, newest_first=True)
        assert sc.crawl(tmp, early, database, feed="early.jsonl").returncode == 0
        mirror = tmp / "mirror"
        urls = set(site.write_site(mirror, count, newest_first=True))
        extra = args_for(count, tmp, mode == "sigint2")
        command = sc.command(tmp, mirror, database, *extra, feed="first.jsonl")
        started = time.monotonic()
        process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if kill_after is None:  # calibration: how long an uninterrupted run takes
            process.wait(timeout=600)
            return {"duration": time.monotonic() - started}
        while time.monotonic() - started < kill_after and process.poll() is None:
            time.sleep(0.01)
        finished_early = process.poll() is not None
        for number in MODES[mode]:
            if process.poll() is None:
                process.send_signal(number)
                time.sleep(0.3)
        process.wait(timeout=120)
        first = stored(db_path)
        rerun = sc.crawl(tmp, mirror, database, *extra, feed="second.jsonl")
        # A scheduled run after that, without the JOBDIR (a finished job's requests.seen would filter everything).
        third = sc.crawl(tmp, mirror, database, *args_for(count, tmp, False), feed="third.jsonl")
        with sqlite3.connect(db_path) as connection:
            rows = [url for (url,) in connection.execute("SELECT url FROM articles")]
            rewritten = connection.execute("SELECT count(*) FROM article_versions").fetchone()[0]
        return {
            "first": first, "finished_early": finished_early,
            "lost": len(urls - set(rows)), "duplicated": len(rows) - len(set(rows)) + rewritten,
            "refetched": rerun.stat("newscrawl/store/unchanged"), "rerun_code": rerun.returncode,
            "third_requests": third.stat("downloader/request_count"), "third_code": third.returncode,
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=200, help="articles on the grown site (default 200)")
    parser.add_argument("--rounds", type=int, default=10, help="random kill points per mode (default 10)")
    parser.add_argument("--modes", default="sigkill,sigint,sigint2")
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args()
    rng = random.Random(options.seed)
    durations = [one_round(options.n, "sigkill", None)["duration"] for _ in range(2)]
    span = statistics.median(durations)
    print(f"uninterrupted crawl of {options.n} articles: {span:.1f} s (median of {len(durations)}); kill points uniform in 0.2-{span:.1f} s")
    header = f"{'mode':8} {'rounds':>6} {'stored at kill':>15} {'lost':>5} {'dup':>4} {'refetched':>9} {'rerun exit':>10} {'3rd run requests':>16}"
    print(header)
    totals = {"lost": 0, "duplicated": 0}
    for mode in options.modes.split(","):
        results = [one_round(options.n, mode, rng.uniform(0.2, span)) for _ in range(options.rounds)]
        firsts = [r["first"] for r in results]
        lost, dup = sum(r["lost"] for r in results), sum(r["duplicated"] for r in results)
        totals["lost"] += lost
        totals["duplicated"] += dup
        codes = sorted({r["rerun_code"] for r in results})
        third = sorted({r["third_requests"] for r in results})
        early = sum(r["finished_early"] for r in results)
        print(f"{mode:8} {len(results):>6} {min(firsts):>7}-{max(firsts):<7} {lost:>5} {dup:>4} {sum(r['refetched'] for r in results):>9} "
              f"{','.join(map(str, codes)):>10} {','.join(map(str, third)):>16}" + (f"  ({early} ended before the signal)" if early else ""))
    print(f"total: {totals['lost']} lost, {totals['duplicated']} duplicated")


if __name__ == "__main__":
    main()
