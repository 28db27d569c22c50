"""Gzip WARC files written on a thread of their own: one response and one request record per page, rotated by size."""

from __future__ import annotations

import fcntl
import io
import os
import socket
import zlib
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timezone
from http import HTTPStatus
from pathlib import Path
from urllib.parse import urlsplit

from newscrawl.archive import KIND_FIELD, OPEN_SUFFIX, SPIDER_FIELD, SUFFIX

FORMAT = "newscrawl-archive/1"
GZIP_LEVEL = 3


@dataclass
class Capture:
    """One fetched page as the crawl saw it: plain values, so that records are built off the reactor."""

    url: str
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes
    method: str
    request_headers: list[tuple[bytes, bytes]]
    request_body: bytes
    captured_at: datetime
    spider: str
    kind: str


def _text(value: bytes | str) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else str(value)


def warc_date(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class WarcFiles:
    """The files of one crawl in ``directory``: ``<spider>-<UTC start>-<pid>-<n>.warc.gz``, written as ``….open``
    (and flock'ed, so retention never touches them) and renamed when full or closed; each record a gzip member."""

    def __init__(self, directory: Path, spider: str, rotate_bytes: int):
        from warcio.warcwriter import WARCWriter

        self.directory = directory
        self.spider = spider
        self.rotate_bytes = max(1, rotate_bytes)
        self.stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        self.serial = 0
        self.name: str | None = None
        self.fd: int | None = None
        self.size = 0
        self.writer = WARCWriter(None, gzip=False)  # builds records; _write_warc_record writes them to a buffer

    def _open(self) -> None:
        self.serial += 1
        self.name = f"{self.spider}-{self.stamp}-{os.getpid()}-{self.serial:05d}{SUFFIX}"
        # locked before it shows as .open: another crawl's repair never takes a new file for a killed crawl's
        hidden = self.directory / f".{self.name}{OPEN_SUFFIX}.new"
        self.fd = os.open(hidden, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o644)
        fcntl.flock(self.fd, fcntl.LOCK_EX)
        os.rename(hidden, self.directory / (self.name + OPEN_SUFFIX))
        self.size = 0
        info = self.writer.create_warcinfo_record(self.name, {
            "software": "newscrawl (Scrapy)", "format": "WARC File Format 1.1", "conformsTo": FORMAT,
            "hostname": socket.gethostname(), "isPartOf": self.spider,
        })
        self._append(self._serialize(info))

    def _serialize(self, *records) -> bytes:
        """Each record a gzip member of its own (what warcio writes, at level 3 instead of 9: half the CPU time
        for 6 % more bytes on news pages)."""
        out = []
        for record in records:
            buffer = io.BytesIO()
            self.writer._write_warc_record(buffer, record)
            compressor = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, zlib.MAX_WBITS + 16)
            out += [compressor.compress(buffer.getbuffer()), compressor.flush()]
        return b"".join(out)

    def _append(self, data: bytes) -> int:
        """One write(2) per page, so a killed crawl leaves at most the last page cut short."""
        offset = self.size
        view = memoryview(data)
        while view:
            written = os.write(self.fd, view)
            view = view[written:]
        self.size += len(data)
        return offset

    def write(self, capture: Capture) -> tuple[str, int]:
        """Append the page's response and request records; ``(file name, offset of the response record)``."""
        if self.fd is not None and self.size >= self.rotate_bytes:
            self.close()
        if self.fd is None:
            self._open()
        response, request = self._records(capture)
        return self.name, self._append(self._serialize(response, request))

    def _records(self, capture: Capture):
        from warcio.statusandheaders import StatusAndHeaders

        writer = self.writer
        try:
            reason = HTTPStatus(capture.status).phrase
        except ValueError:
            reason = "Unknown"
        # The body as received (still compressed when the server compressed it), de-chunked by the client.
        headers = [(_text(k), _text(v)) for k, v in capture.headers
                   if _text(k).lower() not in ("transfer-encoding", "content-length")]
        headers.append(("Content-Length", str(len(capture.body))))
        date = warc_date(capture.captured_at)
        response = writer.create_warc_record(
            capture.url, "response", payload=io.BytesIO(capture.body),
            http_headers=StatusAndHeaders(f"{capture.status} {reason}", headers, protocol="HTTP/1.1"),
            warc_headers_dict={"WARC-Date": date, SPIDER_FIELD: capture.spider, KIND_FIELD: capture.kind},
        )
        parts = urlsplit(capture.url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        request_headers = [("Host", parts.netloc)] + [(_text(k), _text(v)) for k, v in capture.request_headers
                                                       if _text(k).lower() != "host"]
        request = writer.create_warc_record(
            capture.url, "request", payload=io.BytesIO(capture.request_body),
            http_headers=StatusAndHeaders(f"{capture.method} {target} HTTP/1.1", request_headers, is_http_request=True),
            warc_headers_dict={"WARC-Date": date, "WARC-Concurrent-To": response.rec_headers.get_header("WARC-Record-ID")},
        )
        return response, request

    def close(self) -> None:
        """The current file complete: unlocked and renamed to its final name."""
        if self.fd is None:
            return
        fd, self.fd = self.fd, None
        os.fsync(fd)
        os.rename(self.directory / (self.name + OPEN_SUFFIX), self.directory / self.name)
        os.close(fd)  # closing releases the lock, after the rename: retention never sees an unlocked .open file


class Pending:
    """Where a page is being archived: the Future of ``(file, offset)``. Requests copied from the one it is in
    (a redirect, a retry) carry it on; pickled (JOBDIR queues), it becomes the location, or None."""

    def __init__(self, future: Future):
        self.future = future

    def __reduce__(self):
        try:
            return tuple, (self.future.result(timeout=30),)
        except Exception:  # noqa: BLE001 - a failed write: no location
            return type(None), ()


class ArchiveWriter:
    """``WarcFiles`` behind one thread: ``submit`` returns at once with the Future of the page's location."""

    def __init__(self, files: WarcFiles):
        self.files = files
        self.thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="newscrawl-archive")

    def submit(self, capture: Capture) -> Pending:
        return Pending(self.thread.submit(self.files.write, capture))

    def close(self) -> Future:
        """Every submitted page written, then the file closed (the Future of that)."""
        closing = self.thread.submit(self.files.close)
        self.thread.shutdown(wait=False)
        return closing
