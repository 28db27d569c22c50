"""Parquet export: Hive-partitioned by portal and local month, zstd, bodies in a table of their own."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections import OrderedDict
from pathlib import Path

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


def partition(record: dict) -> str:
    day = record["published_date"]
    return f"portal={record['portal']}/month={day.strftime('%Y-%m') if day else NULL_PARTITION}"


class PartitionWriter:
    """One table's files: a ParquetWriter per partition, row groups of a bounded size, at most MAX_OPEN
    partitions open at once (the full export comes by portal and date, so mostly one)."""

    MAX_OPEN = 16

    def __init__(self, root: Path, table: str, prefix: str):
        self.root, self.prefix = root / table, prefix
        self.schema, self.group = SCHEMAS[table], ROWS_PER_GROUP[table]
        self.open: OrderedDict[str, list] = OrderedDict()  # partition -> [ParquetWriter or None, rows]
        self.files: dict[str, int] = {}
        self.count = 0

    def add(self, key: str, record: dict) -> None:
        if key not in self.open:
            if len(self.open) >= self.MAX_OPEN:
                self._close(next(iter(self.open)))
            self.open[key] = [None, []]
        self.open.move_to_end(key)
        rows = self.open[key][1]
        rows.append(record)
        if len(rows) >= self.group:
            self._flush(key)

    def _flush(self, key: str) -> None:
        state = self.open[key]
        if not state[1]:
            return
        if state[0] is None:
            number = self.files.get(key, 0)
            self.files[key] = number + 1
            folder = self.root / key if key else self.root
            folder.mkdir(parents=True, exist_ok=True)
            state[0] = pq.ParquetWriter(folder / f"{self.prefix}-{number:04d}.parquet", self.schema, compression="zstd")
        state[0].write_table(arrow.table(state[1], self.schema), row_group_size=self.group)
        self.count += len(state[1])
        state[1] = []

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
    for records in iter_article_batches(engine, selection, stale=stale, order="portal"):
        for record in records:
            key = partition(record)
            writers["articles"].add(key, record)
            writers["bodies"].add(key, record)
    for records in iter_version_batches(engine, selection):
        for record in records:
            writers["article_versions"].add("", record)
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
