"""`scrapy parse`, as Scrapy's, but not a crawl (no crawl_runs row, no alarm), and non-zero when it read nothing."""

from scrapy.commands.parse import Command as ScrapyCommand

from newscrawl.commands.devtools import DevTool
from newscrawl.exitcodes import EXIT_SPIDER_FAILED, EXIT_USAGE


class Command(DevTool, ScrapyCommand):
    def run(self, args, opts):
        super().run(args, opts)
        if self.exitcode:
            return
        if getattr(self, "spidercls", None) is None:
            self.exitcode = EXIT_USAGE  # no spider takes this URL (Scrapy logged which)
        elif not self.first_response:
            self.exitcode = EXIT_SPIDER_FAILED  # nothing was downloaded, or no callback got the response
