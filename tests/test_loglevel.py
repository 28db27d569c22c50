"""newscrawl/extensions/loglevel.py: a crawl at INFO makes no DEBUG record (each one cost its formatting, the
item's whole text included, for the password masking); at DEBUG every DEBUG line is still there."""

from __future__ import annotations

import logging

import pytest
import storecrawl as sc
from scrapy.settings import Settings
from scrapy.utils.log import _uninstall_scrapy_root_handler, install_scrapy_root_handler

from newscrawl.extensions.loglevel import LogLevelGate


class Counted:
    """An argument that counts how often a record's message was formatted."""

    formatted = 0

    def __str__(self):
        Counted.formatted += 1
        return "item"


@pytest.mark.parametrize("level, made", [("INFO", False), ("DEBUG", True)])
def test_debug_records_are_made_only_when_the_log_shows_them(level, made):
    from newscrawl import logmask

    logmask.install()  # the masking factory formats every record it makes
    before = logging.root.level
    Counted.formatted = 0
    try:
        install_scrapy_root_handler(Settings({"LOG_LEVEL": level}))
        LogLevelGate().engine_started()
        logging.getLogger("scrapy.core.scraper").debug("Scraped from %(src)s\n%(item)s", {"src": "<200>", "item": Counted()})
        logging.getLogger("scrapy.core.scraper").info("still logged: %s", "yes")
    finally:
        _uninstall_scrapy_root_handler()
        logging.root.setLevel(before)
    assert (Counted.formatted > 0) is made


def test_a_crawl_at_debug_still_logs_every_response_and_item(tmp_path):
    mirror = tmp_path / "mirror"
    sc.write_mirror(mirror, 3)
    run = sc.crawl(tmp_path, mirror, f"sqlite:///{tmp_path / 'news.db'}", "-s", "LOG_LEVEL=DEBUG")
    assert run.returncode == 0, run.log[-3000:]
    assert run.log.count("DEBUG: Scraped from <200") == 3 and "DEBUG: Crawled (200)" in run.log
