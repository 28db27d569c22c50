"""`scrapy args SPIDER`: the spider's -a arguments, their defaults and what they do."""

from __future__ import annotations

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from newscrawl import arguments


class Command(ScrapyCommand):
    requires_project = True
    default_settings = {"LOG_ENABLED": False}

    def syntax(self):
        return "SPIDER"

    def short_desc(self):
        return "List a spider's -a NAME=VALUE arguments (what `scrapy crawl SPIDER -a help=1` prints)"

    def run(self, args, opts):
        if len(args) != 1:
            raise UsageError("name one spider; `scrapy list` shows them")
        try:
            spidercls = self.crawler_process.spider_loader.load(args[0])
        except KeyError:
            raise UsageError(f"no spider named {args[0]!r}; `scrapy list` shows them", print_help=False) from None
        print(arguments.describe(spidercls))
