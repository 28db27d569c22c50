"""The columns as a fixed Arrow schema (never inferred from the data: an empty column keeps its type)."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

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


_ISO = "%Y-%m-%dT%H:%M:%S%z"  # the times of a batch: newscrawl/export/batches.py


def _times(values, target: pa.DataType) -> pa.Array:
    text = pa.array(values, pa.string())
    try:
        times = pc.strptime(text, format=_ISO, unit="us")
    except pa.ArrowInvalid:  # an offset Arrow does not parse (seconds in it): Python's parser
        from datetime import datetime

        return pa.array([None if v is None else datetime.fromisoformat(v) for v in values], target)
    return times if times.type == target else times.cast(target)


def record_batch(batch, target: pa.Schema) -> pa.RecordBatch:
    """A Batch (JSON's kinds of values: times and days as ISO text) as a record batch of exactly ``target``'s
    types, built a column at a time."""
    arrays = []
    for f in target:
        values = batch[f.name]
        if pa.types.is_timestamp(f.type):
            arrays.append(_times(values, f.type))
        elif f.type == pa.date32():
            arrays.append(pa.array(values, pa.string()).cast(pa.date32()))
        else:
            arrays.append(pa.array(values, f.type))
    return pa.RecordBatch.from_arrays(arrays, schema=target)
