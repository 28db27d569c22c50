"""Every place a run writes to, checked before the first request: one line for each that cannot be written."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from urllib.parse import unquote, urlsplit

# Settings that name a place a crawl writes to, and what it is. An output added later (an archive
# directory, ...) registers its setting here and is checked like the others.
OUTPUT_SETTINGS: dict[str, tuple[str, str]] = {
    "JOBDIR": ("directory", "JOBDIR"),
    "NEWSCRAWL_SPOOL_DIR": ("directory", "NEWSCRAWL_SPOOL_DIR"),
    "LOG_FILE": ("file", "--logfile"),
    "NEWSCRAWL_METRICS_PATH": ("file", "NEWSCRAWL_METRICS_PATH"),
}


def register(setting: str, kind: str, label: str | None = None) -> None:
    """Check ``setting`` at start too: ``kind`` is ``directory`` (created when missing) or ``file``."""
    OUTPUT_SETTINGS[setting] = (kind, label or setting)


def problem(path: str | os.PathLike, kind: str, create_parents: bool = True) -> str | None:
    """Why ``path`` cannot be written (a ``file``, or a ``directory`` to write files into), else None.

    Probes the disk rather than asking ``os.access``: root passes every permission check, not a read-only
    filesystem. A missing path is fine when ``create_parents`` and its nearest existing parent takes a file.
    """
    path = Path(path).expanduser()
    if path.exists():
        if kind == "directory":
            return "not a directory" if not path.is_dir() else _probe(path)
        if path.is_dir():
            return "a directory, not a file"
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_APPEND))  # nothing written, nothing truncated
        except OSError as exc:
            return _reason(exc)
        return None
    parent = path.parent
    if not create_parents and not parent.is_dir():
        return f"no such directory {parent}"
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        return f"{parent} is not a directory"
    error = _probe(parent)
    return f"cannot create it in {parent}: {error}" if error else None


def feed_paths(settings) -> list[tuple[str, str]]:
    """(path, kind) of each local file of FEEDS (``-o``/``-O``); a templated one as the directory it goes to."""
    found = []
    for uri in settings.getdict("FEEDS"):
        uri = str(uri)
        parts = urlsplit(uri)
        if parts.scheme == "file":
            uri = unquote(parts.path)
        elif parts.scheme and len(parts.scheme) > 1:  # s3://, ftp://, stdout: (a drive letter is no scheme)
            continue
        if uri in ("-", ""):
            continue
        if "%(" in uri:  # filled in at run time: its fixed directory part must take files
            fixed = uri.split("%(", 1)[0]
            found.append((fixed if fixed.endswith("/") else os.path.dirname(fixed) or ".", "directory"))
        else:
            found.append((uri, "file"))
    return found


def problems(settings, extra: dict[str, tuple[str, str]] | None = None) -> list[str]:
    """One line per output of these settings that cannot be written (FEEDS, OUTPUT_SETTINGS, ``extra``).

    ``extra`` maps a label to (kind, path): outputs a command knows of, like crawlall's report.
    """
    wanted = [("-o/-O", kind, path) for path, kind in feed_paths(settings)]
    wanted += [(label, kind, settings.get(name)) for name, (kind, label) in OUTPUT_SETTINGS.items()]
    wanted += [(label, kind, path) for label, (kind, path) in (extra or {}).items()]
    lines = []
    for label, kind, path in wanted:
        error = problem(path, kind, create_parents=label != "--logfile") if path else None
        if error:
            lines.append(f"{label} {path}: cannot write there: {error}")
    return lines


def _probe(directory: Path) -> str | None:
    try:
        with tempfile.TemporaryFile(dir=directory):
            pass
    except OSError as exc:
        return _reason(exc)
    return None


def _reason(exc: OSError) -> str:
    return (exc.strerror or str(exc)).lower()
