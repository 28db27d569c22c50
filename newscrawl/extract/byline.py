"""The byline: dates, 来源 and 作者 in the short lines around a headline and at the ends of the text."""

from __future__ import annotations

import re

from newscrawl import processors as p

# "2019-09-07 19:02", "2019年9月7日 19:02", "2019/09/07", and "2019 09/07 19:02" from split text nodes.
_TIME = r"(?:\s*T?\s*\d{1,2}\s*[:：时]\s*\d{1,2}(?:\s*[:：分]\s*\d{1,2})?)?"
DATETIME = re.compile(
    rf"(?:19|20)\d{{2}}\s*[-/.年]\s*\d{{1,2}}\s*[-/.月]\s*\d{{1,2}}\s*日?{_TIME}"
    rf"|(?:19|20)\d{{2}}\s+\d{{1,2}}[-/]\d{{1,2}}{_TIME}"
)
# "November 15, 2019", "Nov. 15, 2019 10:30 AM", "15 November 2019"
EN_DATE = re.compile(
    r"\b(?:(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2},?\s+(?:19|20)\d{2}"
    r"|\d{1,2}\s+(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+(?:19|20)\d{2})"
    r"(?:,?\s+(?:at\s+)?\d{1,2}:\d{2}(?:\s*[AaPp]\.?[Mm]\.?)?)?"
)
_HAS_TIME = re.compile(r"\d{1,2}\s*[:：时]\s*\d{2}")
RELATIVE_LINE = re.compile(
    r"^(?:发布(?:时间|于)?\s*[:：]?\s*)?((?:\d+|半|一|两|几)\s*(?:秒|分钟|小时|个小时|天)前|刚刚"
    r"|(?:今天|昨天|前天)\s*\d{1,2}:\d{2}|\d{1,2}-\d{1,2}\s+\d{1,2}:\d{2})$"
)
# A date labelled as the publication date anywhere in the page's text: "发布日期：2019-03-06".
LABELLED_DATE = re.compile(r"(?:发布|发表|更新)?(?:时间|日期)\s*[:：]\s*(" + DATETIME.pattern + ")")
_LABELS = r"来源|來源|出处|作者|文|记者|编辑|责编|责任编辑|编译|发布时间|时间|日期|浏览|阅读|评论|点击|字号"
_BYLINE = {
    "source": re.compile(r"(?:来源|來源|出处)\s*[:：]\s*(?P<v>[^\n]{1,60})"),
    "author": re.compile(r"(?:作者|记者|文|采写|撰文|撰稿)\s*[:：|｜丨/]\s*(?P<v>[^\n]{1,60})"),
}
_CUT = re.compile(rf"\s+(?:{_LABELS})\s*[:：|｜丨]|\s{{2,}}|\s*[|｜丨]\s*")
# An element whose class/id token names the source: "source", "source-name", "m-source", "laiyuan".
SOURCE_NODE = (
    '//*[not(self::script) and not(self::link) and not(self::meta) and not(self::video) and not(self::source)]'
    '[re:test(concat(" ", @class, " ", @id, " "), "[\\s_-](?:source|source[_-]?name|laiyuan)[\\s_-]", "i")]'
)
_ROLE = r"(?:特约|见习|实习|首席|本报|本刊|专栏)?(?:记者|作者|通讯员|撰稿人|实习生|编译)"
_NAME = r"[\u4e00-\u9fa5·]{2,4}"
_NAMES = rf"{_NAME}(?:[\s、，,和]+{_NAME})*"
# Unlabelled bylines in the text: "（记者 陆一夫）", "澎湃新闻记者 贺梨萍", "【文/观察者网专栏作者 王文】",
# "《棱镜》作者 周纯", "采写：南都见习记者 林子沛", a closing "（张巨峰）".
_TEXT_AUTHOR = (
    re.compile(rf"[（(]\s*{_ROLE}\s*(?P<v>{_NAMES})\s*[)）]"),
    re.compile(rf"^[【\[]\s*文\s*/\s*(?:[^】\]]{{0,20}}?{_ROLE}\s*)?(?P<v>{_NAMES})\s*[】\]]"),
    re.compile(rf"^(?:采写|撰文|文字|作者|记者|文)\s*[:：|｜/]\s*(?:[^\s:：]{{0,12}}?{_ROLE})?\s*(?P<v>{_NAMES})\s*$"),
    re.compile(rf"^(?:[^\s，。]{{0,12}}?)(?:新闻|日报|晚报|报)?{_ROLE}\s+(?P<v>{_NAMES})\s*$"),
    re.compile(rf"^《[^》]{{1,12}}》{_ROLE}\s*(?P<v>{_NAMES})"),
    re.compile(rf"^.{{0,12}}?(?:讯|电|报道)\s*[（(]\s*{_ROLE}?\s*(?P<v>{_NAMES})\s*[)）]"),
    re.compile(r"^原创\s*[:：]\s*(?P<v>[\u4e00-\u9fa5·]{2,4}?)(?:编译|整理)?\s"),
)
_CLOSING_NAME = re.compile(rf"[。！？”]\s*[（(]\s*(?P<v>{_NAME})\s*[)）]\s*$")
# A newsroom or a company, not a writer: "通信世界网", "南方都市报", "新华社".
_ORGANISATION = re.compile(r"(?:网|报|社|台|网站|频道|新闻|传媒|集团|公司|官网|杂志|研究院|协会|日报|晚报|周刊)$")
_PLACEHOLDER = re.compile(r"@|https?:|www\.|[:：\[\]【】<>]|编辑|责编|^\W*$|^\d[\d\s.-]*$|\bname\b|email|admin|佚名|未知|匿名|不详", re.I)


def byline_value(field: str, header_text: str) -> str | None:
    """The value labelled as ``field`` ("author" or "source") in the header lines, cut at the next label.

    >>> byline_value("source", "2019-09-07 09:59:22 来源: 新京报")
    '新京报'
    >>> byline_value("author", "作者：余毅菁 向雪妮  来源：南方都市报")
    '余毅菁 向雪妮'
    """
    match = _BYLINE[field].search(header_text)
    if not match:
        return None
    value = _CUT.split(match.group("v"), maxsplit=1)[0]
    value = DATETIME.split(value, maxsplit=1)[0]
    if not re.search(r"[(（\[【]", value):  # "（来源：人民邮电报）": the bracket closes outside the value
        value = re.sub(r"[)）\]】]+\s*$", "", value)
    return p.clean_text(value)


def authors_in_text(line: str) -> list[str]:
    """Reporter names in an unlabelled byline line of the text (editors are not authors).

    >>> authors_in_text("新京报讯（记者 陆一夫）11月25日，新京报记者登录拼多多全球购页面发现")
    ['陆一夫']
    >>> authors_in_text("澎湃新闻记者 贺梨萍")
    ['贺梨萍']
    >>> authors_in_text("【文/观察者网专栏作者 王文】")
    ['王文']
    >>> authors_in_text("采写：南都见习记者 林子沛")
    ['林子沛']
    >>> authors_in_text("他说，这是责任编辑的工作。")
    []
    """
    line = (line or "").strip()
    for pattern in _TEXT_AUTHOR:
        match = pattern.search(line)
        if match:
            return person_names(match.group("v"))
    return []


def closing_author(last_line: str) -> list[str]:
    """A name in brackets closing the text: "……他说。（张巨峰）"."""
    match = _CLOSING_NAME.search(last_line or "")
    return person_names(match.group("v")) if match else []


def person_names(value: str | None) -> list[str]:
    """Names in a byline value, role words removed.

    >>> person_names("南都见习记者 林子沛 向雪妮")
    ['林子沛', '向雪妮']
    >>> person_names("余毅菁、向雪妮")
    ['余毅菁', '向雪妮']
    """
    value = re.sub(rf"^.*?{_ROLE}\s*", "", value or "") if re.search(_ROLE, value or "") else (value or "")
    names = [n for n in re.split(r"[\s、，,;；/和]+", value.strip()) if n]
    return p.unique(names)


def valid_author(value: str | None, not_names=()) -> str | None:
    """An author candidate that names a person or a writer, not the site, the source or a placeholder.

    >>> [valid_author(v, ("网易新闻",)) for v in ("104363", "name, email@gmail.com", "网易", "证券时报网", "远洋")]
    [None, None, None, None, '远洋']
    """
    value = p.clean_text(value)
    if not value or len(value) > 40 or _PLACEHOLDER.search(value) or _ORGANISATION.search(value):
        return None
    for name in not_names:
        name = (name or "").strip()
        if name and (value == name or (len(value) >= 2 and value in name) or (len(name) >= 2 and name in value)):
            return None
    return value


def has_time(value: str | None) -> bool:
    return bool(value and (_HAS_TIME.search(value) and not re.search(r"T?00:00(?::00)?(?:\.0+)?(?:Z|[+-]\d{2}:?\d{2})?$", value)))
