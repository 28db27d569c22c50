"""SQLite's JSON columns hold UTF-8 text (LIKE '%人工智能%' and json_each work without Python); 0005 rewrites old rows."""

import json
import sqlite3
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import command

from newscrawl import db, migrations
from exportstore import EARLY, article

T0 = datetime(2026, 3, 1, tzinfo=timezone.utc)


def sqlite3_rows(path, query):
    with sqlite3.connect(path) as connection:  # plain sqlite3, as an analyst without Python's packages would
        return connection.execute(query).fetchall()


def test_lists_are_stored_as_utf8_and_sqlite3_finds_them(tmp_path):
    path = tmp_path / "news.db"
    engine = db.create_engine(f"sqlite:///{path}")
    migrations.upgrade(engine)
    db.write_rows(engine, [article(EARLY, "ofweek", "国产人工智能芯片出货量同比增长百分之六十。" * 4,
                                   categories=["人工智能"], tags=["芯片", "行\u2028分隔"])], seen_at=T0)
    with engine.connect() as connection:  # and SQLAlchemy reads back the same lists
        assert connection.execute(sa.select(db.articles.c.categories, db.articles.c.tags)).one() == (
            ["人工智能"], ["芯片", "行\u2028分隔"])
    engine.dispose()
    assert sqlite3_rows(path, "SELECT categories FROM articles") == [('["人工智能"]',)]
    assert sqlite3_rows(path, "SELECT count(*) FROM articles WHERE categories LIKE '%人工智能%'") == [(1,)]
    assert sqlite3_rows(path, "SELECT j.value FROM articles, json_each(articles.tags) j") == [("芯片",), ("行\u2028分隔",)]


def test_migration_0005_rewrites_escaped_rows_in_place(tmp_path):
    path = tmp_path / "old.db"
    url = f"sqlite:///{path}"
    old = db.create_engine(url, json_serializer=json.dumps)  # what newscrawl wrote before: ASCII escapes
    with old.begin() as connection:
        command.upgrade(migrations.alembic_config(connection), "0004")
    # rows as a newscrawl at 0004 stored them: only that revision's columns (db.write_rows writes today's)
    rows = [{**db.article_row(article(f"https://www.ofweek.com/ai/{n}.html", "ofweek", f"第{n}篇：人工智能芯片的新闻正文。" * 5,
                                      categories=["人工智能"], tags=[f"标签{n}"], images=[])),
             "first_seen_at": T0, "last_seen_at": T0, "updated_at": T0, "version": 1} for n in range(3)]
    with old.begin() as connection:
        connection.execute(db.articles.insert(), rows)
    old.dispose()
    assert sqlite3_rows(path, "SELECT count(*) FROM articles WHERE categories LIKE '%人工智能%'") == [(0,)]
    assert sqlite3_rows(path, "SELECT categories FROM articles LIMIT 1") == [('["\\u4eba\\u5de5\\u667a\\u80fd"]',)]

    engine = db.create_engine(url)
    assert migrations.upgrade(engine) == ("0004", migrations.HEAD)
    engine.dispose()
    assert sqlite3_rows(path, "SELECT count(*) FROM articles WHERE categories LIKE '%人工智能%'") == [(3,)]
    assert sqlite3_rows(path, "SELECT tags, images FROM articles ORDER BY id") == [
        ('["标签0"]', "[]"), ('["标签1"]', "[]"), ('["标签2"]', "[]")]
    assert not sqlite3_rows(path, "SELECT id FROM articles WHERE instr(categories || tags, '\\u') > 0")
