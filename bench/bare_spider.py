"""The baseline of bench/bench_crawl.py: a bare Scrapy spider following the same list and article links as ofweek.

scrapy runspider bench/bare_spider.py -a start=LIST_URL [-a follow=0] -O out.jsonl
"""

import scrapy


class BareSpider(scrapy.Spider):
    name = "bare"

    def __init__(self, start, follow="1", **kwargs):
        super().__init__(**kwargs)
        self.start_urls, self.follow = [start], follow != "0"

    def parse(self, response):
        links = response.xpath('//div[@class="main_left"]/div[@class="list_model"]/div[contains(@class, "model_right")]/h3/a/@href')
        if not self.follow:
            return
        for href in links.getall():
            yield response.follow(href, self.parse_article)
        next_page = response.xpath('//div[@class="page"]/a[@class="next"]/@href').get()
        if next_page:
            yield response.follow(next_page, self.parse)

    def parse_article(self, response):
        yield {"url": response.url, "title": response.css("h1::text").get()}
