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

from newscrawl.processors.text import clean_text, strip_control_markup, unique
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


def clean_body_html(
    html: str | None,
    base_url: str | None = None,
    drop: tuple[str, ...] = (),
    chrome: tuple[str, ...] = (),
) -> str | None:
    """Sanitize an article body fragment.

    Removes the elements matched by the CSS or XPath selectors in ``drop`` (ads, credits), picks the
    real source of lazy images, drops placeholder and chrome images, makes links and images
    absolute, then runs the nh3 (ammonia) sanitizer: no scripts, styles, iframes, forms,
    event attributes or javascript: URLs.
    """
    html = strip_control_markup(html)
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
    for img in list(root.iter("img")):
        attributes = dict(img.items())  # not img.attrib: a mangled name ('{"@type":') makes lxml raise on lookup
        src = image_url(pick_image_source(attributes), base_url, chrome)
        if src is None:
            _drop_keep_tail(img)
            continue
        keep_image_attributes(img, attributes, src)
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
    return _sanitize(fragment) or None


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


def html_to_text(html: str | None) -> str | None:
    """Readable text of a body: one paragraph per block, inline markup joined without breaks."""
    html = strip_control_markup(html)
    if not html.strip():
        return None
    try:
        return _tree_text(html)
    except Exception:  # markup lxml cannot take: the text without tags, never a crash
        lines = (clean_text(html_lib.unescape(line)) for line in re.split(r"<[^<>]*>", html))
        return "\n\n".join(line for line in lines if line) or None


def _tree_text(html: str) -> str | None:
    root = lxml.html.fragment_fromstring(html, create_parent="div")
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
