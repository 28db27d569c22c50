"""The Article item: the one schema every spider produces (docs/SCHEMA.md)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields


@dataclass
class Article:
    url: str | None = None  # canonical absolute URL of the article's first page
    portal: str | None = None  # spider name, e.g. "ofweek"
    site: str | None = None  # human name of the site/channel, e.g. "OFweek云计算网"
    title: str | None = None
    published_at: str | None = None  # ISO 8601 with the portal's UTC offset
    author: str | None = None
    source: str | None = None  # 来源: where the portal took the story from
    categories: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    headimg: str | None = None  # lead image: first content image, else og:image, else None
    images: list[str] = field(default_factory=list)
    summary: str | None = None
    body_html: str | None = None  # sanitized
    body_text: str | None = None
    language: str | None = None
    crawled_at: str | None = None  # ISO 8601, UTC
    content_hash: str | None = None  # sha256 of normalised body_text


ARTICLE_FIELDS = tuple(f.name for f in fields(Article))
LIST_FIELDS = ("categories", "tags", "images")
