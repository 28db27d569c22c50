"""Benchmark: `scrapy crawl ofweek` over a local site against a bare Scrapy spider, and a one-page cron run.

Usage: .venv/bin/python bench/bench_crawl.py [-n 2000] [--rounds 3] [--skip-cron] [--skip-defaults]
       [--concurrency 16] [--variant NAME=VALUE[,NAME=VALUE]] [--archive]

The script builds an OFweek-like site (bench/ofweek_pages.py: the sample layouts with distinct texts,
20 per list page with next links) and serves it from bench/local_site.py, an HTTP(S) proxy on 127.0.0.1,
so every crawl goes through TCP, TLS and Twisted's HTTP client. All run as `scrapy` processes with the
same -s overrides (no delay, no AutoThrottle, no robots.txt, ``--concurrency`` requests at once, per
domain too), in an order that alternates over the rounds; wall times include process start:

- project: `scrapy crawl ofweek` with every component it ships (store into a fresh SQLite file,
  incremental middleware, monitor, run recorder, read and store workers);
- bare (the baseline): bench/bare_spider.py following the same links and writing url and title to a
  JSON Lines feed, given every concurrency setting the project has (``FAIR``: the overrides above, and
  the project's own value of the rest, CONCURRENT_ITEMS=16 among them);
- bare, Scrapy's defaults: the same spider with the overrides only (``--skip-defaults`` leaves it out).

Before the rounds the project's modules (and the bare spider's) are compiled to bytecode, as an installed
package's are. Each line gives wall and CPU time, and the project's CPU split by process (the crawl's own, its read and
store workers, the forkserver they are forked from; bench/proctree.py). ``--variant`` times the project a
second time with more settings and prints its ratio to the project with its defaults.

``--archive`` (instead of the bare baseline): the project with NEWSCRAWL_ARCHIVE_DIR set (a fresh directory
each round) against the project without it, the archive's bytes per article, and `scrapy reextract` of that
archive into a fresh database (articles/s, against the crawl of the same articles from the site).

The last lines say how much CPU the whole machine used meanwhile (/proc/stat) and how much of it was not the
benchmark's (other sessions on a shared machine: the figures of a run with much of it are not quiet ones).

The cron part: on a copy of the database the crawl filled, with one new article at the top of list page 1,
`scrapy crawl ofweek` of that page (max_pages=1: one article to fetch and store) against a bare one-page
`runspider` (the list page only).
"""

from __future__ import annotations

import argparse
import compileall
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

from ofweek_pages import article_pages  # noqa: E402
from proctree import _stat, run_measured  # noqa: E402

from newscrawl import settings as project_settings  # noqa: E402

SCRAPY = str(Path(sys.executable).with_name("scrapy"))
LIST_URL = "https://ee.ofweek.com/CATList-2800-8100-ee-{}.html"
PER_PAGE = 20
# Every setting that decides how much a crawl does at once: the bare baseline gets the project's value of each.
FAIR = ("CONCURRENT_REQUESTS", "CONCURRENT_REQUESTS_PER_DOMAIN", "CONCURRENT_REQUESTS_PER_IP", "CONCURRENT_ITEMS",
        "DOWNLOAD_DELAY", "RANDOMIZE_DOWNLOAD_DELAY", "AUTOTHROTTLE_ENABLED", "REACTOR_THREADPOOL_MAXSIZE",
        "DNS_RESOLVER", "TWISTED_REACTOR", "SCHEDULER_PRIORITY_QUEUE", "DEPTH_PRIORITY")


def overrides(concurrency: int) -> dict[str, str]:
    return {"DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "False", "ROBOTSTXT_OBEY": "False", "LOG_LEVEL": "INFO",
            "CONCURRENT_REQUESTS": str(concurrency), "CONCURRENT_REQUESTS_PER_DOMAIN": str(concurrency)}


def fair_settings(given: dict[str, str]) -> dict[str, str]:
    """The overrides, and the project's value of every other FAIR setting it sets."""
    fair = dict(given)
    for name in FAIR:
        if name not in fair and hasattr(project_settings, name):
            fair[name] = str(getattr(project_settings, name))
    return fair


def as_args(settings: dict[str, str]) -> list[str]:
    return [x for name, value in settings.items() for x in ("-s", f"{name}={value}")]


def list_page(head: str, tail: str, entries: list[str], k: int, count: int) -> bytes:
    links = "".join(
        f'<div class="list_model"><div class="model_right model_right2"><h3><a href="{url}" target="_blank">'
        f'文章{k * PER_PAGE + j}</a></h3><div class="tag"><span class="date">2026-01-07 17:04</span></div></div></div>\n'
        for j, url in enumerate(entries)
    )
    pager = '<div class="page">' + (f'<a href="{LIST_URL.format(k + 2)}" class="next">下一页</a>' if k + 1 < count else "") + "</div>"
    return (head + links + pager + tail).encode("gb18030")


def build_site(root: Path, n: int) -> tuple[int, bytes]:
    """Article pages and the list pages linking them (and one article more, unlisted); returns the number of
    list pages and list page 1 with that new article at its top."""
    template = (ROOT / "samples/mirror/ee.ofweek.com/CATList-2800-8100-ee-1.html").read_bytes().decode("gb18030")
    head, rest = template.split('<div class="list_model">', 1)
    tail = rest[rest.index('<div class="page">'):]
    tail = tail[tail.index("</div>") + len("</div>"):]
    pages = article_pages(n + 1, "distinct")
    for url, body in pages:
        target = root / url.split("://", 1)[1]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(body)
    urls = [url for url, _ in pages[:n]]
    count = (n + PER_PAGE - 1) // PER_PAGE
    for k in range(count):
        target = root / LIST_URL.format(k + 1).split("://", 1)[1]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(list_page(head, tail, urls[k * PER_PAGE : (k + 1) * PER_PAGE], k, count))
    return count, list_page(head, tail, [pages[n][0], *urls[: PER_PAGE - 1]], 0, count)


def machine_cpu() -> float:
    """CPU seconds every process on the machine has used (user, nice, system, irq, softirq; /proc/stat)."""
    with open("/proc/stat") as stat:
        fields = stat.readline().split()[1:8]
    return sum(int(fields[i]) for i in (0, 1, 2, 5, 6)) / os.sysconf("SC_CLK_TCK")


def start_server(root: Path, tmp: Path) -> tuple[subprocess.Popen, str]:
    port_file = tmp / "port"
    server = subprocess.Popen([sys.executable, str(ROOT / "bench/local_site.py"), str(root), str(port_file)])
    for _ in range(100):
        if port_file.exists() and port_file.read_text():
            return server, f"http://127.0.0.1:{port_file.read_text()}"
        time.sleep(0.1)
    server.kill()
    raise SystemExit("local site did not start")


class Timings:
    """Wall and CPU seconds of one kind of run over the rounds, and the CPU split by process."""

    measured = 0.0  # CPU seconds of every timed run so far (against the machine's: what else ran meanwhile)

    def __init__(self, label: str):
        self.label, self.wall, self.cpu, self.split = label, [], [], []

    def run(self, command: list[str], cwd: Path, env: dict, ok=(0,)) -> None:
        code, wall, split, err = run_measured(command, cwd, env)
        if code not in ok:
            raise SystemExit(f"{' '.join(command[:4])} failed ({code}):\n{err}")
        self.wall.append(wall)
        self.cpu.append(sum(split.values()))
        Timings.measured += self.cpu[-1]
        self.split.append(split)

    def last(self) -> str:
        return f"{self.wall[-1]:.2f} s ({self.cpu[-1]:.2f} s CPU)"

    def split_line(self) -> str:
        names = sorted({name for split in self.split for name in split}, key=lambda n: (n != "main", n))
        return ", ".join(f"{'crawl process' if n == 'main' else n} {statistics.median(s.get(n, 0.0) for s in self.split):.2f} s"
                         for n in names)


def spread(values: list[float], unit: str = " s") -> str:
    return f"median {statistics.median(values):6.2f}{unit} (min {min(values):.2f}, max {max(values):.2f})"


def summary(name: str, project: Timings, bare: Timings) -> tuple[float, float]:
    walls = [p / b for p, b in zip(project.wall, bare.wall)]
    cpus = [p / b for p, b in zip(project.cpu, bare.cpu)]
    print(f"{name}:")
    for timings in (project, bare):
        print(f"  {timings.label:<8}: wall {spread(timings.wall)}, CPU {spread(timings.cpu)}")
    print(f"  {project.label} CPU by process (medians): {project.split_line()}")
    print(f"  ratio {project.label} / {bare.label}: wall {statistics.median(walls):.2f}x (rounds: {', '.join(f'{r:.2f}' for r in walls)}), "
          f"CPU {statistics.median(cpus):.2f}x (rounds: {', '.join(f'{r:.2f}' for r in cpus)})")
    return statistics.median(walls), statistics.median(cpus)


def stored(db: Path) -> int:
    with sqlite3.connect(db) as connection:
        return connection.execute("SELECT count(*) FROM articles").fetchone()[0]


def crawl_rounds(args, tmp: Path, env: dict, lists: int) -> tuple[dict, Path]:
    given = overrides(args.concurrency)
    fair = fair_settings(given)
    print(f"bare baseline's settings (the project's): {' '.join(f'{k}={v}' for k, v in fair.items())}")
    bare_dir = tmp / "bare"  # outside the project: no scrapy.cfg
    bare_dir.mkdir()
    project, bare, defaults, variant = Timings("project"), Timings("bare"), Timings("bare, Scrapy's defaults"), Timings("variant")
    variant_settings = [x for pair in args.variant.split(",") if pair.strip() for x in ("-s", pair.strip())]
    bare_base = [SCRAPY, "runspider", str(ROOT / "bench/bare_spider.py"), "-a", f"start={LIST_URL.format(1)}"]
    for round_ in range(args.rounds):
        db, out = tmp / f"crawl{round_}.db", bare_dir / f"bare{round_}.jsonl"
        project_cmd = [SCRAPY, "crawl", "ofweek", "-a", f"start_urls={LIST_URL.format(1)}", "-a", f"max_pages={lists}", *as_args(given)]
        project_env = {**env, "NEWSCRAWL_DATABASE_URL": f"sqlite:///{db}", "NEWSCRAWL_SPOOL_DIR": str(tmp / "spool")}
        steps = [(project, project_cmd, ROOT, project_env), (bare, [*bare_base, *as_args(fair), "-O", str(out)], bare_dir, env)]
        if not args.skip_defaults:
            steps.append((defaults, [*bare_base, *as_args(given), "-O", str(bare_dir / f"defaults{round_}.jsonl")], bare_dir, env))
        if variant_settings:
            variant_db = tmp / f"variant{round_}.db"
            steps.insert(1, (variant, [*project_cmd, *variant_settings], ROOT, {**project_env, "NEWSCRAWL_DATABASE_URL": f"sqlite:///{variant_db}"}))
        for timings, command, cwd, step_env in (steps if round_ % 2 == 0 else steps[::-1]):
            timings.run(command, cwd, step_env)
        got, items = stored(db), len(out.read_text().splitlines())
        print(f"  round {round_ + 1} (load {os.getloadavg()[0]:.1f}): project {project.last()} {got} stored, bare {bare.last()} {items} items"
              + ("" if args.skip_defaults else f", bare with Scrapy's defaults {defaults.last()}")
              + (f", project with {args.variant} {variant.last()} {stored(variant_db)} stored" if variant_settings else ""), flush=True)
        if got != args.n or items != args.n:
            raise SystemExit(f"expected {args.n} articles from each, got {got} stored and {items} items")
    ratios = {"crawl": summary(f"crawl of {args.n} articles, against the bare spider with the project's settings", project, bare)}
    if not args.skip_defaults:
        ratios["crawl (bare with Scrapy's defaults)"] = summary(f"crawl of {args.n} articles, against the bare spider with "
                                                               "Scrapy's defaults", project, defaults)
    if variant_settings:
        crawl_as_bare = Timings("project")
        crawl_as_bare.wall, crawl_as_bare.cpu, crawl_as_bare.split = project.wall, project.cpu, project.split
        variant.label = "variant"
        ratios[f"with {args.variant} / project"] = summary(f"project with {args.variant} against the project", variant, crawl_as_bare)
    return ratios, tmp / "crawl0.db"


def archive_rounds(args, tmp: Path, env: dict, lists: int) -> dict:
    """The project with the archive off and on, in alternating order; then each round's archive re-extracted."""
    given = overrides(args.concurrency)
    off, on, replay = Timings("off"), Timings("on"), Timings("reextract")
    sizes = []
    for round_ in range(args.rounds):
        command = [SCRAPY, "crawl", "ofweek", "-a", f"start_urls={LIST_URL.format(1)}", "-a", f"max_pages={lists}", *as_args(given)]
        archive, dbs = tmp / f"archive{round_}", {which: tmp / f"{which}{round_}.db" for which in ("off", "on", "replayed")}
        base = {**env, "NEWSCRAWL_SPOOL_DIR": str(tmp / "spool")}
        steps = [(off, command, ROOT, {**base, "NEWSCRAWL_DATABASE_URL": f"sqlite:///{dbs['off']}"}),
                 (on, command, ROOT, {**base, "NEWSCRAWL_DATABASE_URL": f"sqlite:///{dbs['on']}", "NEWSCRAWL_ARCHIVE_DIR": str(archive)})]
        for timings, command_, cwd, step_env in (steps if round_ % 2 == 0 else steps[::-1]):
            timings.run(command_, cwd, step_env)
        replay.run([SCRAPY, "reextract", "--portal", "ofweek"], ROOT,
                   {**base, "NEWSCRAWL_DATABASE_URL": f"sqlite:///{dbs['replayed']}", "NEWSCRAWL_ARCHIVE_DIR": str(archive)})
        counts = {which: stored(db) for which, db in dbs.items()}
        sizes.append(sum(f.stat().st_size for f in archive.iterdir()))
        print(f"  round {round_ + 1} (load {os.getloadavg()[0]:.1f}): archive off {off.last()}, on {on.last()}, "
              f"{sizes[-1] / args.n / 1024:.1f} KiB an article; reextract {replay.last()}; stored {counts}", flush=True)
        if set(counts.values()) != {args.n}:
            raise SystemExit(f"expected {args.n} articles from each, got {counts}")
    ratios = {"archive on / off": summary(f"crawl of {args.n} articles with the archive on against off", on, off)}
    print(f"archive: median {statistics.median(sizes) / args.n / 1024:.1f} KiB an article (gzip WARC: response and request "
          f"records of {args.n} articles and {lists} list pages)")
    speeds, crawled = [args.n / t for t in replay.wall], [args.n / t for t in off.wall]
    print(f"reextract of the {args.n} archived articles into a fresh database: {spread(speeds, ' articles/s')}; the crawl "
          f"of them from the site: {spread(crawled, ' articles/s')} (both with process start)")
    ratios["reextract / crawl"] = (statistics.median(s / c for s, c in zip(speeds, crawled)),
                                   statistics.median(o / r for o, r in zip(off.cpu, replay.cpu)))
    return ratios


def cron_rounds(args, tmp: Path, env: dict, crawl_db: Path, new_list_page: bytes) -> tuple[float, float]:
    """One new article on list page 1; each project run on its own copy of the crawl's database."""
    page = tmp / "site" / LIST_URL.format(1).split("://", 1)[1]
    page.write_bytes(new_list_page)
    given = overrides(args.concurrency)
    project, bare = Timings("project"), Timings("bare")
    bare_cmd = [SCRAPY, "runspider", str(ROOT / "bench/bare_spider.py"), "-a", f"start={LIST_URL.format(1)}", "-a", "follow=0",
                *as_args(fair_settings(given))]
    for round_ in range(args.rounds * 2):
        db = tmp / f"cron{round_}.db"
        shutil.copyfile(crawl_db, db)
        project_cmd = [SCRAPY, "crawl", "ofweek", "-a", f"start_urls={LIST_URL.format(1)}", "-a", "max_pages=1", *as_args(given)]
        project_env = {**env, "NEWSCRAWL_DATABASE_URL": f"sqlite:///{db}", "NEWSCRAWL_SPOOL_DIR": str(tmp / "spool")}
        steps = [(project, project_cmd, ROOT, project_env), (bare, bare_cmd, tmp / "bare", env)]
        for timings, command, cwd, step_env in (steps if round_ % 2 == 0 else steps[::-1]):
            timings.run(command, cwd, step_env, ok=(0, 3))  # 3: the monitor finds far fewer items than the crawl before
        if stored(db) != args.n + 1:
            raise SystemExit(f"the cron run stored {stored(db) - args.n} articles, not the one new article")
    return summary("one-page cron run that finds one new article (project) against a bare one-page runspider", project, bare)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=16, help="CONCURRENT_REQUESTS (and per domain) of every crawl")
    parser.add_argument("--skip-cron", action="store_true")
    parser.add_argument("--skip-defaults", action="store_true", help="leave out the bare spider with Scrapy's defaults")
    parser.add_argument("--variant", default="", help="settings NAME=VALUE[,NAME=VALUE] of a second project crawl")
    parser.add_argument("--archive", action="store_true", help="the archive on against off, and re-extraction, instead")
    args = parser.parse_args()
    # As installed (pip compiles a package's modules): bytecode for the project's modules and the bare spider, as
    # Scrapy's own have in the venv. Without it, where PYTHONDONTWRITEBYTECODE is set (this machine's sessions),
    # every project run compiled its ~130 modules from source: 0.15 s of CPU at each start, a fifth of a bare
    # one-page run.
    for path in (ROOT / "newscrawl", ROOT / "bench"):
        compileall.compile_dir(path, quiet=1)
    with tempfile.TemporaryDirectory(prefix="bench-crawl-") as name:
        tmp = Path(name)
        lists, new_list_page = build_site(tmp / "site", args.n)
        server, proxy = start_server(tmp / "site", tmp)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSCRAWL_", "SCRAPY_")) and "proxy" not in k.lower()}
        env.update(http_proxy=proxy, https_proxy=proxy, PYTHONPATH=str(ROOT))
        try:
            print(f"site: {args.n} articles, {lists} list pages, served at {proxy}; load average {os.getloadavg()[0]:.2f}")
            busy_before, measured_before, own_before = machine_cpu(), Timings.measured, time.process_time()
            served_before = (_stat(server.pid) or (0, "", 0.0))[2]
            if args.archive:
                ratios = archive_rounds(args, tmp, env, lists)
            else:
                ratios, crawl_db = crawl_rounds(args, tmp, env, lists)
            if not args.skip_cron and not args.archive:
                ratios["cron"] = cron_rounds(args, tmp, env, crawl_db, new_list_page)
            busy, served = machine_cpu() - busy_before, (_stat(server.pid) or (0, "", 0.0))[2] - served_before
            timed, own = Timings.measured - measured_before, time.process_time() - own_before
            print(f"machine CPU over the benchmark: {busy:.1f} s; the timed runs {timed:.1f} s, the local site's server {served:.1f} s, "
                  f"this script {own:.1f} s, other processes {max(0.0, busy - timed - served - own):.1f} s")
            print(f"ratios (wall, CPU; load average {os.getloadavg()[0]:.2f}): "
                  + ", ".join(f"{k} {w:.2f}x / {c:.2f}x" for k, (w, c) in ratios.items()))
        finally:
            server.terminate()
            server.wait()


if __name__ == "__main__":
    main()
