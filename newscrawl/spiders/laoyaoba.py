"""集微网 laoyaoba.com: HTML lists, the feed-stream JSON API behind "load more", UTF-8 article pages."""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from urllib.parse import parse_qs

from scrapy.http import TextResponse

from newscrawl import processors as p
from newscrawl.arguments import Argument
from newscrawl.pages.laoyaoba import DATE_TEXT_RE, LaoyaobaPage
from newscrawl.pages.select import text_of
from newscrawl.spiders.base import PortalSpider

BASE = "https://www.laoyaoba.com"
FEED_API = f"{BASE}/api/news/feedstream"
FEED_LIMIT = 10

ARTICLE_RE = re.compile(
    r"^https?://(?:(?:www|m)\.)?laoyaoba\.com(?::\d+)?/n/(?P<id>\d+)/?(?:[?#].*)?$", re.IGNORECASE
)
LIST_RE = re.compile(r"/list/(?P<category>\d+)/?(?:[?#].*)?$")
COMPACT_TIME_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2})?)?$")


def category_list(value) -> list[str]:
    names = [c.strip() for c in str(value).split(",") if c.strip()]
    bad = [c for c in names if not c.isdigit()]
    if bad:
        raise ValueError(f"laoyaoba categories are the numbers of /list/N pages (e.g. 117,2), got {','.join(bad)!r}")
    return names


class LaoyaobaSpider(PortalSpider):
    name = "laoyaoba"
    allowed_domains = ["laoyaoba.com"]
    tz = "Asia/Shanghai"
    page_class = LaoyaobaPage
    contract_urls = {  # the pages `scrapy check` reads (samples/mirror)
        "article": "https://www.laoyaoba.com/n/1002468",
        "list": "https://www.laoyaoba.com/list/117",
    }
    arguments = (
        Argument("categories", lambda name, value: category_list(value), [],
                 "numbers N of https://www.laoyaoba.com/list/N pages to read besides /jwnews (default 117)", "N[,N…]"),
    )

    # --------------------------------------------------------------------- URLs

    def default_listings(self) -> list[str]:
        return [f"{BASE}/jwnews"] + [f"{BASE}/list/{c}" for c in self.categories or ["117"]]

    def is_article_url(self, url: str) -> bool:
        return bool(ARTICLE_RE.match(url or ""))

    def canonical_article_url(self, url: str) -> str:
        """``https://www.laoyaoba.com/n/{id}``: mobile host, bare domain, http and queries all map to it."""
        match = ARTICLE_RE.match(url or "")
        return f"{BASE}/n/{match.group('id')}" if match else p.canonical_url(url)

    # -------------------------------------------------------------------- lists

    def list_entries(self, response):
        if self._is_json(response):
            yield from self.feed_entries(response)
            return
        for node in response.css(".list-content li[data-id], ul#list-list > li[data-id]"):
            href = node.xpath("./a/@href").get() or f"/n/{node.root.get('data-id')}"
            dates = [t for t in text_of(node, ".list-content-intro-left p:last-child", ".time") if DATE_TEXT_RE.match(t)]
            yield href, dates[0] if dates else None
        for node in response.css("li.card[data-id]"):
            href = node.css("a::attr(href)").get() or f"/n/{node.root.get('data-id')}"
            yield href, (text_of(node, "div.time") or [None])[0]

    def feed_entries(self, response):
        """``data[]`` of the feed-stream API: news cards, and topic cards whose ``tag_list`` holds news."""
        for card in self._feed_cards(response):
            if card.get("news_id"):
                yield f"/n/{card['news_id']}", self.api_date(card.get("published_time") or card.get("created_at"))
            for inner in card.get("tag_list") or []:
                if isinstance(inner, dict) and inner.get("news_id") and inner.get("news_id") != card.get("news_id"):
                    yield f"/n/{inner['news_id']}", self.api_date(inner.get("published_time"))

    def next_list_request(self, response, page):
        """After a ``/list/N`` page or a full API page, ask the feed-stream API for what follows the last item."""
        if self._is_json(response):
            cards = self._feed_cards(response)
            if len(cards) < FEED_LIMIT:
                return None  # a short page is the end of the stream
            category = self._form_value(response, "category_id")
            ids = [c.get("news_id") for c in cards if c.get("news_id")]
        else:
            match = LIST_RE.search(response.url)
            if not match:
                return None
            category = match.group("category")
            ids = response.css(".list-content li[data-id]::attr(data-id), ul#list-list > li[data-id]::attr(data-id)").getall()
        if not ids or not category:
            return None
        form = {"after_id": str(ids[-1]), "category_id": str(category), "limit": str(FEED_LIMIT), "source": "pc"}
        return self.list_request(
            FEED_API,
            page=page + 1,
            formdata=form,
            headers={"X-Requested-With": "XMLHttpRequest", "Referer": f"{BASE}/list/{category}"},
        )

    @staticmethod
    def _form_value(response, name: str) -> str | None:
        """A field of the form the API request posted (the answer does not repeat it)."""
        request = getattr(response, "request", None)
        if request is None or not request.body:
            return None
        return (parse_qs(request.body.decode("latin-1")).get(name) or [None])[0]

    @staticmethod
    def _is_json(response) -> bool:
        content_type = response.headers.get("Content-Type", b"").decode("latin-1").lower()
        return "json" in content_type or response.url.startswith(FEED_API)

    def _feed_cards(self, response) -> list[dict]:
        try:
            payload = json.loads(response.text if isinstance(response, TextResponse) else response.body)
        except ValueError:
            self.crawler.stats.inc_value("newscrawl/laoyaoba/feed_not_json")
            self.logger.warning("Feed-stream answer is not JSON: %s", response.url)
            return []
        data = payload.get("data") if isinstance(payload, dict) else None
        if isinstance(data, dict):  # some answers wrap the list one level deeper
            data = data.get("list") or data.get("data")
        return [card for card in data or [] if isinstance(card, dict)]

    @staticmethod
    def api_date(value) -> str | None:
        """The API's ``published_time``: compact ``YYYYMMDDhhmmss``, epoch seconds/ms, or text."""
        if value in (None, ""):
            return None
        text = str(value).strip()
        if re.fullmatch(r"\d{13}", text):
            text = text[:10]
        if re.fullmatch(r"\d{10}", text):
            return datetime.fromtimestamp(int(text), timezone.utc).isoformat()
        match = COMPACT_TIME_RE.match(text)
        if match:
            y, m, d, hh, mm, ss = match.groups()
            return f"{y}-{m}-{d} {hh or '00'}:{mm or '00'}:{ss or '00'}"
        return text
