"""Structured data in a page: JSON-LD objects and their values, meta tag names by field."""

from __future__ import annotations

import json
import re

from newscrawl import processors as p

ARTICLE_TYPES = {
    "newsarticle", "article", "blogposting", "reportagenews", "analysisnewsarticle", "technews",
    "techarticle", "scholarlyarticle", "report", "liveblogposting", "opinionnewsarticle", "backgroundnewsarticle",
}
DATE_META = (
    "article:published_time", "og:article:published_time", "article:published", "og:published_time",
    "og:release_date", "bytedance:published_time", "pubdate", "publishdate", "publish_date", "publish-date",
    "publication_date", "datepublished", "dc.date.issued", "dc.date", "dcterms.date", "dcterms.created",
    "sailthru.date", "parsely-pub-date", "article.published", "weibo:article:create_at", "date", "firstpublishedtime",
    "publishtime", "publish_time", "pubtime", "article_date_original", "dc.date.created", "releasedate", "og:time",
)
AUTHOR_META = ("author", "article:author", "dc.creator", "byl", "sailthru.author", "parsely-author")
SUMMARY_META = ("description", "og:description", "twitter:description", "dc.description")
IMAGE_META = ("og:image", "og:image:url", "og:image:secure_url", "twitter:image", "twitter:image:src")
TITLE_META = ("og:title", "twitter:title", "dc.title")
KEYWORD_META = ("keywords", "news_keywords", "article:tag", "og:article:tag")
SECTION_META = ("article:section", "og:article:section")


def loads_lenient(raw: str):
    """JSON-LD as found in the wild: CDATA wrappers, comments, control characters, trailing commas."""
    text = (raw or "").strip()
    text = re.sub(r"^\s*(?://\s*)?<!\[CDATA\[|(?://\s*)?\]\]>\s*$", "", text).strip()
    text = re.sub(r"^<!--|-->$", "", text).strip()
    for attempt in (text, re.sub(r",\s*([}\]])", r"\1", text)):
        try:
            return json.loads(attempt, strict=False)
        except ValueError:
            continue
    return None


def ld_types(node: dict) -> set[str]:
    value = node.get("@type")
    values = value if isinstance(value, list) else [value]
    return {str(v).rsplit("/", 1)[-1].lower() for v in values if v}


def ld_text(value) -> str | None:
    if isinstance(value, list):
        value = next((v for v in value if v), None)
    if isinstance(value, dict):
        value = value.get("@value") or value.get("name")
    return str(value) if isinstance(value, (str, int, float)) and str(value).strip() else None


def ld_name(value) -> str | None:
    if isinstance(value, list):
        value = next((v for v in value if v), None)
    if isinstance(value, dict):
        return p.clean_text(ld_text(value.get("name")))
    return p.clean_text(value) if isinstance(value, str) else None


def ld_names(value) -> list[str]:
    values = value if isinstance(value, list) else [value]
    names = []
    for item in values:
        name = ld_name(item)
        if name and not name.startswith(("http://", "https://")):
            names.append(name)
    return p.unique(names)


def ld_url(value) -> str | None:
    if isinstance(value, list):
        value = next((v for v in value if v), None)
    if isinstance(value, dict):
        value = value.get("url") or value.get("@id") or value.get("contentUrl")
        if isinstance(value, list):
            value = value[0] if value else None
    return value if isinstance(value, str) else None


def to_int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0
