"""The one definition of the exported columns: it drives every format, docs/article.schema.json and docs/ANALYTICS.md."""

from __future__ import annotations

import json
from dataclasses import dataclass

from newscrawl.items import ARTICLE_FIELDS

# Changes when a column changes meaning or goes away (2: portal is the article's portal, spider and
# published_date added).
SCHEMA_VERSION = 2

# kind -> (JSON Schema, Arrow type name, DuckDB type)
KINDS = {
    "int": ({"type": "integer"}, "int32", "INTEGER"),
    "text": ({"type": "string"}, "string", "VARCHAR"),
    "url": ({"$ref": "#/$defs/url"}, "string", "VARCHAR"),
    "hash": ({"type": "string", "pattern": "^[0-9a-f]{64}$"}, "string", "VARCHAR"),
    "time": ({"$ref": "#/$defs/time"}, "timestamp", "TIMESTAMPTZ"),
    "date": ({"type": "string", "format": "date", "pattern": "^\\d{4}-\\d{2}-\\d{2}$"}, "date32", "DATE"),
    "terms": ({"$ref": "#/$defs/terms"}, "list<string>", "VARCHAR[]"),
    "urls": ({"type": "array", "items": {"$ref": "#/$defs/url"}}, "list<string>", "VARCHAR[]"),
}


@dataclass(frozen=True)
class Column:
    name: str
    kind: str
    nullable: bool
    description: str
    body: bool = False  # a body column: Parquet keeps them in a table of their own
    extra: tuple = ()  # more JSON Schema keywords, as (key, value) pairs

    def json_schema(self) -> dict:
        schema = dict(KINDS[self.kind][0])
        schema.update(self.extra)
        if self.nullable:
            schema = {"oneOf": [schema, {"type": "null"}]} if "$ref" in schema or "pattern" in schema else {
                **schema, "type": [schema["type"], "null"]}
        return {**schema, "description": self.description} if self.description else schema

    @property
    def duckdb_type(self) -> str:
        return KINDS[self.kind][2] + ("" if self.nullable else " NOT NULL")


def _c(name, kind, nullable, description="", **options) -> Column:
    return Column(name, kind, nullable, description, **options)


ARTICLE_COLUMNS = (
    _c("schema_version", "int", False, "changes when a column changes meaning or goes away",
       extra=(("const", SCHEMA_VERSION),)),
    _c("url", "url", False, "canonical URL of the article's first page (w3lib canonical form, the portal's desktop URL)"),
    _c("portal", "text", False, "the portal the article belongs to: a known portal's spider name when the URL is on "
       "one of its domains (also when a generic spider fetched it), else the spider's name", extra=(("minLength", 1),)),
    _c("spider", "text", False, "the spider that fetched the stored version (article, feed and sitemap are the "
       "generic spiders)", extra=(("minLength", 1),)),
    _c("site", "text", True, "human name of the site or channel"),
    _c("title", "text", False, "", extra=(("minLength", 1),)),
    _c("published_at", "time", True, "publication time, ISO 8601 with the portal's own UTC offset (an instant "
       "in UTC in Parquet and DuckDB); null when the page gave no date"),
    _c("published_date", "date", True, "the publication day on the portal's own calendar (Beijing time for the "
       "Chinese portals); null when the page gave no date"),
    _c("author", "text", True),
    _c("source", "text", True, "来源: where the portal took the story from"),
    _c("categories", "terms", False),
    _c("tags", "terms", False),
    _c("headimg", "url", True),
    _c("images", "urls", False),
    _c("summary", "text", True),
    _c("body_html", "text", True, "sanitised HTML", body=True),
    _c("body_text", "text", True, body=True),
    _c("language", "text", True),
    _c("crawled_at", "time", True, "when the stored version was fetched, UTC"),
    _c("content_hash", "hash", True, "sha256 of the normalised body text"),
    _c("first_seen_at", "time", False, "database: when the article was first stored, UTC"),
    _c("last_seen_at", "time", False, "database: when a crawl last fetched it, UTC"),
    _c("updated_at", "time", False, "database: when its stored content last changed, UTC (what --changed-since "
       "and cursors follow)"),
    _c("version", "int", False, "database: 1, then +1 each time the text changed", extra=(("minimum", 1),)),
    _c("near_duplicate_of", "url", True, "database: URL of the earliest stored article on another portal with "
       "near-identical text"),
)

# One row of article_versions: an earlier text of an edited article.
VERSION_COLUMNS = (
    ARTICLE_COLUMNS[0],
    _c("article_url", "url", False, "the article's URL today (articles.url)"),
    *(c for c in ARTICLE_COLUMNS if c.name in (
        "url", "portal", "spider", "title", "published_at", "published_date", "author", "source", "categories", "tags",
        "headimg", "images", "summary", "body_html", "body_text", "crawled_at", "content_hash", "version")),
    _c("valid_from", "time", True, "when this version was stored"),
    _c("replaced_at", "time", False, "when a newer version replaced it"),
)

CRAWL_RUN_COLUMNS = (
    _c("id", "int", False), _c("spider", "text", False), _c("started_at", "time", False),
    _c("finished_at", "time", True), _c("finish_reason", "text", True), _c("exit_code", "int", True),
    _c("hostname", "text", True), _c("pid", "int", True), _c("arguments", "text", True, "JSON"),
    _c("items_scraped", "int", True), _c("items_dropped", "int", True), _c("items_stored", "int", True),
    _c("items_spooled", "int", True), _c("requests_skipped", "int", True), _c("errors", "int", True),
    _c("stats", "text", True, "JSON"),
)

ARTICLE_NAMES = tuple(c.name for c in ARTICLE_COLUMNS)
BODY_NAMES = tuple(c.name for c in ARTICLE_COLUMNS if c.body)

_DEFS = {
    "url": {"type": "string", "pattern": "^https?://[^\\s/?#]+[^\\s]*$"},
    "time": {"type": "string", "pattern": "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:\\d{2})$"},
    "terms": {"type": "array", "items": {"type": "string", "minLength": 1}},
}


def json_schema(columns=ARTICLE_COLUMNS, title: str | None = None, description: str | None = None,
                schema_id: str = "article.schema.json") -> dict:
    """The JSON Schema of a record made of ``columns`` (draft 2020-12)."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://github.com/newscrawl/newscrawl/docs/{schema_id}",
        "title": title or f"newscrawl exported article (scrapy export), schema_version {SCHEMA_VERSION}",
        "description": description or (
            "One exported article (JSON Lines record, CSV row, Parquet/DuckDB row): docs/ANALYTICS.md. Generated from "
            "newscrawl/export/columns.py by `python -m newscrawl.export.columns`."),
        "type": "object",
        "additionalProperties": False,
        "required": [c.name for c in columns],
        "$defs": _DEFS,
        "properties": {c.name: c.json_schema() for c in columns},
    }


def item_schema() -> dict:
    """The crawl's own feed (`scrapy crawl … -O x.jsonl`): the Article item, a smaller record than the export's."""
    by_name = {c.name: c for c in ARTICLE_COLUMNS}
    columns = [by_name[name] if name != "portal" else _c("portal", "text", False, "the spider's name",
                                                         extra=(("minLength", 1),)) for name in ARTICLE_FIELDS]
    return json_schema(columns, title="newscrawl Article item (the crawl's -O feed)", schema_id="item.schema.json",
                       description="One record of a crawl's own feed (`scrapy crawl NAME -O x.jsonl`): the Article "
                       "item of docs/SCHEMA.md, without the database's columns. `scrapy export` records follow "
                       "article.schema.json. Generated by `python -m newscrawl.export.columns`.")


def schema_files() -> dict[str, str]:
    """docs/ file name -> its text, as `python -m newscrawl.export.columns` writes them."""
    def text(schema):
        return json.dumps(schema, ensure_ascii=False, indent=2) + "\n"

    return {"article.schema.json": text(json_schema()), "item.schema.json": text(item_schema())}


def markdown_table(columns=ARTICLE_COLUMNS) -> str:
    """The columns as a docs/ANALYTICS.md table."""
    lines = ["| column | JSON | Arrow / Parquet | DuckDB | null | meaning |", "|---|---|---|---|---|---|"]
    for c in columns:
        arrow = KINDS[c.kind][1] + ("[us, UTC]" if c.kind == "time" else "")
        json_kind = {"int": "integer", "terms": "array of strings", "urls": "array of URLs", "date": "YYYY-MM-DD",
                     "time": "ISO 8601 text"}.get(c.kind, "string")
        lines.append(f"| `{c.name}` | {json_kind} | {arrow} | {KINDS[c.kind][2]} | {'yes' if c.nullable else 'no'} | "
                     f"{c.description} |")
    return "\n".join(lines)


if __name__ == "__main__":
    from pathlib import Path

    docs = Path(__file__).resolve().parents[2] / "docs"
    for name, content in schema_files().items():
        (docs / name).write_text(content, encoding="utf-8")
        print(f"wrote docs/{name}")
