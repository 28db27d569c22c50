"""Plain-text cleaners: whitespace, labels, site suffixes, term lists."""

from __future__ import annotations

import re
import unicodedata

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


# categories and tags

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
