"""A store with every field kind for the export tests, written through the store's own write path."""

from datetime import datetime, timezone

from newscrawl import db, migrations, processors

EARLY = "https://www.ofweek.com/ai/2026-03/ART-201700-8100-30600001.html"  # 07:30 in Beijing: the UTC day before
BARE = "https://www.ofweek.com/ai/2026-03/ART-201700-8100-30600002.html"  # nulls and empty lists
GENERIC = "https://www.ithome.com/0/900/123.htm"  # an IT之家 page fetched by the generic `article` spider
COPY = "https://www.c114.com.cn/news/16/a1300001.html"  # the same story syndicated: a near-duplicate
STORY = ("据悉，国产人工智能芯片出货量在二〇二六年第一季度同比增长百分之六十，"
         "多家厂商表示，大模型推理需求是主要推动力，\"算力缺口\"仍在扩大。") * 3


def article(url, portal, text, **fields):
    base = {"url": url, "portal": portal, "site": None, "title": f"标题 {url[-14:]}", "published_at": None,
            "author": None, "source": None, "categories": [], "tags": [], "headimg": None, "images": [],
            "summary": None, "body_html": f"<p>{text}</p>", "body_text": text, "language": "zh",
            "crawled_at": "2026-03-02T01:00:00+00:00", "content_hash": processors.content_hash(text)}
    return db.article_row({**base, **fields})


def at(day, hour=0):
    return datetime(2026, 3, day, hour, tzinfo=timezone.utc)


def fill(url: str) -> None:
    """Every field kind, through the store's own write path: CJK, nulls, empty lists, U+2028, quotes and
    newlines, an edit (version 2), a near-duplicate on another portal, a generic spider's fetch of a portal page."""
    engine = db.create_engine(url)
    migrations.upgrade(engine)
    try:
        db.write_rows(engine, [
            article(EARLY, "ofweek", STORY, site="OFweek人工智能网", published_at="2026-03-02T07:30:00+08:00",
                    author="陈逸辰", source="维科网", categories=["人工智能"], tags=["芯片", "AI"],
                    headimg="https://img.ofweek.com/a.png", images=["https://img.ofweek.com/a.png"],
                    summary="第一行\u2028第二行, \"引号\"\n换行"),
            article(BARE, "ofweek", "只有正文的一篇短稿：没有日期、作者和标签。" * 4),
            article(GENERIC, "article", "IT之家 3 月 2 日消息，某厂商发布新款路由器，支持 Wi-Fi 7。" * 3,
                    published_at="2026-03-02T10:00:00+08:00", site="IT之家"),
        ], seen_at=at(1, 12))
        db.write_rows(engine, [article(COPY, "c114", STORY, published_at="2026-03-02T09:00:00+08:00")], seen_at=at(2))
        edited = STORY.replace("百分之六十", "百分之六十五")
        db.write_rows(engine, [article(EARLY, "ofweek", edited, published_at="2026-03-02T07:30:00+08:00",
                                       categories=["人工智能"], tags=["芯片", "AI"], site="OFweek人工智能网")],
                      seen_at=at(3))
    finally:
        engine.dispose()
