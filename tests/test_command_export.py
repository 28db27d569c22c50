"""`scrapy export jsonl|hexo` against databases filled by a real crawl (SQLite and PostgreSQL)."""

import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import sqlalchemy as sa
import yaml

from newscrawl import db, hexo
from newscrawl.export.columns import ARTICLE_NAMES, SCHEMA_VERSION
from newscrawl.items import ARTICLE_FIELDS
from storecrawl import replace_articles

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = json.loads((ROOT / "docs" / "article.schema.json").read_text("utf-8"))
ITEM_SCHEMA = json.loads((ROOT / "docs" / "item.schema.json").read_text("utf-8"))
SEED_URL = "https://cloud.ofweek.com/2022-08/ART-178801-8420-30570417.html"
TWIN_URL = "https://cloud.ofweek.com/2022-08/ART-178801-8420-30570488.html"
SEED_TITLE = "连续5年蝉联第一，华为云牢牢掌控政务云市场领先地位"
SEED_IMAGE = "http://images.ofweek.com/Upload/News/2022-8/10/Zyong/20220810142147_1660112507370606846.png"
PROXY = "https://cors.zfour.workers.dev/?"


def scrapy(*args, url=None):
    """Run `scrapy ...` from the project root; ``url`` goes in through the environment variable."""
    env = {k: v for k, v in os.environ.items() if k != "NEWSCRAWL_DATABASE_URL"}
    if url:
        env["NEWSCRAWL_DATABASE_URL"] = url
    return subprocess.run(
        [sys.executable, "-m", "scrapy", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def by_url(items):
    return {item["url"]: item for item in items}


def front_matter(text):
    return yaml.safe_load(re.match(r"\A---\n(.*?)\n---\n\n", text, re.DOTALL).group(1))


def test_jsonl_round_trips_the_crawled_articles_exactly(export_db, tmp_path):
    url, stored = export_db
    out = tmp_path / "export.jsonl"
    result = scrapy("export", "jsonl", str(out), url=url)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"exported {len(stored)} articles to {out}\n"
    assert out.stat().st_mode & 0o644 == 0o644  # readable like any file the user writes, not 0600
    records = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    for record in records:  # every line is a valid record of the published schema
        jsonschema.validate(record, SCHEMA)
    assert all(list(r) == list(ARTICLE_NAMES) for r in records)  # the one column definition, in its order
    assert all(r["schema_version"] == SCHEMA_VERSION and r["version"] == 1 and r["first_seen_at"] <= r["last_seen_at"] for r in records)
    for item in stored:  # the crawl's own -O feed: a smaller record, under its own schema
        jsonschema.validate(item, ITEM_SCHEMA)
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(item, SCHEMA)
    exported = [{k: v for k, v in r.items() if k in ARTICLE_FIELDS} for r in records]
    assert by_url(exported) == by_url(stored)  # the Article part is what the crawl produced, exactly
    assert len(exported) == 5  # the crawl's copy of another page's text was dropped, not stored
    seed = by_url(exported)[SEED_URL]
    assert seed["published_at"] == "2022-08-10T14:20:00+08:00" and seed["headimg"] == SEED_IMAGE
    assert [item["published_at"][:10] for item in exported] == sorted(item["published_at"][:10] for item in exported)


def test_jsonl_portal_and_since_filters_use_the_portals_calendar(export_db, run):
    url, stored = export_db

    def export(*options):
        status, out, err = run("export", "jsonl", "-", *options, url=url)
        assert status == 0, err
        return {json.loads(line)["url"] for line in out.splitlines()}

    # 2022-01-01 00:30 in Beijing is still 2021-12-31 in UTC: it counts as the 1st, the 23:30 one does not.
    assert export("--since", "2022-01-01") == {a["url"] for a in stored if a["published_at"] >= "2022-01-01"}
    assert "https://ee.ofweek.com/2022-01/ART-8110-2800-30546100.html" in export("--since", "2022-01-01")
    assert "https://ee.ofweek.com/2021-12/ART-8110-2800-30546001.html" not in export("--since", "2022-01-01")
    assert export("--portal", "ithome") == {"https://www.ithome.com/0/632/410.htm"}
    assert export("--portal", "ofweek", "--since", "2022-08-10") == {SEED_URL, TWIN_URL}


def test_since_takes_an_article_without_a_date_by_the_day_it_was_first_stored(tmp_path, run):
    """A page that gives no date is stored with published_at null (issue 10): `--since` must not leave it
    out of every export; it counts from its first_seen_at."""
    from datetime import datetime, timezone

    from newscrawl import migrations, processors

    url = f"sqlite:///{tmp_path / 'news.db'}"
    engine = db.create_engine(url)
    migrations.upgrade(engine)

    def row(n, published_at):
        text = f"第{n}篇：工信部发布新型基础设施建设通知，要求各地加快推进第{n}批项目。" * 3
        return db.article_row({"url": f"https://ee.ofweek.com/2026-0{n}/ART-8110-2800-3000000{n}.html", "portal": "ofweek",
                               "title": f"标题{n}", "published_at": published_at, "body_html": f"<p>{text}</p>",
                               "body_text": text, "categories": [], "tags": [], "images": [],
                               "content_hash": processors.content_hash(text)})

    try:
        db.write_rows(engine, [row(1, "2026-01-10T09:00:00+08:00"), row(2, None)], datetime(2026, 1, 11, tzinfo=timezone.utc))
        db.write_rows(engine, [row(3, "2026-03-05T09:00:00+08:00"), row(4, None)], datetime(2026, 3, 2, tzinfo=timezone.utc))
    finally:
        engine.dispose()
    status, out, err = run("export", "jsonl", "-", "--since", "2026-03-01", url=url)
    assert status == 0, err
    assert sorted(json.loads(line)["title"] for line in out.splitlines()) == ["标题3", "标题4"]
    status, out, err = run("export", "jsonl", "-", "--since", "2026-01-01", url=url)
    assert sorted(json.loads(line)["title"] for line in out.splitlines()) == ["标题1", "标题2", "标题3", "标题4"]


def test_hexo_posts_of_the_seed_article_with_and_without_image_proxy(export_db, tmp_path, run):
    url, stored = export_db
    seed = by_url(stored)[SEED_URL]
    plain, proxied = tmp_path / "plain", tmp_path / "proxied"
    assert run("export", "hexo", str(plain), url=url) == (
        0, f"exported 5 articles to {plain} (5 new, 0 updated, 0 unchanged, 0 moved)\n", ""
    )
    assert len(list(plain.rglob("*.md"))) == 5

    post = plain / hexo.post_path(seed)
    assert post.parent == plain.joinpath(*seed["categories"]) and "云计算" in seed["categories"]
    text = post.read_text("utf-8")
    assert text == hexo.post_text(seed)  # from the database, byte for byte what the crawled item renders to
    assert text.startswith(f"---\ntitle: '{SEED_TITLE}'\ncategories:\n")
    assert (
        f"headimg: '{SEED_IMAGE}'\nauthor: OFweek云计算网\ncomments: false\n"
        f"date: Wed, 10 Aug 2022 06:20:00 GMT\nthumbnail: '{SEED_IMAGE}'\n---\n\n<div> <p>近日，"
    ) in text
    assert text.endswith("</p> </div>\n")
    assert front_matter(text)["categories"] == seed["categories"]

    assert run("export", "hexo", str(proxied), "--image-proxy", PROXY, url=url)[0] == 0
    text = (proxied / hexo.post_path(seed)).read_text("utf-8")
    assert text == hexo.post_text(seed, image_proxy=PROXY)
    assert f"headimg: '{PROXY}{SEED_IMAGE}'" in text and f"thumbnail: '{PROXY}{SEED_IMAGE}'" in text
    assert f'<img src="{PROXY}{SEED_IMAGE}" referrerpolicy="no-referrer">' in text
    for path in proxied.rglob("*.md"):
        images = re.findall(r"<img [^>]*>", path.read_text("utf-8"))
        assert all(f'src="{PROXY}http' in tag and 'referrerpolicy="no-referrer"' in tag for tag in images)

    # the article without any image has no headimg/thumbnail line, with or without the proxy
    bare = by_url(stored)["https://ee.ofweek.com/2021-12/ART-8110-2800-30546001.html"]
    for root in (plain, proxied):
        text = (root / hexo.post_path(bare)).read_text("utf-8")
        assert "headimg" not in text and "thumbnail" not in text
        assert front_matter(text)["title"] == bare["title"] == "英特尔'Sapphire Rapids'再延期: \"#1\" 芯片厂的{难题}"
        assert "{{" not in text.split("---\n\n", 1)[1] and "&#123;&#123; firmware.version &#125;&#125;" in text


def sqlite_copy(url: str, target: Path) -> str:
    source = sqlite3.connect(url.removeprefix("sqlite:///"))
    copy = sqlite3.connect(target)
    source.backup(copy)
    source.close()
    copy.close()
    return f"sqlite:///{target}"


@pytest.mark.parametrize("export_db", ["sqlite"], indirect=True)
def test_same_titles_stay_apart_and_re_export_updates_each_post_in_place(export_db, tmp_path, run):
    url = sqlite_copy(export_db[0], tmp_path / "copy.db")
    stored = by_url(export_db[1])
    outdir = tmp_path / "blog"
    assert run("export", "hexo", str(outdir), url=url)[0] == 0
    seed_post, twin_post = outdir / hexo.post_path(stored[SEED_URL]), outdir / hexo.post_path(stored[TWIN_URL])
    assert seed_post != twin_post and seed_post.parent == twin_post.parent
    assert front_matter(seed_post.read_text("utf-8"))["title"] == front_matter(twin_post.read_text("utf-8"))["title"]
    assert "IDC" in seed_post.read_text("utf-8") and "招投标" in twin_post.read_text("utf-8")
    before = {path: path.stat().st_mtime_ns for path in outdir.rglob("*.md")}
    for path in before:
        os.utime(path, ns=(1, 1))

    # The portal edits the seed's text and retitles the twin; the store replaces both rows.
    edited = dict(stored[SEED_URL], body_html="<p>更正：华为云份额为18.9%。</p>", body_text="更正：华为云份额为18.9%。")
    retitled = dict(stored[TWIN_URL], title="政务云招投标向头部厂商集中")
    engine = db.create_engine(url)
    with engine.begin() as connection:
        replace_articles(connection, [db.article_row(edited), db.article_row(retitled)])
    engine.dispose()

    assert run("export", "hexo", str(outdir), url=url) == (
        0, f"exported 5 articles to {outdir} (1 new, 1 updated, 3 unchanged, 1 moved)\n", ""
    )
    assert seed_post.read_text("utf-8") == hexo.post_text(edited)
    assert not twin_post.exists()
    assert (outdir / hexo.post_path(retitled)).read_text("utf-8") == hexo.post_text(retitled)
    after = sorted(outdir.rglob("*.md"))
    assert len(after) == 5
    untouched = [path for path in after if path.stat().st_mtime_ns == 1]
    assert len(untouched) == 3  # unchanged posts are not rewritten: Hexo regenerates only what changed


@pytest.mark.parametrize("export_db", ["sqlite"], indirect=True)
def test_skip_near_duplicates_keeps_each_story_once(export_db, tmp_path, run):
    url = sqlite_copy(export_db[0], tmp_path / "copy.db")
    engine = db.create_engine(url)
    with engine.begin() as connection:
        # what the store records for a syndicated copy: the later article points at the earliest one
        connection.execute(
            sa.update(db.articles).where(db.articles.c.portal == "ithome").values(near_duplicate_of=SEED_URL)
        )
    engine.dispose()
    everything = {json.loads(line)["url"] for line in run("export", "jsonl", "-", url=url)[1].splitlines()}
    status, out, _ = run("export", "jsonl", "-", "--skip-near-duplicates", url=url)
    assert status == 0 and "https://www.ithome.com/0/632/410.htm" in everything
    assert {json.loads(line)["url"] for line in out.splitlines()} == everything - {"https://www.ithome.com/0/632/410.htm"}
    status, out, _ = run("export", "hexo", str(tmp_path / "blog"), "--skip-near-duplicates", url=url)
    assert status == 0 and len(list((tmp_path / "blog").rglob("*.md"))) == 4


@pytest.mark.parametrize("export_db", ["sqlite"], indirect=True)
@pytest.mark.parametrize(
    "args, message",
    [
        ([], "no format given; use `scrapy export jsonl FILE` or `scrapy export hexo OUTDIR`"),
        (["xml", "out.xml"], "unknown format 'xml'"),
        (["jsonl"], "jsonl needs exactly one FILE"),
        (["hexo", "a", "b"], "hexo needs exactly one OUTDIR (unexpected: b)"),
        (["jsonl", "OUT", "--since", "2022-13-01"], "--since: since must be a date like 2024-01-31, got '2022-13-01'"),
        (["jsonl", "OUT", "--since"], "--since needs a date like 2024-01-31"),
        (["jsonl", "OUT", "--portal", "nosuch"], "--portal: no portal named nosuch (known: "),
        (["jsonl", "OUT", "--portal"], "--portal needs a portal (spider) name"),
        (["jsonl", "OUT", "--image-proxy", PROXY], "--image-proxy applies to hexo posts only"),
        (["hexo", "OUT", "--image-proxy", "cors.example"], "--image-proxy must be an http(s) URL prefix"),
        (["jsonl", "OUT", "--bogus"], "unknown option --bogus"),
    ],
)
def test_bad_arguments_get_one_line_and_exit_status_2(export_db, tmp_path, run, args, message):
    target = tmp_path / "out"
    status, out, err = run("export", *[str(target) if a == "OUT" else a for a in args], url=export_db[0])
    assert (status, out) == (2, "")
    assert err.startswith(f"scrapy export: {message}") and err.count("\n") == 1
    assert not target.exists()


def test_the_real_command_line_exits_2_on_a_missing_option_value(tmp_path):
    result = scrapy("export", "hexo", str(tmp_path / "blog"), "--since")
    assert (result.returncode, result.stdout, result.stderr) == (2, "", "scrapy export: --since needs a date like 2024-01-31\n")


@pytest.mark.parametrize("export_db", ["sqlite"], indirect=True)
def test_database_and_disk_problems_get_one_line(export_db, tmp_path, run):
    missing = run("export", "jsonl", str(tmp_path / "o.jsonl"), url=f"sqlite:///{tmp_path / 'none.db'}")
    assert missing == (  # a missing database is a configuration error: 2
        2, "", f"scrapy export: no database at sqlite:///{tmp_path / 'none.db'}: run a crawl first or set NEWSCRAWL_DATABASE_URL\n"
    )
    assert not (tmp_path / "none.db").exists()  # not created by looking
    status, _, err = run("export", "jsonl", str(tmp_path / "o.jsonl"), url="postgresql+psycopg://postgres:secret@127.0.0.1:1/x")
    assert status == 75 and err.count("\n") == 1  # refused: the database is down, a later retry can work
    assert err.startswith("scrapy export: cannot read the database at postgresql+psycopg://postgres:***@127.0.0.1:1/x")
    (tmp_path / "a_file").write_text("x")
    assert run("export", "hexo", str(tmp_path / "a_file" / "blog"), url=export_db[0]) == (
        1, "", f"scrapy export: cannot write {tmp_path / 'a_file' / 'blog'}: Not a directory\n"
    )
    status, _, err = run("export", "jsonl", str(tmp_path / "o.jsonl"), url="mysql://localhost/news")
    assert status == 2 and "mysql is not supported" in err and err.count("\n") == 1
    assert not (tmp_path / "o.jsonl").exists()


def test_schema_rejects_what_a_consumer_could_not_rely_on(export_db, run):
    """The schema is not a formality: a record missing a field, or with a field of another kind, fails it."""
    url, _ = export_db
    status, out, _ = run("export", "jsonl", "-", url=url)
    record = json.loads(out.splitlines()[0])
    jsonschema.validate(record, SCHEMA)
    for broken in ({k: v for k, v in record.items() if k != "version"}, {**record, "tags": "a,b"},
                   {**record, "published_at": "2022-08-10 14:20"}, {**record, "surprise": 1},
                   {**record, "url": "javascript:alert(1)"}, {**record, "schema_version": 1},
                   {**record, "published_date": "2022-8-1"}):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(broken, SCHEMA)


def test_export_to_a_closed_pipe_ends_quietly_with_status_0(export_db):
    url, _ = export_db
    env = {k: v for k, v in os.environ.items() if k != "NEWSCRAWL_DATABASE_URL"} | {"NEWSCRAWL_DATABASE_URL": url}
    export = subprocess.Popen([sys.executable, "-m", "scrapy", "export", "jsonl", "-"], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    # `| head -0`: the reader is gone before the export writes (its imports alone take longer than this)
    export.stdout.close()
    _, err = export.communicate(timeout=120)
    assert export.returncode == 0 and err == b"", err.decode()[-2000:]


def test_migration_lock_files_are_removed(tmp_path):
    from newscrawl import migrations

    for name in ("a.db", "b.db"):
        engine = db.create_engine(f"sqlite:///{tmp_path / name}")
        migrations.upgrade(engine)
        migrations.upgrade(engine)
        engine.dispose()
        assert not Path(migrations.lock_path(str(tmp_path / name))).exists()


def test_concurrent_migrations_of_one_fresh_file_still_take_turns(tmp_path):
    """Removing the lock file must not let two migrations in at once (each locks the file it finds)."""
    from concurrent.futures import ThreadPoolExecutor

    from newscrawl import migrations

    path = tmp_path / "fresh.db"

    def upgrade(_):
        engine = db.create_engine(f"sqlite:///{path}", timeout=30)
        try:
            return migrations.upgrade(engine)[1]
        finally:
            engine.dispose()

    with ThreadPoolExecutor(6) as pool:
        heads = list(pool.map(upgrade, range(6)))
    assert set(heads) == {migrations.head_revision()}
    assert not Path(migrations.lock_path(str(path))).exists()


@pytest.mark.parametrize("kind, where", [("parquet", "{file}/out"), ("parquet", "{file}/a/b"), ("duckdb", "/sys/x.duckdb"),
                                         ("jsonl", "/sys/x.jsonl"), ("csv", "/sys/x.csv")])
def test_an_unwritable_target_is_one_line_before_the_store_is_read(tmp_path, run, kind, where):
    """A directory no one can write into (a file in the way; sysfs, which refuses root too): exit 2 at start,
    as a crawl refuses an unwritable output (newscrawl/outputs.py), before the database is even opened."""
    (tmp_path / "a_file").write_text("x")
    target = where.format(file=tmp_path / "a_file")
    status, out, err = run("export", kind, target, url=f"sqlite:///{tmp_path / 'none.db'}")
    assert (status, out) == (2, "") and err.count("\n") == 1, err
    assert err.startswith(f"scrapy export: {target}: cannot write there: "), err
    assert not (tmp_path / "none.db").exists()
