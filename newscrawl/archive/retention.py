"""Archive retention: files older than NEWSCRAWL_ARCHIVE_DAYS, then the oldest beyond NEWSCRAWL_ARCHIVE_MAX_MB, removed; never one being written."""

from __future__ import annotations

import time
from pathlib import Path

from newscrawl.archive import OPEN_SUFFIX
from newscrawl.archive.reader import archive_files, locked


def prune(directory: Path, days: float, max_bytes: int, now: float | None = None) -> list[tuple[str, int]]:
    """Remove closed archive files past the age limit (``days`` > 0), then the oldest until the archive fits in
    ``max_bytes`` (> 0). A file a crawl holds (``.open``, or locked) is never removed, nor counted as removable.
    Returns ``(name, size)`` of each removed file."""
    now = time.time() if now is None else now
    closed, total = [], 0
    for path in archive_files(directory):
        try:
            stat = path.stat()
        except FileNotFoundError:
            continue
        total += stat.st_size
        if not path.name.endswith(OPEN_SUFFIX):
            closed.append((path, stat))
    removed = []
    for path, stat in closed:  # oldest first
        too_old = days > 0 and now - stat.st_mtime > days * 86400
        too_big = max_bytes > 0 and total > max_bytes
        if not (too_old or too_big):
            continue
        if locked(path):  # renamed but not yet released by its crawl
            continue
        try:
            path.unlink()
        except FileNotFoundError:
            continue
        total -= stat.st_size
        removed.append((path.name, stat.st_size))
    return removed
