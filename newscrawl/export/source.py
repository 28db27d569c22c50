"""Reading the store for an export: which rows (filters, cursors), streamed in batches of the export's columns."""

from __future__ import annotations

import json
import queue
import threading
from dataclasses import dataclass, field
from datetime import date, datetime

import numpy as np
import sqlalchemy as sa

from newscrawl import db
from newscrawl.db import GENERIC_SPIDERS  # the spiders that read any site
from newscrawl.export.batches import Batch, convert, utc
from newscrawl.export.columns import ARTICLE_NAMES, VERSION_COLUMNS
from newscrawl.items import LIST_FIELDS
from newscrawl.reader import article_filters, stored_columns

_TIMES = ("crawled_at", "first_seen_at", "last_seen_at", "updated_at")
_VERSION_TIMES = ("crawled_at", "valid_from", "replaced_at")
VERSION_NAMES = tuple(c.name for c in VERSION_COLUMNS)
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


def article_query(engine: sa.Engine, selection: Selection, order: str = "published", ids=None):
    """``order``: ``published`` (oldest first), ``portal`` (by portal, then oldest first: Parquet's partitions);
    ``ids``: only these rows."""
    columns = {c.name: c for c in stored_columns(engine, db.articles)}
    wanted = [_raw(columns[name]) for name in (*ARTICLE_NAMES, "published_at_local", "id") if name in columns]
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


def _raw(column, name: str | None = None):
    """A selected column whose values come as the driver gives them (no SQLAlchemy result processing:
    newscrawl/export/batches.py converts them a column at a time)."""
    return sa.type_coerce(column, sa.types.NullType()).label(name or column.name)


def _stream(engine: sa.Engine, queries, convert, batch: int):
    """The batches ``convert(raw columns, size)`` makes of the rows ``queries`` select, at most ``batch`` rows
    each (None or an empty batch: left out), streamed (a server-side cursor on PostgreSQL)."""
    def fetch():
        with engine.connect() as connection:
            for query in queries:
                result = connection.execution_options(yield_per=batch).execute(query)
                keys = list(result.keys())
                for rows in result.partitions():
                    yield dict(zip(keys, zip(*rows))), len(rows)

    for raw, size in _ahead(fetch):
        out = convert(raw, size)
        if out is not None and len(out):
            yield out


def _ahead(produce, depth: int = 1):
    """The items of the generator ``produce()``, made in a thread of its own up to ``depth`` items ahead: the
    database reads the next rows (SQLite's sort and page reads, a server's answer: without the GIL) while this
    thread converts and writes the last ones. Its errors are raised here; closing this generator stops it."""
    items: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()
    end = object()

    def put(entry) -> bool:
        while not stop.is_set():
            try:
                items.put(entry, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def work():
        try:
            for item in produce():
                if not put((item, None)):
                    return
            put((end, None))
        except BaseException as exc:  # noqa: BLE001 - raised again in the consumer's thread
            put((end, exc))

    thread = threading.Thread(target=work, name="export-reader", daemon=True)
    thread.start()
    try:
        while True:
            item, error = items.get()
            if error is not None:
                raise error
            if item is end:
                return
            yield item
    finally:
        stop.set()
        thread.join()


def _per_chunk(changed: Changes | None, query_for):
    """The queries an export runs: ``query_for(None)`` for every row, or with a cursor's changes
    ``query_for(ids)`` for each chunk of their ids (IN lists within every driver's parameter limit)."""
    if changed is None or changed.everything:
        return [query_for(None)]
    return (query_for(ids) for ids in changed.chunks())


def _only(raw: dict, keep: list[int]) -> dict:
    return {name: [values[i] for i in keep] for name, values in raw.items()}


def _portals(out: Batch, selection: Selection) -> Batch:
    if not selection.portals:
        return out
    return out.take([i for i, portal in enumerate(out["portal"]) if portal in selection.portals])


def iter_article_batches(engine: sa.Engine, selection: Selection, batch: int = BATCH, stale: list | None = None,
                         order: str = "published"):
    """The selected articles as Batches (newscrawl/export/batches.py), oldest first or by portal (``order``).

    With a cursor's ``changed``, a row that changed again since the cursor's scan is left out and its id
    added to ``stale``: the cursor keeps it for its next export, so each change is exported exactly once.
    """
    changed = selection.changed
    queries = _per_chunk(changed, lambda ids: article_query(engine, selection, order, ids))
    dialect = engine.dialect.name

    def convert_rows(raw, size):
        if changed is not None:
            keep = []
            for n, (article_id, updated) in enumerate(zip(raw["id"], raw["updated_at"])):
                i = changed.find(article_id)
                if i < 0 or micros(utc(updated)) != changed.updated[i]:
                    if stale is not None and i >= 0:
                        stale.append(article_id)
                else:
                    keep.append(n)
            raw, size = _only(raw, keep), len(keep)
            if not size:
                return None
        return _portals(convert(raw, size, ARTICLE_NAMES, _TIMES, LIST_FIELDS, dialect, selection.domains), selection)

    return _stream(engine, queries, convert_rows, batch)


def iter_version_batches(engine: sa.Engine, selection: Selection, batch: int = BATCH):
    """article_versions rows as Batches, oldest replacement first; with a cursor, those of its changed
    articles not exported yet."""
    if not sa.inspect(engine).has_table("article_versions"):
        return
    v, a = db.article_versions, db.articles
    names = [c.name for c in VERSION_COLUMNS if c.name in v.c and c.name not in ("portal", "spider")]
    query = (sa.select(*(_raw(v.c[n]) for n in names), _raw(v.c.published_at_local), _raw(v.c.article_id),
                       _raw(a.c.url, "article_url"), _raw(a.c.portal, "spider"))
             .select_from(v.join(a, a.c.id == v.c.article_id)))
    if selection.portals:
        query = query.where(a.c.portal.in_(list(selection.portals) + list(GENERIC_SPIDERS)))
    if selection.changed_after is not None:
        query = query.where(v.c.replaced_at > selection.changed_after)
    query = query.order_by(v.c.replaced_at, v.c.article_id, v.c.version)
    changed = selection.changed
    queries = _per_chunk(changed, lambda ids: query if ids is None else query.where(v.c.article_id.in_(ids)))
    dialect = engine.dialect.name

    def convert_rows(raw, size):
        if changed is not None:
            keep = []
            for n, (article_id, version) in enumerate(zip(raw["article_id"], raw["version"])):
                i = changed.find(article_id)
                if i >= 0 and changed.first[i] <= version < changed.version[i]:
                    keep.append(n)  # else: exported with an earlier cursor step, or replaced since the cursor's scan
            raw, size = _only(raw, keep), len(keep)
            if not size:
                return None
        out = convert(raw, size, VERSION_NAMES, _VERSION_TIMES, LIST_FIELDS, dialect, selection.domains,
                      url="article_url", spider="spider")
        return _portals(out, selection)

    yield from _stream(engine, queries, convert_rows, batch)


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

