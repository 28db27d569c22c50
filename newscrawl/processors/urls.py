"""URL cleaners: absolute, canonical, proxy-unwrapped, placeholder-free image URLs."""

from __future__ import annotations

import re
from posixpath import basename
from urllib.parse import parse_qsl, quote, unquote, unquote_plus, urljoin, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

from newscrawl.processors.text import strip_control

# A longer URL is no URL (browsers and servers stop near 8 KB; Scrapy's URLLENGTH_LIMIT is 2,083): refused before it
# is parsed, as an srcset over MAX_SRCSET_CHARS is (docs/OPERATIONS.md, "Bounded work per page").
MAX_URL_CHARS = 8192
MAX_SRCSET_CHARS = 16 * MAX_URL_CHARS

_TRACKING = re.compile(
    r"^(?:utm_\w+|spm|from|scm|share_?\w*|fbclid|gclid|wxfrom|isappinstalled|"
    r"mpshare|srcid|_hsenc|_hsmi|mc_cid|mc_eid|ref|refer|source_from)$",
    re.IGNORECASE,
)


def canonical_url(url: str | None, base_url: str | None = None) -> str | None:
    """One spelling per URL: absolute, no fragment, no tracking parameters, no default port, then w3lib's
    ``canonicalize_url`` (scheme and host lower-cased, IDNA hosts, percent-escapes upper-cased, raw
    non-ASCII encoded as UTF-8, query arguments sorted). None when it cannot be an http(s) URL.

    >>> canonical_url("HTTPS://Cloud.OFweek.com/a.html?utm_source=x&id=2#top")
    'https://cloud.ofweek.com/a.html?id=2'
    >>> canonical_url("https://x.cn/%e5%8d%8e?b=2&a=1") == canonical_url("https://x.cn/华?a=1&b=2")
    True
    """
    url = absolute_url(url, base_url)
    if url is None:
        return None
    try:
        parts = urlsplit(url)
        query = "&".join(
            pair for pair in parts.query.split("&")
            if pair and not _TRACKING.match(unquote_plus(pair.split("=", 1)[0]))
        )
        netloc = parts.netloc
        if parts.port is not None and (parts.scheme.lower(), parts.port) in (("http", 80), ("https", 443)):
            netloc = netloc.rsplit(":", 1)[0]
        return absolute_url(canonicalize_url(urlunsplit((parts.scheme, netloc, parts.path or "/", query, ""))))
    except (ValueError, UnicodeError):
        return None


def absolute_url(url: str | None, base_url: str | None = None) -> str | None:
    """Strip whitespace, resolve relative and protocol-relative URLs; only http(s) survives.

    >>> absolute_url(" //img.ithome.com/a.jpg ", "https://www.ithome.com/0/1.htm")
    'https://img.ithome.com/a.jpg'
    """
    if not url or len(url) > MAX_URL_CHARS:
        return None
    url = re.sub(r"[\s\u00a0]+", "", strip_control(url))
    if not url or url.startswith(("data:", "javascript:", "about:", "#", "mailto:")):
        return None
    try:
        if base_url:
            url = urljoin(base_url, url)
        elif url.startswith("//"):
            url = "https:" + url
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number in range
    except ValueError:  # "http://[::1", "http://a:99999/": unparsable means missing
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return url


_PROXY_PARAMS = ("url", "u", "src", "image", "img", "imgurl", "target", "href")


def unwrap_proxy(url: str | None) -> str | None:
    """Remove image-proxy wrappers, repeatedly.

    >>> unwrap_proxy("https://cors.zfour.workers.dev/?http://images.ofweek.com/a.png")
    'http://images.ofweek.com/a.png'
    >>> unwrap_proxy("https://proxy.example/img?url=https%3A%2F%2Fx.com%2Fa.jpg&w=300")
    'https://x.com/a.jpg'
    """
    if not url or len(url) > MAX_URL_CHARS:
        return url
    for _ in range(5):
        try:
            parts = urlsplit(url)
        except ValueError:
            return url
        inner = None
        raw_query = unquote(parts.query)
        if re.match(r"^https?://", raw_query):
            inner = raw_query
        else:
            for key, value in parse_qsl(parts.query):
                if key.lower() in _PROXY_PARAMS and re.match(r"^(?:https?:)?//", value):
                    inner = value
                    break
            else:
                match = re.match(r"^/+(https?:/+.+)$", parts.path)
                if match:
                    inner = re.sub(r"^(https?:)/+", r"\1//", match.group(1))
        if not inner:
            return url
        url = _encode_unsafe("https:" + inner if inner.startswith("//") else inner)
    return url


def _encode_unsafe(url: str) -> str:
    """Whitespace and control characters an unquoted inner URL may carry, percent-encoded."""
    return re.sub(r"[\s\x00-\x1f\x7f-\x9f]", lambda m: quote(m.group(0), safe=""), strip_control(url))


_PLACEHOLDER_NAME = re.compile(
    r"^(?:t|blank|spacer|pixel|1x1|clear|dot|empty|transparent|loading|lazy|lazyload|placeholder|"
    r"grey|gray|none|default|nopic|no_?image|space|s)\.(?:gif|png|jpe?g|svg|webp)$",
    re.IGNORECASE,
)
_PLACEHOLDER_PATH = re.compile(r"/(?:placeholder|lazyload|loading|spacer)s?/", re.IGNORECASE)


def is_placeholder_image(url: str | None) -> bool:
    """True for spacer/placeholder images and data: URIs.

    >>> is_placeholder_image("//img.ithome.com/images/v2/t.png")
    True
    >>> is_placeholder_image("http://images.ofweek.com/Upload/News/2022-8/10/a.png")
    False
    """
    if not url or len(url) > MAX_URL_CHARS or url.strip().startswith("data:"):
        return True
    try:
        path = urlsplit(url.strip()).path
    except ValueError:
        return True
    return bool(_PLACEHOLDER_NAME.match(basename(path)) or _PLACEHOLDER_PATH.search(path))


def image_url(url: str | None, base_url: str | None = None, chrome: tuple[str, ...] = ()) -> str | None:
    """A clean absolute content-image URL, or None for placeholders and site chrome.

    ``chrome`` holds regular expressions for the portal's own chrome images (logos, bars).
    """
    url = absolute_url(unwrap_proxy(absolute_url(url, base_url)))
    if url is None or is_placeholder_image(url):
        return None
    if any(re.search(pattern, url, re.IGNORECASE) for pattern in chrome):
        return None
    return url


LAZY_ATTRIBUTES = ("data-original", "data-src", "data-lazy-src", "data-actualsrc", "data-url", "data-echo")


def pick_image_source(attrs: dict) -> str | None:
    """The real image of an <img>: lazy-load attributes first, then srcset's largest, then src."""
    for name in LAZY_ATTRIBUTES:
        value = attrs.get(name)
        if value and not is_placeholder_image(value):
            return value.strip()
    for name in ("data-srcset", "srcset"):
        value = attrs.get(name)
        if value and len(value) <= MAX_SRCSET_CHARS:
            best = _largest_srcset(value)
            if best and not is_placeholder_image(best):
                return best
    src = attrs.get("src")
    if src and not is_placeholder_image(src):
        return src.strip()
    return None


def _largest_srcset(srcset: str) -> str | None:
    best, best_size = None, -1.0
    for candidate in srcset.split(","):
        bits = candidate.strip().split()
        if not bits:
            continue
        size = 1.0
        if len(bits) > 1:
            match = re.match(r"([\d.]+)[wx]$", bits[1])
            try:
                size = float(match.group(1)) if match else 1.0
            except ValueError:  # "1.2.3x"
                size = 1.0
        if size > best_size:
            best, best_size = bits[0], size
    return best


def url_in_domains(url: str | None, domains) -> bool:
    """True when the URL's host is one of ``domains`` or a subdomain of one (ports ignored, unlike
    scrapy.utils.url.url_is_from_any_domain, which compares the netloc).

    >>> url_in_domains("http://127.0.0.1:8080/a", ["127.0.0.1"]), url_in_domains("https://a.b.cn/", ["b.cn"])
    (True, True)
    >>> url_in_domains("https://evilb.cn/", ["b.cn"])
    False
    """
    try:
        host = (urlsplit(str(url or "")).hostname or "").lower().rstrip(".")
    except ValueError:
        return False
    return bool(host) and any(host == d or host.endswith("." + d) for d in (str(d).lower().strip(".") for d in domains) if d)
