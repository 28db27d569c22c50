"""A batch of exported records, column by column: the stored rows' raw values (as the driver gives them, no
SQLAlchemy result processing) turned into the export's values once per column, not once per field of a record.

The values are those of a JSON Lines record: times ISO 8601 text with their offset (whole seconds), days
``YYYY-MM-DD``, lists as lists. Arrow builds its typed columns from them (newscrawl/export/arrow.py).
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from sqlalchemy.dialects import sqlite

from newscrawl import db
from newscrawl.db import GENERIC_SPIDERS
from newscrawl.export.columns import SCHEMA_VERSION
from newscrawl.processors.dates import DEFAULT_TZ

_DEFAULT_ZONE = ZoneInfo(DEFAULT_TZ)  # every portal's zone so far
# What SQLAlchemy stores for a UTCDateTime in SQLite (naive UTC); anything else goes through its own parser.
_SQLITE_TIME = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}")
_SQLITE_COLUMN = re.compile(r"(?:\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}\n)*")
_SQLITE_DIALECT = sqlite.dialect()
_SQLITE_DATETIME = db.articles.c.crawled_at.type.dialect_impl(_SQLITE_DIALECT).result_processor(_SQLITE_DIALECT, None)
# published_at_local as the crawl writes it: already the export's text (whole seconds, an offset).
_LOCAL_ISO = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}")


class Batch:
    """Records as columns: name -> list of values, every list ``size`` long."""

    __slots__ = ("columns", "size")

    def __init__(self, columns: dict[str, list], size: int):
        self.columns, self.size = columns, size

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, name: str) -> list:
        return self.columns[name]

    def records(self, names) -> list[dict]:
        """The batch as records of ``names``, in that order."""
        return [dict(zip(names, row)) for row in zip(*(self.columns[n] for n in names))]

    def rows(self, names) -> zip:
        return zip(*(self.columns[n] for n in names))

    def take(self, keep: list[int]) -> Batch:
        """Only the rows at the indexes ``keep``."""
        if len(keep) == self.size:
            return self
        return Batch({name: [values[i] for i in keep] for name, values in self.columns.items()}, len(keep))


def utc(value) -> datetime | None:
    """A stored time as SQLAlchemy's UTCDateTime reads it: aware UTC (SQLite gives text, PostgreSQL datetimes)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = _SQLITE_DATETIME(value)
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def iso_times(values) -> list:
    """Stored times as the export's text: UTC, whole seconds, ``+00:00``."""
    if all(value.__class__ is str for value in values) and _SQLITE_COLUMN.fullmatch("\n".join(values) + "\n"):
        return [f"{value[:10]}T{value[11:19]}+00:00" for value in values]  # a SQLite column: one match for all
    out = []
    append = out.append
    for value in values:
        if value is None:
            append(None)
        elif value.__class__ is str and _SQLITE_TIME.fullmatch(value):
            append(f"{value[:10]}T{value[11:19]}+00:00")
        else:
            append(utc(value).replace(microsecond=0).isoformat())
    return out


def published(local_values, utc_values) -> tuple[list, list]:
    """(published_at with the portal's own offset, the portal-local day), as text."""
    times, days = [], []
    for local, moment in zip(local_values, utc_values):
        if local:
            parsed = datetime.fromisoformat(local)
            if parsed.tzinfo is not None:
                if _LOCAL_ISO.fullmatch(local):
                    times.append(local)
                    days.append(local[:10])
                else:
                    times.append(parsed.replace(microsecond=0).isoformat())
                    days.append(parsed.date().isoformat())
                continue
        if moment is None:
            times.append(None)
            days.append(None)
            continue
        moment = utc(moment)  # a row stored before published_at_local existed
        times.append(moment.replace(microsecond=0).isoformat())
        days.append(moment.astimezone(_DEFAULT_ZONE).date().isoformat())
    return times, days


class Lists:
    """JSON list columns as lists: SQLite's JSON text decoded (each distinct text once per batch), PostgreSQL's
    jsonb as the driver decoded it. A list may be shared by rows: nothing changes the values of a batch."""

    def __init__(self, dialect: str):
        self.text = dialect == "sqlite"  # what SQLAlchemy's JSON type would decode

    def __call__(self, values) -> list:
        if self.text and all(value.__class__ is str for value in values):
            try:  # SQLite's texts of a column as one JSON array: one call of the decoder, not one a row
                decoded = json.loads("[" + ",".join(values) + "]")
            except ValueError:
                decoded = None
            if decoded is not None and len(decoded) == len(values):
                return [value if value.__class__ is list else _list(value) for value in decoded]
        seen: dict = {}
        out = []
        append = out.append
        for value in values:
            if value.__class__ is str:
                found = seen.get(value)
                if found is None:
                    found = seen[value] = _list(json.loads(value) if self.text else value)
                append(found)
            else:
                append(_list(value))
        return out


def _list(value) -> list:
    if isinstance(value, str):  # a JSON text a driver did not decode
        value = json.loads(value)
    return list(value or [])


def portal_of(url: str, spider: str, domains: dict[str, str]) -> str:
    """The portal an article belongs to: a generic spider's fetch of a known portal's page counts under that portal."""
    if spider not in GENERIC_SPIDERS or not domains:
        return spider
    from urllib.parse import urlsplit

    host = (urlsplit(url).hostname or "").lower()
    while host:
        if host in domains:
            return domains[host]
        host = host.partition(".")[2]
    return spider


def convert(raw: dict, size: int, names, times, lists, dialect: str, domains: dict[str, str],
            url: str = "url", spider: str = "portal") -> Batch:
    """The export's columns ``names`` of ``size`` raw rows (``raw``: stored name -> values); ``times`` and
    ``lists`` name the columns of those kinds; the article's URL is in ``url``, the spider's name in ``spider``."""
    to_list = Lists(dialect)
    columns = {}
    published_at, published_date = published(raw.get("published_at_local") or [None] * size, raw["published_at"])
    spiders = list(raw[spider])
    for name in names:
        if name in times:
            values = iso_times(raw[name]) if name in raw else [None] * size
        elif name in lists:
            values = to_list(raw[name]) if name in raw else [[] for _ in range(size)]
        elif name == "schema_version":
            values = [SCHEMA_VERSION] * size
        elif name == "published_at":
            values = published_at
        elif name == "published_date":
            values = published_date
        elif name == "spider":
            values = spiders
        elif name == "portal":
            values = [s if s not in GENERIC_SPIDERS else portal_of(u, s, domains) for u, s in zip(raw[url], spiders)]
        elif name == "version":
            values = [1 if v is None else v for v in raw["version"]]
        else:
            values = list(raw[name]) if name in raw else [None] * size
        columns[name] = values
    return Batch(columns, size)
