"""Breadcrumbs and tags: where a page lists its sections and keywords."""

from __future__ import annotations

import re

from newscrawl import processors as p

# Class/id tokens of breadcrumb containers, as whole tokens or token parts ("news_path", "channel-path").
# A whole token, optionally prefixed ("news_path", "channel-path", "post_crumb"): "position-fixed" is no crumb.
_CRUMB_TOKEN = r"crumbs?|breadcrumbs?|bread|position|location|dqwz|path|weizhi|mbx|local|currentpath|sitepath"
_CRUMB_LABEL = r"^\s*(?:您?(?:现在|当前)?的?(?:所在)?的?位置|当前位置|现在位置|所在位置)\s*[:：]?"
CRUMB_XPATH = (
    '//*[not(self::html) and not(self::body) and not(self::ul and ancestor::nav)]'
    f'[contains(@class, "crumb") or contains(@id, "crumb")'
    f' or re:test(concat(" ", @class, " ", @id, " "), "\\s(?:[a-z]+[_-])?(?:{_CRUMB_TOKEN})\\s", "i")'
    ' or re:test(normalize-space(text()[1]), "^(?:您?(?:现在|当前)?的?(?:所在)?的?位置|当前位置|现在位置|所在位置)\\s*[:：]?")]'
    '[.//a][string-length(normalize-space()) < 200]'
)
# "首页 > 新闻中心 > 正文" as plain text
CRUMB_TEXT = re.compile(r"(?:^|\s)(?:首页|主页|网站首页)\s*(?:>|＞|»|›|→|/|-|>>)\s*\S")
_CRUMB_SEP = re.compile(r"\s*(?:>>|>|＞|»|›|→|/|\s-\s)\s*")
TAG_LIST_XPATH = (
    '//*[not(self::meta) and not(self::html) and not(self::body)]'
    '[re:test(concat(" ", @class, " ", @id, " "), "[\\s_-](?:tags?|tag[_-]?list|keywords?|labels?|label[_-]?list|biaoqian)[\\s_-]", "i")'
    ' or re:test(normalize-space(text()[1]), "^(?:标签|关键词|关键字|文章关键词|Tags?)\\s*[:：>]")]'
    '[.//a or .//li][string-length(normalize-space()) < 300]'
)
_KEYWORD_SPLIT = re.compile(r"\s*[,，、;；|｜]\s*")


def crumb_names(texts: list[str], title: str | None = None) -> list[str]:
    """The crumbs of a trail given as its text pieces: the label, separators and the home link removed,
    the current (unlinked) crumb kept unless it is the headline.

    >>> crumb_names(["当前位置：", "首页", ">", "发展改革工作", ">投资运行"])
    ['发展改革工作', '投资运行']
    >>> crumb_names(["网易首页 > 新闻中心 > 国内新闻 > 正文"])
    ['新闻中心', '国内新闻']
    """
    joined = " > ".join(t.strip() for t in texts if t and t.strip())
    joined = re.sub(_CRUMB_LABEL, "", joined)
    names = []
    for part in _CRUMB_SEP.split(joined):
        part = p.clean_text(re.sub(_CRUMB_LABEL, "", part or ""))
        if not part or re.fullmatch(r"[>＞»›→/|\-]+", part):
            continue
        if re.search(r"^(?:正文|正文内容|详情|资讯正文|内容|文章)$|[:：]$", part):
            break  # the trail ends at the page itself; what follows is navigation or a widget ("字号：")
        if re.search(r"首页|主页|^home$", part, re.I):
            continue
        if title and (part == title or (len(part) > 12 and part in title)):
            continue
        names.append(part)
    return p.unique(names)


def split_keywords(value: str | None, title: str | None = None) -> list[str]:
    """Tags from a keywords value: split on Chinese and ASCII separators, and on spaces between Chinese terms;
    a malformed value (markup, the headline itself, one long sentence) gives none.

    >>> split_keywords("投资 完成 亿元")
    ['投资', '完成', '亿元']
    >>> split_keywords("周琦,姚明，中国男篮、篮球世界杯")
    ['周琦', '姚明', '中国男篮', '篮球世界杯']
    >>> split_keywords("<meta name=")
    []
    >>> split_keywords("债券市场是否存在泡沫？世界知名首席投资官们这么说", "债券市场是否存在泡沫？世界知名首席投资官们这么说")
    []
    """
    value = p.clean_text(value)
    if not value or re.search(r"[<>=\"]", value):
        return []
    if title and re.sub(r"\W", "", value) == re.sub(r"\W", "", title):
        return []
    parts = []
    for part in _KEYWORD_SPLIT.split(value):
        # spaces split Chinese terms ("董又霖 王一博") but not English ones ("machine learning")
        if re.search(r"[\u4e00-\u9fff]", part):
            parts += part.split()
        else:
            parts.append(part)
    tags = [t.strip() for t in parts if t.strip()]
    if any(len(t) > 30 or re.search(r"[。？！?!]", t) for t in tags):
        return []
    return p.unique(tags)
