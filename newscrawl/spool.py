"""Spool files: JSON Lines of article rows the database could not take, loaded back by the next run.

A run appends to ``DIR/<spider>.<database key>-<UTC time>-<pid>.jsonl.part`` and renames it to ``.jsonl``
when it closes, so a loader only ever takes finished files; a loader claims a file by renaming it first, so
two runs never load the same file. The database key names the database the items were meant for: a run
loads only its own database's spool, so a crawl into a test database never swallows production items.
``scrapy loadspool`` loads by hand; the store loads at start.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
from datetime import datetime, timezone
from pathlib import Path

import sqlalchemy as sa

from newscrawl import db

logger = logging.getLogger(__name__)


def database_key(url: str) -> str:
    """A short stable name for a database URL (password left out), used in spool file names."""
    try:
        shown = sa.engine.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        shown = url
    return hashlib.sha1(shown.encode("utf-8")).hexdigest()[:10]


class SpoolWriter:
    def __init__(self, directory: str | os.PathLike, spider: str, key: str | None = None):
        self.directory = Path(directory)
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
        owner = f"{spider}.{key}" if key else spider
        self.path = self.directory / f"{owner}-{stamp}-{os.getpid()}.jsonl.part"
        self.count = 0

    def write(self, rows: list[dict], seen_at: datetime) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as out:
            for row in rows:
                out.write(json.dumps({"seen_at": seen_at.isoformat(), "row": row}, ensure_ascii=False, default=str) + "\n")
            out.flush()
            os.fsync(out.fileno())
        self.count += len(rows)

    def close(self) -> Path | None:
        """Publish the file for loading; returns its final path (None when nothing was spooled)."""
        if not self.path.exists():
            return None
        final = self.path.with_name(self.path.name.removesuffix(".part"))
        self.path.rename(final)
        return final


def pending(directory: str | os.PathLike, key: str | None = None) -> list[Path]:
    """Finished spool files, and unfinished ones whose writer died (a killed crawl must not lose its spool).

    With ``key``, only the files meant for that database (see ``database_key``).
    """
    directory = Path(directory)
    if not directory.is_dir():
        return []
    pattern = f"*.{key}-*" if key else "*"
    files = list(directory.glob(f"{pattern}.jsonl"))
    for part in directory.glob(f"{pattern}.jsonl.part"):
        match = re.search(r"-(\d+)\.jsonl\.part$", part.name)
        if match and not _alive(int(match.group(1))):
            files.append(part)
    return sorted(files)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def load(engine: sa.Engine, directory: str | os.PathLike, batch_size: int = 500, key: str | None = None) -> dict[str, int]:
    """Write finished spool files (those for database ``key``, or all) into the database; return outcome counts.

    A file is deleted once loaded.
    """
    counts: dict[str, int] = {}
    for path in pending(directory, key):
        claimed = path.with_name(f"{path.name}.loading-{os.getpid()}")
        try:
            path.rename(claimed)
        except FileNotFoundError:
            continue  # another run took it
        try:
            records = [json.loads(line) for line in claimed.read_text(encoding="utf-8").splitlines() if line.strip()]
            # Oldest first, so versions and first_seen_at follow the order the items were crawled in.
            for start in range(0, len(records), batch_size):
                chunk = records[start : start + batch_size]
                seen_at = datetime.fromisoformat(chunk[0]["seen_at"])
                with engine.begin() as connection:
                    outcomes = db.write_batch(connection, [r["row"] for r in chunk], seen_at)
                for outcome, _ in outcomes:
                    counts[outcome] = counts.get(outcome, 0) + 1
        except BaseException:
            claimed.rename(path)  # keep it for the next try; rows already written are "unchanged" then
            raise
        claimed.unlink()
        logger.info("Loaded spool file %s (%d rows)", path, len(records))
    return counts
