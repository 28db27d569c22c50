"""Reading the store for an export: which rows (filters, cursors), streamed in batches as typed records."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import numpy as np
import sqlalchemy as sa

from newscrawl import db
from newscrawl.db import GENERIC_SPIDERS  # the spiders that read any site
from newscrawl.export.columns import ARTICLE_NAMES, SCHEMA_VERSION, VERSION_COLUMNS
from newscrawl.items import LIST_FIELDS
from newscrawl.processors.dates import DEFAULT_TZ
from newscrawl.reader import article_filters, stored_columns

_DEFAULT_ZONE = ZoneInfo(DEFAULT_TZ)  # every portal's zone so far
BATCH = 1000  # rows per batch: the memory an export holds, whatever the store's size


def sequential(engine: sa.Engine) -> sa.Engine:
    """The engine for an export's one pass over the store: SQLite's page cache back to 8 MB (the crawl's
    64 MB serve its random index lookups; here it would only hold pages already read)."""
    if engine.dialect.name == "sqlite":
        @sa.event.listens_for(engine, "connect")
        def _small_cache(dbapi_connection, _record):
            dbapi_connection.execute("PRAGMA cache_size=-8000")

        engine.dispose()  # connections opened before (the table check) get it too
    return engine


def portal_domains(settings) -> dict[str, str]:
    """domain -> portal, from the allowed_domains of every portal spider (the generic spiders have none)."""
    from scrapy.spiderloader import get_spider_loader

    try:
        loader = get_spider_loader(settings)
        spiders = [loader.load(name) for name in loader.list()]
    except Exception:  # a broken spider must not stop an export
        return {}
    return {domain: spider.name for spider in spiders if spider.name not in GENERIC_SPIDERS
            for domain in (getattr(spider, "allowed_domains", None) or ())}


def portal_of(url: str, spider: str, domains: dict[str, str]) -> str:
    """The portal an article belongs to: a generic spider's fetch of a known portal's page counts under that portal."""
    if spider not in GENERIC_SPIDERS or not domains:
        return spider
    host = (urlsplit(url).hostname or "").lower()
    while host:
        if host in domains:
            return domains[host]
        host = host.partition(".")[2]
    return spider


class Changes:
    """A cursor's changes, as sorted arrays (32 bytes an article): the article ids, the first of their versions
    not exported yet, and their version and updated_at (µs) when the cursor scanned the store."""

    def __init__(self, ids, first, version, updated, everything: bool = False):
        self.ids, self.first, self.version, self.updated = ids, first, version, updated
        self.everything = everything  # every stored article: one query, not one per 500 ids

    def __len__(self) -> int:
        return len(self.ids)

    def find(self, article_id: int) -> int:
        """The index of ``article_id``, or -1."""
        i = int(np.searchsorted(self.ids, article_id))
        return i if i < len(self.ids) and self.ids[i] == article_id else -1

    def chunks(self, size: int = 500):
        for start in range(0, len(self.ids), size):
            yield self.ids[start : start + size].tolist()


@dataclass
class Selection:
    """What an export reads: the filters of the command line, and the change window of a cursor."""

    portals: list[str] = field(default_factory=list)
    since: date | None = None
    originals_only: bool = False
    changed_after: datetime | None = None  # updated_at strictly after
    changed: Changes | None = None  # a cursor's changes
    domains: dict[str, str] = field(default_factory=dict)


def _time(value):
    """A stored time as exported: aware, whole seconds."""
    return None if value is None else value.replace(microsecond=0)


def _published(local: str | None, utc: datetime | None):
    """(published_at with the portal's own offset, the portal-local day)."""
    if local:
        moment = datetime.fromisoformat(local)
        if moment.tzinfo is not None:
            return moment.replace(microsecond=0), moment.date()
    if utc is None:
        return None, None
    return _time(utc), utc.astimezone(_DEFAULT_ZONE).date()  # a row stored before published_at_local existed


def _list(value) -> list:
    if isinstance(value, str):  # a JSON text a driver did not decode
        value = json.loads(value)
    return list(value or [])


_TIMES = ("crawled_at", "first_seen_at", "last_seen_at", "updated_at")
_PLAIN = tuple(n for n in ARTICLE_NAMES if n not in LIST_FIELDS and n not in _TIMES)


def article_record(row: dict, domains: dict[str, str]) -> dict:
    """One stored row as the export's record: ARTICLE_NAMES in order, Python values (datetime, date, list)."""
    record = dict.fromkeys(ARTICLE_NAMES)
    for name in _PLAIN:
        record[name] = row.get(name)
    for name in LIST_FIELDS:
        record[name] = _list(row.get(name))
    for name in _TIMES:
        value = row.get(name)
        record[name] = None if value is None else value.replace(microsecond=0)
    record["published_at"], record["published_date"] = _published(row.get("published_at_local"), row["published_at"])
    spider = row["portal"]
    record.update(schema_version=SCHEMA_VERSION, spider=spider, portal=portal_of(row["url"], spider, domains))
    if record["version"] is None:
        record["version"] = 1
    return record


def identity_order(columns, domains: dict[str, str]):
    """SQL ordering rows by the portal they will be exported under (a generic spider's row by its URL's
    domain): Parquet's partitions then come one after the other, one file each."""
    generic = columns["portal"].in_(GENERIC_SPIDERS)
    cases = [(sa.and_(generic, sa.or_(columns["url"].like(f"%://{domain}/%"), columns["url"].like(f"%.{domain}/%"))),
              portal) for domain, portal in sorted(domains.items())]
    return sa.case(*cases, else_=columns["portal"]) if cases else columns["portal"]


def _portal_clause(columns, selection: Selection):
    """--portal in SQL: the portals' own rows, and the generic spiders' rows (sorted out by URL afterwards)."""
    if not selection.portals:
        return []
    return [columns["portal"].in_(list(selection.portals) + list(GENERIC_SPIDERS))]


def _wanted(record: dict, selection: Selection) -> bool:
    return not selection.portals or record["portal"] in selection.portals


def article_query(engine: sa.Engine, selection: Selection, order: str = "published", ids=None):
    """``order``: ``published`` (oldest first), ``portal`` (by portal, then oldest first: Parquet's partitions);
    ``ids``: only these rows."""
    columns = {c.name: c for c in stored_columns(engine, db.articles)}
    wanted = [columns[name] for name in (*ARTICLE_NAMES, "published_at_local", "id") if name in columns]
    where = article_filters(columns, [], selection.since) + _portal_clause(columns, selection)
    if selection.originals_only and "near_duplicate_of" in columns:
        where.append(columns["near_duplicate_of"].is_(None))
    if selection.changed_after is not None:
        where.append(columns["updated_at"] > selection.changed_after)
    if ids is not None:
        where.append(columns["id"].in_(ids))
    first = (identity_order(columns, selection.domains),) if order == "portal" else ()
    return sa.select(*wanted).where(*where).order_by(*first, columns["published_at"], columns["id"])


def micros(moment: datetime) -> int:
    """An aware time as integer microseconds since the epoch (what a cursor compares)."""
    return round(moment.timestamp() * 1_000_000)


def _stream(engine: sa.Engine, queries, record_of, selection: Selection, batch: int):
    """Lists of at most ``batch`` records of the rows ``queries`` select (None from ``record_of``: left out),
    streamed (a server-side cursor on PostgreSQL)."""
    with engine.connect() as connection:
        for query in queries:
            result = connection.execution_options(yield_per=batch).execute(query)
            keys = list(result.keys())
            for rows in result.partitions():
                records = []
                for row in rows:
                    record = record_of(dict(zip(keys, row)), selection.domains)
                    if record is not None and _wanted(record, selection):
                        records.append(record)
                if records:
                    yield records


def iter_article_batches(engine: sa.Engine, selection: Selection, batch: int = BATCH, stale: list | None = None,
                         order: str = "published"):
    """The selected articles as lists of records (``_stream``), oldest first or by portal (``order``).

    With a cursor's ``changed``, a row that changed again since the cursor's scan is left out and its id
    added to ``stale``: the cursor keeps it for its next export, so each change is exported exactly once.
    """
    changed = selection.changed
    if changed is None or changed.everything:
        queries = [article_query(engine, selection, order)]
    else:
        queries = (article_query(engine, selection, order, ids) for ids in changed.chunks())
    if changed is None:
        return _stream(engine, queries, article_record, selection, batch)

    def record_of(row, domains):
        i = changed.find(row["id"])
        if i < 0 or micros(row["updated_at"]) != changed.updated[i]:
            if stale is not None and i >= 0:
                stale.append(row["id"])
            return None
        return article_record(row, domains)

    return _stream(engine, queries, record_of, selection, batch)


def version_record(row, domains: dict[str, str]) -> dict:
    published_at, published_date = _published(row.get("published_at_local"), row.get("published_at"))
    record = {c.name: row.get(c.name) for c in VERSION_COLUMNS}
    for name in LIST_FIELDS:
        record[name] = _list(record[name])
    for name in ("crawled_at", "valid_from", "replaced_at"):
        record[name] = _time(record[name])
    record.update(schema_version=SCHEMA_VERSION, published_at=published_at, published_date=published_date,
                  spider=row["spider"], portal=portal_of(row["article_url"], row["spider"], domains))
    return record


def iter_version_batches(engine: sa.Engine, selection: Selection, batch: int = BATCH):
    """article_versions rows as records, oldest replacement first; with a cursor, those of its changed
    articles not exported yet."""
    if not sa.inspect(engine).has_table("article_versions"):
        return
    v, a = db.article_versions, db.articles
    names = [c.name for c in VERSION_COLUMNS if c.name in v.c and c.name not in ("portal", "spider")]
    query = (sa.select(*(v.c[n] for n in names), v.c.published_at_local, v.c.article_id,
                       a.c.url.label("article_url"), a.c.portal.label("spider"))
             .select_from(v.join(a, a.c.id == v.c.article_id)))
    if selection.portals:
        query = query.where(a.c.portal.in_(list(selection.portals) + list(GENERIC_SPIDERS)))
    if selection.changed_after is not None:
        query = query.where(v.c.replaced_at > selection.changed_after)
    query = query.order_by(v.c.replaced_at, v.c.article_id, v.c.version)
    changed = selection.changed
    if changed is None or changed.everything:
        queries = [query]
    else:
        queries = (query.where(v.c.article_id.in_(ids)) for ids in changed.chunks())

    def record_of(row, domains):
        if changed is not None:
            i = changed.find(row["article_id"])
            if i < 0 or not changed.first[i] <= row["version"] < changed.version[i]:
                return None  # exported with an earlier cursor step, or replaced since the cursor's scan
        return version_record(row, domains)

    yield from _stream(engine, queries, record_of, selection, batch)


def iter_crawl_runs(engine: sa.Engine):
    """Every crawl_runs row, JSON columns as JSON text."""
    if not sa.inspect(engine).has_table("crawl_runs"):
        return
    with engine.connect() as connection:
        for row in connection.execute(sa.select(db.crawl_runs).order_by(db.crawl_runs.c.id)).mappings():
            record = dict(row)
            for name in ("arguments", "stats"):
                if record.get(name) is not None and not isinstance(record[name], str):
                    record[name] = json.dumps(record[name], ensure_ascii=False)
            yield record

