"""Selectors on a page: CSS or XPath compiled once, first match's text, a body with the paragraphs stray tags cut off."""

from __future__ import annotations

import functools
import re
from typing import NamedTuple

import lxml.html
from lxml import etree
from parsel.csstranslator import css2xpath
from scrapy.http import TextResponse

from newscrawl import processors as p


@functools.lru_cache(maxsize=1024)
def _compiled(selector: str, whole_page: bool) -> etree.XPath:
    # parsel translates and compiles a selector on every call; pages are read with the same few dozen
    if selector.startswith(("/", "(", "./")):
        query = selector
    elif whole_page and not any(c in selector for c in "\"'["):  # a comma here only separates selectors
        query = " | ".join(_css_to_xpath(part.strip()) for part in selector.split(","))
    else:
        query = css2xpath(selector)
    return etree.XPath(query, namespaces={"re": "http://exslt.org/regular-expressions"}, smart_strings=False)


_ID_FIRST = re.compile(r"^#([A-Za-z][\w-]*)(?:\s+([^\s>+~].*))?$")


def _css_to_xpath(css: str) -> str:
    """CSS to XPath for a whole page: "#id rest" looks the id up in libxml2's id table instead of testing every element.

    (On markup that repeats an id, the first element with it is the one found.)
    """
    match = _ID_FIRST.match(css)
    if not match:
        return css2xpath(css)
    start = f"id('{match.group(1)}')"
    return start if not match.group(2) else f"{start}/{css2xpath(match.group(2)).replace('descendant-or-self::', 'descendant::', 1)}"


_TEXT = etree.XPath(".//text()", smart_strings=False)
_NORMALIZED_TEXT = etree.XPath("normalize-space(string())")


def inline_text(node) -> str | None:
    """An lxml element's descendant text joined inline and cleaned (``processors.join_inline``)."""
    return p.join_inline(_TEXT(node))


def select(source, selector: str) -> list:
    """What a CSS (``::text``/``::attr()`` included) or XPath selector matches in a response or a parsel Selector:
    lxml elements or strings, as ``source.css(selector)`` would find them, with the query compiled once."""
    if isinstance(source, TextResponse):
        return _compiled(selector, True)(source.selector.root)
    return _compiled(selector, False)(source.root)


def read(source, selector: str) -> list[str]:
    """A selector's text: the first matched element's descendant text joined inline (``text_of``), or the strings
    (``::text``, ``::attr()``, ``@attr``) it matches."""
    found = select(source, selector)
    if found and not isinstance(found[0], str):
        text = inline_text(found[0])
        return [text] if text else []
    return [str(value) for value in found]


def values(source, *selectors: str) -> list[str]:
    """The strings (text nodes, attributes) every selector matches, in selector order: ``.css(s).getall()`` of each."""
    return [str(v) for selector in selectors for v in select(source, selector)]


_ORPHAN_TAGS = {"p", "img", "figure", "blockquote", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "pre", "center"}


def _orphans(element, response, drop: tuple[str, ...]) -> list[str]:
    """The plain content elements a stray closing tag pushed out of ``element`` (see ``first_html``)."""
    if not hasattr(element, "itersiblings") or element.getnext() is None and element.getparent() is None:
        return []
    dropped = None
    tests = _self_tests(drop)
    found = []
    for _ in range(3):
        for sibling in element.itersiblings():
            if not isinstance(sibling.tag, str):
                continue  # comments
            if sibling.tag not in _ORPHAN_TAGS or sibling.get("class") or sibling.get("id"):
                if any(test(sibling) for test in tests.simple):
                    continue
                if tests.other:  # selectors with combinators: matched on the whole page, once
                    if dropped is None:
                        dropped = _matching(response, tests.other)
                    if sibling in dropped:
                        continue
                break
            found.append(lxml.html.tostring(sibling, encoding="unicode", with_tail=False))
        element = element.getparent()
        if element is None or element.tag in ("body", "html"):
            break
    return found


class _SelfTests(NamedTuple):
    """``simple``: one boolean XPath per drop selector that is a single step (does this element match it?);
    ``other``: the selectors that are not (combinators, unions), matched on the whole page instead."""

    simple: tuple
    other: tuple


@functools.lru_cache(maxsize=256)
def _self_tests(selectors: tuple[str, ...]) -> _SelfTests:
    """Whether one element matches a selector, without evaluating the selector over the whole page.

    A CSS compound selector (``div.page``, ``#nextPage``, ``[class*=ad]``) or an XPath of one step below the
    context (``.//p[...]``) matches an element exactly when ``self::<that step>`` is true of it; 13 whole-page
    queries per article (0.9 ms) become a few node tests.
    """
    from parsel.csstranslator import HTMLTranslator

    simple, other = [], []
    for selector in selectors:
        try:
            if selector.startswith(".//"):
                step = "self::" + selector[3:]
            elif selector.startswith(("/", "(", "./")):
                step = None
            else:
                step = HTMLTranslator().css_to_xpath(selector, prefix="self::")
            if step is not None and _one_step(step):
                simple.append(etree.XPath(f"boolean({step})", namespaces={"re": "http://exslt.org/regular-expressions"}))
                continue
        except Exception:  # a selector this translator cannot take: matched the slow way (or not at all)
            pass
        other.append(selector)
    return _SelfTests(tuple(simple), tuple(other))


def _one_step(xpath: str) -> bool:
    """True for a location path of one step: no ``/`` or ``|`` outside predicates and string literals."""
    depth, quote = 0, None
    for char in xpath:
        if quote:
            quote = None if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
        elif depth == 0 and char in "/|":
            return False
    return depth == 0


def _matching(response, selectors: tuple[str, ...]) -> set:
    """The elements of the page any of ``selectors`` (CSS, or XPath when starting with / or () matches."""
    matched = set()
    for selector in selectors:
        try:
            matched.update(node for node in select(response, selector) if not isinstance(node, str))
        except Exception:  # a selector this parser cannot run: it simply matches nothing here
            continue
    return matched


def first_html(response, selectors, drop: tuple[str, ...] = ()) -> str | None:
    """Outer HTML of the first CSS/XPath selector that matches something non-empty, with its orphans.

    Orphans (docs/PORTALS.md, "Broken markup"): a stray ``</div></div>`` inside a body closes the body
    (and its column) early, and the paragraphs after it become siblings of the body or of its ancestors.
    Plain content elements (no class or id) right after the body, its parent or grandparent are kept;
    what the portal drops from bodies anyway (``drop``: ads, credits) is passed over.
    """
    for selector in selectors:
        for node in select(response, selector):
            html = etree.tostring(node, method="html", encoding="unicode", with_tail=False)
            if html and (_NORMALIZED_TEXT(node) or "<img" in html):
                return html + "".join(_orphans(node, response, drop))
    return None


def with_orphans(node, response, drop: tuple[str, ...] = ()) -> str:
    """Outer HTML of a body element a page chose itself, with its orphans (as ``first_html``)."""
    element = getattr(node, "root", node)
    return etree.tostring(element, method="html", encoding="unicode", with_tail=False) + "".join(
        _orphans(element, response, drop))


def text_of(source, *selectors: str) -> list[str]:
    """All descendant text of each selector's first match, joined inline; selectors in priority order."""
    found = []
    for selector in selectors:
        for node in select(source, selector)[:1]:
            text = inline_text(node)
            if text:
                found.append(text)
    return found
