"""The byline under a headline: date, 来源 and 作者 patterns in the short lines after it."""

from __future__ import annotations

import re

from newscrawl import processors as p

DATETIME = re.compile(
    r"(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?(?:\s*T?\s*\d{1,2}\s*[:：时]\s*\d{1,2}(?:\s*[:：分]\s*\d{1,2})?)?"
)
RELATIVE_LINE = re.compile(
    r"^(?:发布(?:时间|于)?\s*[:：]?\s*)?((?:\d+|半|一|两|几)\s*(?:秒|分钟|小时|个小时|天)前|刚刚"
    r"|(?:今天|昨天|前天)\s*\d{1,2}:\d{2}|\d{1,2}-\d{1,2}\s+\d{1,2}:\d{2})$"
)
_LABELS = r"来源|來源|出处|作者|文|记者|编辑|责编|责任编辑|编译|发布时间|时间|日期|浏览|阅读|评论|点击|字号"
_BYLINE = {
    "source": re.compile(r"(?:来源|來源|出处)\s*[:：]\s*(?P<v>[^\n]{1,60})"),
    "author": re.compile(r"(?:作者|记者|文)\s*[:：|｜丨]\s*(?P<v>[^\n]{1,60})"),
}
_CUT = re.compile(rf"\s+(?:{_LABELS})\s*[:：|｜丨]|\s{{2,}}|\s*[|｜丨]\s*")
# An element whose class/id token names the source: "source", "source-name", "m-source", "laiyuan".
SOURCE_NODE = (
    '//*[not(self::script) and not(self::link) and not(self::meta)]'
    '[re:test(concat(" ", @class, " ", @id, " "), "[\\s_-](?:source|source[_-]?name|laiyuan)[\\s_-]", "i")]'
)


def byline_value(field: str, header_text: str) -> str | None:
    """The value labelled as ``field`` ("author" or "source") in the header lines, cut at the next label."""
    match = _BYLINE[field].search(header_text)
    if not match:
        return None
    value = _CUT.split(match.group("v"), maxsplit=1)[0]
    value = DATETIME.split(value, maxsplit=1)[0]
    if not re.search(r"[(（\[【]", value):  # "（来源：人民邮电报）": the bracket closes outside the value
        value = re.sub(r"[)）\]】]+\s*$", "", value)
    return p.clean_text(value)
