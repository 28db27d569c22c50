"""Refuse requests to internal addresses and non-http(s) schemes, checked on the resolved address."""

from __future__ import annotations

import ipaddress
import logging
import time
from collections import OrderedDict

from scrapy.exceptions import IgnoreRequest
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached

from newscrawl import config

logger = logging.getLogger(__name__)


class ForbiddenAddress(IgnoreRequest):
    """A request to an internal address or a scheme other than http(s); never sent."""


def address_kind(address: str) -> str | None:
    """Why an IP address is internal (loopback, private, link_local, multicast, reserved, unspecified), or None.

    >>> address_kind("169.254.169.254"), address_kind("::ffff:127.0.0.1"), address_kind("93.184.216.34")
    ('link_local', 'loopback', None)
    """
    ip = ipaddress.ip_address(address.strip("[]").split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and (ip.ipv4_mapped or ip.sixtofour):
        ip = ip.ipv4_mapped or ip.sixtofour
    for kind in ("loopback", "link_local", "multicast", "unspecified", "reserved", "private"):
        if getattr(ip, f"is_{kind}"):
            return kind
    return None if ip.is_global else "reserved"


class SafeAddressMiddleware:
    """Every request and redirect: only http(s), only global addresses (after DNS), unless allowed by settings.

    ``NEWSCRAWL_ALLOWED_NETWORKS``: comma-separated networks that may be fetched anyway (``127.0.0.1/32`` for a
    local test server; ``*`` for all). ``NEWSCRAWL_ALLOWED_SCHEMES``: default ``http,https``. Sits after the
    mirror (which answers without a network). Behind a proxy, a name that does not resolve here is the proxy's
    to resolve. Refusals: ``newscrawl/ssrf/refused/<kind>``.

    Each host is looked up once per ``RESOLVE_TTL`` seconds, however many requests go to it at once, and a
    name that does not resolve is remembered as such too: Scrapy's DNS cache keeps only answers, so behind a
    proxy (where names need not resolve here) every request would otherwise wait for a failing lookup again.
    """

    RESOLVE_TTL = 300.0
    RESOLVE_CACHE_SIZE = 10000

    def __init__(self, crawler, networks: list[str], schemes: set[str]):
        self.crawler = crawler
        self.allow_all = "*" in networks
        self.networks = [ipaddress.ip_network(n, strict=False) for n in networks if n != "*"]
        self.schemes = schemes
        self.dns_timeout = crawler.settings.getfloat("DNS_TIMEOUT")
        self._logged: set[str] = set()
        self._resolved: OrderedDict[str, tuple[float, str | None]] = OrderedDict()  # host -> (until, address)
        self._resolving: dict[str, list] = {}  # host -> Deferreds of the requests waiting for its lookup

    @classmethod
    def from_crawler(cls, crawler):
        options = config.options(crawler.settings)  # networks checked there: a bad one stops the run at start
        return cls(crawler, list(options.allowed_networks), {s.lower() for s in options.allowed_schemes})

    async def process_request(self, request):
        parts = urlparse_cached(request)
        if parts.scheme.lower() not in self.schemes:
            self.refuse(request, "scheme", parts.scheme)
        if self.allow_all:
            return None
        host = (parts.hostname or "").lower()
        if not host:
            self.refuse(request, "no_host", host)
        if host == "localhost" or host.endswith(".localhost"):
            self.refuse(request, "loopback", host)
        address = host if _is_ip(host) else await self.resolve(host)
        if address is None:
            return None  # unresolvable: the download fails (and is counted) on its own, or the proxy resolves it
        kind = address_kind(address)
        if kind and not self.allowed(address):
            self.refuse(request, kind, f"{host} ({address})" if address != host else host)
        return None

    async def resolve(self, host: str) -> str | None:
        """The address ``host`` resolves to (None: it does not resolve here), looked up once per RESOLVE_TTL."""
        from twisted.internet.defer import Deferred

        cached = self._resolved.get(host)
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        if host in self._resolving:  # a lookup of this host is on its way: wait for it instead of a second one
            waiter = Deferred()
            self._resolving[host].append(waiter)
            return await maybe_deferred_to_future(waiter)
        self._resolving[host] = []
        address = None
        try:
            address = await self._lookup(host)
        finally:
            self._resolved[host] = (time.monotonic() + self.RESOLVE_TTL, address)
            self._resolved.move_to_end(host)
            while len(self._resolved) > self.RESOLVE_CACHE_SIZE:
                self._resolved.popitem(last=False)
            for waiter in self._resolving.pop(host):
                waiter.callback(address)
        return address

    async def _lookup(self, host: str) -> str | None:
        from twisted.internet import reactor

        try:  # the reactor's resolver is Scrapy's caching one: the downloader connects to this same address
            return await maybe_deferred_to_future(reactor.resolve(host, timeout=(self.dns_timeout,)))
        except Exception:
            return None

    def allowed(self, address: str) -> bool:
        ip = ipaddress.ip_address(address.strip("[]").split("%", 1)[0])
        return any(ip.version == net.version and ip in net for net in self.networks)

    def refuse(self, request, kind: str, what: str):
        self.crawler.stats.inc_value(f"newscrawl/ssrf/refused/{kind}")
        original = (request.meta.get("redirect_urls") or [request.url])[0]
        if what not in self._logged:
            self._logged.add(what)
            logger.warning("Refused %s: %s is %s (from %s); set NEWSCRAWL_ALLOWED_NETWORKS to allow it",
                           request.url, what, kind.replace("_", "-"), original)
        raise ForbiddenAddress(f"{kind} address refused: {request.url}")


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
    except ValueError:
        return False
    return True
