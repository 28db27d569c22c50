"""DuckDB export: one file with articles, article_versions, crawl_runs and the views an analyst wants on day one."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import duckdb
import pyarrow as pa

from newscrawl.export import arrow
from newscrawl.export.columns import ARTICLE_COLUMNS, CRAWL_RUN_COLUMNS, VERSION_COLUMNS
from newscrawl.export.files import atomic_path
from newscrawl.export.source import iter_article_batches, iter_crawl_runs, iter_version_batches

TABLES = {"articles": ARTICLE_COLUMNS, "article_versions": VERSION_COLUMNS, "crawl_runs": CRAWL_RUN_COLUMNS}
KEYS = {"articles": ("url",), "article_versions": ("article_url", "version"), "crawl_runs": ("id",)}
COVERED = [c for c in ARTICLE_COLUMNS if c.name not in (
    "schema_version", "url", "portal", "spider", "title", "first_seen_at", "last_seen_at", "updated_at", "version",
    "near_duplicate_of")]


def _filled(column) -> str:
    if column.kind in ("terms", "urls"):
        return f"len({column.name}) > 0"
    if column.kind in ("text", "url", "hash"):
        return f"coalesce({column.name}, '') <> ''"
    return f"{column.name} IS NOT NULL"


VIEWS = {
    "articles_per_portal_day": """
        SELECT portal, published_date, count(*) AS articles,
               count(*) FILTER (WHERE near_duplicate_of IS NULL) AS originals,
               count(*) FILTER (WHERE version > 1) AS edited
        FROM articles GROUP BY portal, published_date""",
    "field_coverage": "SELECT portal, count(*) AS articles, " + ", ".join(
        f"round(avg(CASE WHEN {_filled(c)} THEN 1 ELSE 0 END), 4) AS {c.name}" for c in COVERED
    ) + " FROM articles GROUP BY portal",
    "near_duplicate_clusters": """
        SELECT a.near_duplicate_of AS original, any_value(o.portal) AS original_portal,
               any_value(o.title) AS original_title, count(*) AS copies,
               list(DISTINCT a.portal ORDER BY a.portal) AS copy_portals, list(a.url ORDER BY a.url) AS copy_urls
        FROM articles a LEFT JOIN articles o ON o.url = a.near_duplicate_of
        WHERE a.near_duplicate_of IS NOT NULL GROUP BY a.near_duplicate_of""",
}


def create(connection) -> None:
    # DuckDB would otherwise take up to 80 % of the RAM for its buffers; an export's rows go to the file.
    connection.execute("SET memory_limit = '256MB'")
    for name, columns in TABLES.items():
        body = ", ".join(f"{c.name} {c.duckdb_type}" for c in columns)
        connection.execute(f"CREATE TABLE IF NOT EXISTS {name} ({body}, PRIMARY KEY ({', '.join(KEYS[name])}))")
    for name, query in VIEWS.items():
        connection.execute(f"CREATE OR REPLACE VIEW {name} AS {query}")


def _load(connection, name: str, batch: pa.RecordBatch | pa.Table, replace: bool) -> int:
    """Insert the rows of ``batch`` into table ``name``; with ``replace``, rows of the same key go first."""
    connection.register("batch", batch)
    try:
        if replace:
            keys = KEYS[name]
            match = " AND ".join(f"t.{k} = b.{k}" for k in keys)
            connection.execute(f"DELETE FROM {name} t WHERE EXISTS (SELECT 1 FROM batch b WHERE {match})")
        connection.execute(f"INSERT INTO {name} SELECT * FROM batch")
    finally:
        connection.unregister("batch")
    return batch.num_rows


def _insert_all(connection, name: str, batches) -> int:
    """Every batch into table ``name`` with one INSERT that scans them as an Arrow stream: one statement, so
    one commit and no automatic checkpoint in between (each of which would write the table's open row group
    again: 1,000-row INSERTs made a 100k export's time grow faster than its size)."""
    schema = arrow.schema(TABLES[name])
    count, failure = [0], []

    def stream():
        try:
            for batch in batches:
                rows = arrow.record_batch(batch, schema)
                count[0] += rows.num_rows
                yield rows
        except BaseException as exc:  # DuckDB reports it as its own error: the export raises the original
            failure.append(exc)
            raise

    connection.register("incoming", pa.RecordBatchReader.from_batches(schema, stream()))
    try:
        connection.execute(f"INSERT INTO {name} SELECT * FROM incoming")
    except Exception:
        if failure:
            raise failure[0] from None
        raise
    finally:
        connection.unregister("incoming")
    return count[0]


def _fill(connection, engine, selection, stale: list, replace: bool) -> dict[str, int]:
    counts = {"articles": 0, "article_versions": 0}
    articles, versions = iter_article_batches(engine, selection, stale=stale), iter_version_batches(engine, selection)
    if replace:
        for table, batches in (("articles", articles), ("article_versions", versions)):
            schema = arrow.schema(TABLES[table])
            for batch in batches:
                counts[table] += _load(connection, table, arrow.record_batch(batch, schema), replace)
    else:
        counts["articles"] = _insert_all(connection, "articles", articles)
        counts["article_versions"] = _insert_all(connection, "article_versions", versions)
    runs = list(iter_crawl_runs(engine))
    connection.execute("DELETE FROM crawl_runs")
    if runs:
        _load(connection, "crawl_runs", arrow.table(runs, arrow.schema(CRAWL_RUN_COLUMNS)), replace=False)
    return counts


def write(engine, target: str, selection, stale: list, step: str | None = None) -> dict[str, int]:
    """A new file replacing ``target`` when complete; with ``step`` (a cursor's), the changes applied to the
    existing file in one transaction (a killed export rolls back when the file is next opened)."""
    path = Path(target)
    if step is not None and path.exists():
        with contextlib.closing(duckdb.connect(str(path))) as connection:
            connection.execute("BEGIN")
            create(connection)
            counts = _fill(connection, engine, selection, stale, replace=True)
            connection.execute("COMMIT")
        return counts
    with atomic_path(path, suffix=".duckdb") as temporary:
        os.unlink(temporary)  # DuckDB makes its own file
        with contextlib.closing(duckdb.connect(str(temporary))) as connection:
            create(connection)
            counts = _fill(connection, engine, selection, stale, replace=False)
            connection.execute("CHECKPOINT")
    return counts
