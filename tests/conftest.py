"""Shared fixtures: PostgreSQL for tests (skipped when unreachable, failing when NEWSCRAWL_REQUIRE_SERVICES=1)."""

import json
import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

POSTGRES_URL = os.environ.get("NEWSCRAWL_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def service_unavailable(reason: str):
    """Skip with the reason, or fail when CI says the service must be there."""
    if os.environ.get("NEWSCRAWL_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{reason} (NEWSCRAWL_REQUIRE_SERVICES=1: the service is required)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def make_postgres_database():
    """A factory of fresh, empty PostgreSQL databases (random names), all dropped at the end of the session."""
    url = make_url(POSTGRES_URL)
    admin = None
    for database in (url.database, "postgres"):
        engine = sa.create_engine(url.set(database=database), isolation_level="AUTOCOMMIT",
                                  connect_args={"connect_timeout": 3})
        try:
            with engine.connect():
                admin = engine
                break
        except sa.exc.OperationalError as exc:
            engine.dispose()
            error = " ".join(str(exc.orig).split())[:160]
    if admin is None:
        service_unavailable(f"PostgreSQL not reachable at {url.render_as_string(hide_password=True)}: {error}")
    created = []

    def make(prefix: str = "newscrawl_test") -> str:
        name = f"{prefix}_{uuid.uuid4().hex[:12]}"
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        created.append(name)
        return url.set(database=name).render_as_string(hide_password=False)

    yield make
    with admin.connect() as connection:
        for name in created:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def run(monkeypatch, capsys):
    """`scrapy ...` in this process (a subprocess costs a second of imports): (exit status, stdout, stderr)."""
    from scrapy.cmdline import execute

    monkeypatch.chdir(Path(__file__).resolve().parents[1])
    monkeypatch.setenv("SCRAPY_SETTINGS_MODULE", "newscrawl.settings")

    def run(*args, url=None):
        capsys.readouterr()
        with pytest.raises(SystemExit) as exit:
            execute(["scrapy", *args] + (["-s", f"NEWSCRAWL_DATABASE_URL={url}"] if url else []))
        out = capsys.readouterr()
        return exit.value.code, out.out, out.err

    return run


# ---------------------------------------------------------------- exports: one crawled database per engine

@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    """A fresh database of each engine holding every field kind (tests/exportstore.py); its URL."""
    from exportstore import fill

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'news.db'}"
    else:
        url = request.getfixturevalue("make_postgres_database")("newscrawl_formats")
    fill(url)
    return url


EXPORT_MIRROR = Path(__file__).parent / "fixtures" / "export" / "mirror"
# One extra article stored by the db helpers: a second portal for --portal filters.
OTHER_PORTAL_ARTICLE = {
    "url": "https://www.ithome.com/0/632/410.htm", "portal": "ithome", "site": "IT之家",
    "title": "华为云发布政务云新版本", "published_at": "2022-08-10T15:00:00+08:00", "author": "故渊",
    "source": None, "categories": ["云计算"], "tags": ["华为云"], "headimg": None, "images": [],
    "summary": None, "body_html": "<p>IT之家 8 月 10 日消息，华为云今日发布政务云新版本。</p>",
    "body_text": "IT之家 8 月 10 日消息，华为云今日发布政务云新版本。", "language": "zh",
    "crawled_at": "2026-11-26T06:00:00+00:00", "content_hash": None,
}


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def export_db(request, tmp_path_factory):
    """`scrapy crawl ofweek` over tests/fixtures/export/mirror into a fresh database of each engine.

    Returns (database URL, the articles stored: the crawl's JSON Lines items plus OTHER_PORTAL_ARTICLE).
    """
    from newscrawl import db, processors
    from storecrawl import replace_articles

    other = dict(OTHER_PORTAL_ARTICLE, content_hash=processors.content_hash(OTHER_PORTAL_ARTICLE["body_text"]))
    workdir = tmp_path_factory.mktemp(f"export_{request.param}")
    if request.param == "sqlite":
        url = f"sqlite:///{workdir / 'news.db'}"
    else:
        url = request.getfixturevalue("make_postgres_database")("newscrawl_export")
    feed = workdir / "crawl.jsonl"
    start_urls = ",".join(
        "https://" + path.relative_to(EXPORT_MIRROR).as_posix() for path in sorted(EXPORT_MIRROR.rglob("*.html"))
    )
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "ofweek", "-a", f"start_urls={start_urls}",
         "-s", f"NEWSCRAWL_MIRROR={EXPORT_MIRROR}", "-s", f"NEWSCRAWL_DATABASE_URL={url}",
         "-s", "ROBOTSTXT_OBEY=0", "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0", "-O", str(feed)],
        cwd=Path(__file__).parents[1], capture_output=True, text=True, timeout=240,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    items = [json.loads(line) for line in feed.read_text("utf-8").splitlines()]
    engine = db.create_engine(url)
    with engine.begin() as connection:
        replace_articles(connection, [db.article_row(other)])
    engine.dispose()
    return url, items + [other]


# ---------------------------------------------------------------- a real `scrapy crawl` in a subprocess

@pytest.fixture
def run_crawl(tmp_path):
    """``run_crawl(spider, mirror, *args)``: `scrapy crawl` over a ``wget -m`` tree into tmp_path.

    Returns (items of the JSON Lines feed, the crawl's stderr with the stats dump, the return code).
    """
    root = Path(__file__).resolve().parents[1]

    def run(spider, mirror, *args, settings=()):
        out = tmp_path / f"{spider}.jsonl"
        command = [
            sys.executable, "-m", "scrapy", "crawl", spider, *args,
            "-s", f"NEWSCRAWL_MIRROR={mirror}", "-s", f"NEWSCRAWL_DATABASE_URL=sqlite:///{tmp_path / 'news.db'}",
            "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "LOG_LEVEL=INFO",
            *[part for setting in settings for part in ("-s", setting)], "-O", str(out),
        ]
        result = subprocess.run(command, cwd=root, capture_output=True, text=True, timeout=240)
        items = [json.loads(line) for line in out.read_text("utf-8").splitlines()] if out.exists() else []
        return items, result.stderr, result.returncode

    return run


# ---------------------------------------------------------------- Redis (distributed crawling)

REDIS_URL = os.environ.get("NEWSCRAWL_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def redis_keys():
    """(Redis URL, a unique key prefix for NEWSCRAWL_REDIS_KEY_PREFIX); the prefix's keys are deleted after."""
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3)
    try:
        client.ping()
    except redis.RedisError as exc:
        service_unavailable(f"Redis not reachable at {REDIS_URL}: {exc}")
    prefix = f"newscrawl-test-{uuid.uuid4().hex[:10]}"
    yield REDIS_URL, prefix
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)
    client.close()


# ---------------------------------------------------------------- the run report's store (test_command_report, test_extension_metrics)

@pytest.fixture(scope="session")
def report_store(tmp_path_factory):
    """A SQLite store with weeks of runs of four portals written by tests/report_history.py (a drift, a database
    outage, an unreachable portal, a killed run), then real crawls of the sample mirror (ofweek, ithome: ok) and
    one of c114 through a proxy that refuses every connection (unreachable), each writing NEWSCRAWL_METRICS_PATH.

    Returns (database URL, metrics file, {spider: the real crawl's return code}).
    """
    from datetime import timedelta

    import report_history
    from newscrawl import db, migrations

    root = Path(__file__).resolve().parents[1]
    home = tmp_path_factory.mktemp("report_store")
    url = f"sqlite:///{home / 'news.db'}"
    engine = db.create_engine(url)
    migrations.upgrade(engine)
    report_history.fill(engine, end_before=timedelta(hours=2))
    engine.dispose()
    metrics = home / "newscrawl.prom"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        refused = probe.getsockname()[1]  # closed when the block ends: nothing listens there
    codes = {}
    for spider, proxy in (("ofweek", None), ("ithome", None), ("c114", f"http://127.0.0.1:{refused}")):
        env = {k: v for k, v in os.environ.items() if k.lower() not in ("http_proxy", "https_proxy", "no_proxy")}
        if proxy:
            env |= {"http_proxy": proxy, "https_proxy": proxy}
        command = [sys.executable, "-m", "scrapy", "crawl", spider, "-s", f"NEWSCRAWL_DATABASE_URL={url}",
                   "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "RETRY_TIMES=0",
                   "-s", f"NEWSCRAWL_METRICS_PATH={metrics}", "-s", f"NEWSCRAWL_SPOOL_DIR={home / 'spool'}", "-L", "INFO"]
        if proxy is None:
            command += ["-s", f"NEWSCRAWL_MIRROR={root / 'samples' / 'mirror'}"]
        result = subprocess.run(command, cwd=root, capture_output=True, text=True, timeout=240, env=env)
        codes[spider] = (result.returncode, result.stderr)
    return url, metrics, codes
