"""Authors of a page: structured data, bylines in many languages (lead words removed), never an editor or a site."""

from __future__ import annotations

import re
from functools import cached_property
from urllib.parse import urlsplit

from newscrawl import processors as p
from newscrawl.extract.byline import (
    DATETIME,
    EN_DATE,
    authors_in_text,
    closing_author,
    person_names,
    valid_author,
)
from newscrawl.extract.structured import ARTICLE_TYPES, AUTHOR_META, ld_name, ld_types
from newscrawl.extract.title import in_chrome

# The word a byline opens with, in the languages of the open web: "By", "Von", "Par", "Por", "Di", "Door",
# "Av", "Af", "Od", "От", "Автор:", "Oleh", "Bởi", "Yazan", "Text:", "Written by", "Posted by".
_LEAD = re.compile(
    r"^(?:(?:written|reported|posted|published|compiled|words|story|text|reporting|photos?)\s+(?:by|on)\b"
    r"|by|von|vom|par|por|door|av|af|od|от|автор[ыи]?|авторы|текст|oleh|bởi|yazan|yazar|autor(?:in|a|es)?"
    r"|auteur|autore|author|authors|text|texto|tekst|teksti|szerző|συντάκτης|tác\s+giả|bài|作者|记者|文|撰文|記者|글"
    r")(?:\s*[:：|/]\s*|\s+)",
    re.I,
)
_LEAD_LOWER = re.compile(r"^(?:di|da|de)\s+(?=[A-ZÀ-Ý])")  # "di Mario Rossi", never "Di Stefano"
# A lead word alone, or a byline's other words: never an author.
_NOT_A_NAME = re.compile(
    r"^(?:by|von|par|por|di|door|av|af|od|posted(?:\s+on|\s+by)?|published(?:\s+on)?|updated(?:\s+on)?|written\s+by"
    r"|news|nachrichten|redaktion|nieuws|actualités|noticias|notizie|новости|haberler|berita|tin\s+tức"
    r"|staff|admin|administrator|editor|editors|editorial|redacción|rédaction|redazione|guest|anonymous|unknown"
    r"|home|startseite|accueil|inicio|more|mehr|share|teilen|follow|folgen|subscribe)$",
    re.I,
)
# A role after the name: "신현주 기자", "박준석 기자 외 1명", "松岡大地記者", "大渡 美咲 記者", "Reporter".
_ROLE_AFTER = re.compile(
    r"\s*(?:기자|특파원|선임기자|논설위원|記者|特派員|编辑|記者・|(?:staff\s+)?(?:reporter|writer|correspondent))"
    r"(?:\s*외\s*\d+\s*명)?\s*$",
    re.I,
)
# A follow or subscribe button beside an account name: "中国广州发布 关注", "Jane Doe Follow".
_FOLLOW = re.compile(r"\s*(?:\+\s*)?(?:关注|加关注|订阅|follow|folgen|suivre|seguir|abonnieren|subscribe)\s*$", re.I)
_JOINERS = r"(?:and|und|et|y|e|og|och|en|i|ja|và|dan|ve|и|та|a|és|ir|un|ja|in|و)"
_SPLIT = re.compile(rf"\s*(?:[,;，、；&]|\s{_JOINERS}\s|\s&\s)\s*")
# A name's words: capitalised (AP writes them in capitals), with the particles of many languages.
_PARTICLES = {"van", "von", "der", "den", "de", "da", "di", "del", "della", "des", "du", "la", "le", "el", "al", "bin",
              "binti", "ibn", "zu", "ter", "ten", "dos", "das", "do", "y", "e", "st.", "mc", "mac"}
# Labels of an editor, proof-reader or producer: the names after them are not authors.
_EDITOR_LABEL = re.compile(
    r"(?:\b(?:editor|editors|edited\s+by|editing\s+by|redakteur(?:in)?|redaktion|rédacteur|redactor|redattore"
    r"|editado\s+por|édité\s+par|bearbeitet\s+von|copy\s*editor|producer)\b|编辑|責任編輯|责编|责任编辑|編集|편집)"
    r"\s*[:：|]?\s*(?P<v>[^\n|]{1,80})",
    re.I,
)
# An element classed as a byline or an author name (not an avatar, a bio or a comment's author).
AUTHOR_NODE = (
    '//*[not(self::meta) and not(self::script) and not(self::img) and not(self::figure) and not(self::figcaption)]'
    '[re:test(concat(" ", @class, " ", @id, " ", @itemprop, " ", @rel, " ", @data-testid, " "),'
    ' "[\\s_-](?:author[_-]?name|authors?|byline|bylines|byl|writer|reporter|autor|auteur|zuozhe|creator)[\\s_-]", "i")]'
    '[not(re:test(concat(" ", @class, " ", @id, " "), "comment|avatar|img|image|photo|bio|about|desc|profile|social|follow", "i"))]'
)
# The older, Chinese-portal pattern of an account name beside the date (media-user, nickname, pgc).
_ACCOUNT_NODE = (
    '//*[not(self::meta)][re:test(concat(" ", @class, " ", @id, " "),'
    ' "[\\s_-](?:author[_-]?name|author|writer|zuozhe|media[_-]?user|user[_-]?name|nickname|pgc)[\\s_-]", "i")]'
)
_ACCOUNT_LINE = re.compile(
    r"^(?:原创\s*)?(?P<v>[^\s\d:：|/]{2,20})\s+(?:19|20)\d{2}-\d{2}-\d{2}\s+\d{2}:\d{2}"
    r"|^(?P<w>[\u4e00-\u9fa5·]{2,4})/[^/\s]{2,16}$"
)
_SECTION_HREF = re.compile(r"/(?:category|categories|section|sections|tag|tags|topic|topics|rubrik|ressort|kategorie|thema)/", re.I)
_AUTHOR_HREF = re.compile(r"/(?:author|authors|autor|autoren|auteur|reporter|journalist|journalists|writer|profile|people|staff)/", re.I)
_CJK = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7af]")


def clean_name(value: str | None) -> str | None:
    """One name from a byline piece: lead word and role removed; None for a lead word, a date or no name.

    >>> [clean_name(v) for v in ("By Jane Doe", "Von Anna Fink", "신현주 기자", "By", "Posted on", "12 May 2024")]
    ['Jane Doe', 'Anna Fink', '신현주', None, None, None]
    """
    value = p.clean_text(value)
    for _ in range(2):
        value = _LEAD_LOWER.sub("", _LEAD.sub("", value or "", count=1)).strip(" :：|-–—·•/")
    value = _FOLLOW.sub("", _ROLE_AFTER.sub("", value))
    value = re.sub(r"\s*[(（][^()（）]{1,12}[)）]$", "", value).strip(" :：|-–—·•/")  # "Elena Oberholzer (obe)"
    if not value or _NOT_A_NAME.match(value) or DATETIME.search(value) or EN_DATE.search(value):
        return None
    if re.search(r"\d{1,2}[:.]\d{2}|\d{4}|@|https?:|www\.|\w\.(?:com|net|org|[a-z]{2})$|[()（）]", value, re.I):
        return None
    return value


def looks_like_name(value: str) -> bool:
    """A person's name: 1 to 5 capitalised words (particles allowed), or 2 to 8 CJK characters, or a short
    name in a script without capitals.

    >>> [looks_like_name(v) for v in ("Jane Doe", "STEVE PEOPLES", "Ludwig van Beethoven", "Mykolo Romerio universiteto profesorius", "牛镛", "이재명")]
    [True, True, True, False, True, True]
    """
    if _CJK.search(value):
        return 2 <= len(re.sub(r"[\s·・]", "", value)) <= 8 and not re.search(r"[A-Za-z]{2}", value)
    words = value.split()
    if not 1 <= len(words) <= 5 or len(value) > 50:
        return False
    if not re.search(r"[A-Za-zÀ-ÿĀ-ž]", value):
        return True  # Cyrillic, Arabic, Devanagari, Thai ... have no case to read
    return all(w[0].isupper() or w.lower() in _PARTICLES or not w[0].isalpha() for w in words)


def split_names(value: str | None) -> list[str]:
    """A byline as names: "A, B and C" / "A og B" / "A und B" split, lead words and roles removed, each a name.

    >>> split_names("By Mamokete Modiba, Claire Benit-Gbaffou, Sarah Charlton and Tanya Zack")
    ['Mamokete Modiba', 'Claire Benit-Gbaffou', 'Sarah Charlton', 'Tanya Zack']
    >>> split_names("Trine Juncher Jørgensen og Tôrtia Reimer-Johansen")
    ['Trine Juncher Jørgensen', 'Tôrtia Reimer-Johansen']
    >>> split_names("Povilas Aleksandravičius, Mykolo Romerio universiteto profesorius")
    ['Povilas Aleksandravičius']
    """
    value = p.clean_text(value)
    if not value:
        return []
    value = _LEAD.sub("", value, count=1)
    value = re.split(r"\s+[·•|]\s+|\s{2,}", value)[0]  # "Yasmine Hassan · CBC News · Posted: ..."
    names = [clean_name(part) for part in _SPLIT.split(value)]
    return p.unique([n for n in names if n and looks_like_name(n)])


def is_byline(line: str | None) -> bool:
    """A line of a byline: a lead word alone, or a lead word and nothing but names.

    >>> [is_byline(t) for t in ("By", "By Jane Doe and John Roe", "Von Anna Fink", "By contrast, the city", "Jane Doe")]
    [True, True, True, False, False]
    """
    line = p.clean_text(line) or ""
    if _NOT_A_NAME.match(line) and _LEAD.match(line + " "):
        return True
    if not _LEAD.match(line) or re.search(r"[.!?。！？]\s*$", line) and not re.search(r"\b[A-Z]\.$", line):
        return False
    rest = _LEAD.sub("", line, count=1)
    parts = [part for part in _SPLIT.split(rest) if part.strip()]
    return bool(parts) and all(looks_like_name(n) for n in (clean_name(part) for part in parts) if n) \
        and any(clean_name(part) for part in parts)


class AuthorFields:
    """The ``author`` of a PageExtractor (mixed in): needs sel, meta, jsonld, ld_article, header_text, site names."""

    @cached_property
    def author(self) -> str | None:
        """Structured-data people, a labelled byline (作者/记者/文; editors are not authors), a byline element,
        an unlabelled byline in the text, ``meta author``, an account name beside the date; each checked: not a
        lead word, a date, a site or section name or a name the page labels as an editor. An organisation only
        when the page names no person."""
        for source in ("_ld_authors", "_labelled_authors", "_node_authors", "_text_authors", "_meta_authors",
                       "_account_author"):
            # "作者：问舟 责编：问舟": a name labelled as the author is the author, whatever else it is labelled
            names = self._checked(getattr(self, source), labelled=source == "_labelled_authors")
            if names:
                return ", ".join(names)
        organisations = self._checked(self._ld_organisations)
        return ", ".join(organisations) if organisations else None

    def _checked(self, candidates, labelled: bool = False) -> list[str]:
        names = []
        for candidate in candidates:
            name = valid_author(clean_name(candidate), self._not_author_names)
            if name and (labelled or name.casefold() not in self._not_author_words):
                names.append(name)
        return p.unique(names)

    @cached_property
    def _not_author_names(self) -> tuple:
        host = urlsplit(self.page_url or "").hostname or ""
        return tuple(n for n in (self.meta_first("og:site_name", "application-name"), self._title_suffix,
                                 ld_name(self.ld_article.get("publisher")), self.source, host) if n)

    @cached_property
    def _not_author_words(self) -> set[str]:
        """Names the page labels as editors, and the texts of its section and navigation links."""
        text = "\n".join(self.sel.xpath("//body//text()[not(ancestor::script) and not(ancestor::style)]").getall())
        found = {n.casefold() for m in _EDITOR_LABEL.finditer(text) for n in split_names(m.group("v"))}
        for link in self.first_nodes("//a[@href]", 1500):
            href = link.root.get("href") or ""
            if _SECTION_HREF.search(href) or link.xpath("ancestor::nav"):
                label = p.clean_text(link.xpath("normalize-space()").get())
                if label and len(label) <= 40:
                    found.add(label.casefold())
        return found

    @cached_property
    def _article_nodes(self) -> list[dict]:
        return [self.ld_article] + [n for n in self.jsonld if ld_types(n) & ARTICLE_TYPES and n is not self.ld_article]

    def _ld_people(self, organisations: bool) -> list[str]:
        for node in self._article_nodes:
            value = node.get("author") or node.get("creator")
            found = []
            for item in value if isinstance(value, list) else [value]:
                is_org = isinstance(item, dict) and bool(ld_types(item) & {"organization", "newsmediaorganization"})
                if is_org != organisations:
                    continue
                if isinstance(item, dict) and not item.get("name") and (item.get("givenName") or item.get("familyName")):
                    found.append(" ".join(str(item.get(k) or "") for k in ("givenName", "familyName")).strip())
                    continue
                name = ld_name(item)
                if name and not name.startswith(("http://", "https://")):
                    found += split_names(name) or ([name] if organisations or _CJK.search(name) else [])
            if found:
                return found
        return []

    @property
    def _ld_authors(self) -> list[str]:
        return self._ld_people(organisations=False)

    @property
    def _ld_organisations(self) -> list[str]:
        return self._ld_people(organisations=True)

    @property
    def _labelled_authors(self) -> list[str]:
        return person_names(self._byline("author"))

    @property
    def _node_authors(self) -> list[str]:
        """A byline element (class/id/itemprop/rel author, byline, writer) or a link to an author page, the
        first that holds names, outside comment threads and related lists."""
        nodes = self.first_nodes(AUTHOR_NODE, 20)
        nodes += [a for a in self.first_nodes("//a[@href]", 1500) if _AUTHOR_HREF.search(a.root.get("href") or "")][:5]
        for node in nodes:
            if in_chrome(node):
                continue
            text = p.clean_text(" ".join(node.xpath(".//text()[not(ancestor::script) and not(ancestor::style)]").getall()))
            if not text or len(text) > 160:
                continue
            names = split_names(text)
            if names:
                return names
        return []

    @property
    def _text_authors(self) -> list[str]:
        lines = [line for line in self.header_text.splitlines() if len(line) <= 60]
        # the text is read only when it has been extracted anyway: a portal missing just the author pays nothing
        text = self.body_text if self.__dict__.get("body_html") else None
        body_lines = [line for line in (text or "").splitlines() if line.strip()]
        for line in lines + body_lines[:2] + body_lines[-3:] + self._body_credits:
            found = authors_in_text(line)
            if found:
                return found
        return closing_author(body_lines[-1]) if body_lines else []

    @property
    def _meta_authors(self) -> list[str]:
        found = []
        for key in AUTHOR_META:
            for value in self.meta.get(key, ()):
                if not value.startswith(("http://", "https://")):
                    found += split_names(value) or [value]
        return found

    @property
    def _account_author(self) -> list[str]:
        """"原创 GameForce 2019-09-04 22:18", "石佳/中国青年报", a class="author-name" element in the header."""
        lines = self.header_text.splitlines()[:4]
        for size in (1, 2, 3):
            for start in range(len(lines)):
                match = _ACCOUNT_LINE.match(" ".join(lines[start:start + size]))
                if match:
                    return [match.group("v") or match.group("w")]
        header = self.header_text.splitlines()[:6]
        for node in self.first_nodes(_ACCOUNT_NODE, 10):
            text = p.strip_label(p.clean_text(node.xpath("normalize-space(.//text()[normalize-space()][1])").get()))
            if text and text in header and len(text) <= 20 and not DATETIME.search(text):
                return [text]
        return []
