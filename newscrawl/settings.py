"""Polite defaults; every deployment knob can be set with -s NAME=value or the environment."""

import os

BOT_NAME = "newscrawl"
SPIDER_MODULES = ["newscrawl.spiders"]
NEWSPIDER_MODULE = "newscrawl.spiders"

USER_AGENT = "Mozilla/5.0 (compatible; newscrawl/0.1; +https://github.com/newscrawl/newscrawl)"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_DELAY = 1.0
DOWNLOAD_TIMEOUT = 30
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
RETRY_TIMES = 2
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = os.environ.get("NEWSCRAWL_LOG_LEVEL", "INFO")

# Offline mirror: serve every request from a wget -m style tree (see README).
NEWSCRAWL_MIRROR = os.environ.get("NEWSCRAWL_MIRROR", "")

DOWNLOADER_MIDDLEWARES = {
    "newscrawl.mirror.MirrorDownloaderMiddleware": 950,
}

ITEM_PIPELINES = {
    "newscrawl.pipelines.validate.ValidatePipeline": 100,
    "newscrawl.pipelines.dedupe.DedupePipeline": 300,
    "newscrawl.pipelines.store.StorePipeline": 800,
}

# Storage: any SQLAlchemy URL; SQLite needs nothing installed.
NEWSCRAWL_DATABASE_URL = os.environ.get("NEWSCRAWL_DATABASE_URL", "sqlite:///newscrawl.db")
NEWSCRAWL_STORE_BATCH_SIZE = int(os.environ.get("NEWSCRAWL_STORE_BATCH_SIZE", "50"))

FEED_EXPORT_ENCODING = "utf-8"
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
COMMANDS_MODULE = "newscrawl.commands"
