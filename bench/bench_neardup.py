"""Near-duplicate detection: precision/recall by threshold on the built pairs, and DB lookup time at 10k/100k articles.

Usage: .venv/bin/python bench/bench_neardup.py [--sizes 10000,100000] [--skip-lookup] [--filler distinct,similar]
The baseline for lookup is a linear scan (every stored signature compared) measured in the same run.
Filler articles are distinct texts, or similar ones that all share most LSH bands (the case that made
lookups grow with the database before the bucket cap).
SimHash is measured alongside on the same pairs: it is the alternative the issue names, and the
reason MinHash was chosen (docs/SCHEMA.md, "Deduplication").
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import sqlalchemy as sa
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from newscrawl import db, migrations, neardup  # noqa: E402

PAIRS = [json.loads(line) for line in (ROOT / "tests/fixtures/neardup/pairs.jsonl").read_text("utf-8").splitlines()]
STORIES = json.loads((ROOT / "tests/fixtures/neardup/stories.json").read_text("utf-8"))
POSTGRES_URL = os.environ.get("NEWSCRAWL_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def simhash(text: str, n: int = 2) -> int:
    """64-bit SimHash of character n-grams (the comparison only)."""
    normal = neardup.normalize(text)
    weights = [0] * 64
    for i in range(len(normal) - n + 1):
        h = int.from_bytes(hashlib.blake2b(normal[i : i + n].encode(), digest_size=8).digest(), "little")
        for bit in range(64):
            weights[bit] += 1 if h >> bit & 1 else -1
    return sum(1 << bit for bit in range(64) if weights[bit] > 0)


def precision_recall() -> None:
    print(f"pairs: {len(PAIRS)} ({sum(p['near_duplicate'] for p in PAIRS)} near-duplicate, "
          f"{sum(not p['near_duplicate'] for p in PAIRS)} distinct; tests/fixtures/neardup/pairs.jsonl)")
    sigs = [(neardup.signature(p["a_text"]), neardup.signature(p["b_text"])) for p in PAIRS]
    print("MinHash (128 perm, char 3-grams) + LSH 32x4 bands:")
    print(f"  {'threshold':>9} {'precision':>9} {'recall':>7}   misses by kind")
    for threshold in (0.2, 0.3, 0.4, 0.5, 0.6, 0.7):
        tp = fp = fn = 0
        missed = {}
        for pair, (a, b) in zip(PAIRS, sigs):
            said = bool(set(neardup.bands(a)) & set(neardup.bands(b))) and neardup.similarity(a, b) >= threshold
            tp += said and pair["near_duplicate"]
            fp += said and not pair["near_duplicate"]
            if pair["near_duplicate"] and not said:
                fn += 1
                missed[pair["kind"]] = missed.get(pair["kind"], 0) + 1
        mark = "  <- NEWSCRAWL threshold" if threshold == neardup.THRESHOLD else ""
        print(f"  {threshold:>9.1f} {tp / max(1, tp + fp):>9.2f} {tp / (tp + fn):>7.2f}   {missed or ''}{mark}")
    by_kind = {}
    for pair, (a, b) in zip(PAIRS, sigs):
        by_kind.setdefault(pair["kind"], []).append(neardup.similarity(a, b))
    print("  estimated similarity by kind (min-max): " + "; ".join(
        f"{k} {min(v):.2f}-{max(v):.2f}" for k, v in by_kind.items()))
    distances = {}
    for pair in PAIRS:
        distances.setdefault(pair["near_duplicate"], []).append(
            neardup_distance(simhash(pair["a_text"]), simhash(pair["b_text"])))
    print(f"SimHash (64-bit, char 2-grams) Hamming distance: near-duplicates {min(distances[True])}-{max(distances[True])}, "
          f"distinct {min(distances[False])}-{max(distances[False])} bits; a banded index finds distance <= bands-1 "
          f"(4 bands: <= 3), recall at 3 bits = {sum(d <= 3 for d in distances[True]) / len(distances[True]):.2f}")


def signature_cost(rounds: int = 3) -> None:
    """CPU per signature of newscrawl's MinHash (numpy) against datasketch's MinHash of the same shingles (the
    baseline: the signatures are the same bytes), on 300 distinct article-length texts, interleaved."""
    import random
    import zlib

    from datasketch import MinHash

    from bench_store import CHARS

    rng = random.Random(3)
    texts = ["".join(rng.choice(CHARS) for _ in range(1500)) for _ in range(300)]

    permutations = MinHash(num_perm=neardup.NUM_PERM, seed=neardup.SEED, scheme="affine32").permutations

    def datasketch_signature(text):  # as newscrawl called it before: permutations drawn once
        minhash = MinHash(num_perm=neardup.NUM_PERM, seed=neardup.SEED, permutations=permutations, scheme="affine32",
                          hashfunc=zlib.crc32)
        minhash.update_batch([s.encode("utf-8") for s in neardup.shingles(text)])
        return minhash.hashvalues.astype("<u4").tobytes()

    if any(neardup.signature(t) != datasketch_signature(t) for t in texts[:20]):
        raise SystemExit("newscrawl's signatures differ from datasketch's")
    times = {"newscrawl": [], "datasketch": []}
    for _ in range(rounds):
        for name, function in (("newscrawl", neardup.signature), ("datasketch", datasketch_signature)):
            start = time.process_time()
            for text in texts:
                function(text)
            times[name].append((time.process_time() - start) / len(texts) * 1000)
    ratios = [a / b for a, b in zip(times["newscrawl"], times["datasketch"])]
    print(f"signature of a 1,500-character text (CPU, median of {rounds} rounds): newscrawl "
          f"{statistics.median(times['newscrawl']):.3f} ms, datasketch {statistics.median(times['datasketch']):.3f} ms, "
          f"ratio {statistics.median(ratios):.2f}x (rounds: {', '.join(f'{r:.2f}' for r in ratios)}); same bytes")


def neardup_distance(a: int, b: int) -> int:
    return (a ^ b).bit_count()


def scratch_databases(tmp: Path, engines: set[str]):
    if "sqlite" in engines:
        yield "sqlite", f"sqlite:///{tmp / 'neardup.db'}"
    if "postgresql" not in engines:
        return
    url = make_url(POSTGRES_URL)
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
    try:
        with admin.connect() as connection:
            name = f"newscrawl_bench_{uuid.uuid4().hex[:10]}"
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as exc:
        print(f"postgresql: skipped ({str(exc.orig).splitlines()[0]})")
        return
    try:
        yield "postgresql", url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


FILLER_PORTALS = 5


def filler_signature(rng: np.random.Generator, similar: bool, template: np.ndarray) -> bytes:
    """Distinct texts: a random signature. Similar texts (templates, notices): the template with 8 of 128 values
    changed, so each shares about 25 of 32 bands (estimated similarity ~0.94) with every other filler article."""
    if not similar:
        return rng.integers(0, 2**32, size=neardup.NUM_PERM, dtype=np.uint64).astype("<u4").tobytes()
    values = template.copy()
    values[rng.choice(neardup.NUM_PERM, size=8, replace=False)] = rng.integers(0, 2**32, size=8, dtype=np.uint64)
    return values.astype("<u4").tobytes()


def fill(engine: sa.Engine, start: int, stop: int, rng: np.random.Generator, similar: bool = False, own=None) -> None:
    """Stored articles ``start..stop`` on FILLER_PORTALS portals, indexed as the store indexes them (bucket cap)."""
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    template = np.random.default_rng(7).integers(0, 2**32, size=neardup.NUM_PERM, dtype=np.uint64)
    own = {} if own is None else own  # per portal: articles indexed per bucket so far
    for chunk in range(start, stop, 10_000):
        ids = range(chunk, min(stop, chunk + 10_000))
        articles = []
        for i in ids:
            sig = filler_signature(rng, similar, template)
            articles.append({"url": f"https://filler.example/{i}", "portal": f"filler{i % FILLER_PORTALS}", "title": "x",
                             "categories": [], "tags": [], "images": [], "first_seen_at": now, "last_seen_at": now,
                             "updated_at": now, "minhash": sig})
        with engine.begin() as connection:
            connection.execute(db.articles.insert(), articles)
            found = dict(connection.execute(sa.select(db.articles.c.url, db.articles.c.id).where(
                db.articles.c.url.in_([a["url"] for a in articles]))).all())
            rows = [(band, key, found[a["url"]]) for a in articles
                    for band, key in db.claim_buckets(neardup.bands(a["minhash"]), own.setdefault(a["portal"], {}))]
            raw = connection.connection.dbapi_connection
            if connection.dialect.name == "postgresql":
                with raw.cursor() as cursor, cursor.copy("COPY lsh_bands (band, key, article_id) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                raw.cursor().executemany("INSERT INTO lsh_bands (band, key, article_id) VALUES (?, ?, ?)", rows)
    if engine.dialect.name == "postgresql":
        # VACUUM too: otherwise autovacuum wakes up after the bulk insert and runs during the timed lookups.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(sa.text("VACUUM ANALYZE"))


def lookup(connection, sig: bytes, portal: str) -> str | None:
    """What the store does for one new article: candidates by band, then similarity."""
    others, _ = db.band_candidates(connection, [sig], portal)
    candidates = {c["url"]: c for group in others.values() for c in group}
    matches = [c for c in candidates.values() if neardup.similarity(sig, c["minhash"]) >= neardup.THRESHOLD]
    return min(matches, key=lambda c: c["id"])["url"] if matches else None


def linear_lookup(connection, sig: bytes, portal: str) -> str | None:
    best = None
    for article_id, url, other_portal, minhash in connection.execute(
            sa.select(db.articles.c.id, db.articles.c.url, db.articles.c.portal, db.articles.c.minhash)):
        if minhash and other_portal != portal and neardup.similarity(sig, minhash) >= neardup.THRESHOLD:
            best = url if best is None else best
    return best


def bench_lookup(sizes: list[int], engines: set[str], similar: bool) -> None:
    queries = [(p, neardup.signature(p["b_text"])) for p in PAIRS]
    kind = "similar texts (all filler shares most bands)" if similar else "distinct texts"
    print(f"lookup of one new article ({len(queries)} queries: the pairs' second texts; originals stored first); filler: {kind}")
    print(f"  {'engine':<11} {'stored':>8} {'banded median':>14} {'p95':>8} {'linear scan':>12} {'ratio':>8}  correct")
    with tempfile.TemporaryDirectory() as tmp:
        for name, url in scratch_databases(Path(tmp), engines):
            engine = db.create_engine(url)
            migrations.upgrade(engine)
            with engine.begin() as connection:  # the originals: each story stored on its own portal
                db.write_batch(connection, [db.article_row({
                    "url": f"https://orig.example/{s['id']}", "portal": "origin", "title": s["title"],
                    "body_text": s["body"], "content_hash": s["id"]}) for s in STORIES])
            rng = np.random.default_rng(1)
            stored, own = 0, {}
            for size in sizes:
                fill(engine, stored, size, rng, similar, own)
                stored = size
                times, correct = [], 0
                with engine.connect() as connection:
                    for pair, sig in queries:
                        started = time.perf_counter()
                        found = lookup(connection, sig, "copy")
                        times.append(time.perf_counter() - started)
                        expected = f"https://orig.example/{pair['a'].split('@')[0]}" if pair["near_duplicate"] else None
                        # A distinct pair's second text is itself an original story: it finds itself, not the other.
                        if not pair["near_duplicate"]:
                            expected = found if found and found.endswith("/" + pair["b"].split("@")[0]) else None
                        correct += found == expected
                    started = time.perf_counter()
                    for pair, sig in queries[:3]:
                        linear_lookup(connection, sig, "copy")
                    linear = (time.perf_counter() - started) / 3
                median = statistics.median(times)
                p95 = sorted(times)[int(len(times) * 0.95) - 1]
                print(f"  {name:<11} {size + len(STORIES):>8} {median * 1000:>11.2f} ms {p95 * 1000:>5.2f} ms "
                      f"{linear * 1000:>9.0f} ms {linear / median:>7.0f}x  {correct}/{len(queries)}")
            engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--skip-lookup", action="store_true")
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--filler", default="distinct,similar", help="distinct, similar or both (default)")
    args = parser.parse_args()
    precision_recall()
    signature_cost()
    if not args.skip_lookup:
        for kind in args.filler.split(","):
            bench_lookup([int(s) for s in args.sizes.split(",")], set(args.engines.split(",")), kind == "similar")


if __name__ == "__main__":
    main()
