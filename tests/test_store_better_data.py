"""Better data wins in the store: a portal spider's fields replace a generic spider's, and nothing is lost to empty."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from newscrawl import db, migrations, processors

ROOT = Path(__file__).resolve().parents[1]
ITHOME_MIRROR = ROOT / "tests" / "fixtures" / "ithome" / "mirror"
ITHOME_URL = "https://www.ithome.com/0/866/660.htm"
T0 = datetime(2026, 3, 1, 8, 0, tzinfo=timezone.utc)


def crawl(tmp_path, spider, *args):
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSCRAWL_")}
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", spider, *args, "-s", f"NEWSCRAWL_MIRROR={ITHOME_MIRROR}",
         "-s", f"NEWSCRAWL_DATABASE_URL=sqlite:///{tmp_path / 'news.db'}", "-s", "DOWNLOAD_DELAY=0",
         "-s", "ROBOTSTXT_OBEY=0", "-s", "LOG_LEVEL=INFO", "-O", str(tmp_path / f"{spider}.jsonl")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=240,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stderr


def stored(tmp_path):
    with sqlite3.connect(tmp_path / "news.db") as connection:
        connection.row_factory = sqlite3.Row
        return [dict(r) for r in connection.execute("SELECT portal, site, categories, tags, author, version FROM articles")]


def test_ithome_article_first_stored_by_the_generic_spider_ends_with_portal_and_categories(tmp_path):
    """The issue's case: same text, so the row used to stay `article` with no categories."""
    crawl(tmp_path, "article", "-a", f"urls={ITHOME_URL}")
    [first] = stored(tmp_path)
    assert first["portal"] == "article" and json.loads(first["categories"]) == []
    log = crawl(tmp_path, "ithome", "-a", f"start_urls={ITHOME_URL}")
    assert "'newscrawl/store/improved': 1" in log
    [row] = stored(tmp_path)
    assert row["portal"] == "ithome" and json.loads(row["categories"]) == ["智车之家", "汽车新闻"]
    assert row["version"] == 1  # the text did not change: no new version
    # the JSON Lines of the run and the database agree
    [item] = [json.loads(line) for line in (tmp_path / "ithome.jsonl").read_text("utf-8").splitlines()]
    assert item["portal"] == row["portal"] and item["categories"] == json.loads(row["categories"])
    # a later generic crawl of the same page does not take it back
    log = crawl(tmp_path, "article", "-a", f"urls={ITHOME_URL}")
    assert "'newscrawl/store/unchanged': 1" in log
    assert stored(tmp_path) == [row]


# ------------------------------------------------------------------ the rule, field by field, on both engines

@pytest.fixture(scope="module")
def postgres_url(make_postgres_database):
    return make_postgres_database()


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    url = f"sqlite:///{tmp_path / 'store.db'}" if request.param == "sqlite" else request.getfixturevalue("postgres_url")
    engine = db.create_engine(url)
    if request.param == "postgresql":
        with engine.begin() as connection:
            connection.execute(sa.text("DROP SCHEMA public CASCADE"))
            connection.execute(sa.text("CREATE SCHEMA public"))
    migrations.upgrade(engine)
    yield engine
    engine.dispose()


def row(portal, text="正文第一段。" * 20, **fields):
    item = {"url": "https://www.ithome.com/0/866/660.htm", "portal": portal, "site": "IT之家", "title": "标题",
            "published_at": "2025-07-08T20:15:00+08:00", "categories": [], "tags": [], "images": [],
            "author": None, "source": None, "headimg": None, "summary": None,
            "body_html": f"<p>{text}</p>", "body_text": text, "language": "zh",
            "crawled_at": "2026-03-01T08:00:00+00:00", "content_hash": processors.content_hash(text)}
    item.update(fields)
    return db.article_row(item)


def write(engine, rows):
    with engine.begin() as connection:
        return db.write_batch(connection, rows, T0)


def the_row(engine):
    with engine.connect() as connection:
        [record] = connection.execute(sa.select(db.articles)).mappings().all()
    return dict(record)


def test_generic_text_never_replaces_the_portal_spiders(engine):
    """A generic spider's extraction differs (other text hash): the portal's row stays, its gaps are filled."""
    write(engine, [row("ithome", categories=["智车之家"], author="问舟")])
    outcome = write(engine, [row("feed", text="正文第一段加页脚。" * 20, categories=["汽车"], author="别人",
                                 headimg="https://img.ithome.com/a.jpg")])
    stored = the_row(engine)
    assert outcome == [("improved", "headimg")]
    assert (stored["portal"], stored["categories"], stored["author"]) == ("ithome", ["智车之家"], "问舟")
    assert stored["body_text"] == "正文第一段。" * 20 and stored["headimg"] == "https://img.ithome.com/a.jpg"
    assert stored["version"] == 1


def test_a_newer_portal_crawl_with_more_metadata_wins_and_empty_loses(engine):
    write(engine, [row("ithome", tags=["小米"], source="IT之家")])
    assert write(engine, [row("ithome", tags=["小米", "YU7"], source=None, author="问舟")]) == [("improved", "tags,author")]
    stored = the_row(engine)
    assert stored["tags"] == ["小米", "YU7"] and stored["source"] == "IT之家" and stored["author"] == "问舟"
    assert write(engine, [row("ithome", tags=["小米", "YU7"], author="问舟")]) == [("unchanged", None)]


def test_changed_text_is_a_new_version_that_keeps_the_fields_it_lacks(engine):
    write(engine, [row("article", categories=[], author="问舟")])
    assert write(engine, [row("ithome", text="改写后的正文。" * 20, categories=["智车之家"])])[0][0] == "updated"
    stored = the_row(engine)
    assert (stored["portal"], stored["categories"], stored["author"], stored["version"]) == ("ithome", ["智车之家"], "问舟", 2)


def test_same_text_same_spider_keeps_its_date_and_title(engine):
    """A relative date (41分钟前) resolves a little differently each crawl: that is not new data."""
    write(engine, [row("laoyaoba", published_at="2026-07-23T14:00:00+08:00")])
    assert write(engine, [row("laoyaoba", published_at="2026-07-23T14:01:00+08:00")]) == [("unchanged", None)]
    assert the_row(engine)["published_at_local"] == "2026-07-23T14:00:00+08:00"


VALUES = st.one_of(st.none(), st.just(""), st.sampled_from(["甲", "乙"]))
LISTS = st.one_of(st.just([]), st.lists(st.sampled_from(["甲", "乙", "丙"]), min_size=1, max_size=2, unique=True))


@settings(max_examples=200, deadline=None)
@given(old_portal=st.sampled_from(["ithome", "article", "feed"]), new_portal=st.sampled_from(["ithome", "article", "sitemap"]),
       old=st.fixed_dictionaries({"author": VALUES, "source": VALUES, "headimg": VALUES, "summary": VALUES, "categories": LISTS, "tags": LISTS}),
       new=st.fixed_dictionaries({"author": VALUES, "source": VALUES, "headimg": VALUES, "summary": VALUES, "categories": LISTS, "tags": LISTS}),
       same_text=st.booleans())
def test_no_field_is_ever_lost_to_an_empty_one_and_the_portal_spider_wins(old_portal, new_portal, old, new, same_text):
    before = row(old_portal, **old)
    after = row(new_portal, **new) if same_text else row(new_portal, text="别的正文。" * 20, **new)
    merged = db.better_row(before, after)
    for name in old:
        if not db.is_empty(before[name]):
            assert not db.is_empty(merged[name]), name
        if db.source_rank(old_portal) > db.source_rank(new_portal) and not db.is_empty(before[name]):
            assert merged[name] == before[name], name
        if db.source_rank(new_portal) >= db.source_rank(old_portal) and not db.is_empty(after[name]):
            assert merged[name] == after[name], name
    winner = before if db.source_rank(old_portal) > db.source_rank(new_portal) else after
    assert merged["portal"] == winner["portal"] and merged["content_hash"] == winner["content_hash"]
