"""The columns as a fixed Arrow schema (never inferred from the data: an empty column keeps its type)."""

from __future__ import annotations

import pyarrow as pa

from newscrawl.export.columns import SCHEMA_VERSION, Column

_TYPES = {
    "int32": pa.int32(), "string": pa.string(), "timestamp": pa.timestamp("us", tz="UTC"), "date32": pa.date32(),
    "list<string>": pa.list_(pa.string()),
}


def arrow_type(column: Column) -> pa.DataType:
    from newscrawl.export.columns import KINDS

    return _TYPES[KINDS[column.kind][1]]


def schema(columns, names=None) -> pa.Schema:
    """The Arrow schema of ``columns`` (only ``names``, in that order, when given), schema_version in its metadata."""
    by_name = {c.name: c for c in columns}
    chosen = [by_name[n] for n in names] if names is not None else list(columns)
    fields = [pa.field(c.name, arrow_type(c), nullable=c.nullable, metadata={"description": c.description})
              for c in chosen]
    return pa.schema(fields, metadata={"newscrawl.schema_version": str(SCHEMA_VERSION)})


def table(records: list[dict], target: pa.Schema) -> pa.Table:
    """Records (Python values) as a table of exactly ``target``'s types."""
    return pa.Table.from_pydict({f.name: [r[f.name] for r in records] for f in target}, schema=target)
