"""Plain-text cleaners: whitespace, control characters, markup, labels, site suffixes, term lists."""

from __future__ import annotations

import html as html_lib
import re
import unicodedata

_WS = re.compile(r"[\s\u00a0\u3000\u200b\ufeff]+")
# The longest value a processor reads (docs/OPERATIONS.md, "Bounded work per page"): a text (MAX_TEXT_CHARS: more
# than a body capped at NEWSCRAWL_MAX_BODY_CHARS holds), a title, name or term list (MAX_FIELD_CHARS). A longer
# value is cut to it first, so an 8 MB attribute costs what its first MAX_*_CHARS do.
MAX_TEXT_CHARS = 1_000_000
MAX_FIELD_CHARS = 10_000
# What XML 1.0 (and so lxml) refuses, plus lone surrogates (no encoder accepts them) and C1 controls.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")
_CHAR_REF = re.compile(r"&#(?:[xX]0*([0-9a-fA-F]{1,8})|0*([0-9]{1,10}));?")


def bounded(value, limit: int):
    """A string cut to ``limit`` characters; anything else as it is.

    >>> bounded("abcdef", 3), bounded(None, 3)
    ('abc', None)
    """
    return value[:limit] if isinstance(value, str) and len(value) > limit else value


def strip_control(value) -> str:
    """The text without the characters XML/lxml refuse (C0/C1 controls but tab and line ends, surrogates).

    >>> strip_control("a\\x0bb\\x00c\\td")
    'abc\\td'
    """
    if value is None:
        return ""
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="replace")
    return _XML_INVALID.sub("", str(value))


def _char_ref(match) -> str:
    hex_digits, digits = match.groups()
    code = int(hex_digits, 16) if hex_digits else int(digits)
    if code > 0x10FFFF or _XML_INVALID.match(chr(code)):
        return ""
    return match.group(0)


def strip_control_markup(html) -> str:
    """Markup without raw control characters nor character references to them (``&#11;``, ``&#x0;``)."""
    text = strip_control(html)
    return _CHAR_REF.sub(_char_ref, text) if "&#" in text else text


def clean_text(value: str | None) -> str | None:
    """Collapse all whitespace (incl. NBSP, ideographic space), drop control characters; '' becomes None.

    >>> clean_text("  a \\u3000 b\\n")
    'a b'
    """
    if value is None:
        return None
    text = _WS.sub(" ", strip_control(bounded(value, MAX_TEXT_CHARS))).strip()
    return text or None


_TAG = re.compile(r"<[^<>]*>")


def plain_text(value) -> str | None:
    """A plain-text field: tags removed, entities decoded, whitespace collapsed; never any ``<``-markup.

    Decoding can reveal markup (``&lt;b&gt;``), so tags are removed after it too; a ``<`` that still
    opens something tag-like is dropped.

    >>> plain_text("<b onmouseover=alert(3)>华为</b> &amp; &lt;img src=x onerror=y&gt;云")
    '华为 & 云'
    """
    text = strip_control(bounded(value, MAX_TEXT_CHARS))
    if "<" in text or "&" in text:
        text = _TAG.sub(" ", text)
        for _ in range(3):  # double-encoded entities (&amp;lt;) decode in turn
            decoded = html_lib.unescape(text)
            if decoded == text:
                break
            text = _TAG.sub(" ", strip_control(decoded))
        text = re.sub(r"<+(?=[A-Za-z/!?])", "", text)
    return clean_text(text)


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
    text = clean_text(bounded(value, MAX_FIELD_CHARS))
    if text is None:
        return None
    for _ in range(4):  # '来源：作者：X'; bounded, a run of labels must not cost n passes
        stripped = _LABEL.sub("", text, count=1).strip()
        if stripped == text:
            break
        text = stripped
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
    text = clean_text(bounded(title, MAX_FIELD_CHARS))
    if text is None:
        return None
    for name in site_names:
        pattern = re.compile(rf"{_SUFFIX_SEP}(?:{name})\s*$")
        stripped = pattern.sub("", text)
        if stripped and stripped != text:
            text = stripped.strip()
    return text or None


def join_inline(parts) -> str | None:
    """Join text nodes of one block without inserting separators, then clean; the nodes after the first
    MAX_TEXT_CHARS characters are not read (clean_text would cut them off)."""
    kept, length = [], 0
    for part in parts:
        if part:
            kept.append(part)
            length += len(part)
            if length >= MAX_TEXT_CHARS:
                break
    return clean_text("".join(kept))


# categories and tags

# No \s* around the separators: clean_text strips each term, and \s* here is quadratic in a run of spaces.
_TERM_SPLIT = re.compile(r"[/,，、|｜>»;；]|&gt;")
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
    text = plain_text(unicodedata.normalize("NFKC", strip_control(bounded(value, MAX_FIELD_CHARS))).replace("&gt;", ">"))
    if not text:
        return []
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
