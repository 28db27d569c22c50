"""Article rows: built from items, and checked for what the database would refuse."""

from __future__ import annotations

import json
from datetime import datetime, timezone

from newscrawl.items import ARTICLE_FIELDS, LIST_FIELDS


def article_row(item: dict) -> dict:
    """The ``articles`` columns an Article item fills (the store adds the bookkeeping columns)."""
    row = {name: item.get(name) for name in ARTICLE_FIELDS}
    for name in LIST_FIELDS:
        row[name] = list(row.get(name) or [])
    row["published_at_local"] = row.get("published_at")
    return row


def json_safe(value):
    """Stats and arguments as JSON: datetimes become ISO strings, anything odd its repr."""
    return json.loads(json.dumps(value, default=lambda v: v.isoformat() if isinstance(v, datetime) else repr(v)))


MAX_TEXT = 16 * 1024 * 1024  # characters of one text field; a larger page is a fault, not an article
TEXT_LIMITS = {"portal": 64, "language": 16, "published_at_local": 40, "content_hash": 64}
DATE_FIELDS = ("published_at", "crawled_at")


def invalid_row(row) -> str | None:
    """Why the database would refuse this article row (one line), or None when it is fit to write."""
    if not isinstance(row, dict):
        return f"not an article row: {type(row).__name__}"
    for name in ("url", "portal", "title"):
        if not isinstance(row.get(name), str) or not row[name].strip():
            return f"{name} missing or not text"
    for name, value in row.items():
        if name in LIST_FIELDS:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                return f"{name} is not a list of text"
            values = value
        elif name in DATE_FIELDS:
            reason = _invalid_date(value)
            if reason:
                return f"{name} {reason}"
            continue
        elif value is None:
            continue
        elif name == "archive_offset":
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                return f"archive_offset is {value!r}, not an offset"
            continue
        elif not isinstance(value, str):
            return f"{name} is {type(value).__name__}, not text"
        else:
            values = [value]
        for text in values:
            if "\x00" in text:
                return f"{name} holds a NUL character"
            if len(text) > TEXT_LIMITS.get(name, MAX_TEXT):
                return f"{name} is {len(text)} characters long, more than {TEXT_LIMITS.get(name, MAX_TEXT)}"
    return None


def _invalid_date(value) -> str | None:
    if value is None:
        return None
    try:
        moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    except ValueError:
        return f"{str(value)[:40]!r} is not an ISO 8601 time"
    offset = moment.utcoffset()
    if offset is None:
        return f"{moment.isoformat()} has no UTC offset"
    if offset.microseconds or offset.seconds % 60:
        return f"{moment.isoformat()} has an offset of {offset} (not whole minutes)"
    try:
        utc = moment.astimezone(timezone.utc)
    except (OverflowError, ValueError):
        return f"{moment.isoformat()} is out of range in UTC"
    if not 1900 <= utc.year <= 2200:
        return f"{moment.isoformat()} is outside the years 1900-2200"
    return None
