"""Start `scrapy crawl ofweek` Redis workers over a mirror as subprocesses and read their stats (tests, bench)."""

from __future__ import annotations

import pickle
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))  # pytest's --import-mode=importlib, bench scripts
from ofweek_site import LIST_URL  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
STAT_RE = re.compile(r"^\s*[{ ]'([^']+)': (\d+(?:\.\d+)?)[,}]", re.MULTILINE)


def start_worker(name: str, workdir: Path, mirror: Path, database: Path, *, redis_url: str | None, prefix: str = "",
                 latency: float = 0.0, concurrency: int = 4, idle_timeout: float = 1.0, heartbeat: float = 5.0,
                 settings: tuple[str, ...] = ()) -> subprocess.Popen:
    """One worker (or, without redis_url, a plain single-process crawl); its log goes to workdir/<name>.log."""
    command = [
        sys.executable, "-m", "scrapy", "crawl", "ofweek", "-a", f"start_urls={LIST_URL}", "-a", "max_pages=1000",
        "-s", f"NEWSCRAWL_MIRROR={mirror}", "-s", f"NEWSCRAWL_MIRROR_LATENCY={latency}",
        "-s", f"CONCURRENT_REQUESTS={concurrency}", "-s", f"NEWSCRAWL_DATABASE_URL=sqlite:///{database}",
        "-s", f"NEWSCRAWL_SPOOL_DIR={workdir / 'spool'}", "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0",
        "-s", "ROBOTSTXT_OBEY=0", "-s", "LOG_LEVEL=INFO", "-s", "TELNETCONSOLE_ENABLED=0",
        # workers share one SQLite file: on a loaded machine a lock wait can pass the 5 s that count as an outage
        # (exit 75, items spooled), which these tests are not about
        "-s", "NEWSCRAWL_STORE_TIMEOUT=60",
    ]
    if redis_url:
        command += [
            "-s", f"NEWSCRAWL_REDIS_URL={redis_url}", "-s", f"NEWSCRAWL_REDIS_KEY_PREFIX={prefix}",
            "-s", f"NEWSCRAWL_REDIS_IDLE_TIMEOUT={idle_timeout}", "-s", f"NEWSCRAWL_REDIS_HEARTBEAT={heartbeat}",
        ]
    for setting in settings:
        command += ["-s", setting]
    log = (workdir / f"{name}.log").open("w")
    return subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)


def worker_log(workdir: Path, name: str) -> str:
    return (workdir / f"{name}.log").read_text(errors="replace")


def worker_stats(workdir: Path, name: str) -> dict[str, float]:
    """The numeric stats of the worker's final 'Dumping Scrapy stats' block (empty if it never got there)."""
    log = worker_log(workdir, name)
    dump = log.rpartition("Dumping Scrapy stats:")[2] if "Dumping Scrapy stats:" in log else ""
    return {key: float(value) for key, value in STAT_RE.findall(dump)}


def stored_urls(database: Path) -> list[str]:
    if not database.exists():
        return []
    connection = sqlite3.connect(database, timeout=10)
    try:
        return [row[0] for row in connection.execute("SELECT url FROM articles")]
    except sqlite3.OperationalError:  # tables not created yet
        return []
    finally:
        connection.close()


def in_flight(client, prefix: str, pid: int) -> list[str]:
    """URLs of the requests the worker with this pid has taken from the queue and not finished."""
    urls = []
    for key in client.scan_iter(f"{prefix}:ofweek:requests:processing:*:{pid}:*"):
        for entry in client.hvals(key):
            urls.append(pickle.loads(entry.split(b"\n", 1)[1])["url"])
    return urls
