"""`scrapy export` of a large SQLite store to each format: time and peak memory against a plain baseline, same run.

Usage: .venv/bin/python bench/bench_export.py [--articles 10000,100000] [--rounds 3] [--formats jsonl,csv,parquet,duckdb]

A store of N articles like a real crawl's (six portals and the generic spider, 2018-2026, bodies of 600-2,400
Chinese characters with their HTML, 3% undated, 5% near-duplicates, 2% edited with an earlier version) is
written once per size. Each round runs, per format in a rotating order, `scrapy export FORMAT` in a process
of its own and the baseline in another: the same rows read with sqlite3 and written by the library alone
(jsonl: json.dumps per row; csv: csv.writer; parquet: every row in memory, one pyarrow table, one file;
duckdb: that table loaded into a new file). Wall time and peak RSS (the process's ru_maxrss) per run;
medians, min-max spread, the ratio newscrawl / baseline, and peak RSS at the largest size over the smallest.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

PORTALS = {"ofweek": "www.ofweek.com", "ithome": "www.ithome.com", "c114": "www.c114.com.cn",
           "elecfans": "www.elecfans.com", "laoyaoba": "www.laoyaoba.com", "gasgoo": "auto.gasgoo.com"}
BASELINE_QUERY = "SELECT * FROM articles ORDER BY published_at, id"


def paragraphs(rng: random.Random, count: int = 3000) -> list[str]:
    from bench_store import CHARS

    return ["".join(rng.choice(CHARS) for _ in range(rng.randint(80, 300))) + "。" for _ in range(count)]


def article_rows(start: int, count: int, pool: list[str], rng: random.Random) -> list[dict]:
    from newscrawl import processors

    base = datetime(2018, 1, 1, tzinfo=timezone.utc)
    rows = []
    for i in range(start, start + count):
        portal = rng.choice(list(PORTALS))
        spider = "article" if rng.random() < 0.05 else portal  # a generic spider's fetch of a portal page
        parts = rng.sample(pool, rng.randint(3, 10))
        text = "\n\n".join(parts)
        moment = base + timedelta(minutes=rng.randint(0, 9 * 365 * 24 * 60))
        local = moment.astimezone(timezone(timedelta(hours=8))).isoformat() if rng.random() > 0.03 else None
        seen = datetime(2026, 12, 1, tzinfo=timezone.utc) + timedelta(seconds=i)
        rows.append({
            "url": f"https://{PORTALS[portal]}/news/{i}.html", "portal": spider, "site": f"{portal}站",
            "title": parts[0][:30], "published_at": local, "published_at_local": local,
            "author": rng.choice([None, "陈逸辰", "故渊", "记者"]), "source": rng.choice([None, "维科网", "新华社"]),
            "categories": rng.sample(["人工智能", "半导体", "光伏", "汽车"], rng.randint(0, 2)),
            "tags": rng.sample(["芯片", "AI", "5G", "储能", "锂电"], rng.randint(0, 3)),
            "headimg": None if i % 3 else f"https://img.example.com/{i}.png",
            "images": [f"https://img.example.com/{i}-{n}.png" for n in range(i % 4)],
            "summary": parts[0][:80], "body_html": "".join(f"<p>{p}</p>" for p in parts), "body_text": text,
            "language": "zh", "crawled_at": seen, "content_hash": processors.content_hash(text),
            "first_seen_at": seen, "last_seen_at": seen, "updated_at": seen, "version": 1,
            "near_duplicate_of": f"https://{PORTALS['ofweek']}/news/{i - 1}.html" if i % 20 == 1 else None,
        })
    return rows


def build_store(path: Path, count: int) -> None:
    """The store, written with the project's own schema (migrations) and column types, in batches."""
    from newscrawl import db, migrations

    rng = random.Random(count)
    pool = paragraphs(rng)
    engine = db.create_engine(f"sqlite:///{path}")
    migrations.upgrade(engine)
    with engine.begin() as connection:
        for start in range(0, count, 2000):
            rows = article_rows(start, min(2000, count - start), pool, rng)
            connection.execute(db.articles.insert(), rows)
        edited = connection.execute(db.articles.select().where(db.articles.c.id % 50 == 0)).mappings().all()
        versions = [{**{n: row[n] for n in db.VERSIONED_FIELDS}, "article_id": row["id"], "version": 1,
                     "valid_from": row["first_seen_at"], "replaced_at": row["updated_at"]} for row in edited]
        connection.execute(db.article_versions.insert(), versions)
        connection.execute(db.articles.update().where(db.articles.c.id % 50 == 0).values(version=2))
    engine.dispose()


def baseline(kind: str, database: str, out: str) -> None:
    """The same rows written by the library alone (run in a process of its own by ``measure``)."""
    import sqlite3

    connection = sqlite3.connect(database)
    cursor = connection.execute(BASELINE_QUERY)
    names = [d[0] for d in cursor.description if d[0] != "minhash"]
    keep = [i for i, d in enumerate(cursor.description) if d[0] != "minhash"]
    if kind == "jsonl":
        import json

        with open(out, "w", encoding="utf-8") as handle:
            for row in cursor:
                handle.write(json.dumps({names[n]: row[i] for n, i in enumerate(keep)}, ensure_ascii=False) + "\n")
    elif kind == "csv":
        import csv

        with open(out, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(names)
            writer.writerows([row[i] for i in keep] for row in cursor)
    else:
        import pyarrow as pa

        rows = [[row[i] for i in keep] for row in cursor.fetchall()]
        table = pa.table({name: [row[n] for row in rows] for n, name in enumerate(names)})
        del rows
        if kind == "parquet":
            import pyarrow.parquet as pq

            pq.write_table(table, out, compression="zstd")
        else:
            import duckdb

            with duckdb.connect(out) as db:
                db.register("rows", table)
                db.execute("CREATE TABLE articles AS SELECT * FROM rows")
    connection.close()


def measure(command: list[str], env: dict) -> tuple[float, float]:
    """(wall seconds, peak RSS in MB) of one process."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"{' '.join(command)} failed: {process.stderr.read().decode()[-2000:]}")
    return elapsed, usage.ru_maxrss / 1024


def target(workdir: Path, kind: str, who: str) -> Path:
    """Where a run writes: newscrawl's Parquet export is a directory, the baseline's one file."""
    return workdir / ("ours-parquet" if (kind, who) == ("parquet", "ours") else f"{who}.{kind}")


def run_size(count: int, rounds: int, kinds: list[str], workdir: Path) -> dict:
    database = workdir / f"store-{count}.db"
    started = time.perf_counter()
    # In a process of its own: this one stays small, since a child's peak RSS counts its parent's before exec.
    subprocess.run([sys.executable, __file__, "--build", str(count), "--database", str(database)], check=True)
    print(f"store of {count} articles: {database.stat().st_size / 1e6:.0f} MB, built in {time.perf_counter() - started:.0f} s",
          flush=True)
    env = {**os.environ, "NEWSCRAWL_DATABASE_URL": f"sqlite:///{database}"}
    results = {kind: {"ours": [], "base": []} for kind in kinds}
    for round_number in range(rounds):
        order = kinds[round_number % len(kinds):] + kinds[:round_number % len(kinds)]
        for kind in order:
            for who in (("ours", "base") if round_number % 2 == 0 else ("base", "ours")):
                out = target(workdir, kind, who)
                command = ([sys.executable, "-m", "scrapy", "export", kind, str(out)] if who == "ours" else
                           [sys.executable, __file__, "--baseline", kind, "--database", str(database), "--out", str(out)])
                results[kind][who].append(measure(command, env))
                seconds, rss = results[kind][who][-1]
                print(f"  {count} {kind} {who}: {seconds:.1f} s, {rss:.0f} MB (load {os.getloadavg()[0]:.1f})", flush=True)
                shutil.rmtree(out, ignore_errors=True) if out.is_dir() else out.unlink(missing_ok=True)
        print(f"  round {round_number + 1}/{rounds} done ({os.getloadavg()[0]:.1f} load)", flush=True)
    database.unlink()
    return results


def report(sizes: dict[int, dict], kinds: list[str]) -> None:
    def spread(values):
        return f"{statistics.median(values):.1f} ({min(values):.1f}-{max(values):.1f})"

    print(f"\nload average now: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print("| articles | format | newscrawl s | baseline s | ratio | newscrawl peak RSS MB | baseline peak RSS MB |")
    print("|---|---|---|---|---|---|---|")
    for count, results in sizes.items():
        for kind in kinds:
            ours, base = results[kind]["ours"], results[kind]["base"]
            ratio = statistics.median(o[0] / b[0] for o, b in zip(ours, base))
            print(f"| {count:,} | {kind} | {spread([o[0] for o in ours])} | {spread([b[0] for b in base])} | "
                  f"{ratio:.2f}x | {spread([o[1] for o in ours])} | {spread([b[1] for b in base])} |")
    if len(sizes) > 1:
        small, large = min(sizes), max(sizes)
        for kind in kinds:
            grow = statistics.median(o[1] for o in sizes[large][kind]["ours"]) / statistics.median(
                o[1] for o in sizes[small][kind]["ours"])
            base = statistics.median(o[1] for o in sizes[large][kind]["base"]) / statistics.median(
                o[1] for o in sizes[small][kind]["base"])
            print(f"peak RSS {large:,} / {small:,} articles, {kind}: newscrawl {grow:.2f}x, baseline {base:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", default="10000,100000")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--formats", default="jsonl,csv,parquet,duckdb")
    parser.add_argument("--baseline", help=argparse.SUPPRESS)
    parser.add_argument("--build", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--database", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.baseline:
        baseline(args.baseline, args.database, args.out)
        return
    if args.build:
        build_store(Path(args.database), args.build)
        return
    kinds = args.formats.split(",")
    with tempfile.TemporaryDirectory(prefix="bench-export-") as workdir:
        sizes = {count: run_size(count, args.rounds, kinds, Path(workdir))
                 for count in (int(x) for x in args.articles.split(","))}
    report(sizes, kinds)


if __name__ == "__main__":
    main()
