"""The main text: the densest block of paragraphs (or trafilatura's), then lines that are not the article trimmed."""

from __future__ import annotations

import copy
import re

import lxml.html

from newscrawl import processors as p
from newscrawl.extract.byline import authors_in_text
from newscrawl.extract.trim import _drop, _link_chars, paragraphize, trim

# A class/id token that names an ad block as a whole: "ad", "ads", "ad-box", "art-ad", "advert", "guanggao",
# "sponsor". Tokens that merely contain "ad" ("non-ad-column-l", "ad_body", "header", "download") are content.
_AD_TOKEN = re.compile(
    r"^(?:ads?|advert\w*|adsbygoogle|guanggao\w*|sponsor\w*|gg)$"
    r"|^(?:ads?|gg|advert)[-_]?(?:box|banner|wrap|wrapper|container|slot|area|block|top|bottom|left|right|inline"
    r"|img|pic|list|con|unit|\d+)$"
    r"|^[a-z]+[-_](?:ads?|advert|guanggao)$",
    re.I,
)
# Parts of class/id tokens (split on - and _) of blocks that are never the article, unless a part also names
# the content ("comment-list" is dropped, "article-comment-count" inside "article-body" is not looked at).
_UNLIKELY = {
    "comment", "comments", "reply", "footer", "foot", "nav", "navbar", "menu", "sidebar", "aside", "share",
    "related", "relate", "recommend", "recommended", "hot", "rank", "ranking", "login", "toolbar", "copyright",
    "breadcrumb", "crumb", "pinglun", "xgwz", "tuijian", "popup", "modal", "banner", "header",
}
_LIKELY = {"article", "content", "body", "text", "main", "post", "detail", "entry", "story", "news", "artical"}
_DROP_TAGS = ("script", "style", "noscript", "iframe", "form", "textarea", "select", "button", "svg", "canvas",
              "template", "nav", "footer", "aside")
_CHROME_TAGS = ("div", "section", "ul", "ol", "dl", "table", "header", "aside", "article")
_UNIT_TAGS = {"p", "pre", "blockquote", "td", "div", "section", "article", "span", "font", "li", "dd"}
_PUNCT = re.compile(r"[，,。；;！!？?、：:]")
STRAY_END = re.compile(r"</(?:html|body)\s*>(?=.*?<(?:div|p|table|h\d)\b)", re.I | re.S)
MIN_BODY_CHARS = 40
_SHARES = (1.0, 0.5, 1 / 6, 1 / 9, 1 / 12)  # a paragraph's score for its parent, grandparent, ... (readability.js)
MAX_LINK_DENSITY = 0.5
_FOLD_BUTTON = (
    '//*[normalize-space(text()) = "展开全文" or normalize-space(text()) = "阅读全文"'
    ' or normalize-space(text()) = "展开阅读全文" or normalize-space(text()) = "查看全文"'
    ' or normalize-space(text()) = "点击展开全文"]'
)


def main_text_html(html: str, url: str | None = None, title: str | None = None, headline_line: int | None = None) -> str | None:
    """The article's text as HTML; see main_text."""
    return main_text(html, url, title, headline_line)[0]


def main_text(html: str, url: str | None = None, title: str | None = None, headline_line: int | None = None,
              headlines=(), fast: bool = False):
    """(html, credits): the article's text as HTML (images and links kept), the densest block of paragraphs, else
    trafilatura's; and the byline lines trimmed off it (read for the author).

    Lazy images are resolved and ad blocks removed first; the headline, crumb and byline lines above the text
    and editor, source, share and related-article lines below it are trimmed. Less than MIN_BODY_CHARS of
    text is no body (a video page, a login wall, an index page). ``headline_line``, the source line of the
    headline, makes blocks far from it (comment threads, live feeds in a sidebar) count less. ``fast``: trafilatura
    without its fallback extractors (readability, jusText), for a page cut to its first tags (bounded work).
    """
    tree = prepared_tree(html)
    if tree is None:
        return None, []
    anchors = {p.clean_text(a.text_content()) for a in tree.iter("a")}
    # trafilatura runs only when the densest block is no body (a tuple of both calls ran it on every page)
    for find in (lambda: densest_block(tree, headline_line), lambda: trafilatura_body(tree, url, fast)):
        body = find()
        if body is None:
            continue
        paragraphize(body)
        removed = trim(body, title, headlines)
        out = _acceptable(body, anchors)
        if out:
            return out, [line for line in removed if authors_in_text(line)]
    return None, []


def prepared_tree(html: str | None):
    """The page parsed, with what is never text removed, folded text shown and lazy images resolved."""
    if not html or not html.strip():
        return None
    try:
        tree = lxml.html.document_fromstring(STRAY_END.sub(" ", html))
    except (ValueError, lxml.etree.ParserError):
        return None
    for node in list(tree.iter(lxml.etree.Comment)):
        _drop(node)
    for node in tree.xpath("//*[@class or @id]"):
        if node.tag in ("html", "body"):
            continue
        tokens = f"{node.get('class', '')} {node.get('id', '')}".split()
        # an "ad" class on a wrapper of the page ("l-wrapper gate-ad") is a slot marker, not an ad block
        if any(is_ad_token(token) for token in tokens) and node.find(".//h1") is None and node.find(".//main") is None \
                and node.find(".//article") is None:
            _drop(node)
    _unfold(tree)
    for node in tree.xpath("//*[@style]"):
        # still hidden after unfolding: login pop-ups, templates, share sheets
        if re.search(r"display\s*:\s*none|visibility\s*:\s*hidden", node.get("style") or "") and node.tag != "body":
            _drop(node)
    for img in tree.iter("img"):
        attributes = dict(img.items())  # not img.attrib: lxml raises on a mangled attribute name
        p.keep_image_attributes(img, attributes, p.pick_image_source(attributes))
    return tree


def is_ad_token(token: str) -> bool:
    """Whether one class/id token names an ad block.

    >>> [is_ad_token(t) for t in ("ad", "ad-box", "art-ad", "adsbygoogle", "non-ad-column-l", "ad_body", "header")]
    [True, True, True, True, False, False, False]
    """
    return bool(_AD_TOKEN.search(token))


def is_unlikely(node) -> bool:
    """A block whose class/id names page chrome (comments, navigation, related lists) and not the content.

    >>> is_unlikely(lxml.html.fromstring('<div class="comment-list">x</div>'))
    True
    >>> is_unlikely(lxml.html.fromstring('<div class="post_body hot">x</div>'))
    False
    """
    parts = {part for token in f"{node.get('class', '')} {node.get('id', '')}".lower().split()
             for part in re.split(r"[-_]", token) if part}
    return bool(parts & _UNLIKELY) and not parts & _LIKELY


def densest_block(tree, headline_line: int | None = None):
    """The element holding most paragraph text (scored by length and punctuation, links discounted), as a copy.

    Paragraphs add their score to their parent, half of it to their grandparent and less to the ancestors
    above (a sixth, a ninth, a twelfth), as readability.js does: text whose every paragraph sits in its own
    wrapper (one div per paragraph, as React pages write it) still adds up in the article that holds them;
    siblings of the winner that score well too are kept with it (text split over several blocks).
    """
    body = tree.find("body")
    if body is None:
        return None
    work = copy.deepcopy(body)
    for node in list(work.iter(*_DROP_TAGS)):
        if node.tag == "form" and len(node.xpath("(.//p)[position() <= 3]")) == 3 and not node.xpath(".//input"):
            continue  # a page wrapped whole, article included, in one <form> of paragraphs and no fields
        _drop(node)
    for node in list(work.iter(*_CHROME_TAGS)):
        if node.getparent() is not None and is_unlikely(node):
            _drop(node)
    scores: dict = {}
    for node in work.iter():
        if not isinstance(node.tag, str) or node.tag not in _UNIT_TAGS:
            continue
        text = _unit_text(node)
        if len(text) < 20 or _link_chars(node, direct=node.tag != "p") > len(text) * 0.5:
            continue
        score = 1 + len(_PUNCT.findall(text)) + min(len(text) / 40, 3)
        # a div's own text (lines split by <br>) makes the div itself the container
        holder = node.getparent() if node.tag in ("p", "pre", "blockquote", "span", "font", "li", "dd") else node
        for share in _SHARES:
            if holder is None or not isinstance(holder.tag, str):
                break
            scores[holder] = scores.get(holder, 0.0) + score * share
            holder = holder.getparent()
    if not scores:
        return None
    ranked = {node: score * (1 - _link_density(node)) * _nearness(node, headline_line) for node, score in scores.items()}
    top = max(ranked, key=ranked.get)
    if top.tag in ("body", "html"):
        return None
    keep = [top]
    parent = top.getparent()
    if parent is not None:
        threshold = max(10.0, ranked[top] * 0.2)
        keep = [
            sibling for sibling in parent
            if sibling is top or (ranked.get(sibling, 0.0) >= threshold and _link_density(sibling) < 0.25)
        ]
    out = lxml.html.Element("div")
    for node in keep:
        node.tail = None
        out.append(node)
    return out


def _nearness(node, headline_line: int | None) -> float:
    """1 for a block that starts at or just under the headline, less the further down the source it starts,
    0.3 for one that ends above it."""
    start = node.sourceline
    if not headline_line or not start or headline_line <= 1:
        return 1.0
    last = max((n.sourceline or start) for n in node.iter()) if start < headline_line else start
    if last < headline_line:
        return 0.3
    return 1 / (1 + max(0, start - headline_line) / 150)


def trafilatura_body(tree, url: str | None, fast: bool = False):
    """trafilatura's main text of the prepared page, parsed, or None; ``fast``: without its fallbacks."""
    import trafilatura  # imported on first use: portal spiders rarely need it

    from newscrawl.extract import justext_linear

    justext_linear.install()  # its justext fallback in linear time (quadratic in a run of short paragraphs)
    out = trafilatura.extract(
        copy.deepcopy(tree),
        url=url,
        output_format="html",
        include_images=True,
        include_links=True,
        include_tables=True,
        include_comments=False,
        deduplicate=False,
        favor_precision=True,
        fast=fast,
    )
    if not out:
        return None
    try:
        return lxml.html.document_fromstring(out).body
    except (ValueError, lxml.etree.ParserError):
        return None


def _acceptable(body, anchors) -> str | None:
    lines = [p.clean_text(line) for line in body.text_content().splitlines()]
    lines = [line for line in lines if line]
    chars = sum(len(line) for line in lines)
    # a flattened link list: lines that are the page's link texts
    linked = sum(len(line) for line in lines if line in anchors)
    if chars < MIN_BODY_CHARS or linked > chars * MAX_LINK_DENSITY:
        return None
    html = (body.text or "") + "".join(lxml.html.tostring(child, encoding="unicode") for child in body)
    return html.strip() or None


def _unit_text(node) -> str:
    """A paragraph's text; for a div, only its own text (lines between <br>), not its child blocks'."""
    if node.tag == "p":
        return re.sub(r"\s+", "", node.text_content())
    own = [node.text or ""] + [child.tail or "" for child in node]
    own += [child.text_content() for child in node if isinstance(child.tag, str) and child.tag in ("b", "strong", "em", "i", "font", "span", "a") ]
    return re.sub(r"\s+", "", "".join(own))


def _link_density(node) -> float:
    text = len(re.sub(r"\s+", "", node.text_content()))
    return _link_chars(node) / text if text else 1.0


def _unfold(tree) -> None:
    """Show text folded behind a 展开全文 button (hidden by CSS only)."""
    for button in tree.xpath(_FOLD_BUTTON):
        node = button
        for _ in range(3):
            hidden = [
                sibling for sibling in node.itersiblings()
                if isinstance(sibling.tag, str) and re.search(r"display\s*:\s*none", sibling.get("style") or "")
            ]
            if hidden:
                for sibling in hidden:
                    # trafilatura also discards classes like "article-hide-content"
                    for name in ("style", "class"):
                        sibling.attrib.pop(name, None)
                if node.getparent() is not None:
                    node.getparent().remove(node)
                break
            node = node.getparent()
            if node is None:
                break


def escape_html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
