"""The WARC archive: files standard tools read, records found again at their offsets, kills, retention, foreign archives."""

from __future__ import annotations

import gzip
import io
import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import sqlalchemy as sa

import ofweek_site as site
from storecrawl import wait_for
from newscrawl.archive import OPEN_SUFFIX, reader, retention
from newscrawl.archive.writer import Capture, WarcFiles

ROOT = Path(__file__).resolve().parents[1]
WARCIO = str(Path(sys.executable).with_name("warcio"))


def capture(i: int, body: bytes | None = None, headers=None) -> Capture:
    return Capture(
        url=f"https://ee.ofweek.com/2026-01/ART-{i}.html", status=200,
        headers=headers or [(b"Content-Type", b"text/html; charset=gb2312")],
        body=body if body is not None else f"<html><body><p>第{i}篇</p></body></html>".encode("gb18030") * 30,
        method="GET", request_headers=[(b"User-Agent", b"newscrawl"), (b"Accept-Encoding", b"gzip")], request_body=b"",
        captured_at=datetime(2026, 12, 7, 8, i % 60, tzinfo=timezone.utc), spider="ofweek", kind="article",
    )


def warcio(*args) -> subprocess.CompletedProcess:
    return subprocess.run([WARCIO, *map(str, args)], capture_output=True, text=True)




def test_pages_are_valid_warc_and_read_back_as_received_at_their_offsets(tmp_path):
    files = WarcFiles(tmp_path, "ofweek", 1 << 30)
    compressed = gzip.compress("<html>压缩的页面</html>".encode())
    chunked = [(b"Content-Type", b"text/html"), (b"Content-Encoding", b"gzip"), (b"Transfer-Encoding", b"chunked")]
    pages = [capture(0), capture(1, compressed, chunked), capture(2, b"")]
    locations = [files.write(page) for page in pages]
    assert (tmp_path / (locations[0][0] + OPEN_SUFFIX)).exists() and reader.locked(tmp_path / (locations[0][0] + OPEN_SUFFIX))
    files.close()
    [path] = tmp_path.iterdir()
    assert path.name == locations[0][0] and not reader.locked(path)
    check = warcio("check", "-v", path)
    assert check.returncode == 0 and check.stdout.count("digest pass") == 7, check.stdout  # warcinfo, 3 x (response, request)
    index = warcio("index", "-f", "warc-type,warc-target-uri,offset", path).stdout.splitlines()
    assert [line.count('"request"') for line in index].count(1) == 3
    for page, (name, offset) in zip(pages, locations):
        found = reader.read_at(path, offset)
        assert (found.url, found.status, found.body, found.spider, found.kind) == (page.url, 200, page.body, "ofweek", "article")
        assert found.captured_at == page.captured_at and found.offset == offset
    headers = dict(reader.read_at(path, locations[1][1]).headers)
    assert headers["Content-Encoding"] == "gzip" and "Transfer-Encoding" not in headers  # the bytes as received, de-chunked
    assert headers["Content-Length"] == str(len(compressed))
    assert reader.read_at(path, locations[1][1] + 1) is None


def test_files_rotate_by_size_and_each_is_complete(tmp_path):
    files = WarcFiles(tmp_path, "ofweek", 4000)
    locations = [files.write(capture(i)) for i in range(12)]
    files.close()
    names = sorted({name for name, _ in locations})
    assert len(names) >= 3 and sorted(p.name for p in tmp_path.iterdir()) == names
    assert warcio("check", *sorted(tmp_path.iterdir())).returncode == 0
    assert [reader.read_at(tmp_path / name, offset).url for name, offset in locations] == [capture(i).url for i in range(12)]


def test_a_file_cut_anywhere_reads_to_its_last_complete_record_and_is_repaired(tmp_path):
    files = WarcFiles(tmp_path, "ofweek", 1 << 30)
    for i in range(3):
        files.write(capture(i))
    files.close()
    [path] = tmp_path.iterdir()
    data = path.read_bytes()
    ends = [end for _, end, _, _ in reader.records(path)]
    assert ends[-1] == len(data)
    cut_dir = tmp_path / "cut"
    cut_dir.mkdir()
    for cut in range(1, len(data), 41):
        for stale in cut_dir.iterdir():
            stale.unlink()
        left = cut_dir / (path.name + OPEN_SUFFIX)
        left.write_bytes(data[:cut])
        complete = [end for end in ends if end <= cut]
        assert [end for _, end, _, _ in reader.records(left)] == complete
        assert reader.repair(cut_dir) == [(path.name, cut - (complete[-1] if complete else 0))]
        [repaired] = cut_dir.iterdir()
        assert repaired.name == path.name and repaired.stat().st_size == (complete[-1] if complete else 0)
        assert warcio("check", repaired).returncode == 0


def test_retention_removes_old_files_then_the_oldest_beyond_the_cap_never_one_being_written(tmp_path):
    now = time.time()
    sizes = {}
    for age in (40, 20, 10, 1):
        files = WarcFiles(tmp_path, f"old{age}", 1 << 30)
        files.write(capture(age))
        files.close()
        os.utime(tmp_path / files.name, (now - age * 86400, now - age * 86400))
        sizes[age] = (tmp_path / files.name).stat().st_size
    writing = WarcFiles(tmp_path, "writing", 1 << 30)
    writing.write(capture(99))
    os.utime(tmp_path / (writing.name + OPEN_SUFFIX), (now - 90 * 86400, now - 90 * 86400))
    assert [name.split("-")[0] for name, _ in retention.prune(tmp_path, 30, 0, now)] == ["old40"]
    assert retention.prune(tmp_path, 30, 0, now) == []
    # a size cap: the oldest closed files go until the archive fits; the file being written counts but stays
    cap = sizes[1] + (tmp_path / (writing.name + OPEN_SUFFIX)).stat().st_size
    assert [name.split("-")[0] for name, _ in retention.prune(tmp_path, 0, cap, now)] == ["old20", "old10"]
    assert sorted(p.name.split("-")[0] for p in tmp_path.iterdir()) == ["old1", "writing"]
    assert reader.repair(tmp_path) == []  # locked: its crawl still writes it
    writing.close()


def crawl_command(tmp_path: Path, mirror: Path, *settings: str, args: tuple[str, ...] = ()) -> list[str]:
    pairs = ["DOWNLOAD_DELAY=0", "AUTOTHROTTLE_ENABLED=0", "ROBOTSTXT_OBEY=0", "NEWSCRAWL_MONITOR_ENABLED=0",
             f"NEWSCRAWL_MIRROR={mirror}", f"NEWSCRAWL_DATABASE_URL=sqlite:///{tmp_path / 'crawl.db'}",
             f"NEWSCRAWL_SPOOL_DIR={tmp_path / 'spool'}", f"NEWSCRAWL_ARCHIVE_DIR={tmp_path / 'archive'}", *settings]
    return [sys.executable, "-m", "scrapy", "crawl", "ofweek", *(x for pair in pairs for x in ("-s", pair)), *args]


def clean_env() -> dict:
    return {k: v for k, v in os.environ.items() if not k.startswith(("NEWSCRAWL_", "SCRAPY_"))}


def archived_articles(directory: Path) -> set[str]:
    return {e.url for path in reader.archive_files(directory) for e in reader.scan(path)
            if e.kind == "article" and e.status == 200}


def stored(db: Path) -> set[str]:
    engine = sa.create_engine(f"sqlite:///{db}")
    try:
        with engine.connect() as connection:
            return set(connection.execute(sa.text("SELECT url FROM articles")).scalars())
    finally:
        engine.dispose()


def test_a_crawl_killed_mid_write_leaves_readable_files_and_reextraction_loses_nothing(tmp_path):
    mirror = tmp_path / "site"
    site.write_site(mirror, 300)
    archive = tmp_path / "archive"
    crawl = subprocess.Popen(crawl_command(tmp_path, mirror, "NEWSCRAWL_MIRROR_LATENCY=0.02", "CONCURRENT_REQUESTS=4",
                                           "NEWSCRAWL_STORE_BATCH_SIZE=1000", args=("-a", "max_pages=20")),
                             cwd=ROOT, env=clean_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        def enough():
            assert crawl.poll() is None, "the crawl ended before it was killed"
            left = list(archive.glob("*" + OPEN_SUFFIX)) if archive.is_dir() else []
            return left and sum(1 for e in reader.scan(left[0]) if e.kind == "article") >= 40 and left[0]
        left = wait_for(enough, "40 article pages archived")
    finally:
        crawl.send_signal(signal.SIGKILL)
        crawl.wait()
    assert left.exists()  # never closed: still .open
    ends = [end for _, end, _, _ in reader.records(left)]
    assert ends and ends[-1] <= left.stat().st_size
    archived = archived_articles(archive)
    assert len(archived) >= 40 and not archived <= stored(tmp_path / "crawl.db")  # the kill lost stored items

    env = {**clean_env(), "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "scrapy", "reextract", "-s", f"NEWSCRAWL_ARCHIVE_DIR={archive}",
                           "-s", f"NEWSCRAWL_DATABASE_URL=sqlite:///{tmp_path / 'crawl.db'}",
                           "-s", f"NEWSCRAWL_SPOOL_DIR={tmp_path / 'spool'}"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert not list(archive.glob("*" + OPEN_SUFFIX))  # repaired: cut after its last complete record, renamed
    assert warcio("check", *reader.archive_files(archive)).returncode == 0
    assert archived <= stored(tmp_path / "crawl.db")


def test_an_unwritable_archive_directory_stops_the_crawl_with_one_line(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    done = subprocess.run(crawl_command(tmp_path, ROOT / "samples/mirror", f"NEWSCRAWL_ARCHIVE_DIR={blocker / 'warc'}"),
                          cwd=ROOT, env=clean_env(), capture_output=True, text=True, timeout=300)
    assert done.returncode == 2
    assert f"NEWSCRAWL_ARCHIVE_DIR={blocker / 'warc'}: cannot create it" in done.stderr.strip().splitlines()[-1]


def test_an_archive_written_by_another_tool_is_replayed(tmp_path):
    """A WARC without newscrawl's record fields (wget --warc-file, an older archive): pages go to the spider whose
    domains and article URLs they match."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    archive = tmp_path / "archive"
    archive.mkdir()
    urls = [site.article_url(i) for i in range(5)]
    with open(archive / "wget.warc.gz", "wb") as out:
        writer = WARCWriter(out, gzip=True)
        for i, url in enumerate(urls):
            body = site.article_page(i).encode("gb18030")
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=headers))
    db = tmp_path / "replayed.db"
    done = subprocess.run([sys.executable, "-m", "scrapy", "reextract", "-s", f"NEWSCRAWL_ARCHIVE_DIR={archive}",
                           "-s", f"NEWSCRAWL_DATABASE_URL=sqlite:///{db}", "-s", f"NEWSCRAWL_SPOOL_DIR={tmp_path / 'spool'}"],
                          cwd=ROOT, env=clean_env(), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "ofweek              5      5        0          0       0  -" in done.stdout, done.stdout
    assert stored(db) == set(urls)


def test_dbstats_shows_the_archive_size_and_which_articles_it_holds(tmp_path):
    import json

    from newscrawl import db, migrations

    archive = tmp_path / "archive"
    archive.mkdir()
    files = WarcFiles(archive, "ofweek", 1 << 30)
    name, offset = files.write(capture(1))
    files.close()
    engine = db.create_engine(f"sqlite:///{tmp_path / 'stats.db'}")
    migrations.upgrade(engine)
    rows = []
    for i, (file, at) in enumerate([(name, offset), ("gone.warc.gz", 5), (None, None)]):
        rows.append({**db.article_row({"url": f"https://ee.ofweek.com/{i}.html", "portal": "ofweek", "title": f"t{i}",
                                       "body_text": f"正文{i}", "content_hash": f"h{i}"}),
                     "archive_file": file, "archive_offset": at})
    db.write_rows(engine, rows)
    engine.dispose()
    settings = ["-s", f"NEWSCRAWL_DATABASE_URL=sqlite:///{tmp_path / 'stats.db'}", "-s", f"NEWSCRAWL_ARCHIVE_DIR={archive}"]
    done = subprocess.run([sys.executable, "-m", "scrapy", "dbstats", "--json", *settings], cwd=ROOT, env=clean_env(),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    section = json.loads(done.stdout)["archive"]
    assert (section["files"], section["bytes"]) == (1, (archive / name).stat().st_size)
    assert section["portals"] == {"ofweek": {"articles": 3, "archived": 2, "present": 1}}
    text = subprocess.run([sys.executable, "-m", "scrapy", "dbstats", *settings], cwd=ROOT, env=clean_env(),
                          capture_output=True, text=True, timeout=120).stdout
    assert "  ofweek         3         2        1 (33%)" in text, text


def test_a_replayed_relative_date_resolves_against_when_the_page_was_fetched_in_a_worker_too():
    from scrapy.http import HtmlResponse, Request
    from scrapy.utils.test import get_crawler

    from newscrawl.archive import CAPTURED_AT
    from newscrawl.middlewares import extractworker
    from newscrawl.spiders.ofweek import OfweekSpider

    url = site.article_url(0)
    body = site.article_page(0).replace("2026-01-01 08:00", "3小时前").encode("gb18030")
    fetched = datetime(2026, 3, 1, 4, 0, tzinfo=timezone.utc)  # 12:00 in Beijing
    spider = OfweekSpider.from_crawler(get_crawler(OfweekSpider))
    response = HtmlResponse(url=url, body=body, request=Request(url, meta={"newscrawl": "article", CAPTURED_AT: fetched}))
    item, _ = spider.read_first_page(response)
    assert item.published_at == "2026-03-01T09:00:00+08:00"
    spec = extractworker.PageSpec(spider.page_class, spider.page_settings, spider.name, url)
    (item, _), _, _ = extractworker._read(spec, url, HtmlResponse, 200, {}, body, "gb18030", [], fetched)
    assert item.published_at == "2026-03-01T09:00:00+08:00"
    (item, _), _, _ = extractworker._read(spec, url, HtmlResponse, 200, {}, body, "gb18030", [])
    assert item.published_at != "2026-03-01T09:00:00+08:00"  # a crawl's page: three hours before now


def test_an_unchanged_spider_replays_every_sample_article_unchanged_multipage_included(tmp_path):
    archive = tmp_path / "archive"
    done = subprocess.run(crawl_command(tmp_path, ROOT / "samples/mirror", args=("-a", "channels=www,ee,laser")),
                          cwd=ROOT, env=clean_env(), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and "'newscrawl/multipage_articles': 1" in done.stderr, done.stderr[-3000:]
    before = len(stored(tmp_path / "crawl.db"))
    replay = subprocess.run([sys.executable, "-m", "scrapy", "reextract", "--portal", "ofweek", "--since", "2026-01-01",
                             "-s", f"NEWSCRAWL_ARCHIVE_DIR={archive}", "-s", f"NEWSCRAWL_DATABASE_URL=sqlite:///{tmp_path / 'crawl.db'}"],
                            cwd=ROOT, env=clean_env(), capture_output=True, text=True, timeout=300)
    assert replay.returncode == 0, replay.stderr[-3000:]
    assert "'newscrawl/multipage_articles': 1" in replay.stderr  # page 2 served from the archive too
    [line] = [x for x in replay.stdout.splitlines() if x.startswith("ofweek ")]
    # the deleted story is archived as an article page but is not one: "failed"
    assert line.split() == ["ofweek", str(before + 1), "0", "0", str(before), "1", "-"], replay.stdout
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'crawl.db'}")
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM article_versions")).scalar() == 0
        assert connection.execute(sa.text("SELECT count(*) FROM articles WHERE version_reason IS NOT NULL")).scalar() == 0
    engine.dispose()
    # nothing archived after a day to come
    later = subprocess.run([sys.executable, "-m", "scrapy", "reextract", "--since", "2099-01-01",
                            "-s", f"NEWSCRAWL_ARCHIVE_DIR={archive}", "-s", f"NEWSCRAWL_DATABASE_URL=sqlite:///{tmp_path / 'crawl.db'}"],
                           cwd=ROOT, env=clean_env(), capture_output=True, text=True, timeout=300)
    assert later.returncode == 0 and later.stdout.strip() == "reextract: no archived article page matches"


def test_a_request_carrying_a_pending_location_pickles_with_the_location(tmp_path):
    """A redirect or retry copies the meta of a request whose response is being archived; JOBDIR pickles it."""
    import pickle

    from scrapy import Request

    from newscrawl.archive import ARCHIVED
    from newscrawl.archive.writer import ArchiveWriter

    writer = ArchiveWriter(WarcFiles(tmp_path, "ofweek", 1 << 30))
    pending = writer.submit(capture(3))
    request = Request("https://ee.ofweek.com/a.html", meta={ARCHIVED: pending}).replace(url="https://ee.ofweek.com/b.html")
    copied = pickle.loads(pickle.dumps(request.meta))
    assert copied[ARCHIVED] == pending.future.result() and copied[ARCHIVED][1] > 0
    writer.close().result()
    failed = ArchiveWriter(WarcFiles(tmp_path / "missing", "ofweek", 1 << 30)).submit(capture(4))  # no such directory
    assert pickle.loads(pickle.dumps({ARCHIVED: failed})) == {ARCHIVED: None}
