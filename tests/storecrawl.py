"""Helpers for the store/incremental crawl tests: an OFweek-like mirror to edit, a crawl in a subprocess, its stats."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import ofweek_site as site

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Run:
    returncode: int
    log: str
    items: list[dict]

    def stat(self, key: str) -> int:
        """An integer stat from the stats dump at the end of the log (0 when absent)."""
        match = re.search(rf"'{re.escape(key)}': (\d+)", self.log)
        return int(match.group(1)) if match else 0


def command(tmp_path: Path, mirror: Path, database_url: str, *args: str, feed: str = "items.jsonl", monitor: bool = False) -> list[str]:
    """`scrapy crawl ofweek` over the mirror into the database, spooling under tmp_path (a plain scheduled run)."""
    return [
        sys.executable, "-m", "scrapy", "crawl", "ofweek",
        "-s", f"NEWSCRAWL_MIRROR={mirror}",
        "-s", f"NEWSCRAWL_DATABASE_URL={database_url}",
        "-s", f"NEWSCRAWL_SPOOL_DIR={tmp_path / 'spool'}",
        "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "ROBOTSTXT_OBEY=0",
        "-s", f"NEWSCRAWL_MONITOR_ENABLED={int(monitor)}",
        "-s", "LOG_LEVEL=INFO", "-O", str(tmp_path / feed), *args,
    ]


def crawl_with_prelude(tmp_path: Path, mirror: Path, database_url: str, prelude: str) -> subprocess.CompletedProcess:
    """``command``'s crawl in a process that runs ``prelude`` (Python, the project importable) before Scrapy starts:
    a probe of what the crawl does inside (log records made, hooks called); its stderr is the crawl's log."""
    probe = tmp_path / "probe.py"
    probe.write_text(f"import os, runpy, sys\nsys.path.insert(0, os.getcwd())\n{prelude}\n"
                     "sys.argv = ['scrapy', *sys.argv[1:]]\nrunpy.run_module('scrapy', run_name='__main__')\n")
    scrapy = command(tmp_path, mirror, database_url)
    assert scrapy[:3] == [sys.executable, "-m", "scrapy"]
    return subprocess.run([sys.executable, str(probe), *scrapy[3:]], cwd=ROOT, capture_output=True, text=True, timeout=240)


def crawl(tmp_path: Path, mirror: Path, database_url: str, *args: str, env: dict | None = None, feed: str = "items.jsonl",
          monitor: bool = False) -> Run:
    out = tmp_path / feed
    result = subprocess.run(command(tmp_path, mirror, database_url, *args, feed=feed, monitor=monitor),
                            cwd=ROOT, capture_output=True, text=True, timeout=240, env=env)
    items = [json.loads(line) for line in out.read_text("utf-8").splitlines()] if out.exists() else []
    return Run(result.returncode, result.stderr, items)


# Store settings that make a locked or silent database an outage within a second.
FAST_FAIL = ("-s", "NEWSCRAWL_STORE_TIMEOUT=0.3", "-s", "NEWSCRAWL_STORE_RETRIES=1", "-s", "NEWSCRAWL_STORE_RETRY_DELAY=0.1")


def crawl_while_locked(tmp_path: Path, mirror: Path, db_path: Path, *args: str) -> Run:
    """A crawl into a migrated SQLite file whose write lock another process holds for the whole run (an outage)."""
    from newscrawl import db, migrations

    url = f"sqlite:///{db_path}"
    engine = db.create_engine(url)
    migrations.upgrade(engine)
    engine.dispose()
    lock = sqlite3.connect(db_path, isolation_level=None)
    lock.execute("BEGIN EXCLUSIVE")
    try:
        return crawl(tmp_path, mirror, url, *FAST_FAIL, *args)
    finally:
        lock.execute("ROLLBACK")
        lock.close()


def write_mirror(root: Path, count: int = 50, newest_first: bool = False) -> list[str]:
    return site.write_site(root, count, newest_first)


def _path(root: Path, url: str) -> Path:
    return root / url.split("://", 1)[1]


def prepend_to_first_list_page(root: Path, url: str, title: str, date: str = "2026-09-30 09:00") -> None:
    """Put a new article link at the top of list page 1, as a portal does when it publishes."""
    prepend_to_list_page(root, 1, url, title, date)


def prepend_to_list_page(root: Path, page: int, url: str, title: str, date: str = "2026-09-30 09:00") -> None:
    path = _path(root, site.list_url(page))
    html = path.read_bytes().decode("gb18030")
    row = (f'<div class="con-details"><h3><a href="{url}" target="_blank">{title}</a></h3>\n'
           f'<p class="summary">新稿件……</p><div class="fb"><span class="fb-tl">{date}</span></div></div>\n')
    html = html.replace('<div class="list-left">\n', '<div class="list-left">\n' + row, 1)
    path.write_bytes(html.encode("gb18030"))


def write_article(root: Path, url: str, html: str) -> None:
    path = _path(root, url)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(html.encode("gb18030"))


def read_article(root: Path, url: str) -> str:
    return _path(root, url).read_bytes().decode("gb18030")


def sqlite_rows(path: Path, query: str) -> list[tuple]:
    connection = sqlite3.connect(path)
    try:
        return connection.execute(query).fetchall()
    finally:
        connection.close()


def replace_articles(connection, rows: list[dict]) -> None:
    """Insert article rows; a stored URL's row is replaced as it is (no versioning, unlike db.write_batch):
    a test's way to put the store in a given state."""

    from sqlalchemy.dialects import postgresql, sqlite

    from newscrawl import db

    if not rows:
        return
    insert = (postgresql if connection.dialect.name == "postgresql" else sqlite).insert
    now = db.utcnow()
    rows = [{"first_seen_at": now, "last_seen_at": now, "updated_at": now, **row} for row in rows]
    statement = insert(db.articles)
    keep = ("id", "url", "first_seen_at", "version", "near_duplicate_of", "minhash")
    updates = {c.name: statement.excluded[c.name] for c in db.articles.columns if c.name not in keep}
    connection.execute(statement.on_conflict_do_update(index_elements=["url"], set_=updates), rows)


def wait_for(condition, what: str, timeout: float = 120.0):
    """Poll ``condition()`` until it is truthy and return it; fail after ``timeout`` s (a generous deadline, not a wait)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.02)
    raise AssertionError(f"gave up waiting for {what}")
