"""Near-duplicate lookup stays bounded when many stored articles are similar: a cap per LSH bucket and portal."""

import json
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from test_store_db import T0, article, write

from newscrawl import db, migrations, neardup

STORIES = json.loads((Path(__file__).parent / "fixtures" / "neardup" / "stories.json").read_text("utf-8"))


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'store.db'}"
    else:
        url = request.getfixturevalue("make_postgres_database")("newscrawl_bounded")
    engine = db.create_engine(url)
    migrations.upgrade(engine)
    yield engine
    engine.dispose()


def notices(count: int, portal: str, start: int = 0):
    """Template notices: one story's text with a different closing line each, near-identical to one another."""
    body = STORIES[0]["body"]
    return [article(f"https://{portal}.example/notice-{i}", f"{body}本期编号{i}，详情见公告第{i}号。", portal=portal)
            for i in range(start, start + count)]


def bucket_sizes(engine, portal: str) -> list[int]:
    query = (
        sa.select(sa.func.count())
        .select_from(db.lsh_bands.join(db.articles, db.articles.c.id == db.lsh_bands.c.article_id))
        .where(db.articles.c.portal == portal)
        .group_by(db.lsh_bands.c.band, db.lsh_bands.c.key)
    )
    with engine.connect() as connection:
        return list(connection.execute(query).scalars())


def test_similar_articles_of_one_portal_fill_a_bucket_only_up_to_the_cap(engine):
    for batch in range(4):  # in one batch and across batches alike
        write(engine, notices(15, "ofweek", start=batch * 15), T0 + timedelta(minutes=batch))
    sizes = bucket_sizes(engine, "ofweek")
    assert max(sizes) == neardup.BUCKET_CAP  # the notices do share buckets, and no bucket holds more
    with engine.connect() as connection:
        stored = connection.execute(sa.select(sa.func.count()).select_from(db.articles)).scalar()
        others, own = db.band_candidates(connection, [neardup.signature(notices(1, "x", 99)[0]["body_text"])], "c114")
    assert stored == 60
    assert max(len(group) for group in others.values()) <= neardup.BUCKET_CAP
    assert own == {}  # c114 stores nothing yet


def test_a_copy_on_another_portal_still_points_to_the_earliest_after_the_buckets_filled(engine):
    write(engine, notices(40, "ofweek"))
    copy = notices(1, "c114", start=30)[0]  # a copy of an article stored after its buckets were full
    assert write(engine, [copy], T0 + timedelta(hours=1)) == [("inserted", "https://ofweek.example/notice-0")]
    with engine.connect() as connection:  # the same portal's own articles are never candidates
        others, own = db.band_candidates(connection, [neardup.signature(copy["body_text"])], "ofweek")
    assert {c["portal"] for group in others.values() for c in group} == {"c114"}
    assert max(own.values()) == neardup.BUCKET_CAP


def test_a_changed_article_is_indexed_again_within_the_cap(engine):
    write(engine, notices(10, "ofweek"))
    changed = article("https://ofweek.example/notice-3", STORIES[1]["body"], portal="ofweek")
    assert write(engine, [changed], T0 + timedelta(hours=1))[0][0] == "updated"
    copy = article("https://gasgoo.example/copy", STORIES[1]["body"] + "转载自维科网。", portal="gasgoo")
    assert write(engine, [copy], T0 + timedelta(hours=2)) == [("inserted", "https://ofweek.example/notice-3")]
    assert max(bucket_sizes(engine, "ofweek")) <= neardup.BUCKET_CAP
