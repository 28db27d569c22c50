"""The main text: the densest block of paragraphs (or trafilatura's), then lines that are not the article trimmed."""

from __future__ import annotations

import copy
import re

import lxml.html

from newscrawl import processors as p
from newscrawl.extract.authors import is_byline
from newscrawl.extract.byline import authors_in_text
from newscrawl.extract.lines import (
    _CUT_AFTER,
    is_chrome_line,
    is_lead_line,
    is_related_head,
    is_tail_line,
)

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
_EDITOR_TAIL = re.compile(r"\s*[\[【（(]\s*(?:责任编辑|责编|编辑)\s*[:：].{1,30}?[\]】）)]\s*$")
# An included fragment's "</html>" mid-page ends the parse there: it is dropped when markup follows it.
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
              headlines=()):
    """(html, credits): the article's text as HTML (images and links kept), the densest block of paragraphs, else
    trafilatura's; and the byline lines trimmed off it (read for the author).

    Lazy images are resolved and ad blocks removed first; the headline, crumb and byline lines above the text
    and editor, source, share and related-article lines below it are trimmed. Less than MIN_BODY_CHARS of
    text is no body (a video page, a login wall, an index page). ``headline_line``, the source line of the
    headline, makes blocks far from it (comment threads, live feeds in a sidebar) count less.
    """
    tree = prepared_tree(html)
    if tree is None:
        return None, []
    anchors = {p.clean_text(a.text_content()) for a in tree.iter("a")}
    # trafilatura runs only when the densest block is no body (a tuple of both calls ran it on every page)
    for find in (lambda: densest_block(tree, headline_line), lambda: trafilatura_body(tree, url)):
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


def trafilatura_body(tree, url: str | None):
    """trafilatura's main text of the prepared page, parsed, or None."""
    import trafilatura  # imported on first use: portal spiders rarely need it

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
    )
    if not out:
        return None
    try:
        return lxml.html.document_fromstring(out).body
    except (ValueError, lxml.etree.ParserError):
        return None


def trim(body, title: str | None = None, headlines=()) -> list[str]:
    """Drop the headline, crumb, byline and date lines above the text, the lines below it that are not it, and
    captions, buttons, labels and lines repeated three times or more anywhere; returns the lines dropped."""
    removed = _drop_chrome_lines(body)
    blocks = _blocks(body)
    titles = {_norm(t) for t in (title, *headlines) if t} - {""}
    titles |= {"原创" + t for t in titles}
    previous = ""
    for block in blocks[:8]:
        text = p.clean_text(block.text_content()) or ""
        if block.xpath(".//img") and len(text) < 5:
            break
        if not text:
            continue
        # "By" on a line of its own, the names on the next
        if not (is_lead_line(text) or _norm(text) in titles or (previous and is_byline(f"{previous} {text}"))):
            break
        removed.append(text)
        previous = text
        _drop(block)
    blocks = [b for b in _blocks(body) if b.getparent() is not None]
    cut = None
    for index, block in enumerate(blocks):
        if index >= len(blocks) // 3 and is_related_head(p.clean_text(block.text_content()) or ""):
            links = _teaser_links(blocks, index + 1)
            if links is None:
                cut = index
                break
            for teaser in blocks[index:index + 1 + links]:  # "Lesen Sie auch:" + a link, and the text goes on
                removed += _lines(teaser)
                _drop(teaser, keep_tail=False)
    if cut is None:
        for index, block in enumerate(blocks):
            if index < len(blocks) // 2:
                continue
            lines = _lines(block)
            # in the last quarter any closing line cuts; from half-way down only the editor's credit does
            hit = next((i for i, line in enumerate(lines) if len(line) <= 40 and _CUT_AFTER.match(line)
                        and (index >= len(blocks) * 3 // 4 or "编辑" in line)), None)
            if hit is not None and all(is_tail_line(line) for line in lines[:hit]):
                cut = index
                break
    if cut is not None:
        for block in blocks[cut:]:
            removed += _lines(block)
            _drop(block, keep_tail=False)
    for block in reversed([b for b in _blocks(body) if _attached(b, body)][-12:]):
        lines = _lines(block)
        if not lines and not block.xpath(".//img"):
            _drop(block, keep_tail=False)  # an empty paragraph between the text and its credits
            continue
        if not (lines and all(is_tail_line(line) for line in lines)) and (block.xpath(".//img") or not _mostly_links(block)):
            break
        removed += lines
        _drop(block, keep_tail=False)
    _strip_editor_tail(body)
    return removed


def _teaser_links(blocks, start: int) -> int | None:
    """How many link blocks follow a "read also" head inside the text (the article's paragraphs go on after
    them: one of 80 characters without a link), or None when the head opens the list that ends the text."""
    links = 0
    while start + links < len(blocks) and links < 6 and (
            _mostly_links(blocks[start + links]) or blocks[start + links].xpath("ancestor::a")):
        links += 1
    after = [b for b in blocks[start + links:] if not b.xpath(".//a")
             and len(p.clean_text(b.text_content()) or "") >= 80]
    return links if links and after else None


def _drop_chrome_lines(body) -> list[str]:
    """Captions (figcaption), and blocks made only of labels, buttons, counters, credits (is_chrome_line) or of
    lines the text repeats three times or more ("Log in to react" under each photo)."""
    removed = []
    for node in list(body.iter("figcaption")):
        removed.append(p.clean_text(node.text_content()) or "")
        _drop(node, keep_tail=False)
    blocks = [(block, _lines(block)) for block in _blocks(body)]
    counts: dict[str, int] = {}
    for _, lines in blocks:
        for line in lines:
            counts[line] = counts.get(line, 0) + 1
    for block, lines in blocks:
        if lines and not block.xpath(".//img") and all(is_chrome_line(line) or counts[line] >= 3 for line in lines):
            removed += lines
            _drop(block, keep_tail=False)
    return removed


_INLINE = {"a", "b", "strong", "em", "i", "u", "span", "font", "sup", "sub", "small", "big", "mark", "code", "abbr"}


def paragraphize(node) -> None:
    """Text that lives loose between blocks or <br>s ("…。<br>编辑|禤志杰<br>") becomes <p> elements, so
    that each line can be judged (and trimmed) on its own.

    >>> div = lxml.html.fromstring("<div><p>一段正文。</p>第二行<br>编辑|禤志杰<img src=x.gif></div>")
    >>> paragraphize(div); [p.text_content() for p in div.iter("p")]
    ['一段正文。', '第二行', '编辑|禤志杰']
    """
    for child in list(node):
        if isinstance(child.tag, str) and child.tag not in _INLINE and child.tag not in ("p", "br", "img"):
            paragraphize(child)
    loose = (node.text or "").strip() or any((c.tail or "").strip() for c in node)
    has_blocks = any(isinstance(c.tag, str) and c.tag not in _INLINE and c.tag not in ("br", "img") for c in node)
    has_breaks = any(isinstance(c.tag, str) and c.tag == "br" for c in node)
    if not loose or node.tag in _INLINE or node.tag == "p" or not (has_blocks or has_breaks):
        return
    pieces = []  # (kind, value): "text" strings, inline elements, "break", block elements
    if node.text:
        pieces.append(("text", node.text))
    for child in list(node):
        tail = child.tail
        child.tail = None
        if isinstance(child.tag, str) and child.tag == "br":
            pieces.append(("break", child))
        elif isinstance(child.tag, str) and (child.tag in _INLINE or child.tag == "img"):
            pieces.append(("inline", child))
        else:
            pieces.append(("block", child))
        if tail:
            pieces.append(("text", tail))
        node.remove(child)
    node.text = None
    current = None
    for kind, value in pieces:
        if kind == "block":
            node.append(value)
            current = None
        elif kind == "break":
            current = None
        elif kind == "text" and not value.strip() and current is None:
            continue
        else:
            if current is None:
                current = lxml.html.Element("p")
                node.append(current)
            if kind == "text":
                if len(current):
                    current[-1].tail = (current[-1].tail or "") + value
                else:
                    current.text = (current.text or "") + value
            else:
                current.append(value)


def _lines(block) -> list[str]:
    """A block's text lines (<br> ends a line)."""
    if block.tag in ("p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "span", "a", "strong") \
            and block.find(".//br") is None and block.find(".//p") is None and block.find(".//div") is None:
        line = p.clean_text(block.text_content())  # one line: no need to serialize and re-read it
        return [line] if line else []
    text = p.html_to_text(lxml.html.tostring(block, encoding="unicode")) or ""
    return [line for line in map(p.clean_text, text.splitlines()) if line]


def _strip_editor_tail(body) -> None:
    """"……他说。[责任编辑：刘斌]": the bracketed editor credit at the end of the last paragraph."""
    for node in reversed(list(body.iter())):
        if not isinstance(node.tag, str):
            continue
        for attr in ("tail", "text"):
            value = getattr(node, attr)
            if value and value.strip():
                # the credit ends the text: only its end is searched (a leading \s* over 200k spaces is quadratic)
                setattr(node, attr, value[:-120] + _EDITOR_TAIL.sub("", value[-120:]))
                return


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


_BLOCK_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "table", "figure", "ul", "ol",
               "dl", "figcaption", "center"}


def _blocks(body) -> list:
    """The smallest blocks of the body in document order: paragraphs, headings, list items, lone images."""
    found = []

    def walk(node):
        for child in node:
            if not isinstance(child.tag, str):
                continue
            if child.tag in _BLOCK_TAGS and child.tag not in ("ul", "ol", "dl") and not _holds_blocks(child):
                found.append(child)
            elif child.tag in ("div", "section", "span", "font", "strong", "img", "a", "br") and _is_leaf_block(child):
                found.append(child)
            else:
                walk(child)

    walk(body)
    return [node for node in found if node.tag != "br"]


def _holds_blocks(node) -> bool:
    """Broken markup nests paragraphs (<p>…<span>…<p>): such a block is looked into, not taken whole."""
    return any(isinstance(c.tag, str) and c.tag in ("p", "div", "li", "table", "h2", "h3", "h4") for c in node.iterdescendants())


def _is_leaf_block(node) -> bool:
    if node.tag == "img":
        return True
    return not any(isinstance(c.tag, str) and c.tag in _BLOCK_TAGS | {"div", "section"} for c in node.iter()
                   if c is not node) and bool((node.text_content() or "").strip() or node.xpath(".//img"))


def _attached(node, root) -> bool:
    while node is not None:
        if node is root:
            return True
        node = node.getparent()
    return False


def _mostly_links(block) -> bool:
    text = p.clean_text(block.text_content()) or ""
    return bool(text) and _link_chars(block) >= len(text) * 0.6 and len(text) < 80


def _unit_text(node) -> str:
    """A paragraph's text; for a div, only its own text (lines between <br>), not its child blocks'."""
    if node.tag == "p":
        return re.sub(r"\s+", "", node.text_content())
    own = [node.text or ""] + [child.tail or "" for child in node]
    own += [child.text_content() for child in node if isinstance(child.tag, str) and child.tag in ("b", "strong", "em", "i", "font", "span", "a") ]
    return re.sub(r"\s+", "", "".join(own))


def _link_chars(node, direct: bool = False) -> int:
    if direct:
        return sum(len(re.sub(r"\s+", "", a.text_content())) for a in node if isinstance(a.tag, str) and a.tag == "a")
    return sum(len(re.sub(r"\s+", "", a.text_content())) for a in node.iter("a"))


def _link_density(node) -> float:
    text = len(re.sub(r"\s+", "", node.text_content()))
    return _link_chars(node) / text if text else 1.0


def _norm(text: str | None) -> str:
    return re.sub(r"\W+", "", text or "")


def _drop(node, keep_tail: bool = True) -> None:
    parent = node.getparent()
    if parent is None:
        return
    if keep_tail and node.tail and node.tail.strip():
        previous = node.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + node.tail
        else:
            parent.text = (parent.text or "") + node.tail
    parent.remove(node)


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
