"""Fuzz every processor with N hostile inputs and every portal spider with M mutated article pages.

Prints, per processor and per spider: exceptions, hangs (over --hang CPU seconds, interrupted at 10x that),
invariant breaks and the slowest input. Exit status 1 when anything broke.

    /work/main/.venv/bin/python bench/fuzz.py --inputs 2000 --pages 1000 [--seed 9]

With ``--mb 8``: instead, every processor gets each of hostile.HUGE_UNITS repeated to 8 MB, and ``--pages`` article
pages are filled to 8 MB with one of them at a random place; a call over ``--hang`` seconds (say 0.5) fails, and
the slowest time per MB is printed (issue 24: bounded work per page). A page over ``--hang`` is timed three times
and its median counts (timed_page: the machine's spread), each run printed.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import signal
import sys
import time
import traceback
from collections import Counter, defaultdict
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))
os.chdir(ROOT)

import hostile  # noqa: E402
from bench_crawl import machine_cpu  # noqa: E402
from newscrawl.items import Article  # noqa: E402


class Hang(Exception):
    pass


def _alarm(signum, frame):
    raise Hang()


def timed(call, limit: float):
    """(result or exception, CPU seconds); a call over ``limit`` CPU seconds is interrupted as a Hang.

    CPU time, not wall time: the machine is shared, and a call's wall time there says more about the others."""
    signal.setitimer(signal.ITIMER_PROF, limit)
    started = time.process_time()
    try:
        result = call()
    except Hang as exc:
        result = exc
    except Exception as exc:  # what we are here to find
        result = exc
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
    return result, time.process_time() - started


def fuzz_processors(values, hang: float) -> dict:
    """Every processor on every value of ``values`` (a function giving the sequence, called per processor)."""
    now = datetime(2026, 11, 26, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    report = {}
    for name, check in hostile.processor_checks(now):
        counts, slowest, first = Counter(), (0.0, ""), {}
        for value in values():
            result, seconds = timed(lambda: check(value), hang * 10)
            if seconds > slowest[0]:
                slowest = (seconds, value[:200])
            if isinstance(result, Hang) or seconds > hang:
                counts["hangs"] += 1
                first.setdefault("hang", f"{value[:40]!r} ({len(value)} chars): {seconds:.2f} s")
            elif isinstance(result, Exception):
                counts["exceptions"] += 1
                first.setdefault("exception", f"{type(result).__name__}: {result} <- {value[:80]!r}")
            elif result:
                counts["invariant_breaks"] += 1
                first.setdefault("invariant", f"{result[0]} <- {value[:80]!r}")
        report[name] = (counts, slowest, first)
    return report


SAVE_DIR: Path | None = None


def save(name: str, body: bytes) -> None:
    """Keep a page that broke something (--save DIR), to reproduce it."""
    if SAVE_DIR is not None:
        SAVE_DIR.mkdir(parents=True, exist_ok=True)
        (SAVE_DIR / name).write_bytes(body)


def timed_page(spider, url: str, page: bytes, hang: float) -> tuple[object, float, list[float]]:
    """(result, CPU seconds, every run's) of one page through its spider.

    The cyclic GC is paused while a page is timed and run between pages: a response and its Scrapy Selector refer to
    each other, so every page's trees wait for a collection, and a full one (70-100 ms over this process's heap,
    whatever the page) would be charged to whichever later page it starts in. A page over ``hang`` is timed twice
    more and the median of the three counts: the CPU time of the same page on this machine varies by a third from
    one minute to the next (the host's load; the guest's other processes at 2% of a core), a page over it every
    time is over it. One interrupted at 10x ``hang`` is not timed again."""
    runs = []
    for _ in range(3):
        gc.collect()
        gc.disable()
        try:
            result, seconds = timed(lambda: hostile.parse_mutated(spider, url, page), hang * 10)
        finally:
            gc.enable()
        runs.append(seconds)
        if isinstance(result, Hang) or seconds <= hang and len(runs) == 1:
            break
    return result, sorted(runs)[len(runs) // 2], runs


def fuzz_pages(m: int, rng: random.Random, hang: float, size: int = 0) -> dict:
    pages = hostile.fixture_pages()
    by_spider = defaultdict(list)
    for name, url, body in pages:
        by_spider[name].append((url, body))
    spiders = {name: hostile.make_spider(name) for name in sorted(by_spider)}
    for name, spider in spiders.items():  # warm-up: one-time loading (trafilatura's stop lists) is not a hang
        for url, body in by_spider[name]:
            hostile.parse_mutated(spider, url, body)
    # nor importing trafilatura and reading its justext stop lists, which the pages above may not have needed
    from newscrawl.extract.body import prepared_tree, trafilatura_body

    trafilatura_body(prepared_tree("<html><body><p>A short page: trafilatura tries justext on it.</p></body></html>"),
                     None)
    report = {name: [Counter(), (0.0, ""), {}] for name in spiders}
    for i in range(m):
        name = sorted(spiders)[i % len(spiders)]
        url, body = rng.choice(by_spider[name])
        mutated, kind = hostile.mutate(body, rng, size)
        result, seconds, runs = timed_page(spiders[name], url, mutated, hang)
        counts, slowest, first = report[name]
        if len(runs) > 1:
            counts["retimed"] += 1
            first.setdefault("retimed", f"{kind} of {url}: " + ", ".join(f"{s * 1000:.0f}" for s in runs) + " ms")
        if seconds > slowest[0]:
            report[name][1] = (seconds, f"{kind} of {url}")
        if isinstance(result, Hang) or seconds > hang:
            counts["hangs"] += 1
            first.setdefault("hang", f"{kind} of {url}")
            save(f"hang-{name}-{i}.html", mutated)
            continue
        if isinstance(result, Exception):
            counts["exceptions"] += 1
            save(f"exception-{name}-{i}.html", mutated)
            first.setdefault("exception", f"{type(result).__name__}: {result} ({kind} of {url})\n"
                             + "".join(traceback.format_exception(result)[-3:]))
            continue
        outputs, delta = result
        items = [o for o in outputs if isinstance(o, Article)]
        breaks = [b for item in items for b in hostile.check_article(item)]
        if breaks:
            counts["invariant_breaks"] += 1
            first.setdefault("invariant", f"{breaks[0]} ({kind} of {url})")
        reasons = hostile.reasons_in(delta)
        if items:
            counts["articles"] += 1
        elif reasons:
            counts["counted_reasons"] += 1
            for reason in reasons:
                counts[f"  {reason}"] += 1
        else:
            counts["silent"] += 1
            first.setdefault("silent", f"{kind} of {url}")
        counts["pages"] += 1
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", type=int, default=2000, help="hostile inputs per processor")
    parser.add_argument("--pages", type=int, default=1000, help="mutated article pages, spread over the spiders")
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument("--hang", type=float, default=2.0, help="seconds over which a call counts as a hang")
    parser.add_argument("--save", type=Path, help="directory to write the pages that broke something to")
    parser.add_argument("--mb", type=float, default=0, help="processors and pages on values and pages of this many MB")
    args = parser.parse_args()
    global SAVE_DIR
    SAVE_DIR = args.save
    signal.signal(signal.SIGPROF, _alarm)
    import logging

    logging.disable(logging.WARNING)  # the spiders' warnings about broken pages are expected by the thousand
    rng = random.Random(args.seed)

    def per_mb(seconds: float) -> str:
        return f" ({seconds * 1000 / args.mb:5.1f} ms/MB)" if args.mb else ""

    broken = 0
    started = time.perf_counter()
    machine_before, own_before = machine_cpu(), time.process_time()
    if args.mb:
        huge = [hostile.huge_text(unit, int(args.mb * 1024 * 1024)) for unit in hostile.HUGE_UNITS]
        processors = fuzz_processors(lambda: huge, args.hang)
        print(f"processors: {len(hostile.HUGE_UNITS)} values of {args.mb:g} MB each, {len(processors)} processors, "
              f"in {time.perf_counter() - started:.1f} s")
    else:
        processors = fuzz_processors(lambda: (hostile.hostile_text(rng, huge=(i % 50 == 0)) for i in range(args.inputs)),
                                     args.hang)
        print(f"processors: {args.inputs} inputs each, {len(processors)} processors, "
              f"{args.inputs * len(processors)} calls in {time.perf_counter() - started:.1f} s")
    print(f"{'processor':22} {'exceptions':>10} {'hangs':>6} {'breaks':>7} {'slowest':>9}")
    for name, (counts, slowest, first) in processors.items():
        broken += counts["exceptions"] + counts["hangs"] + counts["invariant_breaks"]
        print(f"{name:22} {counts['exceptions']:>10} {counts['hangs']:>6} {counts['invariant_breaks']:>7} "
              f"{slowest[0] * 1000:>7.1f}ms{per_mb(slowest[0])}  slowest: {slowest[1][:40]!r}")
        for what, example in first.items():
            print(f"    first {what}: {example}")
    started = time.perf_counter()
    pages = fuzz_pages(args.pages, rng, args.hang, int(args.mb * 1024 * 1024))
    print(f"\npages: {args.pages} mutated article pages" + (f" of {args.mb:g} MB" if args.mb else "")
          + f" in {time.perf_counter() - started:.1f} s")
    print(f"{'spider':10} {'pages':>6} {'articles':>9} {'counted':>8} {'silent':>7} {'exceptions':>10} {'hangs':>6} "
          f"{'breaks':>7} {'slowest':>9}")
    reasons = Counter()
    for name, (counts, slowest, first) in pages.items():
        broken += counts["exceptions"] + counts["hangs"] + counts["invariant_breaks"] + counts["silent"]
        print(f"{name:10} {counts['pages']:>6} {counts['articles']:>9} {counts['counted_reasons']:>8} "
              f"{counts['silent']:>7} {counts['exceptions']:>10} {counts['hangs']:>6} {counts['invariant_breaks']:>7} "
              f"{slowest[0] * 1000:>7.0f}ms{per_mb(slowest[0])}  slowest: {slowest[1]}")
        reasons.update({k.strip(): v for k, v in counts.items() if k.startswith("  ")})
        for what, example in first.items():
            print(f"    first {what}: {example}")
    print("counted reasons of the pages that gave no article:", dict(reasons.most_common()))
    print("\nload average (1, 5, 15 min):", " ".join(f"{x:.2f}" for x in os.getloadavg()))
    wall, others = time.perf_counter() - started, machine_cpu() - machine_before - (time.process_time() - own_before)
    # CPU times of a run with much of this are inflated (the other core's work contends for caches and memory)
    print(f"other processes meanwhile: {max(others, 0):.1f} CPU s in {wall:.1f} s ({max(others, 0) / wall:.0%} of a core)")
    print("RESULT:", "nothing broke" if not broken else f"{broken} failures")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
