"""One export: which records (a Selection, a cursor's window), in which format, to which target."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime, timezone

from newscrawl.export import columns
from newscrawl.export.source import Selection, iter_article_batches, iter_version_batches
from newscrawl.reader import CommandError


@dataclass
class Job:
    kind: str  # jsonl, csv, parquet, duckdb
    target: str
    selection: Selection
    versions: bool = False  # jsonl/csv: the versions instead of the articles
    bodies: bool = True  # jsonl/csv: body_html and body_text

    @property
    def names(self) -> tuple[str, ...]:
        names = tuple(c.name for c in (columns.VERSION_COLUMNS if self.versions else columns.ARTICLE_COLUMNS))
        return names if self.bodies else tuple(n for n in names if n not in columns.BODY_NAMES)


def parse_time(value: str | None) -> datetime | None:
    """--changed-since: ISO 8601, a time without an offset is UTC."""
    if value is None:
        return None
    if value == "":
        raise CommandError("--changed-since needs a time like 2024-01-31T08:00:00+08:00")
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise CommandError(f"--changed-since: {value!r} is not an ISO 8601 time like 2024-01-31T08:00:00+08:00") from None
    return (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)


def parse_cursor(value: str | None) -> str | None:
    import re

    if value is None:
        return None
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}", value):
        raise CommandError(f"--cursor needs a name of letters, digits, '.', '_' or '-' (at most 64), got {value!r}")
    return value


def write(engine, job: Job, selection: Selection, stale: list, step: str | None = None) -> dict[str, int]:
    """Write the job's records; return counts by table. ``step`` names a cursor's export (``stale``: see
    iter_article_batches); a cursor's file export with nothing to write leaves the file as it was."""
    if job.kind in ("jsonl", "csv"):
        from newscrawl.export import csvfile, jsonl

        table = "article_versions" if job.versions else "articles"
        batches = iter_version_batches(engine, selection) if job.versions else iter_article_batches(
            engine, selection, stale=stale)
        if step is not None:
            first = next(batches, None)
            if first is None:
                return {table: 0}
            batches = itertools.chain([first], batches)
        if job.kind == "jsonl":
            return {table: jsonl.write(batches, job.target, job.names)}
        return {table: csvfile.write(batches, job.target, job.names)}
    if job.kind == "parquet":
        from newscrawl.export import parquet

        return parquet.write(engine, job.target, selection, stale, step)
    from newscrawl.export import duckdbfile

    return duckdbfile.write(engine, job.target, selection, stale, step)


def describe(counts: dict[str, int], target: str) -> str:
    parts = [f"{counts['articles']} articles"] if "articles" in counts else []
    if "article_versions" in counts:
        parts.append(f"{counts['article_versions']} earlier versions")
    return f"exported {' and '.join(parts)} to {target}"


def run_job(engine, job: Job, cursor: str | None = None) -> str:
    """Run an export; with ``cursor``, only what changed since its last complete export, then advance it."""
    if cursor is None:
        return describe(write(engine, job, job.selection, []), job.target)
    from newscrawl.export import cursors

    return cursors.run(engine, job, cursor)
