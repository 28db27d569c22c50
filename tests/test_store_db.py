"""The store's database layer on SQLite and PostgreSQL: upsert, versions, three dedup levels, migration of an old database."""

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa

from newscrawl import db, migrations, processors

PAIRS = [json.loads(line) for line in (Path(__file__).parent / "fixtures" / "neardup" / "pairs.jsonl").read_text("utf-8").splitlines()]
STORIES = [s["body"] for s in json.loads((Path(__file__).parent / "fixtures" / "neardup" / "stories.json").read_text("utf-8"))]
T0 = datetime(2026, 3, 1, 8, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def postgres_url(make_postgres_database):
    return make_postgres_database()


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'store.db'}"
    else:
        # One database for the module (creating and dropping one costs seconds), emptied per test.
        url = request.getfixturevalue("postgres_url")
        cleaner = db.create_engine(url)
        with cleaner.begin() as connection:
            connection.execute(sa.text("DROP SCHEMA public CASCADE"))
            connection.execute(sa.text("CREATE SCHEMA public"))
        cleaner.dispose()
    engine = db.create_engine(url)
    yield engine
    engine.dispose()


def article(url, text, portal="ofweek", **fields):
    item = {
        "url": url, "portal": portal, "site": "OFweek电子工程网", "title": fields.pop("title", "标题"),
        "published_at": "2026-02-28T14:20:00+08:00", "categories": ["电子工程"], "tags": ["芯片"], "images": [],
        "body_html": f"<p>{text}</p>", "body_text": text, "language": "zh",
        "crawled_at": "2026-03-01T08:00:00+00:00", "content_hash": processors.content_hash(text),
    }
    extra = {name: fields.pop(name) for name in ("archive_file", "archive_offset", "version_reason") if name in fields}
    item.update(fields)
    return {**db.article_row(item), **extra}


def write(engine, rows, at=T0):
    with engine.begin() as connection:
        return db.write_batch(connection, rows, at)


def rows_of(engine, table, *columns, order="id"):
    with engine.connect() as connection:
        return connection.execute(sa.select(*[table.c[c] for c in columns]).order_by(table.c[order])).all()


def test_new_database_is_created_at_the_newest_revision(engine):
    before, after = migrations.upgrade(engine)
    assert (before, after) == (None, migrations.head_revision())
    assert {"articles", "article_versions", "lsh_bands", "crawl_runs"} <= set(sa.inspect(engine).get_table_names())
    assert migrations.upgrade(engine) == (after, after)  # a second upgrade changes nothing


def test_head_constant_is_alembics_head_and_a_database_at_head_needs_no_alembic(engine):
    """Every crawl checks the schema at start; once it is at the newest revision that costs no Alembic import."""
    import subprocess
    import sys

    assert migrations.HEAD == migrations.head_revision()  # a new migration sets migrations.HEAD too
    migrations.upgrade(engine)
    check = ("import sys; from newscrawl import db, migrations; e = db.create_engine(sys.argv[1]); "
             "print(migrations.upgrade(e), migrations.current_revision(e), 'alembic' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", check, engine.url.render_as_string(hide_password=False)],
                          capture_output=True, text=True, cwd=Path(__file__).parents[1])
    assert done.stdout.split() == [f"('{migrations.HEAD}',", f"'{migrations.HEAD}')", migrations.HEAD, "False"], done.stderr


def test_migrations_build_exactly_the_schema_the_code_declares(engine):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    migrations.upgrade(engine)
    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}), db.metadata) == []


def test_one_row_per_url_and_versions_when_the_text_changes(engine):
    migrations.upgrade(engine)
    text = STORIES[0]
    url = "https://ee.ofweek.com/2026-02/ART-8110-2800-30679015.html"
    assert write(engine, [article(url, text, title="初版标题")]) == [("inserted", None)]
    assert write(engine, [article(url, text)], T0 + timedelta(hours=1)) == [("unchanged", None)]
    edited = text.replace("宁德时代", "宁德时代新能源", 1) + "\n\n（本文已更新）"
    assert write(engine, [article(url, edited, title="更正后的标题")], T0 + timedelta(hours=2)) == [("updated", "title,body_html,body_text")]

    [(version, title, first, last, updated, body)] = rows_of(
        engine, db.articles, "version", "title", "first_seen_at", "last_seen_at", "updated_at", "body_text")
    assert (version, title, body) == (2, "更正后的标题", edited)
    assert (first, last, updated) == (T0, T0 + timedelta(hours=2), T0 + timedelta(hours=2))
    [(old_version, old_title, old_body, valid_from, replaced_at)] = rows_of(
        engine, db.article_versions, "version", "title", "body_text", "valid_from", "replaced_at")
    assert (old_version, old_title, old_body) == (1, "初版标题", text)
    assert (valid_from, replaced_at) == (T0, T0 + timedelta(hours=2))


def test_a_reextraction_versions_any_changed_field_with_its_reason_and_leaves_the_rest_untouched(engine):
    migrations.upgrade(engine)
    text, url = STORIES[0], "https://ee.ofweek.com/2026-02/ART-8110-2800-30679015.html"
    source = {"archive_file": "ofweek-1.warc.gz", "archive_offset": 330}
    assert write(engine, [article(url, text, title="标题 - OFweek电子工程网", **source)]) == [("inserted", None)]
    # A crawl of the same text keeps the stored title (relative dates would churn); a re-extraction of the same page
    # that reads the title differently is a fix: a new version, the reason saying which fields changed.
    assert write(engine, [article(url, text, title="标题")], T0 + timedelta(hours=1)) == [("unchanged", None)]
    fixed = article(url, text, title="标题", author="张三", version_reason="reextract", **source)
    assert write(engine, [fixed], T0 + timedelta(hours=2)) == [("updated", "title,author")]
    assert write(engine, [fixed], T0 + timedelta(hours=3)) == [("unchanged", None)]
    [(version, title, author, reason, last_seen, archived)] = rows_of(
        engine, db.articles, "version", "title", "author", "version_reason", "last_seen_at", "archive_offset")
    assert (version, title, author, reason, archived) == (2, "标题", "张三", "reextract: title,author", 330)
    assert last_seen == T0 + timedelta(hours=2)  # the unchanged re-extraction left the row as it was
    [(old_version, old_title, old_reason, old_file)] = rows_of(
        engine, db.article_versions, "version", "title", "version_reason", "archive_file")
    assert (old_version, old_title, old_reason, old_file) == (1, "标题 - OFweek电子工程网", None, "ofweek-1.warc.gz")
    # An empty field in a re-extraction loses nothing (better data wins), and changes nothing either.
    assert write(engine, [article(url, text, title="标题", author=None, version_reason="reextract")]) == [("unchanged", None)]


def test_a_row_seen_again_gets_the_archived_page_it_lacked(engine):
    migrations.upgrade(engine)
    url = "https://ee.ofweek.com/1.html"
    write(engine, [article(url, STORIES[1])])
    write(engine, [article(url, STORIES[1], archive_file="a.warc.gz", archive_offset=7)], T0 + timedelta(hours=1))
    write(engine, [article(url, STORIES[1], archive_file="b.warc.gz", archive_offset=9)], T0 + timedelta(hours=2))
    assert rows_of(engine, db.articles, "archive_file", "archive_offset") == [("a.warc.gz", 7)]


def test_lists_and_times_keep_their_types(engine):
    migrations.upgrade(engine)
    write(engine, [article("https://a.example/1", STORIES[1], tags=["华为云", "政务云"], images=["http://i/1.png"])])
    [(tags, images, published, local)] = rows_of(engine, db.articles, "tags", "images", "published_at", "published_at_local")
    assert tags == ["华为云", "政务云"] and images == ["http://i/1.png"]
    assert published == datetime(2026, 2, 28, 6, 20, tzinfo=timezone.utc)
    assert local == "2026-02-28T14:20:00+08:00"


def test_same_text_at_another_url_of_the_portal_is_a_duplicate_in_later_batches_too(engine):
    migrations.upgrade(engine)
    text = STORIES[2]
    assert write(engine, [article("https://ee.ofweek.com/1.html", text)]) == [("inserted", None)]
    # A later run finds the same text under a mobile-era or re-posted URL: dropped, nothing written.
    outcome = write(engine, [article("https://www.ofweek.com/2.html", text)])
    assert outcome == [("duplicate_content", "https://ee.ofweek.com/1.html")]
    # Within one batch as well.
    other = STORIES[3]
    assert write(engine, [article("https://x.ofweek.com/3.html", other), article("https://x.ofweek.com/4.html", other)]) == [
        ("inserted", None), ("duplicate_content", "https://x.ofweek.com/3.html")]
    # The same text on another portal is not a level-2 duplicate (level 3 marks it instead).
    [(outcome, near)] = write(engine, [article("https://www.c114.com.cn/news/5.html", text, portal="c114")])
    assert (outcome, near) == ("inserted", "https://ee.ofweek.com/1.html")
    assert len(rows_of(engine, db.articles, "id")) == 3
    # Duplicate URLs are remembered as aliases, so incremental crawls do not fetch them again.
    with engine.connect() as connection:
        assert db.known_urls(connection, ["https://www.ofweek.com/2.html", "https://x.ofweek.com/4.html", "https://new/"]) == {
            "https://www.ofweek.com/2.html", "https://x.ofweek.com/4.html"}


def test_syndicated_copies_point_to_the_earliest_article_on_another_portal(engine):
    migrations.upgrade(engine)
    pair = next(p for p in PAIRS if p["kind"] == "syndicated_intro_footer")
    teaser = next(p for p in PAIRS if p["kind"] == "truncated_half" and p["a"] == pair["a"])
    distinct = next(p for p in PAIRS if p["kind"] == "same_topic_different_story" and pair["a"] in (p["a"], p["b"]))
    other_story = distinct["b_text"] if distinct["a"] == pair["a"] else distinct["a_text"]
    write(engine, [article("https://ofweek.example/orig", pair["a_text"], portal="ofweek")])
    write(engine, [article("https://gasgoo.example/copy", pair["b_text"], portal="gasgoo")], T0 + timedelta(hours=1))
    # A third copy matches both: it points to the earliest, never to a copy.
    write(engine, [article("https://c114.example/teaser", teaser["b_text"], portal="c114"),
                   article("https://c114.example/other-story", other_story, portal="c114")], T0 + timedelta(hours=2))
    stored = dict(rows_of(engine, db.articles, "url", "near_duplicate_of"))
    assert stored == {
        "https://ofweek.example/orig": None,
        "https://gasgoo.example/copy": "https://ofweek.example/orig",
        "https://c114.example/teaser": "https://ofweek.example/orig",
        "https://c114.example/other-story": None,
    }


def test_a_reworded_copy_on_the_same_portal_is_not_marked(engine):
    migrations.upgrade(engine)
    pair = next(p for p in PAIRS if p["kind"] == "reworded_headline_and_text")
    write(engine, [article("https://ofweek.example/a", pair["a_text"]), article("https://ofweek.example/b", pair["b_text"])])
    assert dict(rows_of(engine, db.articles, "url", "near_duplicate_of")) == {
        "https://ofweek.example/a": None, "https://ofweek.example/b": None}


# The first version of newscrawl created its table with metadata.create_all from this definition.
def first_version_metadata():
    metadata = sa.MetaData()
    table = sa.Table(
        "articles", metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("url", sa.Text, nullable=False, unique=True),
        sa.Column("portal", sa.String(64), nullable=False),
        sa.Column("site", sa.Text), sa.Column("title", sa.Text, nullable=False),
        sa.Column("published_at", db.UTCDateTime), sa.Column("published_at_local", sa.String(40)),
        sa.Column("author", sa.Text), sa.Column("source", sa.Text),
        sa.Column("categories", sa.JSON, nullable=False, default=list),
        sa.Column("tags", sa.JSON, nullable=False, default=list),
        sa.Column("headimg", sa.Text), sa.Column("images", sa.JSON, nullable=False, default=list),
        sa.Column("summary", sa.Text), sa.Column("body_html", sa.Text), sa.Column("body_text", sa.Text),
        sa.Column("language", sa.String(16)), sa.Column("crawled_at", db.UTCDateTime),
        sa.Column("content_hash", sa.String(64), index=True),
        sa.Index("ix_articles_portal_published", "portal", "published_at"),
    )
    return metadata, table


def test_a_first_version_database_upgrades_in_place(engine):
    metadata, old = first_version_metadata()
    metadata.create_all(engine)
    pair = next(p for p in PAIRS if p["kind"] == "syndicated_intro_footer")
    with engine.begin() as connection:
        old_row = {k: v for k, v in article("https://ofweek.example/old", pair["a_text"]).items()}
        connection.execute(old.insert(), old_row)
    assert migrations.current_revision(engine) == migrations.FIRST_REVISION

    assert migrations.upgrade(engine) == ("0001", migrations.head_revision())
    [(url, version, first, tags, has_signature)] = rows_of(
        engine, db.articles, "url", "version", "first_seen_at", "tags", "minhash")
    assert (url, version, tags) == ("https://ofweek.example/old", 1, ["芯片"])
    assert first == datetime(2026, 3, 1, 8, 0, tzinfo=timezone.utc)  # from crawled_at
    assert has_signature  # old articles are fingerprinted, so later copies find them
    # The upgraded database works like a new one: a copy elsewhere points at the old article.
    assert write(engine, [article("https://gasgoo.example/copy", pair["b_text"], portal="gasgoo")]) == [
        ("inserted", "https://ofweek.example/old")]
    assert write(engine, [article("https://ofweek.example/old", pair["a_text"] + "补充一段新的内容，说明事件后续进展。")])[0][0] == "updated"
    assert rows_of(engine, db.article_versions, "version") == [(1,)]


def test_a_database_made_with_todays_metadata_is_recognised_not_migrated_twice(engine):
    db.metadata.create_all(engine)  # as some tools and tests do
    head = migrations.head_revision()
    assert migrations.current_revision(engine) == head
    assert migrations.upgrade(engine) == (head, head)
    assert write(engine, [article("https://a.example/1", STORIES[0])]) == [("inserted", None)]


def test_seen_times_only_widen_and_the_latest_text_wins_whatever_the_load_order(engine):
    """A spool loaded late holds older sightings: ``last_seen_at`` never moves backwards (nor below
    ``first_seen_at``), and an older text never replaces a newer one."""
    from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

    migrations.upgrade(engine)
    url = "https://ee.ofweek.com/2026-02/ART-8110-2800-30679015.html"
    texts = [STORIES[0], STORIES[0] + "\n\n（本文已更新）", STORIES[0] + "\n\n（再次更新）"]
    sightings = st.lists(st.tuples(st.integers(0, 10_000), st.sampled_from(texts)), min_size=1, max_size=6,
                         unique_by=lambda s: s[0])

    @hsettings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(sightings, st.randoms(use_true_random=False))
    def loads(seen, random):
        with engine.begin() as connection:
            for table in (db.lsh_bands, db.article_versions, db.articles):
                connection.execute(table.delete())
        order = list(seen)
        random.shuffle(order)
        for minutes, text in order:
            write(engine, [article(url, text)], T0 + timedelta(minutes=minutes))
        [(first, last, body)] = rows_of(engine, db.articles, "first_seen_at", "last_seen_at", "body_text")
        times = [T0 + timedelta(minutes=m) for m, _ in seen]
        assert (first, last) == (min(times), max(times))
        assert body == max(seen)[1]  # the text of the latest sighting

    loads()


def test_alembics_own_command_line_migrates_the_database_the_project_settings_name(tmp_path):
    """`alembic upgrade head` (an alembic.ini naming the package's scripts and no URL) reads the project's
    NEWSCRAWL_DATABASE_URL as `scrapy migrate` does, not a default of its own."""
    import os
    import subprocess
    import sys

    ini = tmp_path / "alembic.ini"
    ini.write_text(f"[alembic]\nscript_location = {Path(migrations.__file__).parent}\n")
    database = tmp_path / "named.db"
    root = Path(migrations.__file__).parents[2]
    env = {**os.environ, "NEWSCRAWL_DATABASE_URL": f"sqlite:///{database}", "PYTHONPATH": str(root)}
    done = subprocess.run([sys.executable, "-m", "alembic", "-c", str(ini), "upgrade", "head"], cwd=tmp_path, env=env,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert not (tmp_path / "newscrawl.db").exists()
    with sa.create_engine(f"sqlite:///{database}").connect() as connection:
        assert migrations.stored_revision(connection) == migrations.HEAD
