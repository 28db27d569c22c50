"""`scrapy export … --cursor NAME`: each change exported exactly once, across edits, late-dated articles and kills."""

import json
import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pyarrow.dataset as ds
import pytest
import sqlalchemy as sa

from exportstore import BARE, COPY, EARLY, GENERIC, article, at
from newscrawl import db

ROOT = Path(__file__).resolve().parents[1]
LATE = "https://www.ofweek.com/ai/2019-05/ART-201700-8100-30500009.html"  # published in 2019, stored today


def export(run, url, kind, target, *options):
    status, out, err = run("export", kind, str(target), "--cursor", "nightly", *options, url=url)
    assert status == 0, err
    return out


def snapshot(*roots: Path) -> dict:
    """Every file under the roots (hidden ones too) and its bytes."""
    files = {}
    for root in roots:
        paths = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        files.update((str(p), p.read_bytes()) for p in paths)
    return files


def change_the_store(url: str) -> None:
    """An edit (BARE gets a new text: version 2), a late-dated article, better metadata for COPY (same text,
    an author now), and an article seen again unchanged."""
    engine = db.create_engine(url)
    try:
        db.write_rows(engine, [article(BARE, "ofweek", "改写后的正文：补充了日期和作者的说明。" * 4)], seen_at=at(5))
        db.write_rows(engine, [article(LATE, "ofweek", "二〇一九年的一篇旧闻，今天才被收录进数据库。" * 4,
                                       published_at="2019-05-01T09:00:00+08:00")], seen_at=at(5))
        assert db.write_rows(engine, [stored_row(engine, GENERIC)], seen_at=at(6)) == [("unchanged", None)]
        assert db.write_rows(engine, [stored_row(engine, COPY, author="王五")], seen_at=at(6)) == [("improved", "author")]
    finally:
        engine.dispose()


def stored_row(engine, url: str, **changes) -> dict:
    """The stored article as a crawl would bring it again (``changes`` applied)."""
    with engine.connect() as connection:
        stored = connection.execute(sa.select(db.articles).where(db.articles.c.url == url)).mappings().one()
    row = {name: stored[name] for name in ("url", "portal", "site", "title", "author", "source", "categories", "tags",
                                           "headimg", "images", "summary", "body_html", "body_text", "language",
                                           "content_hash", "crawled_at", "published_at_local")}
    return {**row, "published_at": stored["published_at_local"], **changes}


def parquet_changes(outdir: Path, step: int) -> list[tuple[str, int]]:
    files = [str(p) for p in (outdir / "articles").rglob(f"nightly-{step:06d}-*.parquet")]
    return sorted((r["url"], r["version"]) for r in ds.dataset(files, format="parquet").to_table().to_pylist())


def exported_changes(kind: str, target: Path, step: int) -> list[tuple[str, int]]:
    """(url, version) of what the cursor's export number ``step`` wrote."""
    if kind == "parquet":
        return parquet_changes(target, step)
    if kind == "jsonl":
        return sorted((r["url"], r["version"]) for r in map(json.loads, target.read_text("utf-8").splitlines()))
    rows = duckdb.sql(f"SELECT url, version FROM read_csv('{target}', header=true)").fetchall()
    return sorted(rows)


@pytest.mark.parametrize("kind", ["jsonl", "csv", "parquet"])
def test_each_change_is_exported_once_and_a_rerun_writes_nothing(store, run, tmp_path, kind):
    target = tmp_path / ("out" if kind == "parquet" else f"changes.{kind}")
    first = export(run, store, kind, target)
    assert "exported 4 articles" in first and "(cursor nightly, export 1)" in first
    assert exported_changes(kind, target, 1) == sorted([(EARLY, 2), (BARE, 1), (GENERIC, 1), (COPY, 1)])
    cursors = target / "_cursors" if kind == "parquet" else Path(f"{target}.cursors")
    before = snapshot(target, cursors)
    assert export(run, store, kind, target).startswith("nothing changed since cursor nightly's last export")
    assert snapshot(target, cursors) == before  # nothing new written, the cursor as it was

    change_the_store(store)
    assert "exported 3 articles" in export(run, store, kind, target)
    # not GENERIC: seen again, unchanged; COPY: the same version, with its author
    assert exported_changes(kind, target, 2) == sorted([(LATE, 1), (BARE, 2), (COPY, 1)])
    assert export(run, store, kind, target).startswith("nothing changed")


def test_duckdb_cursor_keeps_one_row_per_article_and_adds_the_replaced_version(store, run, tmp_path):
    target = tmp_path / "news.duckdb"
    export(run, store, "duckdb", target)
    change_the_store(store)
    assert export(run, store, "duckdb", target).startswith("exported 3 articles and 1 earlier versions")
    with duckdb.connect(str(target), read_only=True) as connection:
        rows = dict(connection.execute("SELECT url, version FROM articles").fetchall())
        assert connection.execute("SELECT author FROM articles WHERE url = ?", [COPY]).fetchall() == [("王五",)]
        versions = connection.execute("SELECT article_url, version FROM article_versions ORDER BY ALL").fetchall()
    assert len(rows) == 5 and rows[BARE] == 2 and rows[LATE] == 1
    assert versions == sorted([(EARLY, 1), (BARE, 1)])


def test_a_cursor_refuses_other_options_and_stdout(store, run, tmp_path):
    export(run, store, "jsonl", tmp_path / "a.jsonl")
    status, out, err = run("export", "jsonl", str(tmp_path / "a.jsonl"), "--cursor", "nightly", "--portal", "ofweek",
                           url=store)
    assert status == 2 and err.startswith("scrapy export: cursor nightly exports {") and err.count("\n") == 1
    assert run("export", "jsonl", "-", "--cursor", "x", url=store)[0] == 2
    assert run("export", "jsonl", str(tmp_path / "b.jsonl"), "--cursor", "../x", url=store)[0] == 2


def add_many(url: str, count: int) -> list[str]:
    """``count`` new articles with large bodies (an export that takes a while), stored in batches."""
    urls = [f"https://www.ofweek.com/ai/2026-03/ART-201700-8200-{40000000 + n}.html" for n in range(count)]
    body = "<p>" + "长篇报道的正文段落。" * 600 + "</p>"
    engine = db.create_engine(url)
    try:
        for start in range(0, count, 500):
            rows = [dict(article(u, "ofweek", f"第{n}篇短讯。", published_at="2026-03-04T10:00:00+08:00"),
                         body_html=body) for n, u in enumerate(urls[start : start + 500], start)]
            db.write_rows(engine, rows, seen_at=datetime.now(timezone.utc))
    finally:
        engine.dispose()
    return urls


def wait_for(condition, process, what: str):
    """Poll until ``condition()``; fail if the process ends first (no fixed sleep decides anything)."""
    while not condition():
        if process.poll() is not None:
            pytest.fail(f"the export ended ({process.returncode}) before {what}: {process.stderr.read()[-2000:]}")
        time.sleep(0.005)


def test_a_killed_export_leaves_the_previous_files_and_the_cursor(store, run, tmp_path):
    outdir = tmp_path / "out"
    export(run, store, "parquet", outdir)
    visible = {k: v for k, v in snapshot(outdir).items() if "/." not in k}
    new = add_many(store, 4000)
    lock = None
    if store.startswith("postgresql"):
        # The export reads the versions after writing every article: held there until killed.
        lock = db.create_engine(store).connect()
        lock.begin()
        lock.execute(sa.text("LOCK TABLE article_versions IN ACCESS EXCLUSIVE MODE"))
    env = {**os.environ, "NEWSCRAWL_DATABASE_URL": store}
    process = subprocess.Popen([sys.executable, "-m", "scrapy", "export", "parquet", str(outdir), "--cursor", "nightly"],
                               cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        staged = lambda: any(outdir.glob(".staging.*.tmp/bodies/*/*/*.parquet"))  # noqa: E731
        wait_for(staged, process, "a data file was being written")
        process.send_signal(signal.SIGKILL)
        assert process.wait(timeout=60) == -signal.SIGKILL
    finally:
        if process.poll() is None:
            process.kill()
        if lock is not None:
            lock.rollback()
            lock.close()
    assert any(outdir.glob(".staging.*.tmp"))  # killed mid-export, its work hidden
    assert {k: v for k, v in snapshot(outdir).items() if "/." not in k} == visible  # files and cursor as they were

    assert "exported 4000 articles" in export(run, store, "parquet", outdir)
    assert not any(outdir.glob(".*.tmp"))  # the leftovers of the killed export removed
    assert [url for url, _ in parquet_changes(outdir, 2)] == sorted(new)  # every new one once, nothing else
    assert export(run, store, "parquet", outdir).startswith("nothing changed")
