"""Spool files: JSON Lines of article rows the database could not take, loaded back by the next run.

Every line is pure ASCII JSON (``ensure_ascii``): U+2028, U+0085 and the other characters some line
splitters break on are escaped, so any reader gets one document per line. A line that still cannot
be read, and a row the database refuses, go to ``DIR/rejects/`` with the reason: nothing stays in the
spool for ever.

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
    shown = db.shown_url(url)
    return hashlib.sha1(shown.encode("utf-8")).hexdigest()[:10]


def line(document: dict) -> str:
    """One spool line: ASCII JSON, so no character inside it is a line break to any splitter."""
    return json.dumps(document, ensure_ascii=True, default=str) + "\n"


class SpoolWriter:
    def __init__(self, directory: str | os.PathLike, spider: str, key: str | None = None):
        self.directory = Path(directory)
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
        owner = f"{spider}.{key}" if key else spider
        self.path = self.directory / f"{owner}-{stamp}-{os.getpid()}.jsonl.part"
        self.count = 0

    def write(self, rows: list[dict], seen_at: datetime) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="ascii") as out:
            out.write("".join(line({"seen_at": seen_at.isoformat(), "row": row}) for row in rows))
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


class RejectWriter:
    """``DIR/rejects/<owner>-<time>-<pid>.jsonl``: rows the database refused, each with its reason."""

    def __init__(self, directory: str | os.PathLike, owner: str):
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
        self.path = Path(directory) / "rejects" / f"{owner}-{stamp}-{os.getpid()}.jsonl"
        self.count = 0

    def write(self, rejected: list[tuple[str, object]], seen_at: datetime | str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        seen = seen_at.isoformat() if isinstance(seen_at, datetime) else str(seen_at)
        with self.path.open("a", encoding="ascii") as out:
            out.write("".join(line({"reason": reason, "seen_at": seen, "row": row}) for reason, row in rejected))
            out.flush()
            os.fsync(out.fileno())
        self.count += len(rejected)


def count_lines(paths) -> int:
    total = 0
    for path in paths:
        try:
            with open(path, "rb") as handle:
                total += sum(1 for raw in handle if raw.strip())
        except OSError:
            pass
    return total


def others(directory: str | os.PathLike, key: str) -> tuple[int, int]:
    """(files, items) waiting in the spool for databases other than ``key``."""
    files = [p for p in pending(directory) if f".{key}-" not in p.name]
    return len(files), count_lines(files)


def read(path: Path) -> tuple[list[dict], list[tuple[str, str]]]:
    """The records of a spool file, and (reason, raw line) for each line that is not a record.

    Lines are split on the newline byte only: files written before lines were ASCII may hold U+2028 in a body.
    """
    records, unreadable = [], []
    for number, raw in enumerate(path.read_bytes().split(b"\n"), 1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw.decode("utf-8"))
            if not isinstance(record, dict) or not isinstance(record.get("row"), dict):
                raise ValueError("not a {seen_at, row} object")
            datetime.fromisoformat(str(record.get("seen_at")))
        except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
            unreadable.append((f"line {number} of {path.name} unreadable: {str(exc)[:120]}", raw.decode("utf-8", "replace")))
            continue
        records.append(record)
    return records, unreadable


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
        if match and not process_alive(int(match.group(1))):
            files.append(part)
    return sorted(files)


def process_alive(pid: int) -> bool:
    """Whether process ``pid`` still runs (this process counts as running)."""
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

    A file is deleted once loaded. Rows the database refuses and unreadable lines go to
    ``DIR/rejects/`` (outcome ``rejected``); an outage puts the file back for the next try.
    """
    counts: dict[str, int] = {}
    directory = Path(directory)
    for path in pending(directory, key):
        claimed = path.with_name(f"{path.name}.loading-{os.getpid()}")
        try:
            path.rename(claimed)
        except FileNotFoundError:
            continue  # another run took it
        rejects = RejectWriter(directory, path.name.split("-")[0])
        try:
            records, unreadable = read(claimed)
            if unreadable:
                rejects.write([(reason, raw) for reason, raw in unreadable], datetime.now(timezone.utc))
                counts["rejected"] = counts.get("rejected", 0) + len(unreadable)
            # Oldest first, so versions and first_seen_at follow the order the items were crawled in.
            for start in range(0, len(records), batch_size):
                chunk = records[start : start + batch_size]
                seen_at = datetime.fromisoformat(chunk[0]["seen_at"])
                outcomes = db.write_rows(engine, [r["row"] for r in chunk], seen_at)
                refused = [(detail, record["row"]) for (outcome, detail), record in zip(outcomes, chunk) if outcome == "rejected"]
                if refused:
                    rejects.write(refused, seen_at)
                for outcome, _ in outcomes:
                    counts[outcome] = counts.get(outcome, 0) + 1
        except BaseException:
            claimed.rename(path)  # keep it for the next try; rows already written are "unchanged" then
            raise
        claimed.unlink()
        logger.info("Loaded spool file %s (%d rows)", path, len(records))
        if rejects.count:
            logger.error("%d rows of %s refused: written to %s with their reasons", rejects.count, path.name, rejects.path)
    return counts
