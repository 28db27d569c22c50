"""Reading the archive back: its files, the complete records of each, one record at a known offset; repairs left by a kill."""

from __future__ import annotations

import fcntl
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from newscrawl.archive import KIND_FIELD, OPEN_SUFFIX, SPIDER_FIELD, SUFFIX


@dataclass
class Page:
    """A response record: what the crawl received, and where it is."""

    url: str
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    captured_at: datetime | None
    spider: str | None
    kind: str | None
    file: str
    offset: int


@dataclass
class Entry:
    """A response record found by a scan, without its body."""

    url: str
    captured_at: datetime | None
    spider: str | None
    kind: str | None
    status: int
    file: str
    offset: int


def archive_files(directory: Path, open_too: bool = True) -> list[Path]:
    """The archive's WARC files, oldest first (by modification time, then name)."""
    if not directory.is_dir():
        return []
    found = [p for p in directory.iterdir()
             if p.is_file() and (p.name.endswith(SUFFIX) or (open_too and p.name.endswith(SUFFIX + OPEN_SUFFIX)))]
    return sorted(found, key=lambda p: (p.stat().st_mtime, p.name))


def locked(path: Path) -> bool:
    """True while a crawl writes the file (it holds an exclusive flock on it)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def resolve(directory: Path, name: str) -> Path | None:
    """The file an article row names: closed, or still ``.open`` (left by a killed crawl); None when gone."""
    if not name or "/" in name or name.startswith("."):
        return None
    for candidate in (directory / name, directory / (name + OPEN_SUFFIX)):
        if candidate.is_file():
            return candidate
    return None


def _date(record) -> datetime | None:
    value = record.rec_headers.get_header("WARC-Date")
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _status(record) -> int:
    try:
        return int(record.http_headers.get_statuscode())
    except (TypeError, ValueError, AttributeError):
        return 0


def records(path: Path, bodies: bool = False):
    """``(offset, end, record, body)`` of each complete record, in order; stops at the first that is cut short or
    damaged (a killed crawl's last page). ``body`` is the payload as received (None unless ``bodies``)."""
    from warcio.archiveiterator import ArchiveIterator

    with open(path, "rb") as stream:
        iterator = ArchiveIterator(stream, check_digests=True)
        try:
            for record in iterator:
                body = record.raw_stream.read() if bodies else None
                if not bodies:
                    while record.raw_stream.read(1 << 16):
                        pass
                iterator.read_to_end(record)
                if record.digest_checker.passed is False or not _member_ended(iterator):
                    return
                offset = iterator.get_record_offset()
                yield offset, offset + iterator.get_record_length(), record, body
        except Exception:  # noqa: BLE001 - a record cut anywhere fails in many ways: the file ends before it
            return


def _member_ended(iterator) -> bool:
    """The record's gzip member is whole (its trailer read): a cut member still inflates to a plausible record."""
    decompressor = getattr(iterator.reader, "decompressor", None)
    return decompressor is None or getattr(decompressor, "eof", True)


def scan(path: Path):
    """The response records of a file, as ``Entry``s."""
    name = path.name.removesuffix(OPEN_SUFFIX)
    for offset, _, record, _ in records(path):
        if record.rec_type != "response":
            continue
        headers = record.rec_headers
        yield Entry(headers.get_header("WARC-Target-URI"), _date(record), headers.get_header(SPIDER_FIELD),
                    headers.get_header(KIND_FIELD), _status(record), name, offset)


def read_at(path: Path, offset: int) -> Page | None:
    """The response record at ``offset`` (None when there is no complete one there)."""
    from warcio.archiveiterator import ArchiveIterator

    with open(path, "rb") as stream:
        stream.seek(offset)
        try:
            record = next(iter(ArchiveIterator(stream, check_digests=True)))
            body = record.raw_stream.read()
        except Exception:  # noqa: BLE001 - no complete record at that offset
            return None
        if record.rec_type != "response" or record.digest_checker.passed is False:
            return None
        headers = record.rec_headers
        return Page(headers.get_header("WARC-Target-URI"), _status(record), list(record.http_headers.headers), body,
                    _date(record), headers.get_header(SPIDER_FIELD), headers.get_header(KIND_FIELD),
                    path.name.removesuffix(OPEN_SUFFIX), offset)


def repair(directory: Path) -> list[tuple[str, int]]:
    """Files a killed crawl left ``.open`` (no longer locked): cut after their last complete record and renamed to
    their final name, so every file reads to its end (``warcio check``). Returns ``(name, bytes cut)`` of each.
    Each is repaired under its lock, so crawls starting together (crawlall) do not repair one file twice."""
    repaired = []
    for path in archive_files(directory):
        if not path.name.endswith(OPEN_SUFFIX):
            continue
        try:
            fd = os.open(path, os.O_RDWR)
        except FileNotFoundError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            if not path.exists():  # repaired by another crawl meanwhile
                continue
            end = 0
            for _, end, _, _ in records(path):
                pass
            size = os.fstat(fd).st_size
            os.ftruncate(fd, end)
            final = path.with_name(path.name.removesuffix(OPEN_SUFFIX))
            os.rename(path, final)
            repaired.append((final.name, size - end))
        except BlockingIOError:  # a crawl writes it
            continue
        finally:
            os.close(fd)
    return repaired
