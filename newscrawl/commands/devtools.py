"""What makes a dev tool (parse, fetch, shell, check, view, bench) not a crawl: no crawl_runs row, no alarm, no store."""

from __future__ import annotations

from scrapy.settings import SETTINGS_PRIORITIES

# Looking at a page is not a production run: it must not enter the run history the monitor compares against.
# Nor does it read or write the store: a page looks the same whatever is stored (-s NEWSCRAWL_DATABASE_URL=… to).
# A page or two are read in the command's own process: starting extraction workers would take longer.
NOT_A_CRAWL = {"NEWSCRAWL_RECORD_RUNS": False, "NEWSCRAWL_MONITOR_ENABLED": False, "NEWSCRAWL_DATABASE_URL": "",
               "NEWSCRAWL_EXTRACT_PROCESSES": 0}


class DevTool:
    """Mixin for a Scrapy command: after its options, turn the run recorder and the monitor off (an explicit -s wins)."""

    def process_options(self, args, opts):
        super().process_options(args, opts)
        for name, value in NOT_A_CRAWL.items():
            if (self.settings.getpriority(name) or 0) < SETTINGS_PRIORITIES["cmdline"]:
                self.settings.set(name, value, priority="cmdline")
