"""The body finder's cost per page (PageExtractor.body_html), this checkout against a base revision, same run.

Usage: .venv/bin/python bench/body_cost.py [--base REV] [--rounds 5]

The base revision is exported (git archive) to a temporary directory; each round times every page of
../shared/realpages/ (gne-dev, fundus-dev, ithome, ednchina) once with the base code and once with this
checkout's, each in a fresh process, alternating which goes first. Printed: milliseconds per page, wall
clock and CPU (the CPU time is what a loaded machine disturbs least), median and spread over the rounds,
and the ratios. The headline and title are found before the clock starts (they
are not the body finder's cost).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def pages() -> list[Path]:
    from realpages_accuracy import REAL

    return sorted(p for d in ("gne-dev", "fundus-dev", "ithome", "ednchina") for p in (REAL / d).glob("*.html"))


def worker(tree: str, paths: list[str]) -> None:
    """Run in a child process with ``tree`` first on sys.path: print the seconds spent in body_html, wall and CPU."""
    sys.path.insert(0, tree)
    sys.path.insert(1, str(ROOT / "bench"))
    from realpages_accuracy import decode, page_url

    from newscrawl.extract import PageExtractor

    total = cpu = 0.0
    for path in paths:
        html = decode(Path(path).read_bytes())
        page = PageExtractor(html, page_url(html, Path(path).stem))
        page.title, page._headline  # noqa: B018 - found before the clock starts
        started, started_cpu = time.perf_counter(), time.process_time()
        page.body_html  # noqa: B018
        total += time.perf_counter() - started
        cpu += time.process_time() - started_cpu
    print(total, cpu)


def run(tree: str, paths: list[str]) -> tuple[float, float]:
    """(wall, CPU) milliseconds per page."""
    out = subprocess.run([sys.executable, __file__, "--worker", tree, *paths], capture_output=True, text=True,
                         check=True, cwd=tree).stdout
    wall, cpu = (float(x) for x in out.strip().splitlines()[-1].split())
    return wall * 1000 / len(paths), cpu * 1000 / len(paths)


def main(argv=None) -> int:
    if argv is None and sys.argv[1:2] == ["--worker"]:
        worker(sys.argv[2], sys.argv[3:])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="main", help="the revision to compare with (default: main)")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT / "bench"))
    paths = [str(p) for p in pages()]
    if not paths:
        print("no real pages found: nothing to time", file=sys.stderr)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        archive = Path(tmp) / "base.tar"
        subprocess.run(["git", "-C", str(ROOT), "archive", "-o", str(archive), args.base, "newscrawl"], check=True)
        with tarfile.open(archive) as tar:
            tar.extractall(Path(tmp) / "base", filter="data")
        trees = {f"base ({args.base})": str(Path(tmp) / "base"), "this checkout": str(ROOT)}
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in trees}
        for round_ in range(args.rounds):
            order = list(trees) if round_ % 2 == 0 else list(reversed(trees))
            for name in order:
                times[name].append(run(trees[name], paths))
    print(f"body finder on {len(paths)} real pages, ms per page over {args.rounds} rounds (median, min-max):")
    medians = {}
    for name, values in times.items():
        walls, cpus = [w for w, _ in values], [c for _, c in values]
        medians[name] = (statistics.median(walls), statistics.median(cpus))
        print(f"  {name:>24}: wall {medians[name][0]:7.1f} ({min(walls):.1f}-{max(walls):.1f})"
              f"   CPU {medians[name][1]:7.1f} ({min(cpus):.1f}-{max(cpus):.1f})")
    (base_wall, base_cpu), (head_wall, head_cpu) = medians.values()
    print(f"  this checkout / base: wall {head_wall / base_wall:.2f}x, CPU {head_cpu / base_cpu:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
