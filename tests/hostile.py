"""Hostile inputs for processors and article pages, and the invariants every output must keep (tests, bench/fuzz.py)."""

from __future__ import annotations

import json
import random
import re
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import lxml.html

from newscrawl import processors as p

# Pieces real portals do serve, and the ones that broke the processors before (issue 9).
TOKENS = [
    "", " ", "  ", "\t", "\n", "\r\n", "\u00a0", "\u3000", "\u200b", "\ufeff", "\x00", "\x0b", "\x0c", "\x1f",
    "\x7f", "\x85", "\u2028", "\u2029", "\ud800", "\udfff", "\ufffd", "\uffff", "&#11;", "&#x0b;", "&#0;",
    "&#xd800;", "&#99999999999;", "&amp;", "&lt;", "&gt;", "&lt;b&gt;", "&amp;lt;script&amp;gt;", "&nbsp;",
    "<", ">", "</", "<b>", "</b>", "<b onmouseover=alert(3)>", "<img src=x onerror=alert(1)>", "<script>",
    "</script>", "<p>", "</p>", "<div>", "</div></div>", "<!--", "-->", "<![CDATA[", "]]>", "<br>", "<a href='",
    "'>", '"', "'", "=", "/", "//", "?", "#", "&", "%", "%20", "%0a", "%zz", "+", "-", ":", "：", "|", "、",
    "，", ">", "»", ";", "http://", "https://", "ftp://", "javascript:", "data:image/png;base64,AAAA",
    "http://[::1", "http://[::1]/", "http://[", "https://a:99999/", "https://a:x/", "//img.example/a.jpg",
    "http://a.example/a b.jpg", "https://proxy.example/?http%3A%2F%2Fx.example%2Fa%20b.jpg", "?url=", "&w=",
    "http://169.254.169.254/", "srcset", "1.2.3x", "2x", " 100w", "云计算", "华为", "来源：", "作者：", "编辑",
    "OFweek云计算网", " - ", "_", "首页", "正文", "当前位置：", "2022", "-08-", "10", " 14:20", ":05", "年", "月",
    "日", "今天", "昨天", "25:00", "99:99", "+99:00", "-05:00", "+08:05:43", "99999999天前", "3小时前", "刚刚",
    "9999-12-31 23:59 -05:00", "1899-01-01", "1066-10-14 09:00", "0001-01-01", "2022-08-10T14:20:00Z",
    "Wed, 10 Aug 2022 06:20:00 GMT", "Mon, 32 Foo 2022 25:61:00 +9999", "T", "Z", "1" * 30,
]
HUGE = [" " * 200_000, "\t \n" * 50_000, "1" * 100_000, "<div>" * 20_000, "<img src=" * 10_000, "&#" * 50_000,
        "来源：" * 30_000, "a/" * 50_000, "2022-" * 20_000, "-" * 100_000, "<p></p>" * 20_000]


# Units repeated up to a page's size (DOWNLOAD_MAXSIZE, 8 MB): dense markup costs per element, not per byte.
HUGE_UNITS = ["<p>a</p>", "<br>", "<p></p>", "<div>", "</div></div>", '<a href="/x">l</a>', "<img src=/a.png>",
              "<span>x</span>", "<!--x-->", " ", "1", "a/", "来源：", "2022-", "&#", "<img src=", "文字，",
              '<p class="' + "c" * 40 + '">a</p>', "<script>x</script>", "<td>a</td>", "<li>a</li>"]


def huge_text(unit: str, chars: int) -> str:
    """``unit`` repeated to ``chars`` characters."""
    return (unit * (chars // len(unit) + 1))[:chars]


def hostile_text(rng: random.Random, huge: bool = False) -> str:
    """A random run of hostile tokens, random characters and (with ``huge``) a very long run."""
    parts = []
    for _ in range(rng.randint(0, 24)):
        roll = rng.random()
        if roll < 0.75:
            parts.append(rng.choice(TOKENS))
        elif roll < 0.95:
            parts.append("".join(chr(rng.randint(0, 0x2FFFF)) for _ in range(rng.randint(1, 8))))
        else:
            parts.append(rng.choice(TOKENS) * rng.randint(2, 300))
    if huge:
        parts.insert(rng.randint(0, len(parts)), rng.choice(HUGE))
    return "".join(parts)


# ------------------------------------------------------------------ invariants

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")
_MARKUP = re.compile(r"<[A-Za-z/!?]")


def check_plain(value, name="value", markup_allowed=False) -> list[str]:
    """Breaks of the plain-text invariant: str or None, no control characters, no ``<``-markup, trimmed."""
    if value is None:
        return []
    if not isinstance(value, str):
        return [f"{name} is {type(value).__name__}, not str"]
    broken = []
    if _CONTROL.search(value):
        broken.append(f"{name} holds a control character")
    if not markup_allowed and _MARKUP.search(value):
        broken.append(f"{name} holds markup")
    if value != value.strip() or not value:
        broken.append(f"{name} is not trimmed")
    return broken


def check_url(value, name="url") -> list[str]:
    """Breaks of the URL invariant: None or absolute http(s) with a host and no whitespace/control character."""
    if value is None:
        return []
    if not isinstance(value, str):
        return [f"{name} is {type(value).__name__}"]
    if any(c.isspace() for c in value) or _CONTROL.search(value):
        return [f"{name} {value[:80]!r} holds whitespace or a control character"]
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018
    except ValueError as exc:
        return [f"{name} {value[:80]!r} does not parse: {exc}"]
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return [f"{name} {value[:80]!r} is not absolute http(s)"]
    return []


def check_date(value: datetime | None, now: datetime, name="date") -> list[str]:
    """Breaks of the date invariant: None or aware, whole-minute offset, within [EARLIEST, now + MAX_AHEAD]."""
    if value is None:
        return []
    if value.tzinfo is None or value.utcoffset() is None:
        return [f"{name} {value!r} is naive"]
    broken = []
    if value.utcoffset() % timedelta(minutes=1):
        broken.append(f"{name} {value.isoformat()} has a sub-minute offset")
    if value.date() < p.EARLIEST or value > now + p.MAX_AHEAD:
        broken.append(f"{name} {value.isoformat()} is out of range")
    iso = p.to_iso(value)
    if datetime.fromisoformat(iso) != value.replace(microsecond=0):
        broken.append(f"{name} {iso} does not read back")
    return broken


_GENERIC_ATTRIBUTES = {"lang", "title"}  # what nh3 (ammonia) allows on every tag unless told otherwise


def check_body(value, name="body_html") -> list[str]:
    """Breaks of the body invariant: only allow-listed tags and attributes, absolute http(s) images."""
    if value is None:
        return []
    broken = []
    if _CONTROL.search(value):
        broken.append(f"{name} holds a control character")
    root = lxml.html.fragment_fromstring(value, create_parent="div")
    for element in root.iter():
        if element is root or not isinstance(element.tag, str):
            continue
        if element.tag not in p.ALLOWED_TAGS:
            broken.append(f"{name} holds <{element.tag}>")
        allowed = p.ALLOWED_ATTRIBUTES.get(element.tag, set()) | _GENERIC_ATTRIBUTES
        for attribute in element.attrib:
            if attribute not in allowed:
                broken.append(f"{name} holds <{element.tag} {attribute}=>")
    for src in p.images_from_html(value):
        broken += check_url(src, f"{name} image")
    return broken


def check_article(item) -> list[str]:
    """Every invariant of one Article."""
    broken = []
    for name in ("title", "author", "source", "site", "summary", "portal", "language"):
        broken += check_plain(getattr(item, name), name)
    for name in ("categories", "tags"):
        for term in getattr(item, name) or []:
            broken += check_plain(term, name)
    broken += check_url(item.url, "url") + check_url(item.headimg, "headimg")
    for image in item.images or []:
        broken += check_url(image, "images")
    if item.published_at is not None:
        try:
            moment = datetime.fromisoformat(item.published_at)
        except ValueError:
            broken.append(f"published_at {item.published_at!r} is not ISO 8601")
        else:
            if moment.utcoffset() is None or moment.utcoffset() % timedelta(minutes=1):
                broken.append(f"published_at {item.published_at} has no whole-minute offset")
    broken += check_body(item.body_html)
    if item.body_text is not None and _CONTROL.search(item.body_text):
        broken.append("body_text holds a control character")
    return broken


# ------------------------------------------------------------------ every processor with its invariant

def processor_checks(now: datetime):
    """(name, function of one hostile text returning invariant breaks) for every processor."""
    base = "https://www.example.com/news/2022/a.html"

    def terms(value):
        out = p.split_terms(value)
        return [b for term in out for b in check_plain(term, "term")] + (
            ["terms not unique"] if len(out) != len(set(out)) else [])

    def body(value):
        cleaned = p.clean_body_html(value, base, drop=(".ad", "div.page"), chrome=(r"/logo",))
        return check_body(cleaned) if cleaned else []

    def text_of(value):
        text = p.html_to_text(value)
        return ["html_to_text holds a control character"] if text and _CONTROL.search(text) else []

    def hashed(value):
        digest = p.content_hash(value)
        return [] if digest is None or re.fullmatch(r"[0-9a-f]{64}", digest) else [f"content_hash {digest!r}"]

    def srcset(value):
        return check_url(p.image_url(p.pick_image_source({"data-src": value, "srcset": value, "src": value}), base))

    return [
        ("clean_text", lambda v: check_plain(p.clean_text(v), markup_allowed=True)),
        ("plain_text", lambda v: check_plain(p.plain_text(v))),
        ("strip_label", lambda v: check_plain(p.strip_label(p.plain_text(v)))),
        ("strip_site_suffix", lambda v: check_plain(p.strip_site_suffix(p.plain_text(v), (r"OFweek\S{0,12}?网?",)))),
        ("join_inline", lambda v: check_plain(p.join_inline(v.split("<")), markup_allowed=True)),
        ("split_terms", terms),
        ("absolute_url", lambda v: check_url(p.absolute_url(v, base))),
        ("absolute_url_nobase", lambda v: check_url(p.absolute_url(v))),
        ("canonical_url", lambda v: check_url(p.canonical_url(v, base))),
        ("image_url", lambda v: check_url(p.image_url(v, base))),
        ("unwrap_proxy", lambda v: [] if isinstance(p.unwrap_proxy(v), (str, type(None))) else ["unwrap_proxy type"]),
        ("is_placeholder_image", lambda v: [] if p.is_placeholder_image(v) in (True, False) else ["not a bool"]),
        ("pick_image_source", srcset),
        ("parse_date", lambda v: check_date(p.parse_date(v, "Asia/Shanghai", now), now)),
        ("parse_date_utc", lambda v: check_date(p.parse_date(v, "America/New_York", now), now)),
        ("date_in_text", lambda v: [b for m in filter(None, [p.date_in_text(v)])
                                    for b in check_date(p.parse_date(m, "Asia/Shanghai", now), now)]),
        ("clean_body_html", body),
        ("html_to_text", text_of),
        ("content_hash", hashed),
    ]


# ------------------------------------------------------------------ real-looking article pages, mutated

def fixture_pages() -> list[tuple[str, str, bytes]]:
    """(spider name, URL, bytes) of every saved article page of every portal spider, and the generic spider's.

    Found, not listed: each portal spider takes the pages its own ``is_article_url`` accepts among every saved
    page with a known URL (``saved_pages``), so a new portal's fixtures are fuzzed without touching this file.
    """
    from newscrawl.commands.crawlall import portal_spiders

    loader = _loader()
    saved = saved_pages()
    pages = []
    for name in portal_spiders(loader):
        spider = loader.load(name)()
        pages += [(name, url, path.read_bytes()) for url, path in saved if spider.is_article_url(url)]
    generic = FIXTURES / "generic"  # pages of sites no portal spider knows, read by the generic extractor
    pages += [("article", url, path.read_bytes()) for url, path in _wget_tree(generic) if "/news/" in url]
    return pages


def list_pages() -> dict[str, tuple[str, Path]]:
    """Each portal spider's sample list page (its ``contract_urls["list"]``) and the file the sample mirror serves."""
    from newscrawl.commands.crawlall import portal_spiders
    from newscrawl.mirror import MirrorDownloaderMiddleware

    loader, mirror, found = _loader(), MirrorDownloaderMiddleware(ROOT / "samples" / "mirror"), {}
    for name in portal_spiders(loader):
        url = loader.load(name).contract_urls.get("list")
        files = [c for c in mirror.candidates(url) if c.is_file()] if url else []
        if files:
            found[name] = (url, files[0])
    return found


FIXTURES = Path(__file__).parent / "fixtures"
ROOT = Path(__file__).resolve().parents[1]


def saved_pages() -> list[tuple[str, Path]]:
    """(URL, file) of every saved page whose URL is known: the sample mirror and every ``mirror/`` tree under
    tests/fixtures (``wget -m`` layout), page fixture cases (``<case>/url.txt`` beside ``input.html``), and pages
    an ``EXPECTED.json`` names (``_fetched_as``/``_fixture``)."""
    found = list(_wget_tree(ROOT / "samples" / "mirror"))
    for tree in sorted(FIXTURES.glob("*/mirror")):
        found += _wget_tree(tree)
    for url_file in sorted(FIXTURES.glob("**/url.txt")):
        if (url_file.parent / "input.html").is_file():
            found.append((url_file.read_text("utf-8").strip(), url_file.parent / "input.html"))
    for expected in sorted(FIXTURES.glob("*/EXPECTED.json")):
        for article in json.loads(expected.read_text("utf-8")).get("articles", {}).values():
            if "_fetched_as" in article and "_fixture" in article:
                found.append((article["_fetched_as"], expected.parent / article["_fixture"]))
    return list(dict(found).items())  # one file per URL (the last layout named wins)


def _wget_tree(tree: Path) -> list[tuple[str, Path]]:
    return [("https://" + path.relative_to(tree).as_posix(), path) for path in sorted(tree.rglob("*.htm*"))
            if not path.name.startswith("index.htm")]


def _loader():
    from scrapy.spiderloader import SpiderLoader
    from scrapy.utils.project import get_project_settings

    return SpiderLoader.from_settings(get_project_settings())


_JUNK = [b"\x00", b"\x0b", b"&#11;", b"&#x0;", b"\xff\xfe", b"\xed\xa0\x80", b"</div></div>", b"<div>" * 3000,
         b"<p>" * 3000, b"<!--", b"<![CDATA[", b"<script>", b'<img src="http://[::1">', b'<a href="http://[x">x</a>',
         b'<img data-src="' + b"a" * 200_000 + b'">', b'<meta name="keywords" content="' + b" " * 200_000 + b'">',
         b'<meta property="article:published_time" content="9999-12-31 23:59 -05:00">',
         b"<span>\xe4\xbb\x8a\xe5\xa4\xa9 25:00</span>", b"2022-08-10 14:20 +99:00", b"99999999\xe5\xa4\xa9\xe5\x89\x8d",
         b"&lt;b onmouseover=alert(3)&gt;", b'<meta http-equiv="refresh" content="0;url=http://169.254.169.254/">',
         b"\xe2\x80\xa8", b"\xc2\x85", b"&#xd800;", b"<title>" + b"t" * 100_000 + b"</title>",
         b"<p>\xe6\x96\x87" + b" " * 200_000 + b"\xe5\xad\x97</p>",
         b'<div class="x"><a href="/" {"@type": "ListItem"}>l</a><img {"@id":=1 data-src="/a.png"><h2 {x}=1>t</h2></div>']


def mutate(body: bytes, rng: random.Random, size: int = 0) -> tuple[bytes, str]:
    """One hostile variant of a page and what was done: byte flips, truncation, junk injected, tags cut; with
    ``size``, a unit of HUGE_UNITS repeated to fill the page to ``size`` bytes, injected at a random place."""
    kind = "fill" if size else rng.choice(("flip", "truncate", "inject", "inject", "inject", "splice", "strip_tags"))
    data = bytearray(body)
    if kind == "fill":
        unit = rng.choice(HUGE_UNITS).encode("utf-8")
        at = rng.randrange(len(data) + 1)
        data[at:at] = unit * (max(0, size - len(data)) // len(unit))
        kind = f"fill {unit.decode()[:12]!r}"
    elif kind == "flip":
        for _ in range(rng.randint(1, 50)):
            data[rng.randrange(len(data))] = rng.randrange(256)
    elif kind == "truncate":
        data = data[: rng.randrange(len(data))]
    elif kind == "inject":
        for _ in range(rng.randint(1, 4)):
            at = rng.randrange(len(data) + 1)
            data[at:at] = rng.choice(_JUNK)
    elif kind == "splice":
        start = rng.randrange(len(data))
        chunk = bytes(data[start: start + rng.randint(1, 5000)])
        at = rng.randrange(len(data) + 1)
        data[at:at] = chunk * rng.randint(1, 20)
    else:
        text = bytes(data)
        data = bytearray(re.sub(rb"</?(?:div|p|span|html|body|head)\b[^>]*>", lambda m: b"" if rng.random() < 0.5 else m.group(0), text))
    return bytes(data), kind


def parse_mutated(spider, url: str, body: bytes) -> tuple[list, dict]:
    """Run a spider's parse_article (and its continuation pages, on the same body) on one page: outputs, stats delta."""
    import scrapy
    from scrapy.http import HtmlResponse, Request

    before = dict(spider.crawler.stats.get_stats())
    outputs = list(spider.parse_article(downloaded(spider, HtmlResponse(url=url, body=body, request=Request(url)))))
    for _ in range(3):
        requests = [o for o in outputs if isinstance(o, scrapy.Request)]
        if not requests:
            break
        request = requests[0]
        response = downloaded(spider, HtmlResponse(url=request.url, body=body, request=request))
        outputs = [o for o in outputs if o is not request] + list(request.callback(response, **request.cb_kwargs))
    after = spider.crawler.stats.get_stats()
    delta = {k: v - before.get(k, 0) for k, v in after.items() if isinstance(v, int) and v != before.get(k, 0)}
    return outputs, delta


def downloaded(spider, response):
    """The response as the spider gets it in a crawl: through the project's response-cleaning downloader middlewares."""
    from scrapy.exceptions import NotConfigured

    from newscrawl.middlewares.charset import RedecodeMiddleware
    from newscrawl.middlewares.controlchars import ControlCharactersMiddleware
    from newscrawl.middlewares.pagecut import PageCutMiddleware

    # process_response order: 587, 585, then 584
    for middleware in (PageCutMiddleware, RedecodeMiddleware, ControlCharactersMiddleware):
        try:
            response = middleware.from_crawler(spider.crawler).process_response(response.request, response)
        except NotConfigured:  # turned off by a setting
            continue
    return response


COUNTED_REASONS = ("newscrawl/pages/", "newscrawl/drift/", "newscrawl/multipage")
NOT_REASONS = ("newscrawl/article_pages", "newscrawl/pages/control_characters")  # counted, but no reason for a loss


def reasons_in(delta: dict) -> list[str]:
    """The stats that say why a page gave no article."""
    return [k for k in delta if k.startswith(COUNTED_REASONS) and k not in NOT_REASONS]


def make_spider(name: str, **settings_given):
    """A spider built as `scrapy crawl NAME` would, with the project settings (and ``settings_given``) and a fixed now."""
    from scrapy.spiderloader import SpiderLoader
    from scrapy.utils.project import get_project_settings
    from scrapy.utils.test import get_crawler

    settings = get_project_settings()
    spidercls = SpiderLoader.from_settings(settings).load(name)
    crawler = get_crawler(spidercls, {**{k: settings[k] for k in ("NEWSCRAWL_MAX_BODY_CHARS", "NEWSCRAWL_DATE_EARLIEST",
                                                                     "NEWSCRAWL_DATE_MAX_AHEAD_DAYS", "NEWSCRAWL_MAX_PAGE_TAGS",
                                                                     "NEWSCRAWL_MAX_PAGE_BYTES")},
                                      "NEWSCRAWL_NOW": "2026-07-23T16:32:00+08:00", **settings_given})
    kwargs = {"urls": "https://www.xinzhi.example/news/"} if name == "article" else {}
    crawler.spider = crawler._create_spider(**kwargs)
    crawler.stats.open_spider()
    return crawler.spider
