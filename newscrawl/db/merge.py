"""Better data wins: which fields of a stored article a new crawl of its URL replaces."""

from __future__ import annotations


# Which row wins when a URL is stored already (docs/SCHEMA.md, "Better data wins"): the spiders that read
# any site from the generic extractor rank below the portal spiders, whose selectors know the page.
GENERIC_SPIDERS = ("article", "feed", "sitemap")
METADATA_FIELDS = ("portal", "site", "categories", "tags", "author", "source", "headimg", "summary")
TEXT_FIELDS = ("title", "published_at", "published_at_local", "language", "body_html", "body_text", "images",
               "content_hash", "crawled_at")


def source_rank(portal: str | None) -> int:
    return 0 if portal in GENERIC_SPIDERS else 1


def is_empty(value) -> bool:
    return value is None or value == "" or value == []


def better_row(old: dict, new: dict) -> dict:
    """The article row to keep when ``new`` is crawled for a URL stored as ``old``, field by field.

    A lower-ranked source (a generic spider re-reading a portal's article) only fills the stored row's
    empty fields. Otherwise the new crawl wins, except that no field is lost to an empty value, and with
    the same text from the same rank the stored title and date stay (relative dates would churn).
    """
    merged = dict(new)
    old = {**old, "published_at": old.get("published_at_local") or old.get("published_at")}
    if source_rank(new.get("portal")) < source_rank(old.get("portal")):
        for name in METADATA_FIELDS + TEXT_FIELDS:
            if name in old and not is_empty(old[name]):
                merged[name] = old[name]
        return merged
    for name in METADATA_FIELDS + ("title", "published_at", "published_at_local", "language"):
        if is_empty(new.get(name)) and name in old and not is_empty(old[name]):
            merged[name] = old[name]
    # (A re-extraction reads the very page again: a different title or date there comes from fixed code.)
    if (old.get("content_hash") == new.get("content_hash") and source_rank(new.get("portal")) == source_rank(old.get("portal"))
            and new.get("version_reason") != "reextract"):
        for name in ("title", "published_at", "published_at_local"):
            if name in old and not is_empty(old[name]):
                merged[name] = old[name]
    return merged


def improves(old: dict, merged: dict) -> list[str]:
    """The fields other than the text that ``merged`` changes in the stored row."""
    fields = METADATA_FIELDS + ("title", "published_at_local", "language")
    return [name for name in fields if name in old and merged.get(name) != old[name]]


# What a version is compared on (the text, and every field a reader sees): `scrapy reextract` reports these.
COMPARED_FIELDS = ("title", "published_at_local", "author", "source", "site", "categories", "tags", "headimg",
                   "summary", "images", "body_html", "body_text", "language")


def changed_fields(old: dict, merged: dict) -> list[str]:
    """The fields whose value ``merged`` changes in the stored row (an empty value and a missing one are alike)."""
    return [name for name in COMPARED_FIELDS if name in old
            and not (is_empty(old[name]) and is_empty(merged.get(name))) and merged.get(name) != old[name]]
