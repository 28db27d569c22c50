"""Download handler of `scrapy reextract`: every http(s) request answered from the archive, none sent to a server."""

from __future__ import annotations

from pathlib import Path

from scrapy.core.downloader.handlers.base import BaseDownloadHandler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Headers
from scrapy.responsetypes import responsetypes
from scrapy.utils.asyncio import run_in_thread

from newscrawl.archive import ARCHIVED, CAPTURED_AT, reader

# crawler setting (an object, set by the command): the ReplayIndex the handler answers from
INDEX_SETTING = "ARCHIVE_REPLAY_INDEX"


class NotArchived(IgnoreRequest):
    """A page the archive does not hold: in a replay it is not fetched."""


class ReplayIndex:
    """URL -> the newest archived response to it: ``(file path, offset, captured_at)``."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.pages: dict[str, tuple[Path, int, object]] = {}

    def add(self, entry: reader.Entry, path: Path) -> None:
        known = self.pages.get(entry.url)
        if known is None or _newer(entry, reader.Entry(entry.url, known[2], None, None, 0, "", 0)):
            self.pages[entry.url] = (path, entry.offset, entry.captured_at)

    def find(self, url: str) -> tuple[Path, int, object] | None:
        return self.pages.get(url)


def _newer(entry: reader.Entry, known: reader.Entry | None) -> bool:
    """The later capture of a URL wins; one without a date (another tool's archive) loses to a dated one, and
    among undated ones the later in the scan wins."""
    if known is None or known.captured_at is None:
        return True
    return entry.captured_at is not None and entry.captured_at >= known.captured_at


class ArchiveReplayHandler(BaseDownloadHandler):
    """Serves ``http``/``https`` from the ``ReplayIndex`` in the crawler's settings: the archived status, headers and
    bytes (compressed as received: Scrapy's middlewares decode them as in the crawl). A page the archive lacks fails
    with ``NotArchived`` (``newscrawl/reextract/not_archived``)."""

    lazy = False

    def __init__(self, crawler):
        super().__init__(crawler)
        self.index: ReplayIndex = crawler.settings.get(INDEX_SETTING)
        if self.index is None:
            raise RuntimeError(f"{INDEX_SETTING} is not set: this handler only serves `scrapy reextract`")

    async def download_request(self, request):
        found = self.index.find(request.url)
        page = await run_in_thread(reader.read_at, found[0], found[1]) if found else None
        stats = self.crawler.stats
        if page is None:
            stats.inc_value("newscrawl/reextract/not_archived")
            raise NotArchived(f"not in the archive: {request.url}")
        stats.inc_value("newscrawl/reextract/pages_replayed")
        request.meta[ARCHIVED] = (page.file, page.offset)
        if page.captured_at is not None:
            request.meta[CAPTURED_AT] = page.captured_at
        headers = Headers()
        for name, value in page.headers:
            headers.appendlist(name, value)
        cls = responsetypes.from_args(headers=headers, url=request.url, body=page.body)
        return cls(url=request.url, status=page.status, headers=headers, body=page.body, request=request, flags=["archived"])


def build_index(directory: Path, since=None, only: list[Path] | None = None) -> tuple[ReplayIndex, list[reader.Entry]]:
    """Scan the archive (or the files in ``only``): every response into the index, and the article first pages
    captured on or after ``since`` (a UTC date; files last written before it are not read)."""
    from datetime import datetime, time, timezone

    index = ReplayIndex(directory)
    starts: dict[str, reader.Entry] = {}
    cutoff = datetime.combine(since, time(), timezone.utc) if since else None
    for path in only if only is not None else reader.archive_files(directory):
        if cutoff and datetime.fromtimestamp(path.stat().st_mtime, timezone.utc) < cutoff:
            continue
        for entry in reader.scan(path):
            index.add(entry, path)
            if entry.kind not in (None, "article") or not 200 <= entry.status < 300:
                continue
            if cutoff and (entry.captured_at is None or entry.captured_at < cutoff):
                continue
            if _newer(entry, starts.get(entry.url)):
                starts[entry.url] = entry
    return index, list(starts.values())


def portal_of(entry: reader.Entry, spiders: dict[str, type]) -> str | None:
    """The spider an archived first page belongs to: the one named in the record, else (an archive written by
    another tool) the portal spider whose domains and article URLs it matches."""
    if entry.spider:
        return entry.spider if entry.spider in spiders else None
    from urllib.parse import urlsplit

    host = (urlsplit(entry.url).hostname or "").lower()
    for name, cls in spiders.items():
        domains = getattr(cls, "allowed_domains", None) or ()
        if any(host == d or host.endswith("." + d) for d in domains):
            try:
                if cls.is_article_url(cls.__new__(cls), entry.url):
                    return name
            except Exception:  # noqa: BLE001 - a spider whose URL test needs its arguments
                continue
    return None
