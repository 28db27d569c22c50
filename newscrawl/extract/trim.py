"""Trimming the text found: lines above and below it that are not the article, chrome lines anywhere in it,
text loose between blocks made paragraphs."""

from __future__ import annotations

import re

import lxml.html

from newscrawl import processors as p
from newscrawl.extract.authors import is_byline
from newscrawl.extract.lines import (
    _CUT_AFTER,
    is_chrome_line,
    is_lead_line,
    is_related_head,
    is_tail_line,
)

_EDITOR_TAIL = re.compile(r"\s*[\[【（(]\s*(?:责任编辑|责编|编辑)\s*[:：].{1,30}?[\]】）)]\s*$")
# An included fragment's "</html>" mid-page ends the parse there: it is dropped when markup follows it.

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
        if block.find(".//img") is not None and len(text) < 5:
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
        if not lines and block.find(".//img") is None:
            _drop(block, keep_tail=False)  # an empty paragraph between the text and its credits
            continue
        if not (lines and all(is_tail_line(line) for line in lines)) and (block.find(".//img") is not None or not _mostly_links(block)):
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
    after = [b for b in blocks[start + links:] if b.find(".//a") is None
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
    # repeated lines are chrome only beside the text, not when they are most of it (a page of one paragraph
    # written four times is still that paragraph)
    repeated = {line for line, count in counts.items() if count >= 3}
    if sum(counts[line] for line in repeated) * 2 >= sum(counts.values()):
        repeated = set()
    for block, lines in blocks:
        if lines and block.find(".//img") is None and all(is_chrome_line(line) or line in repeated for line in lines):
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
                   if c is not node) and bool((node.text_content() or "").strip() or node.find(".//img") is not None)


def _attached(node, root) -> bool:
    while node is not None:
        if node is root:
            return True
        node = node.getparent()
    return False


def _mostly_links(block) -> bool:
    text = p.clean_text(block.text_content()) or ""
    return bool(text) and _link_chars(block) >= len(text) * 0.6 and len(text) < 80


def _link_chars(node, direct: bool = False) -> int:
    if direct:
        return sum(len(re.sub(r"\s+", "", a.text_content())) for a in node if isinstance(a.tag, str) and a.tag == "a")
    return sum(len(re.sub(r"\s+", "", a.text_content())) for a in node.iter("a"))


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
