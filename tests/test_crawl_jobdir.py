"""Pause and resume: a crawl stopped with SIGINT continues from JOBDIR and stores every article exactly once."""

import json
import pickle
import signal
import sqlite3
import ssl
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from socketserver import BaseRequestHandler, ThreadingTCPServer

import pytest
from scrapy.spiderloader import SpiderLoader
from scrapy.utils.project import get_project_settings
from scrapy.utils.request import request_from_dict
from scrapy.utils.test import get_crawler

from newscrawl.arguments import declared
from newscrawl.items import Article
from newscrawl.spiders.base import PortalSpider

ROOT = Path(__file__).resolve().parents[1]
ARTICLES = 120
PER_PAGE = 20
DELAY = 0.05  # seconds per response: slow enough to interrupt mid-crawl
CHANNELS = (("ee", "电子工程", 2800), ("ai", "人工智能", 201700), ("robot", "机器人", 8321200), ("iot", "物联网", 132200))

PAGE = """<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312" />
<title>{title}</title><script src="//www.ofweek.com/js/jquery.min.js"></script></head><body>
<div class="top"><a href="https://www.ofweek.com/"><img src="https://images.ofweek.com/images/logo/logo.png"></a>
<ul class="nav"><li><a href="https://ee.ofweek.com/">电子工程</a></li><li><a href="https://ai.ofweek.com/">人工智能</a></li></ul></div>
<div class="ad"><a href="https://e.ofweek.com/ad/1"><img src="https://images.ofweek.com/newOFweekIndex/ad.jpg"></a></div>
{main}
<div class="footer"><p>Copyright &copy; 2004-2026 OFweek维科网 All Rights Reserved</p></div></body></html>"""


def article_url(i, page=1):
    channel, _, code = CHANNELS[i % len(CHANNELS)]
    suffix = "" if page == 1 else f"_{page}"
    return f"https://{channel}.ofweek.com/2026-{1 + i % 9:02d}/ART-{code}-8420-{30800000 + i}{suffix}.html"


def list_url(page):
    return "https://www.ofweek.com/CATList-8100-CHANGYIEXINWE" + ("" if page == 1 else f"-{page}") + ".html"


def article_page(i, page=1):
    channel, name, _ = CHANNELS[i % len(CHANNELS)]
    title = f"第{i}号产业观察：{name}厂商加速布局"
    paragraphs = "".join(f"<p>第{i}篇第{page}页第{n}段：{name}产业链出货量同比增长{(i * 7 + n) % 90}%。</p>" for n in range(3))
    pager = f'<div class="page"><a href="{article_url(i, 2)}">下一页</a></div>' if i % 10 == 0 and page == 1 else ""
    main = f"""<div class="main"><div class="position"><a href="https://www.ofweek.com/">首页</a> &gt; <a href="https://{channel}.ofweek.com/">{name}</a></div>
<div class="artical"><h1>{title}</h1><div class="artical-relative"><div class="time fl">2026-{1 + i % 9:02d}-{1 + i % 27:02d} 10:{i % 60:02d}</div>
<div class="source-name">OFweek{name}网</div></div>
<div id="articleC" class="artical-content">{paragraphs}{pager}</div></div></div>"""
    return PAGE.format(title=f"{title} - OFweek{name}网", main=main)


def list_page(page):
    rows = "".join(
        f'<div class="con-details"><h3><a href="{article_url(i)}">第{i}号产业观察</a></h3><div class="fb"><span class="fb-tl">2026-{1 + i % 9:02d}-{1 + i % 27:02d} 10:00</span></div></div>'
        for i in range((page - 1) * PER_PAGE, min(page * PER_PAGE, ARTICLES))
    )
    pager = f'<div class="page"><a href="{list_url(page + 1)}">下一页</a></div>' if page * PER_PAGE < ARTICLES else '<div class="page"></div>'
    return PAGE.format(title="产业新闻-OFweek维科网", main=f'<div class="main"><div class="list-left">{rows}</div>{pager}</div>')


def site():
    pages = {list_url(n): list_page(n) for n in range(1, -(-ARTICLES // PER_PAGE) + 1)}
    for i in range(ARTICLES):
        pages[article_url(i)] = article_page(i)
        if i % 10 == 0:
            pages[article_url(i, 2)] = article_page(i, 2)
    return {url.split("://", 1)[1]: html.encode("gb18030") for url, html in pages.items()}


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "*.ofweek.com")])
    now = datetime.now(timezone.utc)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=2))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("*.ofweek.com"), x509.DNSName("ofweek.com")]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert, keyfile = directory / "cert.pem", directory / "key.pem"
    cert.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    keyfile.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return cert, keyfile


class SlowPortal(ThreadingTCPServer):
    """An HTTPS proxy on 127.0.0.1 that answers CONNECT itself and serves the OFweek-like site, slowly.

    The spider keeps the real https URLs (they are the articles' identity); Scrapy reaches this server
    through ``https_proxy`` and does not verify certificates.
    """

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, pages, context):
        self.pages, self.context = pages, context
        self.served = 0
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), Tunnel)


class Tunnel(BaseRequestHandler):
    def handle(self):
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.request.recv(4096)
            if not chunk:
                return
            head += chunk
        if not head.startswith(b"CONNECT "):
            self.request.sendall(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
            return
        self.request.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        try:
            tls = self.server.context.wrap_socket(self.request, server_side=True)
        except (ssl.SSLError, OSError):
            return
        try:
            Page(tls, self.client_address, self.server)
        except (ssl.SSLError, OSError):
            pass


class Page(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        time.sleep(DELAY)
        body = self.server.pages.get(self.headers["Host"].split(":")[0] + self.path.split("?")[0])
        with self.server.lock:
            self.server.served += 1
        self.send_response(200 if body else 404)
        self.send_header("Content-Type", "text/html; charset=gb2312")
        self.send_header("Content-Length", str(len(body or b"")))
        self.end_headers()
        self.wfile.write(body or b"")

    def log_message(self, *args):
        pass


@pytest.fixture
def slow_portal(tmp_path):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*self_signed_certificate(tmp_path))
    server = SlowPortal(site(), context)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def crawl_command(tmp_path, feed):
    return [
        sys.executable, "-m", "scrapy", "crawl", "ofweek", "-a", "max_pages=10",
        "-s", f"JOBDIR={tmp_path / 'job'}", "-s", f"NEWSCRAWL_DATABASE_URL=sqlite:///{tmp_path / 'news.db'}",
        "-s", "ROBOTSTXT_OBEY=0", "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0",
        "-s", "CONCURRENT_REQUESTS=4", "-s", "NEWSCRAWL_STORE_BATCH_SIZE=10", "-s", "LOG_LEVEL=INFO",
        "-O", str(tmp_path / feed),
    ]


def test_sigint_then_resume_stores_every_article_exactly_once(tmp_path, slow_portal):
    port = slow_portal.server_address[1]
    env = {**__import__("os").environ, "https_proxy": f"http://127.0.0.1:{port}", "http_proxy": f"http://127.0.0.1:{port}"}
    env.pop("NO_PROXY", None), env.pop("no_proxy", None)
    first = subprocess.Popen(crawl_command(tmp_path, "first.jsonl"), cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while slow_portal.served < 40 and first.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert first.poll() is None, "the crawl ended before it could be interrupted"
    first.send_signal(signal.SIGINT)
    _, log = first.communicate(timeout=120)
    assert "Received SIGINT, shutting down gracefully" in log
    assert "'finish_reason': 'shutdown'" in log, log[-3000:]
    assert (tmp_path / "job" / "requests.queue").is_dir()

    second = subprocess.run(crawl_command(tmp_path, "second.jsonl"), cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)
    assert second.returncode == 0, second.stderr[-3000:]
    assert "Resuming crawl" in second.stderr
    assert "'finish_reason': 'finished'" in second.stderr

    first_urls = [json.loads(line)["url"] for line in (tmp_path / "first.jsonl").read_text("utf-8").splitlines()]
    second_urls = [json.loads(line)["url"] for line in (tmp_path / "second.jsonl").read_text("utf-8").splitlines()]
    expected = {article_url(i) for i in range(ARTICLES)}
    assert 0 < len(first_urls) < ARTICLES  # really interrupted mid-way
    assert sorted(first_urls + second_urls) == sorted(expected)  # nothing lost, nothing scraped twice
    with sqlite3.connect(tmp_path / "news.db") as connection:
        rows = connection.execute("SELECT url, body_text FROM articles").fetchall()
    assert sorted(url for url, _ in rows) == sorted(expected)
    # multi-page articles resumed with their first page's half intact
    bodies = dict(rows)
    assert all("第1页" in bodies[article_url(i)] and "第2页" in bodies[article_url(i)] for i in range(0, ARTICLES, 10))


def spider_classes():
    loader = SpiderLoader.from_settings(get_project_settings())
    return [loader.load(name) for name in loader.list()]


@pytest.mark.parametrize("spidercls", spider_classes(), ids=lambda cls: cls.name)
def test_every_spiders_requests_survive_the_disk_queue(spidercls):
    """JOBDIR pickles each queued request: its callback, errback and cb_kwargs must round-trip."""
    crawler = get_crawler(spidercls)
    try:
        spider = spidercls.from_crawler(crawler)
    except Exception:
        examples = {"url": "https://example.com/feed.xml", "urls": "https://example.com/a/1.html"}
        spider = spidercls.from_crawler(crawler, **{k: v for k, v in examples.items() if k in declared(spidercls)})
    requests = [spider.article_request("https://example.com/a/1.html")] if isinstance(spider, PortalSpider) else []
    if isinstance(spider, PortalSpider):
        requests.append(spider.list_request("https://example.com/list.html", page=2))
        partial = Article(url="https://example.com/a/1.html", title="t", body_html="<p>x</p>", tags=["a"])
        requests.append(requests[0].replace(callback=spider.parse_article, errback=spider.on_continuation_error, cb_kwargs={"partial": partial, "pages": 2}))
    for request in requests:
        restored = request_from_dict(pickle.loads(pickle.dumps(request.to_dict(spider=spider), protocol=4)), spider=spider)
        assert (restored.url, restored.callback, restored.errback) == (request.url, request.callback, request.errback)
        assert restored.cb_kwargs == request.cb_kwargs and restored.meta == request.meta


GENERIC = ROOT / "tests" / "fixtures" / "generic" / "www.xinzhi.example"


@pytest.mark.parametrize("spider_name, fixture", [
    ("feed", "rss.xml"), ("feed", "atom.xml"), ("sitemap", "sitemap-news.xml"), ("sitemap", "sitemap_index.xml"),
])
def test_requests_carrying_feed_and_sitemap_entries_survive_the_disk_queue(spider_name, fixture):
    """The generic spiders hand each entry to the article request in meta: it must pickle too."""
    from scrapy.http import Request, XmlResponse

    loader = SpiderLoader.from_settings(get_project_settings())
    spidercls = loader.load(spider_name)
    url = f"https://www.xinzhi.example/{fixture}"
    spider = spidercls.from_crawler(get_crawler(spidercls), url=url)
    callback = spider.parse_feed if spider_name == "feed" else spider.parse_sitemap
    response = XmlResponse(url, body=(GENERIC / fixture).read_bytes(), request=Request(url))
    requests = [r for r in callback(response) if isinstance(r, Request)]
    assert requests
    if fixture != "sitemap_index.xml":
        assert all(r.meta.get("feed_entry") or r.meta.get("sitemap_entry") for r in requests)
    for request in requests:
        restored = request_from_dict(pickle.loads(pickle.dumps(request.to_dict(spider=spider), protocol=4)), spider=spider)
        assert (restored.url, restored.callback, restored.meta) == (request.url, request.callback, request.meta)
