"""The run report: one self-contained HTML page of charts built from the store and crawl_runs (docs/OPERATIONS.md)."""

from __future__ import annotations

import os
import tempfile
from datetime import datetime, tzinfo
from pathlib import Path

import sqlalchemy as sa

from newscrawl.extensions.monitor import Thresholds
from newscrawl.report.data import collect
from newscrawl.report.page import render


def build(engine: sa.Engine, days: int = 30, portals=(), tz: tzinfo | None = None, thresholds: Thresholds | None = None,
          now: datetime | None = None) -> str:
    """The report's HTML for the last ``days`` local days (``tz``: the machine's zone by default)."""
    tz = tz or datetime.now().astimezone().tzinfo
    return render(collect(engine, days, portals, tz, thresholds, now))


def write(path: Path, html: str) -> None:
    """Write the file whole or not at all (a reader never sees half a report)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(html)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
