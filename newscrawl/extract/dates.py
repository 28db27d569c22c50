"""The published date of a page: structured data, the byline under the headline, labelled dates, htmldate."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from functools import cached_property

from newscrawl import processors as p
from newscrawl.extract.byline import (
    DATETIME,
    EN_DATE,
    LABELLED_DATE,
    RELATIVE_LINE,
    has_time,
)
from newscrawl.extract.structured import DATE_META, ld_text

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



class DateFields:
    """``published_at`` of a PageExtractor (mixed in): needs sel, html, meta, jsonld, ld_article, header_text."""

    @cached_property
    def published_at(self) -> str | None:
        """Machine-readable dates first (JSON-LD of any type, meta, <time>, microdata, page scripts), then the
        byline under the headline, then a labelled date anywhere, then htmldate; a byline with a time wins over
        a date-only value of the same day."""
        machine = self._machine_date
        text = self._text_date
        if machine and text and not has_time(machine) and has_time(text) and _same_day(machine, text):
            return text
        return machine or text or self._labelled_date or self._modified_date or self._htmldate

    @cached_property
    def _machine_date(self) -> str | None:
        for node in [self.ld_article] + self.jsonld:
            for key in ("datePublished", "dateCreated", "uploadDate"):
                value = ld_text(node.get(key))
                if value:
                    return value
        value = self.meta_first(*DATE_META)
        if value:
            return _dash_time(value)
        value = self.sel.xpath(
            '//*[@itemprop="datePublished"]/@content | //*[@itemprop="datePublished"]/@datetime'
            ' | //time[@pubdate]/@datetime | //article//time/@datetime | //time/@datetime'
        ).get()
        if value and value.strip():
            return value.strip()
        value = p.clean_text(" ".join(self.sel.xpath('//*[@itemprop="datePublished"]//text()').getall()))
        if value and DATETIME.search(value):
            return DATETIME.search(value).group(0)
        for script in self.sel.xpath("//script[not(@src)]/text()").getall():
            match = _SCRIPT_DATE.search(script)
            if match:
                if match.group("epoch"):
                    moment = datetime.fromtimestamp(int(match.group("epoch")), timezone.utc)
                    return moment.isoformat()
                return match.group("date")
        return None

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
        text = " ".join(self.sel.xpath("//body//text()[not(ancestor::script) and not(ancestor::style)]").getall())
        match = LABELLED_DATE.search(text)
        return match.group(1) if match else None

    @cached_property
    def _modified_date(self) -> str | None:
        return self.meta_first("dateupdate", "datemodified", "article:modified_time", "og:updated_time", "lastmodifiedtime")

    @cached_property
    def _htmldate(self) -> str | None:
        try:
            from htmldate import find_date  # installed with trafilatura

            return find_date(self.html, original_date=True, extensive_search=False, outputformat="%Y-%m-%d %H:%M:%S")
        except Exception:  # a last resort must not cost the article
            return None

