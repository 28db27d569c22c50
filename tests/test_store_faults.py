"""Database outages lose no item: retried, spooled, exit status 75, loaded by the next run or `scrapy loadspool`."""

import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from newscrawl import config, db, migrations
import storecrawl as sc


FAST_FAIL = list(sc.FAST_FAIL)


def spooled_lines(tmp_path) -> int:
    return sum(len(p.read_text("utf-8").splitlines()) for p in (tmp_path / "spool").glob("*.jsonl"))


def count_articles(url: str) -> int:
    engine = db.create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(sa.select(sa.func.count()).select_from(db.articles)).scalar_one()
    finally:
        engine.dispose()


def test_locked_sqlite_file_spools_every_item_and_the_next_run_loads_them(tmp_path):
    mirror = tmp_path / "mirror"
    sc.write_mirror(mirror, 20)
    db_path = tmp_path / "news.db"
    url = f"sqlite:///{db_path}"
    run = sc.crawl_while_locked(tmp_path, mirror, db_path)  # another process holds the write lock for the whole run
    assert run.returncode == 75, run.log[-2000:]
    assert len(run.items) == 20  # the feed still has every item
    assert run.stat("newscrawl/store/spooled") == 20
    assert run.stat("newscrawl/store/retries") >= 1
    assert run.stat("newscrawl/exit_code") == 75
    assert "items could not be stored and were spooled to" in run.log
    assert spooled_lines(tmp_path) == 20
    assert count_articles(url) == 0

    again = sc.crawl(tmp_path, mirror, url, feed="again.jsonl")
    assert again.returncode == 0, again.log[-2000:]
    assert again.stat("newscrawl/store/spool_loaded") == 20
    assert count_articles(url) == 20
    assert spooled_lines(tmp_path) == 0 and not list((tmp_path / "spool").glob("*.jsonl*"))
    # Loaded before the listing was read: the articles count as known, nothing is downloaded twice.
    assert again.stat("downloader/request_count") == 1


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_postgresql_refusing_connections_at_start_sends_items_to_the_spool(tmp_path, make_postgres_database, caplog):
    from scrapy.utils.test import get_crawler

    from newscrawl.pipelines.store import StorePipeline

    real = make_postgres_database()
    refusing = make_url(real).set(port=free_port()).render_as_string(hide_password=False)  # nothing listens there
    crawler = get_crawler(settings_dict={"NEWSCRAWL_DATABASE_URL": refusing, "NEWSCRAWL_STORE_TIMEOUT": 1})
    pipeline = StorePipeline.from_crawler(crawler)
    assert pipeline.database_ok is False  # the crawl goes on; its batches go straight to the spool
    assert "Database unreachable at start" in caplog.text and "items go to the spool" in caplog.text


class CuttingProxy:
    """Forwards a local port to PostgreSQL until ``budget`` bytes went to the server, then drops every
    connection and refuses new ones: the server "goes away" in the middle of a run."""

    def __init__(self, host: str, port: int, budget: int):
        self.target, self.budget, self.sent = (host, port), budget, 0
        self.cut = threading.Event()
        self.sockets: list[socket.socket] = []
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.05)
        self.port = self.listener.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self.cut.is_set():
            try:
                client, _ = self.listener.accept()
            except (TimeoutError, socket.timeout):
                continue
            upstream = socket.create_connection(self.target)
            self.sockets += [client, upstream]
            threading.Thread(target=self._pipe, args=(client, upstream, True), daemon=True).start()
            threading.Thread(target=self._pipe, args=(upstream, client, False), daemon=True).start()
        self.listener.close()
        for sock in self.sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def _pipe(self, source, target, counting):
        try:
            while not self.cut.is_set():
                data = source.recv(65536)
                if not data:
                    break
                if counting:
                    self.sent += len(data)
                    if self.sent > self.budget:
                        self.cut.set()
                        break
                target.sendall(data)
        except OSError:
            pass

    def close(self):
        self.cut.set()
        self.thread.join(5)


def test_postgresql_going_away_mid_run_loses_nothing(tmp_path, make_postgres_database):
    mirror = tmp_path / "mirror"
    sc.write_mirror(mirror, 40)
    real = make_postgres_database()
    engine = db.create_engine(real)
    migrations.upgrade(engine)  # so the budget below is spent on articles, not on DDL
    engine.dispose()
    parsed = make_url(real)
    proxy = CuttingProxy(parsed.host, parsed.port or 5432, budget=60_000)
    try:
        via_proxy = parsed.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
        run = sc.crawl(tmp_path, mirror, via_proxy, *FAST_FAIL, "-s", "NEWSCRAWL_STORE_BATCH_SIZE=5",
                       "-s", "CONCURRENT_REQUESTS=2")
    finally:
        proxy.close()
    assert proxy.cut.is_set()
    assert run.returncode == 75, run.log[-2000:]
    stored, spooled = count_articles(real), spooled_lines(tmp_path)
    assert spooled == run.stat("newscrawl/store/spooled") > 0
    assert stored > 0  # the first batches went through before the cut
    # A batch cut during its commit may be both stored and spooled; never neither.
    assert stored + spooled >= 40
    load = subprocess.run(
        [sys.executable, "-m", "scrapy", "loadspool", str(tmp_path / "spool"), "--all", "-s", f"NEWSCRAWL_DATABASE_URL={real}"],
        cwd=sc.ROOT, capture_output=True, text=True, timeout=120,
    )
    assert load.returncode == 0, load.stderr
    assert "loaded 1 file(s)" in load.stdout, load.stdout
    assert count_articles(real) == 40
    assert spooled_lines(tmp_path) == 0


def test_a_database_behind_the_code_is_refused_in_one_line_when_auto_migrate_is_off(tmp_path):
    db_path = tmp_path / "old.db"
    connection = sqlite3.connect(db_path)
    connection.execute("CREATE TABLE articles (id INTEGER PRIMARY KEY, url TEXT NOT NULL UNIQUE, portal VARCHAR(64) NOT NULL, "
                       "title TEXT NOT NULL, categories JSON NOT NULL, tags JSON NOT NULL, images JSON NOT NULL, "
                       "site TEXT, published_at DATETIME, published_at_local VARCHAR(40), author TEXT, source TEXT, "
                       "headimg TEXT, summary TEXT, body_html TEXT, body_text TEXT, language VARCHAR(16), "
                       "crawled_at DATETIME, content_hash VARCHAR(64))")
    connection.close()
    url = f"sqlite:///{db_path}"
    from scrapy.utils.test import get_crawler

    from newscrawl.pipelines.store import StorePipeline

    crawler = get_crawler(settings_dict={"NEWSCRAWL_DATABASE_URL": url, "NEWSCRAWL_DB_AUTO_MIGRATE": False})
    with pytest.raises(config.StartError) as refused:
        StorePipeline.from_crawler(crawler)
    message = str(refused.value)
    assert "\n" not in message and "schema revision 0001" in message and "run `scrapy migrate`" in message, message
    migrate = subprocess.run([sys.executable, "-m", "scrapy", "migrate", "-s", f"NEWSCRAWL_DATABASE_URL={url}"],
                             cwd=sc.ROOT, capture_output=True, text=True, timeout=120)
    assert migrate.returncode == 0, migrate.stderr
    assert f"upgraded from 0001 to revision {migrations.head_revision()}" in migrate.stdout


def test_a_spool_left_by_a_killed_crawl_is_loaded_but_a_running_one_is_not(tmp_path):
    from newscrawl import spool

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(dead.stdout)
    (tmp_path / f"ofweek-20260101T000000-{dead_pid}.jsonl.part").write_text("", "utf-8")
    (tmp_path / "ofweek-20260101T000001-1.jsonl.part").write_text("", "utf-8")  # pid 1 is alive
    (tmp_path / "ofweek-20260101T000002-77.jsonl").write_text("", "utf-8")
    assert [p.name for p in spool.pending(tmp_path)] == [
        f"ofweek-20260101T000000-{dead_pid}.jsonl.part", "ofweek-20260101T000002-77.jsonl"]


def test_a_run_loads_only_the_spool_of_its_own_database(tmp_path):
    from newscrawl import spool

    mine, other = spool.database_key("sqlite:///a.db"), spool.database_key("sqlite:///b.db")
    assert mine != other and spool.database_key("postgresql+psycopg://u:secret@h/db") == spool.database_key(
        "postgresql+psycopg://u:other@h/db")  # the password is no part of the key
    for key in (mine, other):
        writer = spool.SpoolWriter(tmp_path, "ofweek", key)
        writer.write([{"url": f"https://x/{key}"}], spool.datetime.now(spool.timezone.utc))
        writer.close()
    assert [p.name.split("-")[0] for p in spool.pending(tmp_path, mine)] == [f"ofweek.{mine}"]
    assert len(spool.pending(tmp_path)) == 2


# ---------------------------------------------------------------- faults the spool and the store must survive

from hypothesis import given, settings as hsettings, strategies as st  # noqa: E402

LINE_BREAKERS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"


@hsettings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from(LINE_BREAKERS)), min_size=1, max_size=5))
def test_every_line_splitter_reads_one_spool_document_per_row(bodies):
    import tempfile
    from pathlib import Path

    from newscrawl import spool

    with tempfile.TemporaryDirectory() as directory:
        writer = spool.SpoolWriter(directory, "ofweek", "k")
        rows = [{"url": f"https://x.example/{i}", "body_text": body} for i, body in enumerate(bodies)]
        writer.write(rows, db.utcnow())
        text = Path(writer.path).read_text("utf-8")
        assert text.isascii()
        assert len(text.splitlines()) == len(io_lines := text.split("\n")[:-1]) == len(rows)
        records, unreadable = spool.read(Path(writer.path))
        assert unreadable == [] and [r["row"] for r in records] == rows
        assert [__import__("json").loads(line)["row"] for line in io_lines] == rows


def good_row(i: int, **changes) -> dict:
    row = db.article_row({
        "url": f"https://ee.ofweek.com/2026-01/ART-2800-8420-{31000000 + i}.html", "portal": "ofweek",
        "title": f"第{i}篇", "published_at": "2026-01-02T10:00:00+08:00", "body_text": f"正文{i}" * 20,
        "body_html": f"<p>正文{i}</p>", "content_hash": f"{i:064x}",
    })
    return {**row, **changes}


def test_a_poisoned_spool_is_loaded_with_the_bad_rows_set_aside_and_nothing_left(tmp_path):
    """A line some splitter breaks (written before lines were ASCII), an unreadable line, a year-1 date with a
    +08:05:43 offset: the good rows are stored, the others go to rejects/ with their reasons, exit 74."""
    import json

    from newscrawl import spool

    url = f"sqlite:///{tmp_path / 'news.db'}"
    key = spool.database_key(url)
    seen = db.utcnow().isoformat()
    lines = [json.dumps({"seen_at": seen, "row": good_row(1, body_text="一段\u2028二段\x85三段")}, ensure_ascii=False)]
    lines += [json.dumps({"seen_at": seen, "row": good_row(i)}) for i in range(2, 6)]
    lines.append(json.dumps({"seen_at": seen, "row": good_row(6, published_at="0001-01-01T00:00:00+08:05:43")}))
    lines.append('{"seen_at": "' + seen + '", "row": {"url": "https://ee.ofweek.com/trunc')  # a write cut short
    (tmp_path / "spool").mkdir()
    (tmp_path / "spool" / f"ofweek.{key}-20260101T000000-77.jsonl").write_text("\n".join(lines) + "\n", "utf-8")

    load = subprocess.run([sys.executable, "-m", "scrapy", "loadspool", str(tmp_path / "spool"),
                           "-s", f"NEWSCRAWL_DATABASE_URL={url}"], cwd=sc.ROOT, capture_output=True, text=True, timeout=120)
    assert load.returncode == 74, load.stdout + load.stderr
    assert "Traceback" not in load.stderr
    assert "5 inserted" in load.stdout and "2 rejected" in load.stdout, load.stdout
    assert count_articles(url) == 5
    [(body,)] = sc.sqlite_rows(tmp_path / "news.db", f"SELECT body_text FROM articles WHERE url = '{good_row(1)['url']}'")
    assert "\u2028" in body
    assert spool.pending(tmp_path / "spool") == []  # nothing stuck: the next run has nothing to retry
    [rejects] = (tmp_path / "spool" / "rejects").glob("*.jsonl")
    reasons = [json.loads(line)["reason"] for line in rejects.read_text("ascii").splitlines()]
    assert any("unreadable" in r for r in reasons) and any("+08:05:43" in r or "08:05:43" in r for r in reasons), reasons


def test_a_row_the_database_refuses_is_isolated_and_the_batch_stored(tmp_path, make_postgres_database):
    """PostgreSQL refuses one article of a batch (a CHECK constraint): bisection stores the other 19."""
    import json

    mirror = tmp_path / "mirror"
    urls = sc.write_mirror(mirror, 20)
    url = make_postgres_database()
    engine = db.create_engine(url)
    migrations.upgrade(engine)
    with engine.begin() as connection:
        connection.execute(sa.text("ALTER TABLE articles ADD CONSTRAINT no_seven CHECK (title NOT LIKE '%（7）%')"))
    engine.dispose()
    run = sc.crawl(tmp_path, mirror, url, "-s", "NEWSCRAWL_STORE_BATCH_SIZE=20")
    assert run.returncode == 74, run.log[-3000:]
    assert "Traceback" not in run.log
    assert run.stat("newscrawl/store/rejected") == 1 and run.stat("newscrawl/store/inserted") == 19
    assert count_articles(url) == 19
    [rejects] = (tmp_path / "spool" / "rejects").glob("*.jsonl")
    [record] = [json.loads(line) for line in rejects.read_text("ascii").splitlines()]
    assert record["row"]["url"] == urls[7] and "no_seven" in record["reason"]
    assert "written to" in run.log and str(rejects) in run.log


def test_an_unwritable_spool_is_exit_74_and_the_next_healthy_run_stores_everything(tmp_path):
    mirror = tmp_path / "mirror"
    urls = sc.write_mirror(mirror, 20)
    db_path = tmp_path / "news.db"
    url = f"sqlite:///{db_path}"
    engine = db.create_engine(url)
    migrations.upgrade(engine)
    engine.dispose()
    # Writable when the crawl starts (an unwritable one stops it at start: tests/test_outputs.py), a file
    # in its place once the spider opened (the crawl frozen meanwhile): the disk went away mid-run.
    spool_dir = tmp_path / "spool-then-gone"
    spool_dir.mkdir()
    lock = sqlite3.connect(db_path, isolation_level=None)
    lock.execute("BEGIN EXCLUSIVE")
    log_path = tmp_path / "crawl.log"
    try:
        with log_path.open("w") as log_file:
            process = subprocess.Popen(sc.command(tmp_path, mirror, url, *FAST_FAIL, "-s", f"NEWSCRAWL_SPOOL_DIR={spool_dir}"),
                                       cwd=sc.ROOT, stderr=log_file, text=True)
        try:
            while "Spider opened" not in log_path.read_text(errors="replace"):
                assert process.poll() is None, log_path.read_text(errors="replace")[-3000:]
                time.sleep(0.02)
            process.send_signal(signal.SIGSTOP)
            assert not list(spool_dir.iterdir())
            spool_dir.rmdir()
            spool_dir.write_text("not a directory")
            process.send_signal(signal.SIGCONT)
            process.wait(120)
        finally:
            if process.poll() is None:
                process.kill()
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    run = sc.Run(process.returncode, log_path.read_text(errors="replace"), [])
    assert run.returncode == 74, run.log[-3000:]  # not 75: a retry of this run alone would not bring them back
    assert run.stat("newscrawl/store/lost") == 20 and run.stat("newscrawl/store/spooled") == 0
    assert "Traceback" not in run.log and "items either" in run.log and "CRITICAL" in run.log
    again = sc.crawl(tmp_path, mirror, url, feed="again.jsonl")
    assert again.returncode == 0, again.log[-3000:]
    assert sorted(r[0] for r in sc.sqlite_rows(db_path, "SELECT url FROM articles")) == sorted(urls)


class StallingProxy(CuttingProxy):
    """Forwards until ``budget`` bytes went to the server, then goes silent: connections stay open, nothing
    passes any more (a blackholed network or a frozen server), new connections are accepted and ignored."""

    def _serve(self):
        while not self.closed.is_set():
            try:
                client, _ = self.listener.accept()
            except (TimeoutError, socket.timeout):
                continue
            self.sockets.append(client)
            if self.cut.is_set():
                continue
            upstream = socket.create_connection(self.target)
            self.sockets.append(upstream)
            threading.Thread(target=self._pipe, args=(client, upstream, True), daemon=True).start()
            threading.Thread(target=self._pipe, args=(upstream, client, False), daemon=True).start()
        for sock in self.sockets:
            sock.close()

    def _pipe(self, source, target, counting):
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                if counting:
                    self.sent += len(data)
                    if self.sent > self.budget:
                        self.cut.set()
                while self.cut.is_set() and not self.closed.is_set():
                    self.closed.wait(0.1)  # hold the data: the client waits for an answer that never comes
                if self.closed.is_set():
                    break
                target.sendall(data)
        except OSError:
            pass

    def __init__(self, host, port, budget):
        self.closed = threading.Event()
        super().__init__(host, port, budget)

    def close(self):
        self.closed.set()
        self.thread.join(5)


def test_a_postgresql_that_stops_answering_is_an_outage_spooled_in_bounded_time(tmp_path, make_postgres_database):
    import time

    mirror = tmp_path / "mirror"
    sc.write_mirror(mirror, 40)
    real = make_postgres_database()
    engine = db.create_engine(real)
    migrations.upgrade(engine)
    engine.dispose()
    parsed = make_url(real)
    proxy = StallingProxy(parsed.host, parsed.port or 5432, budget=60_000)
    limits = ["-s", "NEWSCRAWL_STORE_TIMEOUT=1", "-s", "NEWSCRAWL_DB_STATEMENT_TIMEOUT=1", "-s", "NEWSCRAWL_DB_LOCK_TIMEOUT=1",
              "-s", "NEWSCRAWL_DB_KEEPALIVE=1", "-s", "NEWSCRAWL_STORE_RETRIES=1", "-s", "NEWSCRAWL_STORE_RETRY_DELAY=0.1"]
    started = time.monotonic()
    try:
        via_proxy = parsed.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
        run = sc.crawl(tmp_path, mirror, via_proxy, *limits, "-s", "NEWSCRAWL_STORE_BATCH_SIZE=5", "-s", "CONCURRENT_REQUESTS=2")
    finally:
        proxy.close()
    took = time.monotonic() - started
    assert proxy.cut.is_set()
    assert run.returncode == 75, run.log[-3000:]
    assert took < 150, f"the crawl took {took:.0f} s against a silent database"
    assert "Traceback" not in run.log
    stored, spooled = count_articles(real), spooled_lines(tmp_path)
    assert spooled == run.stat("newscrawl/store/spooled") > 0
    assert stored + spooled >= 40
    # The next run goes straight to the server (another URL, so the spool is named, not taken), then the operator
    # loads it: every article once, nothing left.
    again = sc.crawl(tmp_path, mirror, real, feed="again.jsonl")
    assert again.returncode == 0, again.log[-3000:]
    assert "meant for another database" in again.log
    load = subprocess.run([sys.executable, "-m", "scrapy", "loadspool", str(tmp_path / "spool"), "--all",
                           "-s", f"NEWSCRAWL_DATABASE_URL={real}"], cwd=sc.ROOT, capture_output=True, text=True, timeout=120)
    assert load.returncode == 0, load.stderr
    assert count_articles(real) == 40 and spooled_lines(tmp_path) == 0


def test_a_locked_postgresql_table_is_an_outage_not_a_wait(tmp_path, make_postgres_database):
    import time

    mirror = tmp_path / "mirror"
    sc.write_mirror(mirror, 20)
    url = make_postgres_database()
    engine = db.create_engine(url)
    migrations.upgrade(engine)
    holder = engine.connect()
    transaction = holder.begin()
    holder.execute(sa.text("LOCK TABLE articles IN ACCESS EXCLUSIVE MODE"))
    started = time.monotonic()
    try:
        run = sc.crawl(tmp_path, mirror, url, *FAST_FAIL, "-s", "NEWSCRAWL_DB_LOCK_TIMEOUT=0.5")
    finally:
        transaction.rollback()
        holder.close()
        engine.dispose()
    assert run.returncode == 75, run.log[-3000:]
    assert time.monotonic() - started < 120
    assert "lock timeout" in run.log
    assert run.stat("newscrawl/store/spooled") == 20 and count_articles(url) == 0
    again = sc.crawl(tmp_path, mirror, url, feed="again.jsonl")
    assert again.returncode == 0, again.log[-3000:]
    assert count_articles(url) == 20 and spooled_lines(tmp_path) == 0


def test_a_store_worker_that_dies_is_an_outage_and_the_next_batch_gets_a_new_one(tmp_path):
    """Batches are written in a worker process (newscrawl/storeworker.py): killed (out of memory, by hand),
    the batch it held fails as an outage, which the store retries or spools, and a new worker takes the next."""
    from datetime import datetime, timezone

    from newscrawl import processors, storeworker

    def row(n):
        text = f"第{n}篇：工信部发布新型基础设施建设通知，要求各地加快推进。" * 3
        return db.article_row({"url": f"https://ee.ofweek.com/ART-{n}.html", "portal": "ofweek", "title": f"标题{n}",
                               "body_html": f"<p>{text}</p>", "body_text": text, "categories": [], "tags": [],
                               "images": [], "content_hash": processors.content_hash(text)})

    url = f"sqlite:///{tmp_path / 'worker.db'}"
    engine = db.create_engine(url)
    migrations.upgrade(engine)
    now = datetime(2026, 3, 1, tzinfo=timezone.utc)
    worker = storeworker.StoreWorker(url, db.Limits())
    try:
        assert worker.write_rows([row(1)], now) == [("inserted", None)]
        [process] = worker.processes()
        process.kill()
        process.join()
        with pytest.raises(db.WorkerError) as failed:
            worker.write_rows([row(2)], now)
        assert db.classify(failed.value) == "outage" and "died" in db.describe(failed.value)
        assert worker.write_rows([row(2)], now) == [("inserted", None)]
        with engine.begin() as connection:  # a database error inside the worker arrives as its description
            connection.execute(sa.text("DROP TABLE lsh_bands"))
        with pytest.raises(db.WorkerError) as failed:
            worker.write_rows([row(3)], now)
        assert db.classify(failed.value) == "outage" and "lsh_bands" in db.describe(failed.value)
    finally:
        worker.close()
        engine.dispose()
    assert count_articles(url) == 2


def test_where_no_worker_process_can_start_the_store_writes_on_threads(tmp_path):
    """A sandbox without /dev/shm (AWS Lambda, some containers) cannot start the store's worker process:
    the crawl says so once and stores everything on threads, nothing spooled; it reads pages itself."""
    import os

    mirror = tmp_path / "mirror"
    urls = sc.write_mirror(mirror, 30)
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    (hooks / "sitecustomize.py").write_text(
        "import multiprocessing.synchronize as s\n"
        "def refuse(*a, **k):\n"
        "    raise OSError(38, 'Function not implemented: no /dev/shm for semaphores')\n"
        "s.SemLock.__init__ = refuse\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(hooks), str(sc.ROOT)])}
    database = f"sqlite:///{tmp_path / 'news.db'}"
    run = sc.crawl(tmp_path, mirror, database, "-s", "NEWSCRAWL_STORE_BATCH_SIZE=10", "-s", "NEWSCRAWL_WORKERS_MIN_PAGES=0", env=env)
    assert run.returncode == 0, run.log[-3000:]
    assert "no store worker process can start here" in run.log and "written on threads" in run.log
    assert run.stat("newscrawl/store/worker_unavailable") == 1 and run.stat("newscrawl/store/spooled") == 0
    assert count_articles(database) == len(urls)
    # nor can the read workers (newscrawl/middlewares/extractworker.py): pages are read in the crawl's process
    assert "no read worker process can start here" in run.log and run.stat("newscrawl/extract/worker_unavailable") == 1
    assert run.stat("newscrawl/extract/pages_in_worker") == 0 and run.stat("newscrawl/pages/failed_callbacks") == 0
