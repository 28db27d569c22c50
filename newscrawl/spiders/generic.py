"""The base of the spiders that read any site (feed, sitemap, article): their URLs, their domains, the generic page."""

from __future__ import annotations

from urllib.parse import urlsplit

from newscrawl import arguments as A
from newscrawl import processors as p
from newscrawl.arguments import Argument, SpiderArgumentError
from newscrawl.pages import GenericPage
from newscrawl.spiders.base import FULL, REFRESH, SINCE, NewsSpider

_DOMAINS = None


def site_domain(url: str) -> str:
    """The registrable domain of a URL (rss.news.sina.com.cn -> sina.com.cn), else its host (IPs, test hosts).

    >>> site_domain("https://rss.news.sina.com.cn/a.xml"), site_domain("http://127.0.0.1:8080/feed")
    ('sina.com.cn', '127.0.0.1')
    """
    global _DOMAINS
    import tldextract

    if _DOMAINS is None:  # the bundled public suffix list: never fetched from the network
        _DOMAINS = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)
    host = (urlsplit(url).hostname or "").lower()
    return _DOMAINS(host).top_domain_under_public_suffix or host


class GenericSpider(NewsSpider):
    """Base for the spiders that read any site (feed, sitemap, article): every field from the generic page.

    Spider arguments: ``tz`` (default Asia/Shanghai): the zone of dates that carry no UTC offset;
    ``follow_domains`` (comma-separated, or ``*``): domains to follow besides those of the given URLs; by
    default the spider keeps to the registrable domains of its URLs (links and redirects elsewhere are counted).
    Their URLs come from their own required argument, and they read no paginated lists.
    """

    page_class = GenericPage
    read_in_worker = False  # the feed spider's pages carry their feed entry in meta, which a worker does not get
    url_argument = "url"
    url_help = "URL[,URL…]"

    arguments = (
        SINCE, FULL, REFRESH,
        Argument("tz", A.zone, help="time zone of dates that carry no UTC offset (default Asia/Shanghai)",
                 metavar="ZONE"),
        Argument("follow_domains", A.domains, (), "other domains whose links may be followed (or *: any); "
                 "by default only the given URLs' own sites", "A,B"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.tz = self.tz or type(self).tz
        self.start_urls = []

    def required_urls(self, value) -> list[str]:
        """The spider's main URL argument, or a one-line message saying what to pass."""
        try:
            urls = A.urls(self.url_argument, value) if value else []
        except ValueError as exc:
            raise SpiderArgumentError(str(exc)) from None
        if not urls:
            raise SpiderArgumentError(f"{self.name} needs -a {self.url_argument}={self.url_help}")
        self.allowed_domains = None if "*" in self.follow_domains else p.unique(
            [*(site_domain(url) for url in urls), *self.follow_domains])
        return urls

    def follows(self, url: str | None, what: str = "link") -> bool:
        """True for a URL within the spider's domains; one elsewhere is counted ``newscrawl/offsite/<what>``."""
        domains = getattr(self, "allowed_domains", None)
        if not url or not domains or p.url_in_domains(url, domains):
            return bool(url)
        self.crawler.stats.inc_value(f"newscrawl/offsite/{what}")
        self.logger.info("Not following %s %s: outside %s (-a follow_domains=... to allow)", what, url, ",".join(domains))
        return False

    def parse(self, response, **kwargs):
        """`scrapy parse --spider=NAME URL`: an article page through the generic page."""
        return self.parse_article(response)
