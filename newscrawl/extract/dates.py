"""The published date of a page: structured data, the byline under the headline, labelled dates, htmldate."""

from __future__ import annotations

import re
from itertools import islice
from datetime import datetime, timezone
from functools import cached_property
from urllib.parse import urlsplit

import lxml.html

from newscrawl import processors as p
from newscrawl.extract.body import is_unlikely
from newscrawl.extract.byline import (
    DATETIME,
    EN_DATE,
    LABELLED_DATE,
    RELATIVE_LINE,
    has_time,
)
from newscrawl.extract.structured import DATE_META, ld_text
from newscrawl.extract.title import in_chrome

_SCRIPT_DATE = re.compile(
    r"\bvar\s+ct\s*=\s*[\"'](?P<epoch>1\d{9})[\"']"
    r"|[\"'](?:publish_?time|pubtime|pubDate|publishDate|datePublished|ptime)[\"']\s*:\s*[\"']"
    r"(?P<date>(?:19|20)\d{2}-\d{2}-\d{2}[ T]\d{2}:\d{2}(?::\d{2})?)"
)
def _dash_time(value: str) -> str:
    """"2007-08-20-23:59:59" (a CMS's meta) as "2007-08-20 23:59:59"."""
    return re.sub(r"^(\d{4}-\d{2}-\d{2})-(\d{2}:\d{2})", r"\1 \2", value)


def _same_day(a: str, b: str) -> bool:
    first, second = p.parse_date(a), p.parse_date(b)
    return bool(first and second and first.date() == second.date())



_NUMERIC_DATE = re.compile(r"^(?P<a>\d{1,2})[./-](?P<b>\d{1,2})[./-](?P<y>(?:19|20)?\d{2})\b(?P<rest>.*)$", re.S)
_NUMERIC_IN_TEXT = re.compile(r"(?<![\d./-])(\d{1,2})[./-](\d{1,2})[./-](?:19|20)\d{2}(?![\d./-])")
# Languages and regions that write the month first in a numeric date (12/31/2024); the rest of the world
# writes the day first (31/12/2024), East Asia the year first.
_MONTH_FIRST = re.compile(r"^en[-_](?:us|ph|ca)$|^(?:fil|tl)(?:[-_]|$)", re.I)


def day_month_order(first_parts: list[tuple[int, int]], language: str | None) -> str | None:
    """"dmy" or "mdy" for a page's numeric dates: another date on it that can only be read one way decides,
    else the page's language and region; None when nothing decides (the date is then left out, not guessed).

    >>> day_month_order([(25, 11)], None), day_month_order([(11, 25)], "de"), day_month_order([], "en-US")
    ('dmy', 'mdy', 'mdy')
    >>> day_month_order([], "de-DE"), day_month_order([], "en"), day_month_order([], None)
    ('dmy', None, None)
    """
    if any(a > 12 >= b for a, b in first_parts):
        return "dmy" if not any(b > 12 >= a for a, b in first_parts) else None
    if any(b > 12 >= a for a, b in first_parts):
        return "mdy"
    if not language:
        return None
    if _MONTH_FIRST.search(language):
        return "mdy"
    if re.match(r"^en$", language, re.I):
        return None  # English without a region: the US or the rest of the world
    return "dmy"


class DateFields:
    """``published_at`` of a PageExtractor (mixed in), and ``date_source``, the kind of place it came from:
    needs sel, html, meta, jsonld, ld_article, header_text, page_url."""

    @cached_property
    def _published(self) -> tuple[str | None, str | None]:
        """(value, kind): machine-readable dates first (JSON-LD, meta, <time>, microdata, page scripts), then the
        byline under the headline, a labelled date outside sidebars and related lists, the modified date,
        htmldate on the page without them; a byline with a time wins over a date-only value of the same day.
        A numeric date whose day/month order nothing on the page decides is no date."""
        machine, kind = self._machine_date
        text = self._text_date
        if machine and text and not has_time(machine) and has_time(text) and _same_day(machine, text):
            machine, kind = text, "byline"
        candidates = [(machine, kind), (text, "byline"), (self._labelled_date, "labelled"),
                      (self._modified_date, "modified"), (self._htmldate, "htmldate")]
        for value, kind in candidates:
            if value:
                # an ambiguous day/month is the page's date unread: a later source would only guess it
                value = self._ordered(value)
                return (value, kind) if value else (None, None)
        return None, None

    @property
    def published_at(self) -> str | None:
        return self._published[0]

    @property
    def date_source(self) -> str | None:
        """jsonld, meta, time, microdata, script, byline, labelled, modified or htmldate (None: no date)."""
        return self._published[1]

    def _ordered(self, value: str | None) -> str | None:
        """A numeric "01/11/2023" as an ISO date in the order the page writes them; other values unchanged."""
        match = _NUMERIC_DATE.match(value.strip()) if value else None
        if not match:
            return value
        a, b = int(match.group("a")), int(match.group("b"))
        order = "dmy" if a > 12 else "mdy" if b > 12 else day_month_order(self._numeric_dates, self._date_language)
        if order is None:
            return None
        day, month = (a, b) if order == "dmy" else (b, a)
        year = int(match.group("y")) + (2000 if len(match.group("y")) == 2 else 0)
        return f"{year:04d}-{month:02d}-{day:02d}{match.group('rest')}"

    @cached_property
    def _numeric_dates(self) -> list[tuple[int, int]]:
        text = " ".join(self.first_nodes("//body//text()[not(ancestor::script) and not(ancestor::style)]", 3000).getall())
        return [(int(m.group(1)), int(m.group(2))) for m in islice(_NUMERIC_IN_TEXT.finditer(text), 200)]

    @cached_property
    def _date_language(self) -> str | None:
        declared = self.sel.xpath("/html/@lang").get() or self.meta_first("content-language", "og:locale")
        declared = (declared or "").strip().replace("_", "-")
        host = urlsplit(self.page_url or "").hostname or ""
        if re.match(r"^en$", declared, re.I) and re.search(r"\.(?:uk|au|nz|ie|in|za|sg|my|ng|ke)$", host):
            return "en-GB"  # English on a site of the Commonwealth writes the day first
        return declared or None

    @cached_property
    def _machine_date(self) -> tuple[str | None, str | None]:
        for node in [self.ld_article] + self.jsonld:
            for key in ("datePublished", "dateCreated", "uploadDate"):
                value = ld_text(node.get(key))
                if value:
                    return value, "jsonld"
        value = self.meta_first(*DATE_META)
        if value:
            return _dash_time(value), "meta"
        value = self.sel.xpath(
            '//*[@itemprop="datePublished"]/@content | //*[@itemprop="datePublished"]/@datetime'
            ' | //time[@pubdate]/@datetime'
        ).get()
        if value and value.strip():
            return value.strip(), "microdata"
        for node in self.first_nodes("//article//time[@datetime] | //time[@datetime]", 30):
            # a <time> of a related item, a sidebar or a comment is another article's day
            if not in_chrome(node, weak=False) and not node.xpath("ancestor::aside | ancestor::nav | ancestor::footer"):
                return (node.root.get("datetime") or "").strip() or None, "time"
        value = p.clean_text(" ".join(self.sel.xpath('//*[@itemprop="datePublished"]//text()').getall()))
        if value and DATETIME.search(value):
            return DATETIME.search(value).group(0), "microdata"
        for script in self.sel.xpath("//script[not(@src)]/text()").getall():
            match = _SCRIPT_DATE.search(script)
            if match:
                if match.group("epoch"):
                    moment = datetime.fromtimestamp(int(match.group("epoch")), timezone.utc)
                    return moment.isoformat(), "script"
                return match.group("date"), "script"
        return None, None

    @cached_property
    def _text_date(self) -> str | None:
        found = sorted([*DATETIME.finditer(self.header_text), *EN_DATE.finditer(self.header_text)], key=lambda m: m.start())
        for match in found:
            if not re.search(r"(?:更新|修改|编辑于)\S{0,3}\s*[:：]?\s*$", self.header_text[max(0, match.start() - 8):match.start()]):
                return match.group(0)
        for line in self.header_text.splitlines():
            # "41分钟前", "昨天 10:20", "07-23 15:51" alone on a line: resolved against the crawl time
            match = RELATIVE_LINE.match(line)
            if match:
                return match.group(1)
        return None

    @cached_property
    def _labelled_date(self) -> str | None:
        """"发布日期：2019-03-06" in the page's text, not in a sidebar, a related list or a footer."""
        for node in self.sel.xpath("//body//text()[not(ancestor::script) and not(ancestor::style)]"
                                   "[contains(., '时间') or contains(., '日期')]")[:200]:
            for holder in node.xpath("ancestor::*[position() <= 2]")[::-1]:
                text = holder.xpath("string(.)").get() or ""
                match = LABELLED_DATE.search(text) if len(text) <= 400 else None
                if match:
                    if not in_chrome(holder, weak=False):
                        return match.group(1)
                    break  # another item's date: the next label is looked at
        return None

    @cached_property
    def _modified_date(self) -> str | None:
        return self.meta_first("dateupdate", "datemodified", "article:modified_time", "og:updated_time", "lastmodifiedtime")

    @cached_property
    def _htmldate(self) -> str | None:
        """htmldate's date of the page without its sidebars, related lists, comments and footers."""
        try:
            from htmldate import find_date  # installed with trafilatura

            tree = lxml.html.document_fromstring(self.html)
            for node in tree.xpath("//aside | //nav | //footer"):
                node.getparent().remove(node)
            for node in [n for n in tree.xpath("//*[@class or @id]") if is_unlikely(n)]:
                if node.getparent() is not None:
                    node.getparent().remove(node)
            return find_date(tree, url=self.page_url, original_date=True, extensive_search=False,
                             outputformat="%Y-%m-%d %H:%M:%S")
        except Exception:  # a last resort must not cost the article
            return None
