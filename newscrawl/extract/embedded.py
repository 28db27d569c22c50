"""Article text a page carries only in its scripts: the hydration state of script-rendered sites (Next.js, Nuxt)."""

from __future__ import annotations

import json
import re

# A JSON string under a key that names an article's text: "contentHtml": "\u003cp\u003e…", "articleBody": "…".
_TEXT_KEY = re.compile(
    r'"(?:content_?html|body_?html|article_?html|article_?body|article_?content|html_?content|content|body)"\s*:\s*"',
    re.I,
)
_END = re.compile(r'(?<!\\)(?:\\\\)*"')  # the closing quote: after an even number of backslashes
_TAG = re.compile(r"<[^>]{0,400}>")
MIN_CHARS = 200  # less is a teaser or a caption, not the article
MAX_SCRIPT_CHARS = 4_000_000  # beyond, a script is data, not a page's state: not searched
MAX_VALUE_CHARS = 1_000_000


def script_text_html(scripts: list[str]) -> str | None:
    """The longest article-like text (HTML or plain) held as a JSON string in the page's inline scripts.

    >>> script_text_html(['window.__STATE__={"detail":{"title":"T","contentHtml":"\\\\u003cp\\\\u003e' + 'Word ' * 60 + '\\\\u003c/p\\\\u003e"}}'])[:8]
    '<p>Word '
    """
    best, best_chars = None, 0
    for script in scripts:
        if len(script) > MAX_SCRIPT_CHARS:
            continue
        for match in _TEXT_KEY.finditer(script):
            value = _json_string(script, match.end())
            if not value:
                continue
            chars = len(re.sub(r"\s+", "", _TAG.sub("", value)))
            if chars >= MIN_CHARS and chars > best_chars:
                best, best_chars = value, chars
    return best


def _json_string(script: str, start: int) -> str | None:
    """The JSON string that starts at ``start`` (just after its opening quote), decoded."""
    end = _END.search(script, start, min(len(script), start + MAX_VALUE_CHARS))
    if end is None:
        return None
    try:
        value = json.loads('"' + script[start:end.end()])
    except ValueError:
        return None
    return value if isinstance(value, str) else None
