"""Any pasted article URL(s), one-off, through the generic extractor: -a urls=URL[,URL…]."""

from __future__ import annotations

from newscrawl.arguments import Argument, urls
from newscrawl.spiders.generic import GenericSpider


class ArticleSpider(GenericSpider):
    name = "article"
    url_argument = "urls"

    arguments = (Argument("urls", urls, help="the article pages to read (required)", metavar="URL[,URL…]"),)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.start_urls = self.required_urls(self.urls)

    async def start(self):
        for url in self.start_urls:
            yield self.article_request(url)
