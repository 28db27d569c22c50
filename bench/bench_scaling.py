"""Benchmark: does an article cost more as the database grows? OFweek pages through the full path into one SQLite file.

Usage: .venv/bin/python bench/bench_scaling.py [--sizes 500,2000,8000] [--kind distinct,similar]

For each text kind (bench/ofweek_pages.py: distinct articles, or similar ones that share most LSH bands),
one crawler's spider callback, pipelines and store take the pages in segments up to each size; the time of
each segment over its article count is the marginal cost per article there. Printed: marginal cost per
segment, resident memory after it, and last the ratio of the last segment's marginal cost to the first
measured one (500 -> 2,000), which stays near 1.0 when the cost is flat.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from bench_ofweek import FullPath, responses_of, run_on_reactor  # noqa: E402
from ofweek_pages import article_pages  # noqa: E402


CHUNK = 250


def rss_mb(pid="self") -> float:
    with open(f"/proc/{pid}/statm") as statm:
        return int(statm.read().split()[1]) * 4096 / 2**20


def worker_rss_mb(path) -> float:
    """The store's worker process (NEWSCRAWL_STORE_PROCESS) holds the SQLite connection and its page cache."""
    worker = path.store.worker
    return sum(rss_mb(process.pid) for process in (worker.processes() if worker is not None else []))


async def scale(sizes: list[int], kind: str) -> float:
    marginal = []
    with tempfile.TemporaryDirectory() as tmp:
        path = FullPath(f"sqlite:///{tmp}/scaling.db")
        await path.open()
        done = 0
        print(f"{kind} texts:")
        for size in sizes:
            elapsed = 0.0
            for chunk in range(done, size, CHUNK):
                # made per chunk, as a crawl's responses come and go: the memory measured is the project's
                responses = responses_of(article_pages(min(size, chunk + CHUNK) - chunk, kind, start=chunk))
                start = time.perf_counter()
                await path.feed(responses)
                elapsed += time.perf_counter() - start
                del responses
            per_article = elapsed / (size - done) * 1000
            print(f"  {done:>6} -> {size:>6} articles: {per_article:6.2f} ms per article, "
                  f"RSS {rss_mb():6.0f} MB + store worker {worker_rss_mb(path):4.0f} MB")
            if done:
                marginal.append(per_article)
            done = size
        await path.close()
    for k in range(1, len(marginal)):
        print(f"  marginal cost {sizes[k]:,} -> {sizes[k + 1]:,} / {sizes[0]:,} -> {sizes[1]:,}: {marginal[k] / marginal[0]:.2f}x")
    return marginal[-1] / marginal[0]


async def main(args) -> None:
    sizes = [int(s) for s in args.sizes.split(",")]
    ratios = {kind: await scale(sizes, kind) for kind in args.kind.split(",")}
    print("marginal cost ratio (last segment / first): " + ", ".join(f"{k} {r:.2f}x" for k, r in ratios.items()))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="500,2000,8000")
    parser.add_argument("--kind", default="distinct,similar")
    run_on_reactor(main(parser.parse_args()))
