"""A local web server for crawl benchmarks: an HTTP proxy on 127.0.0.1 that serves a directory tree, HTTPS too.

Usage (the benchmarks start it): python bench/local_site.py ROOT PORT_FILE [HITS_FILE]

Requests come as a proxy's do (set ``https_proxy``/``http_proxy`` to it): absolute-form GETs for http, and
CONNECT tunnels for https, answered with TLS (a self-signed certificate made at start; Scrapy does not
verify certificates by default), so TCP, TLS and Twisted's HTTP/1.1 client all run as against a real site.
``ROOT/host/path`` is served (``index.html`` for a trailing slash), anything else is a 404. The chosen
port is written to PORT_FILE once the server listens; with HITS_FILE, every request's URL is appended to it
(tests that must see no request reach a server).
"""

from __future__ import annotations

import datetime
import ipaddress
import socketserver
import ssl
import sys
import tempfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit


def self_signed_context() -> ssl.SSLContext:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=7))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .sign(key, hashes.SHA256())
    )
    directory = Path(tempfile.mkdtemp(prefix="local-site-"))
    (directory / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (directory / "key.pem").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(directory / "cert.pem", directory / "key.pem")
    return context


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as real sites
    tunnel_host: str | None = None

    def log_message(self, *args) -> None:
        pass

    def do_CONNECT(self) -> None:
        host = self.path.rsplit(":", 1)[0]
        self.send_response(200, "Connection established")
        self.end_headers()
        self.wfile.flush()
        tls = self.server.tls.wrap_socket(self.connection, server_side=True)
        self.connection, self.tunnel_host = tls, host
        self.rfile = tls.makefile("rb")
        self.wfile = socketserver._SocketWriter(tls)
        self.close_connection = False

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        host = (parts.hostname or self.tunnel_host or (self.headers.get("Host") or "").split(":")[0]).lower()
        path = unquote(parts.path) or "/"
        if path.endswith("/"):
            path += "index.html"
        if self.server.hits is not None:
            with open(self.server.hits, "a", encoding="utf-8") as hits:
                hits.write(f"{host}{path}\n")
        target = (self.server.root / host / path.lstrip("/")).resolve()
        if target.is_relative_to(self.server.root) and target.is_file():
            body, status = target.read_bytes(), 200
        else:
            body, status = b"not found", 404
        self.send_response(status)
        self.send_header("Content-Type", "text/html" if status == 200 else "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def main() -> None:
    root, port_file = Path(sys.argv[1]).resolve(), Path(sys.argv[2])
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.root, server.tls = root, self_signed_context()
    server.hits = Path(sys.argv[3]) if len(sys.argv) > 3 else None
    port_file.write_text(str(server.server_address[1]))
    server.serve_forever()


if __name__ == "__main__":
    main()
