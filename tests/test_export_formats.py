"""`scrapy export jsonl|csv|parquet|duckdb`: every format read back (json, csv, pyarrow, duckdb) equals the JSON Lines."""

import csv
import json
from datetime import date, datetime, timezone
from pathlib import Path

import duckdb
import jsonschema
import pytest
import pyarrow as pa
import pyarrow.dataset as ds

from exportstore import BARE, COPY, EARLY, GENERIC
from newscrawl.export import arrow, parquet
from newscrawl.export.columns import ARTICLE_COLUMNS, ARTICLE_NAMES, VERSION_COLUMNS, markdown_table, schema_files

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = json.loads((ROOT / "docs" / "article.schema.json").read_text("utf-8"))


def exported(run, url, kind, target, *options):
    status, out, err = run("export", kind, str(target), *options, url=url)
    assert status == 0, err
    return out


def canonical(record: dict, columns=ARTICLE_COLUMNS) -> dict:
    """A record read back from any format, in Python values: times aware UTC, days dates, lists lists."""
    out = {}
    for column in columns:
        value = record[column.name]
        if column.kind == "time" and isinstance(value, str):
            value = datetime.fromisoformat(value)
        if column.kind == "time" and value is not None:
            value = value.astimezone(timezone.utc)
        if column.kind == "date" and isinstance(value, str):
            value = date.fromisoformat(value)
        if column.kind in ("terms", "urls") and isinstance(value, str):
            value = json.loads(value)
        if column.kind in ("terms", "urls"):
            value = list(value)
        out[column.name] = value
    return out


def jsonl_records(run, url, tmp_path, *options):
    target = tmp_path / "x.jsonl"
    exported(run, url, "jsonl", target, *options)
    return [json.loads(line) for line in target.read_text("utf-8").splitlines()]


def test_jsonl_records_carry_portal_identity_local_days_and_validate(store, run, tmp_path):
    records = {r["url"]: r for r in jsonl_records(run, store, tmp_path)}
    for record in records.values():
        jsonschema.validate(record, SCHEMA)
        assert list(record) == list(ARTICLE_NAMES)
    assert records[GENERIC]["portal"] == "ithome" and records[GENERIC]["spider"] == "article"
    early = records[EARLY]
    assert early["published_at"] == "2026-03-02T07:30:00+08:00" and early["published_date"] == "2026-03-02"
    assert early["version"] == 2 and early["summary"] == "第一行\u2028第二行, \"引号\"\n换行"
    assert records[COPY]["near_duplicate_of"] == EARLY
    bare = records[BARE]
    assert bare["published_at"] is None and bare["published_date"] is None and bare["categories"] == []
    assert bare["author"] is None and bare["near_duplicate_of"] is None


def test_csv_reads_back_as_the_jsonl_records(store, run, tmp_path):
    reference = [canonical(r) for r in jsonl_records(run, store, tmp_path)]
    target = tmp_path / "x.csv"
    assert exported(run, store, "csv", target) == f"exported 4 articles to {target}\n"
    raw = target.read_bytes()
    assert raw.startswith("\ufeff".encode()) and b"\r\n" in raw  # a spreadsheet's UTF-8 mark, RFC 4180 lines
    with open(target, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == list(ARTICLE_NAMES)

    def typed(row):
        values = {}
        for column in ARTICLE_COLUMNS:
            text = row[column.name]
            values[column.name] = None if text == "" else int(text) if column.kind == "int" else text
        return canonical(values)

    assert [typed(row) for row in rows] == reference
    # DuckDB's CSV reader tells an empty text from a null, and takes the file as it is.
    table = duckdb.sql(f"SELECT url, summary, author, categories FROM read_csv('{target}', header=true, "
                       "allow_quoted_nulls=false, all_varchar=true)").fetchall()
    by_url = {row[0]: row for row in table}
    assert by_url[EARLY][1] == "第一行\u2028第二行, \"引号\"\n换行" and by_url[BARE][2] is None
    assert json.loads(by_url[EARLY][3]) == ["人工智能"]


def test_parquet_reads_back_as_the_jsonl_records_with_the_fixed_schema(store, run, tmp_path):
    reference = {r["url"]: canonical(r) for r in jsonl_records(run, store, tmp_path)}
    outdir = tmp_path / "out"
    assert exported(run, store, "parquet", outdir) == f"exported 4 articles and 1 earlier versions to {outdir}\n"
    partitions = sorted(str(p.parent.relative_to(outdir / "articles")) for p in (outdir / "articles").rglob("*.parquet"))
    assert partitions == ["portal=c114/month=2026-03", "portal=ithome/month=2026-03",
                          "portal=ofweek/month=2026-03", f"portal=ofweek/month={parquet.NULL_PARTITION}"]
    hive = ds.partitioning(pa.schema([("portal", pa.string()), ("month", pa.string())]), flavor="hive")
    meta = ds.dataset(outdir / "articles", format="parquet", partitioning=hive).to_table()
    bodies = ds.dataset(outdir / "bodies", format="parquet", partitioning=hive).to_table()
    for name in parquet.META_NAMES:  # the file's own types, whatever the values (near_duplicate_of is mostly null)
        assert meta.schema.field(name).type == arrow.schema(ARTICLE_COLUMNS).field(name).type, name
    assert meta.schema.field("published_date").type == pa.date32()
    assert meta.schema.field("published_at").type == pa.timestamp("us", tz="UTC")
    assert "body_html" not in meta.column_names  # a metadata scan reads no body
    texts = {row["url"]: row for row in bodies.to_pylist()}
    back = {}
    for row in meta.to_pylist():
        row.update(body_html=texts[row["url"]]["body_html"], body_text=texts[row["url"]]["body_text"])
        back[row["url"]] = canonical(row)
    assert back == reference
    versions = ds.dataset(outdir / "article_versions", format="parquet").to_table().to_pylist()
    assert [(v["article_url"], v["version"]) for v in versions] == [(EARLY, 1)] and "百分之六十，" in versions[0]["body_text"]
    assert canonical(versions[0], VERSION_COLUMNS)["published_date"] == date(2026, 3, 2)
    # DuckDB over the files, as docs/ANALYTICS.md shows
    days = duckdb.sql(f"SELECT portal, published_date, count(*) FROM read_parquet('{outdir}/articles/*/*/*.parquet', "
                      "hive_partitioning=true) GROUP BY ALL ORDER BY ALL").fetchall()
    assert days == [("c114", date(2026, 3, 2), 1), ("ithome", date(2026, 3, 2), 1), ("ofweek", date(2026, 3, 2), 1),
                    ("ofweek", None, 1)]


def test_duckdb_file_reads_back_as_the_jsonl_records_with_views(store, run, tmp_path):
    reference = {r["url"]: canonical(r) for r in jsonl_records(run, store, tmp_path)}
    target = tmp_path / "news.duckdb"
    exported(run, store, "duckdb", target)
    with duckdb.connect(str(target), read_only=True) as connection:
        table = connection.sql("SELECT * FROM articles").to_arrow_table()
        assert table.schema.field("near_duplicate_of").type == pa.string()
        assert table.schema.field("categories").type == pa.list_(pa.string())
        assert {row["url"]: canonical(row) for row in table.to_pylist()} == reference
        per_day = connection.execute("SELECT portal, published_date, articles FROM articles_per_portal_day "
                                     "ORDER BY ALL").fetchall()
        assert per_day == [("c114", date(2026, 3, 2), 1), ("ithome", date(2026, 3, 2), 1),
                           ("ofweek", date(2026, 3, 2), 1), ("ofweek", None, 1)]
        clusters = connection.execute("SELECT original, original_portal, copies, copy_portals "
                                      "FROM near_duplicate_clusters").fetchall()
        assert clusters == [(EARLY, "ofweek", 1, ["c114"])]
        coverage = dict(connection.execute("SELECT portal, author FROM field_coverage").fetchall())
        assert coverage == {"ofweek": 0.5, "ithome": 0.0, "c114": 0.0}
        assert connection.execute("SELECT article_url, version FROM article_versions").fetchall() == [(EARLY, 1)]


def test_the_published_schemas_are_generated_from_the_column_definition():
    for name, text in schema_files().items():
        assert (ROOT / "docs" / name).read_text("utf-8") == text, f"docs/{name}: run python -m newscrawl.export.columns"
    assert markdown_table() in (ROOT / "docs" / "ANALYTICS.md").read_text("utf-8")


def test_changed_since_versions_and_no_bodies(store, run, tmp_path):
    def urls(*options):
        return sorted(r["url"] for r in jsonl_records(run, store, tmp_path, *options))

    # EARLY was edited on the 3rd, COPY stored on the 2nd; the others on the 1st (tests/exportstore.py)
    assert urls("--changed-since", "2026-03-02T12:00:00+08:00") == [EARLY]
    assert urls("--changed-since", "2026-03-01T23:00:00") == sorted([EARLY, COPY])  # no offset: UTC
    assert len(urls("--changed-since", "2026-03-01T00:00:00Z")) == 4
    versions = jsonl_records(run, store, tmp_path, "--versions")
    assert [(v["article_url"], v["version"], v["portal"]) for v in versions] == [(EARLY, 1, "ofweek")]
    assert list(versions[0]) == [c.name for c in VERSION_COLUMNS]
    target = tmp_path / "slim.csv"
    exported(run, store, "csv", target, "--no-bodies")
    with open(target, encoding="utf-8-sig", newline="") as handle:
        header = next(csv.reader(handle))
    assert header == [n for n in ARTICLE_NAMES if n not in ("body_html", "body_text")]
    status, _, err = run("export", "parquet", str(tmp_path / "p"), "--versions", url=store)
    assert status == 2 and "--versions and --no-bodies apply to jsonl and csv" in err
    status, _, err = run("export", "jsonl", "-", "--changed-since", "yesterday", url=store)
    assert status == 2 and err.startswith("scrapy export: --changed-since: 'yesterday' is not an ISO 8601 time")


def test_rows_read_ahead_in_their_thread_bring_their_errors_and_stop_when_the_export_stops():
    """The store is read a batch ahead in a thread (newscrawl/export/source.py): a database error there is
    the export's own (its exit status depends on it), and an export that stops early stops the reader."""
    import threading

    from newscrawl.export.source import _ahead

    def failing():
        yield 1
        raise ConnectionResetError("the server went away")

    got = []
    with pytest.raises(ConnectionResetError, match="went away"):
        for item in _ahead(failing):
            got.append(item)
    assert got == [1]
    closed = threading.Event()

    def endless():
        try:
            n = 0
            while True:
                n += 1
                yield n
        finally:
            closed.set()

    reader = _ahead(endless)
    assert [next(reader) for _ in range(3)] == [1, 2, 3]
    reader.close()
    assert closed.wait(60) and not any(t.name == "export-reader" for t in threading.enumerate())


def test_columns_converted_at_once_equal_sqlalchemys_value_by_value():
    """newscrawl/export/batches.py reads SQLite's stored text itself: a whole column at once when every value
    has SQLAlchemy's own form, value by value otherwise, and the same values as SQLAlchemy's types either way."""
    from sqlalchemy.dialects import sqlite

    from newscrawl import db
    from newscrawl.export.batches import Lists, iso_times

    dialect = sqlite.dialect()
    column = db.articles.c.crawled_at.type
    read_time = column.dialect_impl(dialect).result_processor(dialect, None)

    def expected_time(text):
        return None if text is None else column.process_result_value(read_time(text), dialect).replace(
            microsecond=0).isoformat()

    canonical = ["2026-12-01 00:00:00.000000", "2018-01-31 23:59:59.999999"]
    for values in (canonical, canonical + ["2026-12-01 08:00:00", None, "2026-12-01T08:00:00.5"]):
        assert iso_times(values) == [expected_time(v) for v in values]
    read_list = db.articles.c.categories.type.dialect_impl(dialect).result_processor(dialect, None)
    for values in (['["人工智能", "半导体"]', "[]", '["a\\u2028b"]'], ['["芯片"]', '"[\\"AI\\"]"', "null", "[1, [2]]"]):
        assert Lists("sqlite")(values) == [list(v) if isinstance(v, list) else
                                           ([] if v is None else json.loads(v)) for v in map(read_list, values)]
    for broken in (["[1", "2]"], ["1, 2"], ["[] x"]):
        with pytest.raises(ValueError):
            Lists("sqlite")(broken)
