"""Pure functions turning an Article into a Hexo post: front matter, body, safe file path."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import datetime, timezone
from email.utils import format_datetime
from pathlib import PurePosixPath

import nh3
from itemadapter import ItemAdapter

from newscrawl import processors as p

POST_NAME_BYTES = 150  # the title part of a file name; with "-<hash>.md" a name stays under 170 bytes
DIR_NAME_BYTES = 90
HASH_CHARS = 12  # 48 bits of sha1(url): no collision to expect among millions of articles
UNCATEGORIZED = "uncategorized"  # Hexo's own default_category

# YAML has no escape for these even inside quotes (C0/C1 controls, DEL, line/paragraph separators, BOM),
# and no way at all to write lone surrogates or U+FFFE/U+FFFF (outside YAML's printable set).
_YAML_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff\ufffe\uffff]+")
_PLAIN_SPECIAL = re.compile(r"[:#{}\[\],&*!|>'\"%@`]")
_PLAIN_RESERVED = {"true", "false", "yes", "no", "on", "off", "y", "n", "null", "~", ""}


def one_line(value) -> str:
    """A front-matter value on one YAML-safe line.

    >>> one_line("a\\n\\tb\\x00 c ")
    'a b c'
    """
    return re.sub(r"\s+", " ", _YAML_UNSAFE.sub(" ", str(value or ""))).strip()


def yaml_quoted(value) -> str:
    """A YAML single-quoted scalar: the only escape is a doubled quote.

    >>> yaml_quoted("It's")
    "'It''s'"
    """
    return "'" + one_line(value).replace("'", "''") + "'"


def yaml_scalar(value) -> str:
    """Plain when YAML reads it back as the same string, else single-quoted.

    >>> yaml_scalar("云计算")
    '云计算'
    >>> yaml_scalar("5G")
    "'5G'"
    >>> yaml_scalar("AI: 未来")
    "'AI: 未来'"
    """
    text = one_line(value)
    if (
        _PLAIN_SPECIAL.search(text)
        or text[:1] in ("-", "?", "~", ".", "+", "=", "<")
        or text[:1].isdigit()
        or text.lower() in _PLAIN_RESERVED
    ):
        return yaml_quoted(text)
    return text


def rfc822_gmt(published_at) -> str | None:
    """RFC 822 date in GMT, as the original RSS bridge wrote it.

    >>> rfc822_gmt("2022-08-10T14:20:00+08:00")
    'Wed, 10 Aug 2022 06:20:00 GMT'
    """
    if not published_at:
        return None
    moment = published_at if isinstance(published_at, datetime) else datetime.fromisoformat(str(published_at))
    if moment.tzinfo is None:
        raise ValueError(f"published_at {published_at!r} has no UTC offset")
    return format_datetime(moment.astimezone(timezone.utc), usegmt=True)


def proxied(url: str | None, prefix: str | None) -> str | None:
    """``prefix + url`` (once: an already proxied URL is left alone).

    >>> proxied("http://i.example/a.png", "https://proxy.example/?")
    'https://proxy.example/?http://i.example/a.png'
    """
    if not url or not prefix or url.startswith(prefix):
        return url
    return prefix + url


def proxy_images(body_html: str, prefix: str) -> str:
    """Every ``<img src>`` behind the proxy, with ``referrerpolicy="no-referrer"``.

    The body was sanitized by nh3 with processors' allow-lists; running it through nh3 again with
    the same lists changes nothing else and rewrites attributes on a real HTML parse, not a regex.
    """

    def rewrite(tag, attribute, value):
        return proxied(value, prefix) if tag == "img" and attribute == "src" else value

    return nh3.clean(
        body_html,
        tags=p.ALLOWED_TAGS,
        clean_content_tags=p.REMOVE_WITH_CONTENT,
        attributes={tag: set(names) for tag, names in p.ALLOWED_ATTRIBUTES.items()},
        url_schemes={"http", "https", "mailto"},
        link_rel=None,
        strip_comments=True,
        attribute_filter=rewrite,
        set_tag_attribute_values={"img": {"referrerpolicy": "no-referrer"}},
    )


def escape_templating(body_html: str) -> str:
    """Hide ``{`` and ``}`` from Hexo's Nunjucks pass as HTML entities (the browser shows them as is).

    Entities rather than ``{% raw %}``: a body that itself contains ``{% endraw %}`` cannot break out.

    >>> escape_templating("{{ x }} {% y %}")
    '&#123;&#123; x &#125;&#125; &#123;% y %&#125;'
    """
    return body_html.replace("{", "&#123;").replace("}", "&#125;")


def hexo_body(body_html: str | None, image_proxy: str | None = None) -> str:
    """The body inside one HTML block: blank lines would end the block and let Markdown rewrite the rest."""
    html = body_html or ""
    if image_proxy and html:
        html = proxy_images(html, image_proxy)
    html = "\n".join(line for line in html.splitlines() if line.strip())
    return escape_templating(html)


def post_text(article, image_proxy: str | None = None) -> str:
    """The Hexo post of an Article (dataclass or dict with Article keys)."""
    a = ItemAdapter(article)
    headimg = proxied(a.get("headimg"), image_proxy)
    author = a.get("site") or a.get("source") or a.get("portal")
    date = rfc822_gmt(a.get("published_at"))
    lines = ["---", f"title: {yaml_quoted(one_line(a.get('title')) or a.get('url'))}"]
    categories = [c for c in (one_line(c) for c in a.get("categories") or []) if c]
    if categories:
        lines.append("categories:")
        lines.extend(f" - {yaml_scalar(c)}" for c in categories)
    if headimg:
        lines.append(f"headimg: {yaml_quoted(headimg)}")
    if one_line(author):
        lines.append(f"author: {yaml_scalar(author)}")
    lines.append("comments: false")
    if date:
        lines.append(f"date: {date}")
    if headimg:
        lines.append(f"thumbnail: {yaml_quoted(headimg)}")
    lines += ["---", "", f"<div> {hexo_body(a.get('body_html'), image_proxy)} </div>"]
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------ file names

# Windows' forbidden characters, plus "#" and "%" which would break the post's URL (Hexo's :title is the file name).
_UNSAFE_NAME = re.compile(r'[\x00-\x1f\x7f-\x9f<>:"/\\|?*#%\u2028\u2029\ufeff\ud800-\udfff]+')
_WINDOWS_DEVICES = re.compile(r"^(?:CON|PRN|AUX|NUL|COM[0-9]|LPT[0-9])(?:\..*)?$", re.IGNORECASE)


def safe_name(text: str | None, max_bytes: int = POST_NAME_BYTES) -> str:
    """A file/directory name valid on Linux, macOS and Windows, at most ``max_bytes`` of UTF-8.

    Characters Windows forbids, ``#`` and ``%`` become ``_``; leading dots, underscores and dashes go (Hexo skips
    ``.``/``_`` files as hidden/drafts, shells read ``-`` as an option); trailing dots and spaces
    go (Windows drops them); device names get a ``_``; cutting never splits a character.

    >>> safe_name("A/B: C?")
    'A_B_ C_'
    >>> safe_name("._hidden.")
    'hidden'
    >>> len(safe_name("云" * 100, 150).encode())
    150
    """
    name = unicodedata.normalize("NFC", str(text or ""))
    name = _UNSAFE_NAME.sub("_", name)
    name = re.sub(r"\s+", " ", name).strip()
    name = re.sub(r"^[\s._-]+", "", name)
    encoded = name.encode("utf-8")[:max_bytes]
    name = encoded.decode("utf-8", errors="ignore")
    name = name.rstrip(" .")
    if _WINDOWS_DEVICES.match(name):
        name += "_"
    return name or "untitled"


def url_key(url: str | None) -> str:
    """The short stable hash that tells apart articles with the same title.

    >>> url_key("https://cloud.ofweek.com/2022-08/ART-178801-8100-30570025.html")
    '0893fcabd989'
    """
    return hashlib.sha1(str(url or "").encode("utf-8")).hexdigest()[:HASH_CHARS]


POST_NAME = re.compile(rf"-([0-9a-f]{{{HASH_CHARS}}})\.md$")


def category_path(categories) -> PurePosixPath:
    """Hexo reads a categories list as a hierarchy, so the directories follow it.

    >>> category_path(["云计算", "华为/云"])
    PurePosixPath('云计算/华为_云')
    >>> category_path([])
    PurePosixPath('uncategorized')
    """
    parts = [safe_name(c, DIR_NAME_BYTES) for c in categories or [] if one_line(c)]
    return PurePosixPath(*parts) if parts else PurePosixPath(UNCATEGORIZED)


def post_path(article) -> PurePosixPath:
    """``<category path>/<safe title>-<url hash>.md``: stable per article, distinct per URL."""
    a = ItemAdapter(article)
    title = one_line(a.get("title")) or "untitled"
    return category_path(a.get("categories")) / f"{safe_name(title)}-{url_key(a.get('url'))}.md"
