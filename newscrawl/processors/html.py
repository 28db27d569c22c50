"""Body HTML cleaners: sanitize with nh3, images, plain text and the content hash."""

from __future__ import annotations

import functools
import hashlib
import html as html_lib
import re
import unicodedata

import lxml.cssselect
import lxml.etree
import lxml.html
import nh3

from newscrawl.processors.text import clean_text, strip_control, strip_control_markup, unique
from newscrawl.processors.urls import absolute_url, image_url, pick_image_source

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


MAX_BODY_CHARS = 300_000  # NEWSCRAWL_MAX_BODY_CHARS's default (newscrawl/settings.py)


def cut_raw(html: str | None, max_chars: int | None = None) -> tuple[str | None, bool]:
    """Raw markup cut before it is parsed to what a body capped at ``max_chars`` (``0``: no cap) is read from, and
    whether it was cut: its first ``max_chars`` characters, ending before a tag (docs/OPERATIONS.md, "Bounded work
    per page"). Cleaning keeps markup as long or longer (absolute URLs): the first ``max_chars`` can fill the cap.

    >>> cut_raw("<p>一</p><p>二</p>", 10)
    ('<p>一</p>', True)
    """
    max_chars = MAX_BODY_CHARS if max_chars is None else max_chars
    if not html or max_chars <= 0 or len(html) <= max_chars:
        return html, False
    cut = html.rfind("<", 0, max_chars)
    return html[: cut if cut > 0 else max_chars], True


def clean_body_html(
    html: str | None,
    base_url: str | None = None,
    drop: tuple[str, ...] = (),
    chrome: tuple[str, ...] = (),
    max_chars: int | None = None,
) -> str | None:
    """Sanitize an article body fragment.

    Removes the elements matched by the CSS or XPath selectors in ``drop`` (ads, credits), picks the
    real source of lazy images, drops placeholder and chrome images, makes links and images
    absolute, then runs the nh3 (ammonia) sanitizer: no scripts, styles, iframes, forms,
    event attributes or javascript: URLs. Markup beyond what a body capped at ``max_chars`` (default
    MAX_BODY_CHARS, ``0``: no cap) is read from is not read (``cut_raw``; the loader counts the cut).
    """
    html = strip_control_markup(cut_raw(html, max_chars)[0])
    if not html.strip():
        return None
    try:
        return _clean_body_tree(html, base_url, drop, chrome)
    except Exception:  # hopeless markup: the sanitizer alone still keeps the text, never a crash
        return _sanitize(html, tags=ALLOWED_TAGS - {"img", "a"}) or None  # no URL left unresolved


def _clean_body_tree(html: str, base_url, drop, chrome) -> str | None:
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    for selector in drop:
        for element in _compiled(selector)(root):
            _drop_keep_tail(element)
    image = _once(lambda items: image_url(pick_image_source(dict(items)), base_url, chrome))
    for img in list(root.iter("img")):
        items = tuple(img.items())  # not img.attrib: a mangled name ('{"@type":') makes lxml raise on lookup
        src = image(items)
        if src is None:
            _drop_keep_tail(img)
            continue
        keep_image_attributes(img, dict(items), src)
    link = _once(lambda href: absolute_url(href, base_url))
    for anchor in root.iter("a"):
        href = link(anchor.get("href"))
        if href is None:
            anchor.attrib.pop("href", None)
        else:
            anchor.set("href", href)
    container = root
    while len(container) == 1 and container[0].tag in ("div", "section", "article") and not (
        (container.text or "").strip() or (container[0].tail or "").strip()
    ):
        container = container[0]
    return _sanitize(_inner_html(container)) or None


def _inner_html(element) -> str:
    """The element's text (as parsed: not escaped again, as before) and its children's markup, in one serialization."""
    text, element.text, element.tail = element.text or "", None, None
    element.attrib.clear()
    markup = lxml.html.tostring(element, encoding="unicode")
    return text + markup[len(element.tag) + 2: -len(element.tag) - 3]  # without "<div>" and "</div>"


# Distinct images and links resolved per body: a body repeating one image costs one resolution; one with more
# distinct image (or link) URLs than this keeps the first ones, the others are dropped (unlinked) unresolved.
MAX_BODY_URLS = 2000


def _once(resolve):
    """``resolve`` called once per distinct argument, for the first MAX_BODY_URLS of them (None for the others)."""
    memo: dict = {}
    limit = MAX_BODY_URLS

    def resolved(value):
        if value not in memo:
            if len(memo) >= limit:
                return None
            memo[value] = resolve(value)
        return memo[value]

    return resolved


@functools.lru_cache(maxsize=256)
def _compiled(selector: str):
    """An XPath (starting with "./", "/" or "("; EXSLT re: available) or CSS selector, compiled once per process."""
    if selector.startswith(("./", "/", "(")):
        return lxml.etree.XPath(selector, namespaces={"re": "http://exslt.org/regular-expressions"})
    return lxml.cssselect.CSSSelector(selector)


def _sanitize(fragment: str, tags=ALLOWED_TAGS) -> str:
    cleaned = nh3.clean(
        fragment,
        tags=tags,
        clean_content_tags=REMOVE_WITH_CONTENT,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel=None,
        strip_comments=True,
    )
    return _drop_empty_blocks(cleaned).strip()


def keep_image_attributes(img, attributes: dict, src: str | None) -> None:
    """Only alt/title/width/height and the real ``src`` on an <img>, whatever names the parser let through."""
    img.attrib.clear()
    for name in ("alt", "title", "width", "height"):
        if attributes.get(name) is not None:
            img.set(name, attributes[name])
    if src:
        img.set("src", src)


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
    for _ in range(6):  # bounded: n nested empty blocks must not cost n passes over the body
        previous, html = html, _EMPTY_BLOCK.sub("", html)
        if html == previous:
            break
    return html


def cap_body(html: str | None, max_chars: int) -> tuple[str | None, bool]:
    """A sanitized body cut to at most ``max_chars`` characters of markup (so of text too), and whether it was cut.

    The cut falls before the last tag that starts within the limit and the sanitizer closes what it left open.
    """
    if not html or max_chars <= 0 or len(html) <= max_chars:
        return html, False
    cut = html.rfind("<", 0, max_chars)
    return (_sanitize(html[: cut if cut > 0 else max_chars]) or None), True


_IMG_SRC = re.compile(r'<img(?:\s+(?!src=)[\w:-]+(?:="[^"]*")?)*\s+src="([^"]+)"')


def images_from_html(html: str | None) -> list[str]:
    """The src of every <img> in a cleaned body, in order, deduplicated."""
    if not html:
        return []
    # Attribute by attribute (nh3 writes each as name="value"): a src=" inside an alt is not the src.
    return unique(html_lib.unescape(src) for src in _IMG_SRC.findall(html))


def html_to_text(html: str | None, max_chars: int | None = None) -> str | None:
    """Readable text of a body: one paragraph per block, inline markup joined without breaks (of the markup a
    body capped at ``max_chars`` can hold: ``cut_raw``)."""
    html = strip_control_markup(cut_raw(html, max_chars)[0])
    if not html.strip():
        return None
    try:
        return _tree_text(html)
    except Exception:  # markup lxml cannot take: the text without tags, never a crash
        lines = (clean_text(html_lib.unescape(line)) for line in re.split(r"<[^<>]*>", html))
        return "\n\n".join(line for line in lines if line) or None


def _tree_text(html: str) -> str | None:
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    for element in root.iter("br"):
        element.tail = "\n" + (element.tail or "")
    for element in root.iter(*BLOCK_TAGS, "td", "th"):
        element.text = "\n" + (element.text or "")
        element.tail = "\n" + (element.tail or "")
    # clean_text of every line, blank lines dropped, joined by a blank line: on the whole text at once
    text = _SPACE_RUN.sub(" ", strip_control(root.text_content())).strip()
    return _LINE_BREAKS.sub("\n\n", text) or None


_SPACE_RUN = re.compile(r"(?:[^\S\n]|[\u200b\ufeff])+")  # what clean_text collapses, but line ends
_LINE_BREAKS = re.compile(r" ?\n[ \n]*")  # after _SPACE_RUN a line's ends hold at most one space


def content_hash(text: str | None, max_chars: int | None = None) -> str | None:
    """SHA-256 of the body text with width, case and whitespace normalised away (of the first ``max_chars``
    characters, default MAX_BODY_CHARS: a body capped at it holds no more text; ``0``: all)."""
    if not text:
        return None
    max_chars = MAX_BODY_CHARS if max_chars is None else max_chars
    if max_chars > 0:
        text = text[:max_chars]
    normal = unicodedata.normalize("NFKC", text).lower()
    normal = re.sub(r"[\s\W_]+", "", normal)
    if not normal:
        return None
    return hashlib.sha256(normal.encode("utf-8")).hexdigest()
