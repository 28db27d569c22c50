"""Benchmark: `scrapy crawl ofweek` over a local site against a bare Scrapy spider, and a cron run that finds nothing new.

Usage: .venv/bin/python bench/bench_crawl.py [-n 2000] [--rounds 3] [--skip-cron] [--variant NAME=VALUE[,NAME=VALUE]]

The script builds an OFweek-like site (bench/ofweek_pages.py: the sample layouts with distinct texts,
20 per list page with next links) and serves it from bench/local_site.py, an HTTP(S) proxy on 127.0.0.1,
so both crawls go through TCP, TLS and Twisted's HTTP client. Both run as `scrapy` processes with the
same -s overrides (no delay, no AutoThrottle, no robots.txt, 16 concurrent requests): the project's
spider with every component it ships (pipelines into a fresh SQLite file, incremental middleware,
monitor, run recorder), the bare one (bench/bare_spider.py) following the same links and writing
url and title to a JSON Lines feed, once with Scrapy's defaults and once with the project's
CONCURRENT_ITEMS=16. Rounds interleave them; wall times include process start. ``--variant`` times the
project a second time with those settings as well (``NEWSCRAWL_EXTRACT_PROCESSES=0``: article pages read
in the crawl's own process), and prints its ratio to the project with its defaults.

The cron part: against the database the crawl filled, `scrapy crawl ofweek` of the first list page
(max_pages=1: every entry is known, nothing is fetched) against a bare one-page `runspider`.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from ofweek_pages import article_pages  # noqa: E402

SCRAPY = str(Path(sys.executable).with_name("scrapy"))
LIST_URL = "https://ee.ofweek.com/CATList-2800-8100-ee-{}.html"
PER_PAGE = 20
SETTINGS = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "ROBOTSTXT_OBEY=False",
            "-s", "CONCURRENT_REQUESTS=16", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=16", "-s", "LOG_LEVEL=INFO"]


def build_site(root: Path, n: int) -> int:
    """Article pages and the list pages linking them; returns the number of list pages."""
    template = (ROOT / "samples/mirror/ee.ofweek.com/CATList-2800-8100-ee-1.html").read_bytes().decode("gb18030")
    head, rest = template.split('<div class="list_model">', 1)
    tail = rest[rest.index('<div class="page">'):]
    tail = tail[tail.index("</div>") + len("</div>"):]
    pages = article_pages(n, "distinct")
    for url, body in pages:
        target = root / url.split("://", 1)[1]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(body)
    count = (n + PER_PAGE - 1) // PER_PAGE
    for k in range(count):
        entries = "".join(
            f'<div class="list_model"><div class="model_right model_right2"><h3><a href="{url}" target="_blank">'
            f'文章{k * PER_PAGE + j}</a></h3><div class="tag"><span class="date">2026-01-07 17:04</span></div></div></div>\n'
            for j, (url, _) in enumerate(pages[k * PER_PAGE : (k + 1) * PER_PAGE])
        )
        pager = '<div class="page">' + (f'<a href="{LIST_URL.format(k + 2)}" class="next">下一页</a>' if k + 1 < count else "") + "</div>"
        page = head + entries + pager + tail
        target = root / LIST_URL.format(k + 1).split("://", 1)[1]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(page.encode("gb18030"))
    return count


def start_server(root: Path, tmp: Path) -> tuple[subprocess.Popen, str]:
    port_file = tmp / "port"
    server = subprocess.Popen([sys.executable, str(ROOT / "bench/local_site.py"), str(root), str(port_file)])
    for _ in range(100):
        if port_file.exists() and port_file.read_text():
            return server, f"http://127.0.0.1:{port_file.read_text()}"
        time.sleep(0.1)
    server.kill()
    raise SystemExit("local site did not start")


def run(command: list[str], cwd: Path, env: dict, ok=(0,)) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode not in ok:
        raise SystemExit(f"{' '.join(command[:4])} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return elapsed


def stored(db: Path) -> int:
    with sqlite3.connect(db) as connection:
        return connection.execute("SELECT count(*) FROM articles").fetchone()[0]


def summary(name: str, project: list[float], bare: list[float]) -> float:
    ratios = [p / b for p, b in zip(project, bare)]
    print(f"{name}:")
    print(f"  project: median {statistics.median(project):6.2f} s (min {min(project):.2f}, max {max(project):.2f})")
    print(f"  bare   : median {statistics.median(bare):6.2f} s (min {min(bare):.2f}, max {max(bare):.2f})")
    print(f"  ratio project / bare: {statistics.median(ratios):.2f}x (rounds: {', '.join(f'{r:.2f}' for r in ratios)})")
    return statistics.median(ratios)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--skip-cron", action="store_true")
    parser.add_argument("--variant", default="", help="settings NAME=VALUE[,NAME=VALUE] of a second project crawl")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-crawl-") as name:
        tmp = Path(name)
        lists = build_site(tmp / "site", args.n)
        server, proxy = start_server(tmp / "site", tmp)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSCRAWL_", "SCRAPY_")) and "proxy" not in k.lower()}
        env.update(http_proxy=proxy, https_proxy=proxy, PYTHONPATH=str(ROOT))
        bare_dir = tmp / "bare"  # outside the project: no scrapy.cfg, Scrapy's own defaults
        bare_dir.mkdir()
        spider = str(ROOT / "bench/bare_spider.py")
        try:
            crawl, bare, tuned, variant, last_db = [], [], [], [], None
            variant_settings = [x for pair in args.variant.split(",") if pair.strip() for x in ("-s", pair.strip())]
            print(f"site: {args.n} articles, {lists} list pages, served at {proxy}")
            for round_ in range(args.rounds):
                db = tmp / f"crawl{round_}.db"
                project_cmd = [SCRAPY, "crawl", "ofweek", "-a", f"start_urls={LIST_URL.format(1)}", "-a",
                               f"max_pages={lists}", *SETTINGS]
                project_env = {**env, "NEWSCRAWL_DATABASE_URL": f"sqlite:///{db}", "NEWSCRAWL_SPOOL_DIR": str(tmp / "spool")}
                out = bare_dir / f"bare{round_}.jsonl"
                bare_base = [SCRAPY, "runspider", spider, "-a", f"start={LIST_URL.format(1)}", *SETTINGS]
                bare_cmd = [*bare_base, "-O", str(out)]
                # the project sets CONCURRENT_ITEMS=16 (Scrapy starts that many tasks per response): the bare
                # spider with the same setting too, so that the project's own share is visible
                tuned_cmd = [*bare_base, "-s", "CONCURRENT_ITEMS=16", "-O", str(bare_dir / f"tuned{round_}.jsonl")]
                steps = [("project", project_cmd, ROOT, project_env), ("bare", bare_cmd, bare_dir, env),
                         ("tuned", tuned_cmd, bare_dir, env)]
                if variant_settings:
                    variant_db = tmp / f"variant{round_}.db"
                    steps.insert(1, ("variant", [*project_cmd, *variant_settings], ROOT,
                                     {**project_env, "NEWSCRAWL_DATABASE_URL": f"sqlite:///{variant_db}"}))
                for which, command, cwd, step_env in (steps if round_ % 2 == 0 else steps[::-1]):
                    elapsed = run(command, cwd, step_env)
                    {"project": crawl, "bare": bare, "tuned": tuned, "variant": variant}[which].append(elapsed)
                got, items = stored(db), len(out.read_text().splitlines())
                print(f"  round {round_ + 1}: project {crawl[-1]:.2f} s ({got} stored), bare {bare[-1]:.2f} s ({items} items), "
                      f"bare with CONCURRENT_ITEMS=16 {tuned[-1]:.2f} s"
                      + (f", project with {args.variant} {variant[-1]:.2f} s ({stored(variant_db)} stored)" if variant else ""))
                if got != args.n or items != args.n:
                    raise SystemExit(f"expected {args.n} articles from each, got {got} stored and {items} items")
                last_db = db
            ratios = {"crawl (bare with CONCURRENT_ITEMS=16)": summary(f"crawl of {args.n} articles, against the bare spider with "
                                                                        "CONCURRENT_ITEMS=16", crawl, tuned),
                      "crawl": summary(f"crawl of {args.n} articles", crawl, bare)}
            if variant:
                ratios[f"with {args.variant} / project"] = summary(f"project with {args.variant} (as 'project') against "
                                                                 "the project with its defaults (as 'bare')", variant, crawl)
            if not args.skip_cron:
                cron, one = [], []
                for round_ in range(args.rounds * 2):
                    project_cmd = [SCRAPY, "crawl", "ofweek", "-a", f"start_urls={LIST_URL.format(1)}", "-a", "max_pages=1", *SETTINGS]
                    project_env = {**env, "NEWSCRAWL_DATABASE_URL": f"sqlite:///{last_db}", "NEWSCRAWL_SPOOL_DIR": str(tmp / "spool")}
                    bare_cmd = [SCRAPY, "runspider", spider, "-a", f"start={LIST_URL.format(1)}", "-a", "follow=0", *SETTINGS]
                    steps = [("project", project_cmd, ROOT, project_env), ("bare", bare_cmd, bare_dir, env)]
                    for which, command, cwd, step_env in (steps if round_ % 2 == 0 else steps[::-1]):
                        # exit code 3: the monitor finds far fewer items than the full crawl before it
                        (cron if which == "project" else one).append(run(command, cwd, step_env, ok=(0, 3)))
                if stored(last_db) != args.n:
                    raise SystemExit("the nothing-new runs changed the database")
                ratios["cron"] = summary("one-page cron run that finds nothing new", cron, one)
            print("ratios: " + ", ".join(f"{k} {v:.2f}x" for k, v in ratios.items()))
        finally:
            server.terminate()
            server.wait()


if __name__ == "__main__":
    main()
