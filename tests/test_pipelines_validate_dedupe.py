import pytest
from scrapy.utils.test import get_crawler
from scrapy.utils.misc import build_from_crawler

from newscrawl.items import Article
from newscrawl.pipelines.dedupe import DedupePipeline, DuplicateContent, DuplicateUrl
from newscrawl.pipelines.validate import (
    MissingBodyText,
    MissingTitle,
    MissingUrl,
    ValidatePipeline,
)


def article(**overrides):
    values = dict(
        url="https://cloud.ofweek.com/2022-08/ART-178801-8420-30570417.html",
        portal="ofweek",
        title="标题",
        published_at="2022-08-10T14:20:00+08:00",
        body_text="正文",
        content_hash="h1",
    )
    values.update(overrides)
    return Article(**values)


@pytest.fixture
def crawler():
    return get_crawler()


@pytest.mark.parametrize(
    "field, reason",
    [("url", MissingUrl), ("title", MissingTitle), ("body_text", MissingBodyText)],
)
def test_validate_drops_each_missing_required_field(crawler, field, reason):
    pipeline = build_from_crawler(ValidatePipeline, crawler)
    with pytest.raises(reason):
        pipeline.process_item(article(**{field: None}))
    with pytest.raises(reason):
        pipeline.process_item(article(**{field: ""}))


@pytest.mark.parametrize("empty", [None, ""])
def test_validate_keeps_an_article_without_a_date_and_counts_it(crawler, empty):
    pipeline = build_from_crawler(ValidatePipeline, crawler)
    item = article(published_at=empty)
    assert pipeline.process_item(item) is item
    stats = crawler.stats.get_stats()
    assert stats["newscrawl/field/published_at/missing"] == 1
    assert not any(key.startswith("item_dropped") for key in stats)


def test_validate_counts_missing_fields(crawler):
    pipeline = build_from_crawler(ValidatePipeline, crawler)
    item = article()
    assert pipeline.process_item(item) is item
    stats = crawler.stats.get_stats()
    assert stats["newscrawl/field/author/missing"] == 1
    assert stats["newscrawl/field/tags/missing"] == 1
    assert "newscrawl/field/title/missing" not in stats


def test_dedupe_same_url_and_same_text(crawler):
    pipeline = build_from_crawler(DedupePipeline, crawler)
    pipeline.process_item(article())
    with pytest.raises(DuplicateUrl):
        pipeline.process_item(article(content_hash="other"))
    with pytest.raises(DuplicateContent):
        pipeline.process_item(article(url="https://cloud.ofweek.com/2022-08/ART-1-2-30570418.html"))
    fresh = article(url="https://cloud.ofweek.com/2022-08/ART-1-2-30570419.html", content_hash="h2")
    assert pipeline.process_item(fresh) is fresh
