"""`scrapy check`, as Scrapy's, but not a crawl: it records no crawl_runs row and raises no alarm."""

from scrapy.commands.check import Command as ScrapyCommand

from newscrawl.commands.devtools import DevTool


class Command(DevTool, ScrapyCommand):
    pass
