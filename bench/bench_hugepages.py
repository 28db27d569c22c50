"""Benchmark: a crawl of 20 article pages of 8 MB each against the same 20 pages at their normal size: CPU per page.

Usage: .venv/bin/python bench/bench_hugepages.py [-n 20] [--mb 8] [--rounds 3] [--spider ofweek|article]

The site is bench_crawl's OFweek-like one (bench/ofweek_pages.py) served by bench/local_site.py (an HTTP(S) proxy on
127.0.0.1). In the huge site each article page is filled to --mb MB with one of tests/hostile.HUGE_UNITS (dense
markup, long text runs, entities, scripts, comments: a different one per page), put at the start of the body's
text, after the article or before it (in turn). Both crawls run as `scrapy crawl` processes with the project's
defaults (a store worker, a read worker), rounds interleaved; the CPU of each crawl is the crawl's process with
its workers (getrusage of the finished children). Prints the extra CPU an 8 MB page costs over a normal one (the
median over rounds, and the spread), the total per page, and what became of every page: an article stored, or a
counted reason (the crawl's stats).
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests"))

from bench_crawl import LIST_URL, SCRAPY, as_args, build_site, overrides, start_server, stored  # noqa: E402
from ofweek_pages import article_pages  # noqa: E402
from hostile import HUGE_UNITS  # noqa: E402

SETTINGS = as_args(overrides(16))
REASONS = re.compile(r"'(newscrawl/[^']+|item_\w+count[^']*)': (\d+)")
COUNTED = ("newscrawl/pages/", "newscrawl/dedupe/", "newscrawl/validate/", "item_dropped")


def listed(n: int) -> list[str]:
    """The URLs of the ``n`` articles bench_crawl.build_site lists."""
    return [url for url, _ in article_pages(n + 1, "distinct")[:n]]


def fill(root: Path, megabytes: float, urls: list[str]) -> list[str]:
    """The pages of ``urls`` under ``root`` filled to ``megabytes`` MB; returns what each got, in order."""
    size = int(megabytes * 1024 * 1024)
    done = []
    for i, path in enumerate(root / url.split("://", 1)[1] for url in urls):
        page = path.read_bytes()
        unit = HUGE_UNITS[i % len(HUGE_UNITS)].encode("gb18030")
        junk = unit * ((size - len(page)) // len(unit))
        where = ("body", "after", "before")[i % 3]
        at = {"body": re.search(rb'class="(?:artical-content|article_con)"[^>]*>', page),
              "after": re.search(rb"</body>", page), "before": re.search(rb"<body", page)}[where]
        at = at.end() if where == "body" else at.start()
        path.write_bytes(page[:at] + junk + page[at:])
        done.append(f"{unit.decode('gb18030')[:12]!r} {where}")
    return done


def crawl(spider: str, lists: int, urls: list[str], proxy: str, db: Path, tmp: Path) -> tuple[float, dict]:
    """One `scrapy crawl`: (CPU seconds of it and its workers, its stats of interest)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSCRAWL_", "SCRAPY_")) and "proxy" not in k.lower()}
    env.update(http_proxy=proxy, https_proxy=proxy, PYTHONPATH=str(ROOT), NEWSCRAWL_DATABASE_URL=f"sqlite:///{db}",
               NEWSCRAWL_SPOOL_DIR=str(tmp / "spool"))
    where = ["-a", f"start_urls={LIST_URL.format(1)}", "-a", f"max_pages={lists}"] if spider == "ofweek" else \
        ["-a", "urls=" + ",".join(urls)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run([SCRAPY, "crawl", spider, *where, *SETTINGS, "-s", "DOWNLOAD_TIMEOUT=120"], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 3):  # 3: the monitor's alarm at hostile pages' thin bodies, as it should
        raise SystemExit(f"scrapy crawl {spider} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    stats = {k: int(v) for k, v in REASONS.findall(done.stderr.rsplit("Dumping Scrapy stats", 1)[-1])}
    return cpu, {**stats, "exit status": done.returncode}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=20, help="article pages")
    parser.add_argument("--mb", type=float, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--spider", choices=("ofweek", "article"), default="ofweek",
                        help="the portal spider (from the list pages) or the generic one (the article URLs)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-huge-") as name:
        tmp = Path(name)
        lists = build_site(tmp / "small", args.n)[0]
        build_site(tmp / "huge", args.n)
        urls = listed(args.n)
        what = fill(tmp / "huge", args.mb, urls)
        servers = {kind: start_server(tmp / kind, tmp / kind) for kind in ("small", "huge")}
        print(f"{args.n} article pages, filled to {args.mb:g} MB with: {', '.join(what)}")
        print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        try:
            cpu = {"small": [], "huge": []}
            for round_ in range(args.rounds):
                for kind in ("small", "huge") if round_ % 2 == 0 else ("huge", "small"):
                    db = tmp / f"{kind}{round_}.db"
                    seconds, stats = crawl(args.spider, lists, urls, servers[kind][1], db, tmp)
                    cpu[kind].append(seconds)
                    reasons = {k: v for k, v in stats.items() if k.startswith(COUNTED) or k == "exit status"}
                    articles = stored(db)
                    print(f"  round {round_ + 1} {kind:5}: {seconds:6.2f} s CPU, {articles} articles stored, {reasons}")
                    lost = args.n - articles
                    if lost > reasons.get("newscrawl/pages/not_article", 0) + reasons.get("item_dropped_count", 0):
                        raise SystemExit(f"{lost} pages not stored, fewer counted as not an article or dropped: {stats}")
            extra = [(h - s) / args.n for h, s in zip(cpu["huge"], cpu["small"])]
            print(f"CPU of a crawl of {args.n} pages (crawl process and its workers): normal pages median "
                  f"{statistics.median(cpu['small']):.2f} s, {args.mb:g} MB pages median {statistics.median(cpu['huge']):.2f} s")
            print(f"extra CPU per {args.mb:g} MB page: median {statistics.median(extra):.3f} s "
                  f"(rounds: {', '.join(f'{x:.3f}' for x in extra)}); whole crawl per page: "
                  f"{statistics.median(cpu['huge']) / args.n:.3f} s (process start and imports included)")
            print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        finally:
            for server, _ in servers.values():
                server.kill()


if __name__ == "__main__":
    main()
