"""The archive's part of `scrapy dbstats`: its files and size, and which stored articles it holds the page of."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import sqlalchemy as sa

from newscrawl.archive import OPEN_SUFFIX
from newscrawl.archive.reader import archive_files, locked, resolve


def files_summary(directory: Path) -> dict:
    """Files (closed, being written, left open by a killed crawl), bytes, and the days they span (UTC)."""
    files = archive_files(directory)
    sizes, times, writing, left = 0, [], 0, 0
    for path in files:
        try:
            stat = path.stat()
        except FileNotFoundError:
            continue
        sizes += stat.st_size
        times.append(stat.st_mtime)
        if path.name.endswith(OPEN_SUFFIX):
            writing, left = (writing + 1, left) if locked(path) else (writing, left + 1)
    day = lambda t: datetime.fromtimestamp(t, timezone.utc).date().isoformat()  # noqa: E731
    return {"directory": str(directory), "files": len(files), "writing": writing, "left_open": left, "bytes": sizes,
            "first_day": day(min(times)) if times else None, "last_day": day(max(times)) if times else None}


def coverage(connection: sa.Connection, columns: dict[str, sa.Column], where: list, directory: Path) -> dict[str, dict]:
    """Per portal: articles, those whose row names an archived page, and those whose file is still there."""
    if "archive_file" not in columns:
        return {}
    query = (sa.select(columns["portal"], columns["archive_file"], sa.func.count().label("n"))
             .where(*where).group_by(columns["portal"], columns["archive_file"]))
    found: dict[str, dict] = {}
    present: dict[str, bool] = {}
    for portal, name, count in connection.execute(query):
        entry = found.setdefault(portal, {"articles": 0, "archived": 0, "present": 0})
        entry["articles"] += count
        if name is None:
            continue
        entry["archived"] += count
        if name not in present:
            present[name] = resolve(directory, name) is not None
        entry["present"] += count if present[name] else 0
    return found


def report(connection: sa.Connection, columns: dict[str, sa.Column], where: list, settings) -> dict | None:
    """The archive section of dbstats (None when NEWSCRAWL_ARCHIVE_DIR is not set)."""
    value = settings.get("NEWSCRAWL_ARCHIVE_DIR")
    if not value:
        return None
    directory = Path(str(value)).expanduser()
    return {**files_summary(directory), "days": settings.getfloat("NEWSCRAWL_ARCHIVE_DAYS"),
            "max_mb": settings.getfloat("NEWSCRAWL_ARCHIVE_MAX_MB"), "portals": coverage(connection, columns, where, directory)}


def render(section: dict | None) -> list[str]:
    if section is None:
        return ["", "Archive: off (set NEWSCRAWL_ARCHIVE_DIR to keep the pages crawled)"]
    limits = [f"{section['days']:g} days" if section["days"] else "", f"{section['max_mb']:g} MB" if section["max_mb"] else ""]
    kept = " and ".join(x for x in limits if x) or "no limit"
    span = f", {section['first_day']} .. {section['last_day']}" if section["first_day"] else ""
    being = f" ({section['writing']} being written)" if section["writing"] else ""
    left = f", {section['left_open']} left open by a killed crawl (repaired at the next start)" if section["left_open"] else ""
    lines = ["", f"Archive {section['directory']}: {section['files']} files{being}, {section['bytes'] / 1e6:.1f} MB{span}{left}; "
             f"kept: {kept}"]
    rows = section["portals"]
    if rows:
        width = max(len("portal"), *(len(p) for p in rows))
        lines.append(f"  {'portal':<{width}}  articles  archived  file present")
        for portal, entry in rows.items():
            share = f"{100 * entry['present'] / entry['articles']:.0f}%" if entry["articles"] else "-"
            lines.append(f"  {portal:<{width}}  {entry['articles']:>8}  {entry['archived']:>8}  {entry['present']:>7} ({share})")
    return lines
