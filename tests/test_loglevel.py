"""newscrawl/extensions/loglevel.py: a crawl at INFO makes no DEBUG record (each one cost its formatting, the
item's whole text included, for the password masking); at DEBUG every DEBUG line is still there."""

from __future__ import annotations

import logging

import pytest
import storecrawl as sc
from scrapy.settings import Settings
from scrapy.utils.log import DEFAULT_LOGGING, _uninstall_scrapy_root_handler, install_scrapy_root_handler

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
    before, scrapy_before = logging.root.level, logging.getLogger("scrapy").level
    Counted.formatted = 0
    gate = LogLevelGate()
    try:
        # as Scrapy's configure_logging does: the root logger at NOTSET, the "scrapy" logger at DEBUG
        logging.root.setLevel(logging.NOTSET)
        logging.getLogger("scrapy").setLevel(DEFAULT_LOGGING["loggers"]["scrapy"]["level"])
        install_scrapy_root_handler(Settings({"LOG_LEVEL": level}))
        gate.engine_started()
        logging.getLogger("scrapy.core.scraper").debug("Scraped from %(src)s\n%(item)s", {"src": "<200>", "item": Counted()})
        logging.getLogger("scrapy.core.scraper").info("still logged: %s", "yes")
        gate.engine_stopped()
        assert logging.getLogger("scrapy").level == logging.DEBUG and logging.root.level == logging.NOTSET
    finally:
        _uninstall_scrapy_root_handler()
        logging.root.setLevel(before)
        logging.getLogger("scrapy").setLevel(scrapy_before)
    assert (Counted.formatted > 0) is made


def test_a_crawl_at_info_makes_no_debug_record(tmp_path):
    """In a real crawl (Scrapy's own logging configuration): no "Crawled"/"Scraped from" record is made."""
    mirror = tmp_path / "mirror"
    sc.write_mirror(mirror, 3)
    run = sc.crawl_with_prelude(tmp_path, mirror, f"sqlite:///{tmp_path / 'news.db'}", (
        "import logging\n"
        "made = logging.getLogRecordFactory()\n"
        "def factory(*args, **kwargs):\n"
        "    record = made(*args, **kwargs)\n"
        "    if record.levelno < logging.INFO and record.name.startswith('scrapy.core'):\n"
        "        print('DEBUG RECORD MADE', record.msg[:20], file=sys.stderr)\n"
        "    return record\n"
        "logging.setLogRecordFactory(factory)\n"))
    assert run.returncode == 0, run.stderr[-3000:]
    assert "Spider closed" in run.stderr and "DEBUG RECORD MADE" not in run.stderr


def test_a_crawl_at_debug_still_logs_every_response_and_item(tmp_path):
    mirror = tmp_path / "mirror"
    sc.write_mirror(mirror, 3)
    run = sc.crawl(tmp_path, mirror, f"sqlite:///{tmp_path / 'news.db'}", "-s", "LOG_LEVEL=DEBUG")
    assert run.returncode == 0, run.log[-3000:]
    assert run.log.count("DEBUG: Scraped from <200") == 3 and "DEBUG: Crawled (200)" in run.log
