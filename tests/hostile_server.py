"""A local HTTP server on 127.0.0.1 serving a feed whose every entry is an HTTP fault case (tests, bench)."""

from __future__ import annotations

import gzip
import io
import random
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TITLE = "华为云发布盘古大模型5.0"
WORDS = ("华为云", "盘古", "大模型", "政务", "金融", "制造", "开发者", "算力", "昇腾", "数据中心", "边缘", "运营商",
         "光伏", "储能", "锂电", "芯片", "封装", "晶圆", "汽车", "激光", "机器人", "传感器", "显示", "面板")


def body(seed: str) -> str:
    """Paragraphs distinct per seed: the test articles must not be near-duplicates of each other."""
    rng = random.Random(seed)
    return "".join("<p>" + "，".join("".join(rng.sample(WORDS, 3)) for _ in range(6)) + "。</p>" for _ in range(6))


def article(title: str = TITLE, charset: str = "utf-8", extra: str = "", seed: str = "") -> str:
    title = f"{title} {seed}".strip()
    BODY = body(seed or title)
    return (
        f'<!DOCTYPE html><html><head><meta charset="{charset}"><title>{title} - 测试网</title>'
        f'<meta property="og:title" content="{title}">'
        f'<meta property="article:published_time" content="2026-07-20T10:00:00+08:00"></head>'
        f'<body><div class="nav"><a href="/">首页</a></div><article><h1>{title}</h1>'
        f'<div class="info">2026-07-20 10:00 来源：测试网</div><div class="content">{extra}{BODY}</div></article>'
        f'<div class="footer">版权所有</div></body></html>'
    )


def gzip_bomb(size: int) -> bytes:
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=9) as handle:
        chunk = b"\0" * (1 << 20)
        for _ in range(size >> 20):
            handle.write(chunk)
    return out.getvalue()


class Faults(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, host: str = "127.0.0.1", internal_port: int | None = None):
        super().__init__((host, 0), Handler)
        self.hits: list[tuple[float, str]] = []
        self.lock = threading.Lock()
        self.internal_port = internal_port
        self.bomb = gzip_bomb(64 << 20)

    def handle_error(self, request, client_address):
        pass  # the crawler aborting an oversized or bomb response is part of the test

    @property
    def base(self) -> str:
        return f"http://{self.server_address[0]}:{self.server_address[1]}"

    def count(self, path: str) -> int:
        return sum(1 for _, p in self.hits if p == path)

    def entries(self) -> dict[str, str]:
        """Each feed entry's link, by the fault it serves."""
        internal = f"127.0.0.2:{self.internal_port}" if self.internal_port else "127.0.0.2"
        return {
            "ok": f"{self.base}/ok.html",
            "gbk_declared_utf8": f"{self.base}/gbk.html",
            "meta_refresh_in_body": f"{self.base}/metabody.html",
            "retry_after_1s": f"{self.base}/429.html",
            "retry_after_1h": f"{self.base}/429long.html",
            "reset": f"{self.base}/reset.html",
            "short_body": f"{self.base}/short.html",
            "redirect_loop": f"{self.base}/loop.html",
            "redirect_offsite": f"{self.base}/offsite.html",
            "redirect_to_metadata": f"{self.base}/metadata.html",
            "redirect_to_seen": f"{self.base}/dup.html",
            "oversized": f"{self.base}/big.html",
            "gzip_bomb": f"{self.base}/bomb.html",
            "internal_127_0_0_2": f"http://{internal}/secret.html",
            "metadata_169_254": "http://169.254.169.254/latest/meta-data/",
            "private_10": "http://10.0.0.1/admin.html",
            "localhost_redis": "http://localhost:6379/",
            "hex_loopback": f"http://0x7f000002:{self.internal_port or 80}/secret.html",
        }

    def feed(self) -> bytes:
        items = "".join(
            f"<item><title>{name} {TITLE}</title><link>{url}</link><pubDate>Mon, 20 Jul 2026 02:00:00 GMT</pubDate>"
            f"<description>{body('entry ' + name).replace('<', '&lt;').replace('>', '&gt;')}</description></item>"
            for name, url in self.entries().items()
        )
        return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>测试网</title>'
                f"<link>{self.base}/</link>{items}</channel></rss>").encode()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send(self, status: int, body: bytes = b"", headers: dict | None = None, content_type="text/html; charset=utf-8"):
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        if "Content-Length" not in (headers or {}):
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        server: Faults = self.server
        path = self.path
        with server.lock:
            server.hits.append((time.monotonic(), path))
            seen = server.count(path)
        if path == "/feed.xml":
            return self.send(200, server.feed(), content_type="application/rss+xml; charset=utf-8")
        if path in ("/ok.html", "/elsewhere.html"):
            return self.send(200, article(seed=path).encode())
        if path == "/gbk.html":  # GBK bytes, utf-8 declared in the page, no HTTP charset
            return self.send(200, article(charset="utf-8", seed="gbk").encode("gbk"), content_type="text/html")
        if path == "/metabody.html":
            refresh = f'<meta http-equiv="refresh" content="0;url={server.base}/elsewhere.html">'
            return self.send(200, article(extra=refresh, seed=path).encode())
        if path == "/429.html":
            if seen == 1:
                return self.send(429, b"slow down", {"Retry-After": "1"})
            return self.send(200, article(seed=path).encode())
        if path == "/429long.html":
            return self.send(429, b"come back tomorrow", {"Retry-After": "3600"})
        if path == "/reset.html":
            # SO_LINGER 0 then the last close: an RST, not a FIN (rfile/wfile hold the socket open otherwise)
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            self.close_connection = True
            self.rfile.close()
            self.wfile.close()
            self.connection.close()
            return None
        if path == "/short.html":
            body = article(seed=path).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body) + 5000))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return None
        if path.startswith("/loop.html"):
            return self.send(302, headers={"Location": "/loop.html?x=1" if "?" not in path else "/loop.html"})
        if path == "/offsite.html":
            return self.send(302, headers={"Location": "https://offsite.example/stolen.html"})
        if path == "/metadata.html":
            return self.send(302, headers={"Location": "http://169.254.169.254/latest/user-data/"})
        if path == "/dup.html":
            return self.send(302, headers={"Location": "/ok.html"})
        if path == "/big.html":
            return self.send(200, article(extra="<p>" + "大" * (3 << 20) + "</p>", seed=path).encode())
        if path == "/bomb.html":
            return self.send(200, server.bomb, {"Content-Encoding": "gzip"})
        if path == "/secret.html":
            return self.send(200, b"internal secret")
        return self.send(404, b"not found")


def start(server: Faults) -> Faults:
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
