"""Parquet export: Hive-partitioned by portal and local month, zstd, bodies in a table of their own."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections import OrderedDict
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from newscrawl.export import arrow
from newscrawl.export.columns import ARTICLE_COLUMNS, ARTICLE_NAMES, BODY_NAMES, VERSION_COLUMNS
from newscrawl.export.files import make_public
from newscrawl.export.source import iter_article_batches, iter_version_batches

NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__"  # what Hive, Spark, pyarrow and DuckDB read as null
TABLES = ("articles", "bodies", "article_versions")
META_NAMES = tuple(n for n in ARTICLE_NAMES if n not in BODY_NAMES and n != "portal")
BODY_TABLE_NAMES = ("url", *BODY_NAMES)
ROWS_PER_GROUP = {"articles": 20_000, "bodies": 2_000, "article_versions": 2_000}
SCHEMAS = {
    "articles": arrow.schema(ARTICLE_COLUMNS, META_NAMES),
    "bodies": arrow.schema(ARTICLE_COLUMNS, BODY_TABLE_NAMES),
    "article_versions": arrow.schema(VERSION_COLUMNS),
}


def month(day: str | None) -> str:
    """The partition's month of a published_date (``YYYY-MM-DD`` text)."""
    if not day:
        return NULL_PARTITION
    return day[:7] if day[0] != "0" else date.fromisoformat(day).strftime("%Y-%m")


def partitions(batch) -> list[tuple[str, int, int]]:
    """(partition, start, stop) of each run of consecutive rows of one partition, in the batch's order."""
    keys = [f"portal={portal}/month={month(day)}" for portal, day in zip(batch["portal"], batch["published_date"])]
    runs, start = [], 0
    for i in range(1, len(keys) + 1):
        if i == len(keys) or keys[i] != keys[start]:
            runs.append((keys[start], start, i))
            start = i
    return runs


class PartitionWriter:
    """One table's files: a ParquetWriter per partition, row groups of a bounded size, at most MAX_OPEN
    partitions open at once (the full export comes by portal and date, so mostly one)."""

    MAX_OPEN = 16

    def __init__(self, root: Path, table: str, prefix: str):
        self.root, self.prefix = root / table, prefix
        self.schema, self.group = SCHEMAS[table], ROWS_PER_GROUP[table]
        self.open: OrderedDict[str, list] = OrderedDict()  # partition -> [ParquetWriter or None, batches, rows]
        self.files: dict[str, int] = {}
        self.count = 0

    def add(self, key: str, rows: pa.RecordBatch) -> None:
        """``rows`` (of this table's schema) to partition ``key``; a row group is written each ``group`` rows."""
        if key not in self.open:
            if len(self.open) >= self.MAX_OPEN:
                self._close(next(iter(self.open)))
            self.open[key] = [None, [], 0]
        self.open.move_to_end(key)
        state = self.open[key]
        state[1].append(rows)
        state[2] += rows.num_rows
        while state[2] >= self.group:
            self._flush(key, self.group)

    def _flush(self, key: str, size: int | None = None) -> None:
        """Write ``size`` buffered rows (all of them when None) as one row group."""
        state = self.open[key]
        if not state[2]:
            return
        if state[0] is None:
            number = self.files.get(key, 0)
            self.files[key] = number + 1
            folder = self.root / key if key else self.root
            folder.mkdir(parents=True, exist_ok=True)
            state[0] = pq.ParquetWriter(folder / f"{self.prefix}-{number:04d}.parquet", self.schema, compression="zstd")
        buffered = pa.Table.from_batches(state[1], schema=self.schema)
        size = state[2] if size is None else size
        # one chunk a column, as one table of the rows would be: the same pages, the same bytes
        state[0].write_table(buffered.slice(0, size).combine_chunks(), row_group_size=self.group)
        self.count += size
        state[1], state[2] = buffered.slice(size).to_batches(), state[2] - size

    def _close(self, key: str) -> None:
        self._flush(key)
        writer = self.open.pop(key)[0]
        if writer is not None:
            writer.close()

    def close(self) -> None:
        for key in list(self.open):
            self._close(key)


def _write_tables(engine, staging: Path, prefix: str, selection, stale: list) -> dict[str, int]:
    writers = {name: PartitionWriter(staging, name, prefix) for name in TABLES}
    for batch in iter_article_batches(engine, selection, stale=stale, order="portal"):
        tables = {name: arrow.record_batch(batch, SCHEMAS[name]) for name in ("articles", "bodies")}
        for key, start, stop in partitions(batch):
            for name, rows in tables.items():
                writers[name].add(key, rows.slice(start, stop - start))
    for batch in iter_version_batches(engine, selection):
        writers["article_versions"].add("", arrow.record_batch(batch, SCHEMAS["article_versions"]))
    for writer in writers.values():
        writer.close()
    return {"articles": writers["articles"].count, "article_versions": writers["article_versions"].count}


def _files(root: Path):
    """The data files under ``root`` (not the staging directories, nor the cursors)."""
    return sorted(path for path in root.rglob("*.parquet")
                  if not any(part.startswith((".", "_")) for part in path.relative_to(root).parts))


def _swap_in(staging: Path, outdir: Path) -> None:
    """A full export: each table directory replaced whole (the previous one stays until the new one is complete)."""
    for name in TABLES:
        new, old = staging / name, outdir / name
        new.mkdir(exist_ok=True)
        for path in _files(new):
            make_public(str(path))
        if old.exists():
            trash = Path(tempfile.mkdtemp(dir=outdir, prefix=f".{name}.", suffix=".tmp"))
            os.replace(old, trash / name)
            os.replace(new, old)
            shutil.rmtree(trash)
        else:
            os.replace(new, old)


def _merge_in(staging: Path, outdir: Path, prefix: str) -> None:
    """A cursor's export: its files added to the tables (files of an interrupted try at the same step replaced)."""
    for path in _files(outdir):
        if path.name.startswith(f"{prefix}-"):
            path.unlink()
    for path in _files(staging):
        target = outdir / path.relative_to(staging)
        target.parent.mkdir(parents=True, exist_ok=True)
        make_public(str(path))
        os.replace(path, target)


def remove_leftovers(outdir: Path) -> None:
    for leftover in outdir.glob(".*.tmp"):
        shutil.rmtree(leftover, ignore_errors=True)


def write(engine, target: str, selection, stale: list, step: str | None = None) -> dict[str, int]:
    """Export into the directory ``target``; ``step`` (a cursor's name and number) adds files instead of
    replacing the tables. Nothing is visible in ``target`` until every file is complete."""
    outdir = Path(target)
    outdir.mkdir(parents=True, exist_ok=True)
    remove_leftovers(outdir)
    staging = Path(tempfile.mkdtemp(dir=outdir, prefix=".staging.", suffix=".tmp"))
    try:
        counts = _write_tables(engine, staging, step or "part", selection, stale)
        if step is None:
            _swap_in(staging, outdir)
        elif counts["articles"] or counts["article_versions"]:
            _merge_in(staging, outdir, step)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return counts
