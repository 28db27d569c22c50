"""One article, one URL: w3lib canonical form (percent-escapes, query order), and `scrapy dedupe-urls` for old rows."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import quote

import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from newscrawl import db, migrations
from newscrawl import processors as p

ROOT = Path(__file__).resolve().parents[1]
T0 = datetime(2026, 3, 1, 8, 0, tzinfo=timezone.utc)

SEGMENTS = st.text(alphabet="华为芯片abcXYZ019-_.~", min_size=1, max_size=8)
PARAMS = st.lists(st.tuples(st.sampled_from(["id", "page", "q", "类"]), st.text(alphabet="华a1 ", max_size=4)),
                  max_size=3, unique_by=lambda kv: kv[0])


def spellings(path: str, params: list[tuple[str, str]]) -> list[str]:
    """The same URL written by different sites and feeds: raw, %xx lower, %XX upper, query in any order."""
    def query(pairs, case):
        encoded = [f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in pairs]
        return "&".join(case(e) for e in encoded)
    def lower(s):  # the escapes' hex digits lower-cased, the rest as is
        return re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), s)

    raw_query = "&".join(f"{k}={v.replace(' ', '+')}" for k, v in params)
    upper = quote(path, safe="/")
    return [
        f"https://www.example.cn/{path}?{raw_query}#top",
        f"https://WWW.Example.cn/{lower(upper)}?{query(params, str)}&utm_source=wechat",
        f"https://www.example.cn:443/{upper}?{query(list(reversed(params)), str)}",
        f"https://www.example.cn/{upper}?{query(params, lambda s: lower(s))}&spm=a.b",
    ]


@given(segment=SEGMENTS, params=PARAMS)
def test_every_spelling_of_one_url_is_one_canonical_url(segment, params):
    forms = {p.canonical_url(url) for url in spellings(f"news/{segment}.html", params)}
    assert len(forms) == 1, forms
    [canonical] = forms
    assert canonical.isascii() and "#" not in canonical and "utm_" not in canonical and ":443" not in canonical
    assert p.canonical_url(canonical) == canonical  # idempotent


def test_the_issues_three_spellings():
    assert (p.canonical_url("https://x.cn/%e5%8d%8e.html?b=2&a=1")
            == p.canonical_url("https://x.cn/%E5%8D%8E.html?a=1&b=2")
            == p.canonical_url("https://x.cn/华.html?a=1&b=2")
            == "https://x.cn/%E5%8D%8E.html?a=1&b=2")


def article(url, portal, text, **fields):
    item = {"url": url, "portal": portal, "site": "站", "title": "标题", "published_at": "2026-02-28T14:20:00+08:00",
            "categories": [], "tags": [], "images": [], "body_html": f"<p>{text}</p>", "body_text": text,
            "language": "zh", "crawled_at": "2026-03-01T08:00:00+00:00", "content_hash": p.content_hash(text)}
    item.update(fields)
    return db.article_row(item)


def test_dedupe_urls_merges_rows_stored_under_old_spellings(tmp_path):
    url = f"sqlite:///{tmp_path / 'news.db'}"
    engine = db.create_engine(url)
    migrations.upgrade(engine)
    with engine.begin() as connection:  # rows as an older newscrawl stored them: one spelling each
        db.write_batch(connection, [
            article("https://x.cn/%e5%8d%8e.html?b=2&a=1", "article", "第一种写法的正文。" * 10, tags=["芯片"]),
            article("https://x.cn/华.html?a=1&b=2", "feed", "第二种写法的正文。" * 10, author="记者"),
            article("https://x.cn/only.html?b=1&a=2", "article", "只需改写的正文。" * 10),
            article("https://www.ithome.com/0/866/660.htm", "article", "通用抽取的正文。" * 10),
            article("https://m.ithome.com/html/866660.htm", "ithome", "门户抽取的正文。" * 10, categories=["智车之家"]),
        ], T0)
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSCRAWL_")} | {"NEWSCRAWL_DATABASE_URL": url}
    dry = subprocess.run([sys.executable, "-m", "scrapy", "dedupe-urls", "--dry-run"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=120)
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.splitlines()[-1] == "scrapy dedupe-urls: would rewrite 1 URL(s), would merge 2 duplicate row(s) into 2"
    result = subprocess.run([sys.executable, "-m", "scrapy", "dedupe-urls"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "scrapy dedupe-urls: rewrote 1 URL(s), merged 2 duplicate row(s) into 2"
    with engine.connect() as connection:
        rows = {r.url: r for r in connection.execute(sa.select(db.articles)).all()}
        assert sorted(rows) == ["https://www.ithome.com/0/866/660.htm", "https://x.cn/%E5%8D%8E.html?a=1&b=2",
                                "https://x.cn/only.html?a=2&b=1"]
        merged = rows["https://x.cn/%E5%8D%8E.html?a=1&b=2"]
        assert (merged.portal, merged.tags, merged.author) == ("article", ["芯片"], "记者")  # first stored, gaps filled
        portal = rows["https://www.ithome.com/0/866/660.htm"]
        assert (portal.portal, portal.categories) == ("ithome", ["智车之家"])
        # every old spelling is still known to incremental crawls
        assert db.known_urls(connection, ["https://x.cn/华.html?a=1&b=2", "https://m.ithome.com/html/866660.htm",
                                          "https://x.cn/only.html?b=1&a=2"]) == {
            "https://x.cn/华.html?a=1&b=2", "https://m.ithome.com/html/866660.htm", "https://x.cn/only.html?b=1&a=2"}
    again = subprocess.run([sys.executable, "-m", "scrapy", "dedupe-urls"], cwd=ROOT, env=env,
                           capture_output=True, text=True, timeout=120)
    assert again.stdout.splitlines()[-1] == "scrapy dedupe-urls: rewrote 0 URL(s), merged 0 duplicate row(s) into 0"
    engine.dispose()
