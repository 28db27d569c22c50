"""Headline and site name from the <title>, og:title, JSON-LD and the headline element."""

from __future__ import annotations

import re
from functools import cached_property

from newscrawl import processors as p
from newscrawl.extract.byline import DATETIME, EN_DATE
from newscrawl.extract.crumbs import CRUMB_TEXT
from newscrawl.extract.structured import TITLE_META, ld_name, ld_text

TITLE_SEP = re.compile(r"\s*(?:[-_|–—|｜]|::)\s*")
_HEADLINE_XPATH = (
    "//h1|//h2|//h3|//h4|//h5|//*[self::div or self::p or self::span or self::strong or self::td]"
    '[re:test(concat(" ", @class, " ", @id, " "), "[\\s_-](?:title|headline|tit|biaoti|bt)(?:[\\s_-]|text)", "i")]'
)
_FLAG = re.compile(r"^(?:原创|独家|转载|置顶|推荐|热)\s*(?=\S{6})")


_WEAK_CHROME = {"right", "side"}  # layout words: a sidebar for small headings, a column for h1/h2
_CHROME_PARTS = {"sidebar", "aside", "footer", "foot", "nav", "menu", "logo", "hot", "rank", "ranking",
                 "recommend", "related", "relate", "comment", "comments", "tuijian", "xgwz"}


def in_chrome(node, weak: bool = True) -> bool:
    """A heading inside a sidebar, footer, navigation or recommendation block (class/id parts say so)."""
    for ancestor in node.xpath("ancestor::*[@class or @id]")[-6:]:
        # root.get, not .attrib (a dict of every attribute): lxml raises on a mangled attribute name
        tokens = f"{ancestor.root.get('class') or ''} {ancestor.root.get('id') or ''}".lower().split()
        parts = {part for token in tokens for part in re.split(r"[-_]", token)}
        if parts & _CHROME_PARTS or (weak and parts & _WEAK_CHROME and node.root.tag not in ("h1", "h2")):
            return True
    return False


def _longest_part(title: str) -> str:
    """"标题 - 站名" / "标题_频道_站名": the first part when it is the longest and the others are short."""
    parts = TITLE_SEP.split(title)
    if len(parts) > 1:
        longest = max(parts, key=len)
        if all(len(part) <= 16 for part in parts if part is not longest) and parts[0] is longest:
            return longest
    return title


def _norm(text: str | None) -> str:
    return re.sub(r"\W+", "", text or "").lower()


def _strip_flag(text: str | None) -> str | None:
    """"原创最不愁吃肉的国家…": a flag label glued to the headline."""
    return _FLAG.sub("", text) if text else text


def _following_lines(node, limit: int) -> list[str]:
    """The short text lines after ``node``; a lone label ("来源：") joins the next line, long lines are skipped."""
    lines: list[str] = []
    texts = node.xpath(
        "following::text()[not(ancestor::script) and not(ancestor::style)][normalize-space()][position() <= 40]"
    ).getall()
    long_lines = 0
    for text in texts:
        text = p.clean_text(text) or ""
        if len(text) > 80:  # a paragraph of the text (or a caption): the byline may still follow a lead image
            long_lines += 1
            if long_lines >= 2:
                break
            continue
        if lines and re.search(r"[:：|｜丨]$", lines[-1]):
            lines[-1] += text
        else:
            lines.append(text)
        if len(lines) >= limit:
            break
    return lines




class TitleFields:
    """The headline, ``title`` and ``site`` of a PageExtractor (mixed in): needs sel, meta, ld_article, source."""

    @cached_property
    def _headline(self):
        """(text, node) of the headline: the heading or title-classed element whose text the <title>/og:title
        holds (the longest), else the first heading followed by a date, else the first h1."""
        ref = _norm(" ".join(x for x in (self.meta_first("og:title", "twitter:title"), self.title_tag) if x))
        candidates = []
        for node in self.first_nodes(_HEADLINE_XPATH, 200):
            if in_chrome(node):
                continue
            text = _strip_flag(p.join_inline(node.xpath(".//text()").getall()))
            if text and 4 <= len(text) <= 120:
                candidates.append((text, node))
        segments = [_norm(part) for part in TITLE_SEP.split(self.title_tag or "") if _norm(part)]
        # "新闻动态--中国地理学会官网": the segments beside the longest name the site or the channel
        chrome = sorted(segments, key=len)[:-1] if len(segments) > 1 else []
        matching = [
            (t, n) for t, n in candidates
            if len(_norm(t)) >= 4 and _norm(t) in ref
            and not any(_norm(t) in seg for seg in chrome) or (segments and _norm(t) == max(segments, key=len))
        ]
        if matching:
            return max(matching, key=lambda c: len(_norm(c[0])))
        for text, node in candidates:
            if node.root.tag in ("h1", "h2", "h3", "h4", "h5") and not CRUMB_TEXT.search(" " + text) \
                    and re.search(f"{DATETIME.pattern}|{EN_DATE.pattern}", " ".join(_following_lines(node, 3))):
                return text, node
        h1 = [(t, n) for t, n in candidates if n.root.tag == "h1"]
        return h1[0] if h1 else (None, None)

    @property
    def h1(self) -> str | None:
        """The headline element's text (whatever element carries it)."""
        return self._headline[0]

    @cached_property
    def title_tag(self) -> str | None:
        return p.clean_text(self.sel.xpath("//title/text()").get())

    @cached_property
    def header_text(self) -> str:
        """The short lines right after the headline (date, 来源, 作者 live there on Chinese portals)."""
        node = self._headline[1]
        return "\n".join(_following_lines(node, 15)) if node is not None else ""

    # ----------------------------------------------------------------- fields

    @cached_property
    def site(self) -> str | None:
        publisher = self.ld_article.get("publisher")
        return (
            self.meta_first("og:site_name", "application-name")
            or (ld_name(publisher) if publisher else None)
            or self._title_suffix
        )

    @cached_property
    def _title_suffix(self) -> str | None:
        if self.h1 and self.title_tag and self.title_tag.startswith(self.h1) and self.title_tag != self.h1:
            parts = [part for part in TITLE_SEP.split(self.title_tag[len(self.h1):]) if part.strip()]
            return parts[-1].strip() if parts else None  # "标题_频道_站名": the site is last
        return None

    @cached_property
    def title(self) -> str | None:
        headline = p.clean_text(ld_text(self.ld_article.get("headline") or self.ld_article.get("name")))
        if headline:
            # "… 双方同意か - 毎日新聞": a site name the page gives elsewhere, after a separator, is no part of it
            return p.strip_site_suffix(headline, [re.escape(n) for n in self._site_names]) or headline
        shared = self._strip_site(self.meta_first("og:title", "twitter:title"))
        if self.h1 and shared and len(_norm(shared)) >= 8 and _norm(self.h1) not in _norm(shared) \
                and _norm(shared) not in _norm(self.h1) and _norm(self.h1) not in _norm(self.title_tag):
            # the h1 is in neither the og:title nor the <title> of this URL: a section name ("India") or another
            # story's headline; the title the page gives itself is the headline
            return shared
        if self.h1:
            return self.h1
        for candidate in (self.meta_first(*TITLE_META), self.title_tag):
            title = self._strip_site(candidate)
            if title:
                return title
        return None

    @cached_property
    def _site_names(self) -> list[str]:
        """The names the page gives itself: og:site_name, the publisher, the source, the <title>'s suffix."""
        names = (self.meta_first("og:site_name"), ld_name(self.ld_article.get("publisher")), self.source, self._title_suffix)
        return p.unique([n for n in names if n])

    def _strip_site(self, title: str | None) -> str | None:
        title = p.clean_text(title)
        if not title:
            return None
        names = self._site_names
        stripped = p.strip_site_suffix(title, [re.escape(n) for n in names])
        if stripped != title:
            return _longest_part(stripped)
        for name in names:
            # "标题 东区办事处": a site or source name joined by a space only
            if len(title) > len(name) + 4 and title.endswith(" " + name):
                return title[: -len(name)].strip()
        return _longest_part(title)

