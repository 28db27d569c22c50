"""Store throughput (items/s) batched vs one-by-one on SQLite and PostgreSQL; requests of an incremental re-run.

Usage: .venv/bin/python bench/bench_store.py [--items 1000] [--batch 50] [--skip-crawl]
PostgreSQL at NEWSCRAWL_TEST_POSTGRES_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/test): a
scratch database is created and dropped; without a server that engine is skipped.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import random
import re
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from newscrawl import db, migrations, processors  # noqa: E402

POSTGRES_URL = os.environ.get("NEWSCRAWL_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
# Common characters of Chinese news copy: random texts from them are distinct articles, as a crawl mostly sees.
CHARS = ("的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定"
         "行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由"
         "其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问"
         "意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图"
         "山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海"
         "口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至"
         "达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低"
         "持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值"
         "号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁"
         "价严芯片锂电池光伏储能半导体汽车智能云计算机器人通信基站模组显示面板激光传感器")


def make_rows(count: int, seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    base = datetime(2026, 1, 1, tzinfo=timezone.utc)
    rows = []
    for i in range(count):
        paragraphs = ["".join(rng.choice(CHARS) for _ in range(rng.randint(120, 260))) + "。" for _ in range(rng.randint(4, 8))]
        text = "\n\n".join(paragraphs)
        rows.append(db.article_row({
            "url": f"https://ee.ofweek.com/2026-01/ART-8110-2800-{31000000 + i}.html", "portal": "ofweek",
            "site": "OFweek电子工程网", "title": text[:24], "published_at": (base + timedelta(minutes=i)).isoformat(),
            "author": "记者", "source": "OFweek电子工程网", "categories": ["电子工程"], "tags": ["芯片", "半导体"],
            "images": [f"http://images.ofweek.com/Upload/News/2026-1/{i}.png"], "summary": text[:80],
            "body_html": "".join(f"<p>{p}</p>" for p in paragraphs), "body_text": text, "language": "zh",
            "crawled_at": (base + timedelta(minutes=i, seconds=5)).isoformat(), "content_hash": processors.content_hash(text),
        }))
    return rows


def engines(tmp: Path):
    yield "sqlite", f"sqlite:///{tmp / 'bench.db'}", None
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
        yield "postgresql", url.set(database=name).render_as_string(hide_password=False), None
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def timed_writes(url: str, rows: list[dict], batch: int) -> float:
    """Items/s writing ``rows`` in transactions of ``batch`` rows, into an emptied database."""
    engine = db.create_engine(url)
    with engine.begin() as connection:
        for table in ("lsh_bands", "url_aliases", "article_versions", "articles"):
            connection.execute(sa.text(f"DELETE FROM {table}"))
    started = time.perf_counter()
    for start in range(0, len(rows), batch):
        with engine.begin() as connection:
            db.write_batch(connection, rows[start : start + batch])
    elapsed = time.perf_counter() - started
    engine.dispose()
    return len(rows) / elapsed


def bench_writes(items: int, batch: int) -> None:
    rows = make_rows(items)
    from newscrawl import neardup

    neardup.signature(rows[0]["body_text"])  # the first call draws the permutations
    started = time.perf_counter()
    for row in rows[:200]:
        neardup.signature(row["body_text"])
    signature_ms = (time.perf_counter() - started) / 200 * 1000
    print(f"MinHash signature: {signature_ms:.2f} ms per article (included in the write figures below)")
    print(f"{'engine':<11} {'one-by-one':>12} {f'batch {batch}':>12} {'ratio':>7}   ({items} new articles; then a re-crawl of the same)")
    with tempfile.TemporaryDirectory() as tmp:
        for name, url, _ in engines(Path(tmp)):
            engine = db.create_engine(url)
            migrations.upgrade(engine)
            engine.dispose()
            single = timed_writes(url, rows, 1)
            batched = timed_writes(url, rows, batch)
            print(f"{name:<11} {single:>9.0f}/s {batched:>9.0f}/s {batched / single:>6.1f}x   inserts")
            # A re-crawl: every row known and unchanged (last_seen_at only).
            engine = db.create_engine(url)
            for size, label in ((1, "single"), (batch, "batched")):
                started = time.perf_counter()
                for start in range(0, len(rows), size):
                    with engine.begin() as connection:
                        db.write_batch(connection, rows[start : start + size])
                rate = len(rows) / (time.perf_counter() - started)
                if label == "single":
                    single_seen = rate
            engine.dispose()
            print(f"{'':<11} {single_seen:>9.0f}/s {rate:>9.0f}/s {rate / single_seen:>6.1f}x   re-seen, unchanged")


def bench_incremental(count: int) -> None:
    spec = importlib.util.spec_from_file_location("ofweek_site", ROOT / "tests" / "ofweek_site.py")
    site = importlib.util.module_from_spec(spec)
    sys.modules["ofweek_site"] = site
    spec.loader.exec_module(site)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        site.write_site(tmp / "mirror", count)
        figures = []
        for run in (1, 2):
            command = [sys.executable, "-m", "scrapy", "crawl", "ofweek", "-a", "max_pages=100",
                       "-s", f"NEWSCRAWL_MIRROR={tmp / 'mirror'}", "-s", f"NEWSCRAWL_DATABASE_URL=sqlite:///{tmp / 'n.db'}",
                       "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "ROBOTSTXT_OBEY=0",
                       "-s", "NEWSCRAWL_MONITOR_ENABLED=0", "-s", "LOG_LEVEL=INFO"]
            started = time.perf_counter()
            log = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600).stderr
            elapsed = time.perf_counter() - started
            requests = int(re.search(r"'downloader/request_count': (\d+)", log).group(1))
            figures.append((requests, elapsed))
        (first, t1), (second, t2) = figures
        print(f"incremental re-run over an unchanged site of {count} articles: {second} of {first} requests "
              f"({second / first:.1%}), {t2:.1f}s vs {t1:.1f}s wall clock")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--crawl-articles", type=int, default=200)
    parser.add_argument("--skip-crawl", action="store_true")
    args = parser.parse_args()
    bench_writes(args.items, args.batch)
    if not args.skip_crawl:
        bench_incremental(args.crawl_articles)


if __name__ == "__main__":
    main()
