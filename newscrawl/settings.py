"""Polite defaults as plain values; newscrawl/config.py adds the environment and checks every value at start."""

from newscrawl import logmask
from newscrawl.extensions import console

logmask.install()
console.quiet_startup()  # Scrapy's and Alembic's start-up lists at DEBUG: a hand-run crawl's start fits a screen

BOT_NAME = "newscrawl"
SPIDER_MODULES = ["newscrawl.spiders"]
NEWSPIDER_MODULE = "newscrawl.spiders"

USER_AGENT = "Mozilla/5.0 (compatible; newscrawl/0.1; +https://github.com/newscrawl/newscrawl)"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
# Items of one response processed side by side. Scrapy starts this many tasks for every response (100 by
# default), and ours yield one article, or a list page's requests: 16 took a 2,000-article crawl from
# 17.6 s to 15.0 s (docs/BENCHMARKS.md, bench_crawl.py).
CONCURRENT_ITEMS = 16
DOWNLOAD_DELAY = 1.0
DOWNLOAD_TIMEOUT = 30
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
RETRY_TIMES = 2
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False  # like the telnet console: it would run code sent to a local port
LOG_LEVEL = "INFO"  # NEWSCRAWL_LOG_LEVEL in the environment sets it too

# Offline mirror: serve every request from a wget -m style tree (see README).
NEWSCRAWL_MIRROR = ""
NEWSCRAWL_MIRROR_LATENCY = 0.0
# Archive (docs/OPERATIONS.md, "Archive and re-extraction"): list and article pages as gzip WARC files in this
# directory (off when empty), a new file every ROTATE_MB; files older than DAYS, then the oldest beyond MAX_MB,
# are removed when a crawl starts (0: no limit).
NEWSCRAWL_ARCHIVE_DIR = ""
NEWSCRAWL_ARCHIVE_ROTATE_MB = 100.0
NEWSCRAWL_ARCHIVE_DAYS = 0.0
NEWSCRAWL_ARCHIVE_MAX_MB = 0.0
# Pin the crawl time relative dates resolve against (replays, tests): an ISO 8601 time; empty = now.
NEWSCRAWL_NOW = ""

DOWNLOADER_MIDDLEWARES = {
    # Hostile pages (docs/OPERATIONS.md): Retry-After, redirects counted, meta refresh only from <head>,
    # mis-declared charsets decoded again, no request to an internal address (checked after the mirror).
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "newscrawl.middlewares.retryafter.RetryAfterMiddleware": 550,
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "newscrawl.middlewares.metarefresh.HeadMetaRefreshMiddleware": 580,
    "newscrawl.middlewares.pagecut.PageCutMiddleware": 587,  # after decompression (590), before the charset guess (585)
    "newscrawl.middlewares.controlchars.ControlCharactersMiddleware": 584,
    "newscrawl.middlewares.charset.RedecodeMiddleware": 585,
    "newscrawl.middlewares.redirects.RedirectOutcomeMiddleware": 605,
    "newscrawl.mirror.MirrorDownloaderMiddleware": 950,
    # pages as received (before decompression and charset fixes) into NEWSCRAWL_ARCHIVE_DIR
    "newscrawl.archive.middleware.ArchiveMiddleware": 900,
    "newscrawl.middlewares.ssrf.SafeAddressMiddleware": 960,
    # last to see a response: article pages are read in worker processes (NEWSCRAWL_EXTRACT_PROCESSES)
    "newscrawl.middlewares.extractworker.ExtractWorkerMiddleware": 10,
}
# Worker processes that read article pages (newscrawl/middlewares/extractworker.py); 0: the crawl's own process.
NEWSCRAWL_EXTRACT_PROCESSES = 1
# The read and store workers start once a run has this many article pages seen or waiting (scheduled,
# downloading): below it the crawl's own process does the work, a worker's start would cost more than it
# saves (docs/OPERATIONS.md, "Processes of a crawl"); 0: at the first page.
NEWSCRAWL_WORKERS_MIN_PAGES = 400
# Networks that may be fetched although internal (comma-separated CIDRs, or *): a local test server, an intranet.
NEWSCRAWL_ALLOWED_NETWORKS = ""
NEWSCRAWL_ALLOWED_SCHEMES = "http,https"
NEWSCRAWL_RETRY_AFTER_MAX = 120.0
# News pages are well under 1 MB; Scrapy's 1 GB default let a 300 MB gzip body through. Also bounds decompression.
DOWNLOAD_MAXSIZE = 8 * 1024 * 1024  # NEWSCRAWL_DOWNLOAD_MAXSIZE in the environment sets it too
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024  # and NEWSCRAWL_DOWNLOAD_WARNSIZE this
NEWSCRAWL_MAX_BODY_CHARS = 300000
# Tags and bytes read per page (news pages have under 7,000 tags, 700 KB): a page is cut before more (0: no limit).
NEWSCRAWL_MAX_PAGE_TAGS = 20000
NEWSCRAWL_MAX_PAGE_BYTES = 2 * 1024 * 1024
# The sane range of published dates: outside it a date is treated as missing (counted newscrawl/date_unparsed).
NEWSCRAWL_DATE_EARLIEST = "1990-01-01"
NEWSCRAWL_DATE_MAX_AHEAD_DAYS = 1.0

ITEM_PIPELINES = {
    "newscrawl.pipelines.validate.ValidatePipeline": 100,
    "newscrawl.pipelines.dedupe.DedupePipeline": 300,
    "newscrawl.pipelines.store.StorePipeline": 800,
}

# Storage: any SQLAlchemy URL; SQLite needs nothing installed.
NEWSCRAWL_DATABASE_URL = "sqlite:///newscrawl.db"
NEWSCRAWL_STORE_BATCH_SIZE = 50
# Store details (docs/SCHEMA.md): a batch is written when full or when nothing else can join it (at the
# latest after FLUSH_INTERVAL s); a failing batch is retried RETRIES times (RETRY_DELAY s, doubling), then
# spooled to SPOOL_DIR (exit code 75).
NEWSCRAWL_STORE_FLUSH_INTERVAL = 10.0
NEWSCRAWL_STORE_RETRIES = 3
NEWSCRAWL_STORE_RETRY_DELAY = 1.0
NEWSCRAWL_STORE_TIMEOUT = 5.0
# Batches are written by a worker process (its own core on a multi-core machine); 0: on threads of the crawl.
NEWSCRAWL_STORE_PROCESS = True
# Time limits of every database call (seconds): PostgreSQL statement_timeout and lock_timeout, TCP
# keepalives / tcp_user_timeout; a call that exceeds connect + statement + lock + 5 s counts as an outage.
NEWSCRAWL_DB_STATEMENT_TIMEOUT = 30.0
NEWSCRAWL_DB_LOCK_TIMEOUT = 10.0
NEWSCRAWL_DB_KEEPALIVE = 10.0
NEWSCRAWL_SPOOL_DIR = "spool"
NEWSCRAWL_DB_AUTO_MIGRATE = True
# Incremental crawling: skip stored articles, stop listings at a page with nothing new (-a full=1: off).
NEWSCRAWL_INCREMENTAL = True
# Article URLs that answered 404/410 are not requested again for this many days.
NEWSCRAWL_GONE_DAYS = 30.0
SPIDER_MIDDLEWARES = {
    "newscrawl.middlewares.callbackerrors.CallbackErrorMiddleware": 10,
    "newscrawl.incremental.IncrementalMiddleware": 950,
    "newscrawl.archive.middleware.ArchiveSourceMiddleware": 900,  # an article's archived page onto it
}
NEWSCRAWL_RECORD_RUNS = True

# Distributed crawling (docs/OPERATIONS.md): set NEWSCRAWL_REDIS_URL and start any number of workers.
NEWSCRAWL_REDIS_URL = ""
NEWSCRAWL_REDIS_KEY_PREFIX = "newscrawl"
NEWSCRAWL_REDIS_IDLE_TIMEOUT = 30.0
NEWSCRAWL_REDIS_HEARTBEAT = 30.0
NEWSCRAWL_REDIS_RECOVERY = True
# config first: the environment and the checks come before any add-on reads a setting.
ADDONS = {"newscrawl.config.Config": -100, "newscrawl.addons.DistributedCrawl": 0}

FEED_EXPORT_ENCODING = "utf-8"
# -o/-O files: a failed write is an error and exit code 73; a feed an incremental rerun left empty says so.
FEED_STORAGES = {"": "newscrawl.exporters.CheckedFileFeedStorage", "file": "newscrawl.exporters.CheckedFileFeedStorage"}
FEED_EXPORTERS = {
    "jsonlines": "newscrawl.exporters.SafeJsonLinesItemExporter",
    "jsonl": "newscrawl.exporters.SafeJsonLinesItemExporter",
}
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
COMMANDS_MODULE = "newscrawl.commands"
# `scrapy check`: the portal spiders' contracts (newscrawl/contracts.py, from each spider's contract_urls) against samples/mirror.
SPIDER_CONTRACTS = {"scrapy.contracts.default.ScrapesContract": None, "newscrawl.contracts.ScrapesContract": 6}

# Operations (docs/OPERATIONS.md): the run monitor and progress lines. Monitor before the run recorder,
# so that its alarms and exit code are in the stats the recorder stores.
EXTENSIONS = {
    "newscrawl.extensions.monitor.MonitorExtension": 100,
    "newscrawl.extensions.progress.Progress": 110,
    "newscrawl.extensions.runs.CrawlRunRecorder": 900,
    "newscrawl.extensions.jobdir.JobdirGuard": 10,
    "newscrawl.extensions.metrics.MetricsWriter": 950,
    "newscrawl.extensions.loglevel.LogLevelGate": 0,
    # the collector leaves the start-up objects alone and runs less often (newscrawl/gctuning.py)
    "newscrawl.gctuning.GcTuning": 0,
    # a console log without tracebacks (but at DEBUG) and with the operator's warnings at every level
    "newscrawl.extensions.console.ConsoleLog": 0,
}
# Prometheus text file of every run (node_exporter's textfile collector, e.g. /var/lib/node_exporter/newscrawl.prom);
# empty = off. docs/OPERATIONS.md, "Metrics".
NEWSCRAWL_METRICS_PATH = ""
NEWSCRAWL_REPORT_PATH = "reports/crawlall-%Y%m%dT%H%M%SZ.json"
NEWSCRAWL_MAX_ERRORS = 0
NEWSCRAWL_PROGRESS = "auto"
NEWSCRAWL_PROGRESS_INTERVAL = 10.0
NEWSCRAWL_MONITOR_ENABLED = True
NEWSCRAWL_MONITOR_MIN_SAMPLE = 10
NEWSCRAWL_MONITOR_MIN_COVERAGE = {"title": 0.95, "published_at": 0.9, "body_text": 0.9}
NEWSCRAWL_MONITOR_MAX_FALLBACK = {"title": 0.5, "published_at": 0.5, "body_html": 0.5}
NEWSCRAWL_MONITOR_MAX_NOT_ARTICLE = 0.5
NEWSCRAWL_MONITOR_MAX_FAILED = 0.2
NEWSCRAWL_MONITOR_MIN_ITEMS = 0
NEWSCRAWL_MONITOR_HISTORY = 5
NEWSCRAWL_MONITOR_COVERAGE_DROP = 0.3
NEWSCRAWL_MONITOR_FALLBACK_RISE = 0.3
NEWSCRAWL_MONITOR_COUNT_RATIO = 0.2
