"""Serve every request from a `wget -m` style directory tree (NEWSCRAWL_MIRROR), offline."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

from scrapy.exceptions import NotConfigured
from scrapy.http import Headers
from scrapy.responsetypes import responsetypes
from scrapy.utils.defer import maybe_deferred_to_future

from newscrawl import config


class MirrorDownloaderMiddleware:
    """Answers requests from files; the response keeps the real URL, so URL logic runs as live.

    ``http(s)://host[:port]/path?query`` is looked up as ``DIR/host[:port]/path?query``, then
    ``DIR/host[:port]/path``; a path ending in ``/`` means ``index.html``. A missing file is a 404.
    A form POST (list APIs) is looked up with its form body as the query, like ``wget --post-data``.
    """

    def __init__(self, root: Path, crawler=None):
        if not root.is_dir():
            raise NotConfigured(f"NEWSCRAWL_MIRROR={root} is not a directory")
        self.root = root.resolve()
        self.crawler = crawler
        # Simulated network latency (NEWSCRAWL_MIRROR_LATENCY seconds): benches of concurrency and workers.
        self.latency = config.options(crawler.settings).mirror_latency if crawler is not None else 0.0

    @classmethod
    def from_crawler(cls, crawler):
        root = config.options(crawler.settings).mirror
        if not root:
            raise NotConfigured
        path = Path(root).expanduser()
        if not path.is_dir():
            raise config.StartError(f"NEWSCRAWL_MIRROR={root}: no such directory; point it at a wget -m tree")
        return cls(path, crawler)

    def candidates(self, url: str, form: str | None = None) -> list[Path]:
        parts = urlsplit(url)
        path = unquote(parts.path) or "/"
        if path.endswith("/"):
            path += "index.html"
        base = self.root / parts.netloc.lower() / path.lstrip("/")
        found = []
        if form:
            found.append(base.with_name(f"{base.name}?{unquote(form)}"))
        if parts.query:
            found.append(base.with_name(f"{base.name}?{unquote(parts.query)}"))
        found.append(base)
        return [c for c in found if self._inside(c)]

    def _inside(self, path: Path) -> bool:
        try:  # lexically: ".." cannot leave the root, while a mirror may link its files from elsewhere
            Path(os.path.abspath(path)).relative_to(self.root)
        except ValueError:
            return False
        return True

    def process_request(self, request):
        if self.latency > 0:
            return self._serve_later(request)
        return self._serve(request)

    async def _serve_later(self, request):
        from twisted.internet import reactor
        from twisted.internet.task import deferLater

        await maybe_deferred_to_future(deferLater(reactor, self.latency, lambda: None))
        return self._serve(request)

    def _serve(self, request):
        for candidate in self.candidates(request.url, _form_body(request)):
            if candidate.is_file():
                body = candidate.read_bytes()
                headers = Headers({"Content-Type": _content_type(candidate)} if _content_type(candidate) else {})
                cls = responsetypes.from_args(headers=headers, url=request.url, filename=str(candidate), body=body)
                self._count("served")
                return cls(url=request.url, status=200, headers=headers, body=body, request=request)
        self._count("missing")
        return responsetypes.from_args(url=request.url)(url=request.url, status=404, body=b"", request=request)

    def _count(self, what: str) -> None:
        if self.crawler is not None and self.crawler.stats is not None:
            self.crawler.stats.inc_value(f"newscrawl/mirror/{what}")


def _form_body(request) -> str | None:
    content_type = request.headers.get("Content-Type", b"").decode("latin-1").lower()
    if request.method == "POST" and request.body and content_type.startswith("application/x-www-form-urlencoded"):
        return request.body.decode("latin-1")
    return None


def _content_type(path: Path) -> str | None:
    suffix = path.name.split("?", 1)[0].rsplit(".", 1)[-1].lower() if "." in path.name else ""
    return {
        "html": "text/html", "htm": "text/html", "shtml": "text/html", "xml": "application/xml",
        "rss": "application/rss+xml", "atom": "application/atom+xml", "json": "application/json",
        "txt": "text/plain", "asp": "text/html",
    }.get(suffix)
