"""Pure cleaning functions: a raw value scraped from a page in, a clean value out."""

from __future__ import annotations

import hashlib
import html as html_lib
import re
import unicodedata
from datetime import date, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from functools import lru_cache
from posixpath import basename
from urllib.parse import parse_qsl, unquote, urlencode, urljoin, urlsplit, urlunsplit
from zoneinfo import ZoneInfo

import lxml.html
import nh3

DEFAULT_TZ = "Asia/Shanghai"

# --------------------------------------------------------------------------- text

_WS = re.compile(r"[\s\u00a0\u3000\u200b\ufeff]+")


def clean_text(value: str | None) -> str | None:
    """Collapse all whitespace (incl. NBSP, ideographic space); '' becomes None.

    >>> clean_text("  a \\u3000 b\\n")
    'a b'
    """
    if value is None:
        return None
    text = _WS.sub(" ", str(value)).strip()
    return text or None


_LABEL = re.compile(
    r"^\s*(?:来源|來源|出处|作者|文|记者|编辑|责任编辑|责编|原标题|source|author|by)"
    r"\s*(?:[:：|｜丨/]\s*|\s+(?=\S))",
    re.IGNORECASE,
)


def strip_label(value: str | None) -> str | None:
    """Remove a leading '来源：' / '作者 |' / '编辑：' style label.

    >>> strip_label("来源：OFweek云计算网")
    'OFweek云计算网'
    >>> strip_label("作者 | 陈逸辰")
    '陈逸辰'
    """
    text = clean_text(value)
    if text is None:
        return None
    previous = None
    while previous != text:
        previous = text
        text = _LABEL.sub("", text, count=1).strip()
    return text or None


_SUFFIX_SEP = r"\s*(?:[-_|–—]|\|)\s*"


def strip_site_suffix(title: str | None, site_names: tuple[str, ...] | list[str] = ()) -> str | None:
    """Drop a trailing ' - SiteName' (or '_SiteName', '| SiteName') from a title.

    Only known site names are removed (a dash inside a real title stays); names may
    be regular expressions.

    >>> strip_site_suffix("标题 - OFweek云计算网", [r"OFweek\\S*网"])
    '标题'
    >>> strip_site_suffix("A - B 对比", ["IT之家"])
    'A - B 对比'
    """
    text = clean_text(title)
    if text is None:
        return None
    for name in site_names:
        pattern = re.compile(rf"{_SUFFIX_SEP}(?:{name})\s*$")
        stripped = pattern.sub("", text)
        if stripped and stripped != text:
            text = stripped.strip()
    return text or None


def join_inline(parts) -> str | None:
    """Join text nodes of one block without inserting separators, then clean."""
    return clean_text("".join(p for p in parts if p))


# --------------------------------------------------------------------- categories

_TERM_SPLIT = re.compile(r"\s*(?:[/,，、|｜>»;；]|&gt;)\s*")
_TERM_STOP = {"首页", "正文", "当前位置", "当前位置：", "您的位置", "位置", "home", "返回首页"}


def split_terms(value: str | None) -> list[str]:
    """Split a category/tag string into clean terms.

    >>> split_terms("首页 > 云计算 > 正文")
    ['云计算']
    >>> split_terms("华为云，公有云、 云平台 | 华为云")
    ['华为云', '公有云', '云平台']
    """
    if not value:
        return []
    text = unicodedata.normalize("NFKC", str(value))
    terms = []
    for raw in _TERM_SPLIT.split(text):
        term = clean_text(raw)
        if not term:
            continue
        term = re.sub(r"^(?:当前位置|您的位置|位置)\s*[:：]\s*", "", term)
        if not term or term.lower() in _TERM_STOP:
            continue
        terms.append(term)
    return unique(terms)


def unique(values) -> list:
    """Dedupe keeping first-seen order; None and '' are dropped."""
    seen, out = set(), []
    for value in values:
        if value in (None, "") or value in seen:
            continue
        seen.add(value)
        out.append(value)
    return out


# -------------------------------------------------------------------------- urls

_TRACKING = re.compile(
    r"^(?:utm_\w+|spm|from|scm|share_?\w*|fbclid|gclid|wxfrom|isappinstalled|"
    r"mpshare|srcid|_hsenc|_hsmi|mc_cid|mc_eid|ref|refer|source_from)$",
    re.IGNORECASE,
)


def canonical_url(url: str | None, base_url: str | None = None) -> str | None:
    """Absolute URL without fragment and tracking parameters; host lower-cased.

    >>> canonical_url("HTTPS://Cloud.OFweek.com/a.html?utm_source=x&id=2#top")
    'https://cloud.ofweek.com/a.html?id=2'
    """
    url = absolute_url(url, base_url)
    if url is None:
        return None
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k)]
    return urlunsplit(
        (parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", urlencode(query, safe="/:,"), "")
    )


def absolute_url(url: str | None, base_url: str | None = None) -> str | None:
    """Strip whitespace, resolve relative and protocol-relative URLs; only http(s) survives.

    >>> absolute_url(" //img.ithome.com/a.jpg ", "https://www.ithome.com/0/1.htm")
    'https://img.ithome.com/a.jpg'
    """
    if not url:
        return None
    url = re.sub(r"[\s\u00a0]+", "", str(url))
    if not url or url.startswith(("data:", "javascript:", "about:", "#", "mailto:")):
        return None
    if base_url:
        url = urljoin(base_url, url)
    elif url.startswith("//"):
        url = "https:" + url
    if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc:
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
    if not url:
        return url
    for _ in range(5):
        parts = urlsplit(url)
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
        url = "https:" + inner if inner.startswith("//") else inner
    return url


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
    if not url or url.strip().startswith("data:"):
        return True
    path = urlsplit(url.strip()).path
    return bool(_PLACEHOLDER_NAME.match(basename(path)) or _PLACEHOLDER_PATH.search(path))


def image_url(url: str | None, base_url: str | None = None, chrome: tuple[str, ...] = ()) -> str | None:
    """A clean absolute content-image URL, or None for placeholders and site chrome.

    ``chrome`` holds regular expressions for the portal's own chrome images (logos, bars).
    """
    url = absolute_url(url, base_url)
    url = unwrap_proxy(url)
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
        if value:
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
            size = float(match.group(1)) if match else 1.0
        if size > best_size:
            best, best_size = bits[0], size
    return best


# ------------------------------------------------------------------------- dates

_RELATIVE_UNITS = {
    "秒": timedelta(seconds=1),
    "分钟": timedelta(minutes=1),
    "分": timedelta(minutes=1),
    "小时": timedelta(hours=1),
    "天": timedelta(days=1),
    "日": timedelta(days=1),
    "周": timedelta(weeks=1),
    "星期": timedelta(weeks=1),
}
_FULL_DATE = re.compile(
    r"(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?"
    r"(?:[\sT]*(?P<H>\d{1,2})\s*[:：时]\s*(?P<M>\d{1,2})(?:\s*[:：分]\s*(?P<S>\d{1,2}))?)?"
)
_NO_YEAR = re.compile(
    r"^(?P<m>\d{1,2})\s*[-/月]\s*(?P<d>\d{1,2})\s*日?(?:\s+(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?)?$"
)
_RELATIVE = re.compile(r"^(?P<n>\d+|半|一|两|几)\s*(?P<unit>秒|分钟|分|小时|个小时|天|日|周|星期|个月|月|年)\s*前$")
_DAY_WORD = re.compile(r"^(?P<word>今天|昨天|前天|today|yesterday)\s*(?:(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?)?$", re.I)


# A date (and time) somewhere in a line of page text, for findall/search; parse_date cleans the match.
DATE_IN_TEXT_RE = re.compile(r"\d{4}\s*[-/年]\s*\d{1,2}\s*[-/月]\s*\d{1,2}\s*日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?")


@lru_cache(maxsize=32)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def parse_date(value, tz: str = DEFAULT_TZ, now: datetime | None = None) -> datetime | None:
    """Parse a published date into an aware datetime in ``tz``; None when unparseable.

    Naive values are taken as local time of ``tz`` (the portal's zone). Relative values
    ('3小时前', '昨天 10:20', '刚刚') resolve against ``now``.

    >>> parse_date("2022-08-10 14:20").isoformat()
    '2022-08-10T14:20:00+08:00'
    >>> parse_date("Wed, 10 Aug 2022 06:20:00 GMT").isoformat()
    '2022-08-10T14:20:00+08:00'
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=_zone(tz))
    text = unicodedata.normalize("NFKC", str(value))
    text = _WS.sub(" ", text).strip()
    text = re.sub(r"^(?:发布(?:时间|于)?|时间|日期|更新(?:时间)?|published)\s*[:：]?\s*", "", text, flags=re.I)
    if not text:
        return None
    zone = _zone(tz)
    now = (now or datetime.now(timezone.utc)).astimezone(zone)
    result = _fast_parse(text, zone, now)
    if result is None:
        result = _dateparser_parse(text, tz, now)
    if result is None:
        return None
    return result.astimezone(zone)


def _fast_parse(text: str, zone: ZoneInfo, now: datetime) -> datetime | None:
    if text in ("刚刚", "刚才", "just now"):
        return now.replace(microsecond=0)
    match = _RELATIVE.match(text)
    if match:
        raw = match.group("n")
        amount = {"半": 0.5, "一": 1, "两": 2, "几": 3}.get(raw) or int(raw)
        unit = match.group("unit").replace("个", "")
        if unit in ("月", "年"):
            days = 30 if unit == "月" else 365
            return (now - timedelta(days=days * amount)).replace(microsecond=0)
        return (now - _RELATIVE_UNITS[unit] * amount).replace(microsecond=0)
    match = _DAY_WORD.match(text)
    if match:
        back = {"今天": 0, "today": 0, "昨天": 1, "yesterday": 1, "前天": 2}[match.group("word").lower()]
        day = (now - timedelta(days=back)).date()
        return _build(day.year, day.month, day.day, match, zone)
    match = _NO_YEAR.match(text)
    if match:
        month, day_ = int(match.group("m")), int(match.group("d"))
        for year in (now.year, now.year - 1):
            try:
                candidate = _build(year, month, day_, match, zone)
            except ValueError:
                continue
            if candidate is not None and candidate <= now + timedelta(minutes=5):
                return candidate
        return None
    if re.match(r"^\d{4}-\d{2}-\d{2}T", text):
        try:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            parsed = None
        if parsed is not None:
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)
    if re.match(r"^(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{4}\s+\d", text):
        try:
            parsed = parsedate_to_datetime(text)
        except (TypeError, ValueError):
            parsed = None
        if parsed is not None:
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)
    match = _FULL_DATE.search(text)
    if match and (match.start() == 0 or not text[: match.start()].strip(" :：")):
        rest = text[match.end():].strip()
        try:
            parsed = _build(int(match.group("y")), int(match.group("m")), int(match.group("d")), match, zone)
        except ValueError:
            return None
        offset = re.match(r"^([+-])(\d{2}):?(\d{2})$", rest)
        if offset and parsed is not None:
            sign = 1 if offset.group(1) == "+" else -1
            delta = timedelta(hours=int(offset.group(2)), minutes=int(offset.group(3))) * sign
            parsed = parsed.replace(tzinfo=timezone(delta))
        return parsed
    return None


def _build(year: int, month: int, day: int, match, zone: ZoneInfo) -> datetime:
    hour = int(match.group("H") or 0)
    minute = int(match.group("M") or 0)
    second = int(match.group("S") or 0) if "S" in match.re.groupindex else 0
    return datetime(year, month, day, hour, minute, second, tzinfo=zone)


def _dateparser_parse(text: str, tz: str, now: datetime) -> datetime | None:
    import dateparser

    parsed = dateparser.parse(
        text,
        languages=["zh", "en"],
        settings={
            "TIMEZONE": tz,
            "TO_TIMEZONE": tz,
            "RETURN_AS_TIMEZONE_AWARE": True,
            "RELATIVE_BASE": now.replace(tzinfo=None),
            "PREFER_DATES_FROM": "past",
        },
    )
    if parsed is None or not (1990 <= parsed.year <= now.year + 1):
        return None
    return parsed


def parse_since(value: str | None) -> date | None:
    """'YYYY-MM-DD' spider argument -> date; ValueError with a readable message otherwise."""
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValueError(f"since must be a date like 2024-01-31, got {value!r}") from None


# -------------------------------------------------------------------------- html

ALLOWED_TAGS = {
    "p", "br", "div", "a", "img", "figure", "figcaption", "strong", "b", "em", "i", "u", "s",
    "sub", "sup", "blockquote", "pre", "code", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li",
    "table", "thead", "tbody", "tr", "th", "td", "caption", "hr", "section", "center", "dl", "dt", "dd",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}
REMOVE_WITH_CONTENT = {
    "script", "style", "iframe", "noscript", "form", "button", "select", "textarea", "object",
    "embed", "svg", "canvas", "template", "audio", "video", "input", "frame", "frameset", "head", "title",
}
BLOCK_TAGS = {
    "p", "div", "section", "article", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "blockquote",
    "pre", "figure", "figcaption", "table", "tr", "center", "dl", "dt", "dd", "hr", "header", "footer",
}


def clean_body_html(
    html: str | None,
    base_url: str | None = None,
    drop: tuple[str, ...] = (),
    chrome: tuple[str, ...] = (),
) -> str | None:
    """Sanitize an article body fragment.

    Removes the elements matched by the CSS selectors in ``drop`` (ads, credits), picks the
    real source of lazy images, drops placeholder and chrome images, makes links and images
    absolute, then runs the nh3 (ammonia) sanitizer: no scripts, styles, iframes, forms,
    event attributes or javascript: URLs.
    """
    if not html or not html.strip():
        return None
    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except Exception:  # lxml raises several types on hopeless markup
        return None
    for selector in drop:
        for element in root.cssselect(selector):
            _drop_keep_tail(element)
    for img in list(root.iter("img")):
        src = image_url(pick_image_source(dict(img.attrib)), base_url, chrome)
        if src is None:
            _drop_keep_tail(img)
            continue
        for attribute in list(img.attrib):
            if attribute not in ("alt", "title", "width", "height"):
                del img.attrib[attribute]
        img.set("src", src)
    for anchor in root.iter("a"):
        href = absolute_url(anchor.get("href"), base_url)
        if href is None:
            anchor.attrib.pop("href", None)
        else:
            anchor.set("href", href)
    container = root
    while len(container) == 1 and container[0].tag in ("div", "section", "article") and not (
        (container.text or "").strip() or (container[0].tail or "").strip()
    ):
        container = container[0]
    fragment = (container.text or "") + "".join(
        lxml.html.tostring(child, encoding="unicode") for child in container
    )
    cleaned = nh3.clean(
        fragment,
        tags=ALLOWED_TAGS,
        clean_content_tags=REMOVE_WITH_CONTENT,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel=None,
        strip_comments=True,
    )
    cleaned = _drop_empty_blocks(cleaned)
    return cleaned.strip() or None


def _drop_keep_tail(element) -> None:
    parent = element.getparent()
    if parent is None:
        return
    tail = element.tail
    if tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(element)


_EMPTY_BLOCK = re.compile(r"<(p|div|span|section|strong|center)>(?:\s|&nbsp;|\u3000|<br>)*</\1>")


def _drop_empty_blocks(html: str) -> str:
    previous = None
    while previous != html:
        previous = html
        html = _EMPTY_BLOCK.sub("", html)
    return html


def images_from_html(html: str | None) -> list[str]:
    """The src of every <img> in a cleaned body, in order, deduplicated."""
    if not html:
        return []
    return unique(html_lib.unescape(src) for src in re.findall(r'<img\b[^>]*?\bsrc="([^"]+)"', html))


def html_to_text(html: str | None) -> str | None:
    """Readable text of a body: one paragraph per block, inline markup joined without breaks."""
    if not html or not html.strip():
        return None
    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except Exception:
        return None
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        if element.tag == "br":
            element.tail = "\n" + (element.tail or "")
        elif element.tag in BLOCK_TAGS or element.tag in ("td", "th"):
            element.text = "\n" + (element.text or "")
            element.tail = "\n" + (element.tail or "")
    lines = (clean_text(line) for line in root.text_content().split("\n"))
    text = "\n\n".join(line for line in lines if line)
    return text or None


def content_hash(text: str | None) -> str | None:
    """SHA-256 of the body text with width, case and whitespace normalised away."""
    if not text:
        return None
    normal = unicodedata.normalize("NFKC", text).lower()
    normal = re.sub(r"[\s\W_]+", "", normal)
    if not normal:
        return None
    return hashlib.sha256(normal.encode("utf-8")).hexdigest()


def to_iso(value: datetime | None) -> str | None:
    """ISO 8601 with offset, seconds precision."""
    if value is None:
        return None
    return value.replace(microsecond=0).isoformat()
