"""The one place that reads and checks settings: `-s NAME=value` and the environment take the same spellings."""

from __future__ import annotations

import json
import logging
import os
import sys
from dataclasses import dataclass, fields

from scrapy.settings import SETTINGS_PRIORITIES, BaseSettings

from newscrawl.exitcodes import EXIT_USAGE
from newscrawl.kinds import BOOL_HELP, FALSE_WORDS, LOG_LEVELS, TRUE_WORDS, Kind, parse_bool, parse_shares  # noqa: F401

logger = logging.getLogger(__name__)

# Scrapy's own knobs that people set by hand: a typo here stops the run instead of a traceback mid-start.
SCRAPY_KINDS = {
    "DOWNLOAD_DELAY": ("float", 0), "DOWNLOAD_TIMEOUT": ("float", 0.001), "RANDOMIZE_DOWNLOAD_DELAY": ("bool", None),
    "CONCURRENT_REQUESTS": ("int", 1), "CONCURRENT_REQUESTS_PER_DOMAIN": ("int", 1),
    "CONCURRENT_ITEMS": ("int", 1), "RETRY_TIMES": ("int", 0), "RETRY_ENABLED": ("bool", None),
    "AUTOTHROTTLE_ENABLED": ("bool", None), "AUTOTHROTTLE_START_DELAY": ("float", 0),
    "AUTOTHROTTLE_MAX_DELAY": ("float", 0), "AUTOTHROTTLE_TARGET_CONCURRENCY": ("float", 0.001),
    "AUTOTHROTTLE_DEBUG": ("bool", None), "ROBOTSTXT_OBEY": ("bool", None), "COOKIES_ENABLED": ("bool", None),
    "HTTPCACHE_ENABLED": ("bool", None), "TELNETCONSOLE_ENABLED": ("bool", None), "DEPTH_LIMIT": ("int", 0),
    "CLOSESPIDER_ITEMCOUNT": ("int", 0), "CLOSESPIDER_PAGECOUNT": ("int", 0), "CLOSESPIDER_ERRORCOUNT": ("int", 0),
    "CLOSESPIDER_TIMEOUT": ("float", 0), "DOWNLOAD_MAXSIZE": ("int", 0), "DOWNLOAD_WARNSIZE": ("int", 0),
    "LOG_LEVEL": ("level", None),
}
# Kinds the defaults in settings.py cannot show, and lower bounds.
NEWSCRAWL_KINDS = {
    "NEWSCRAWL_NOW": ("datetime", None),
    "NEWSCRAWL_STORE_BATCH_SIZE": ("int", 1), "NEWSCRAWL_STORE_FLUSH_INTERVAL": ("float", 0.001),
    "NEWSCRAWL_STORE_RETRIES": ("int", 0), "NEWSCRAWL_STORE_RETRY_DELAY": ("float", 0),
    "NEWSCRAWL_STORE_TIMEOUT": ("float", 0.001), "NEWSCRAWL_MIRROR_LATENCY": ("float", 0),
    "NEWSCRAWL_MAX_ERRORS": ("int", 0), "NEWSCRAWL_PROGRESS": ("progress", None),
    "NEWSCRAWL_PROGRESS_INTERVAL": ("float", 0), "NEWSCRAWL_MONITOR_MIN_SAMPLE": ("int", 1),
    "NEWSCRAWL_MONITOR_MIN_COVERAGE": ("shares", None), "NEWSCRAWL_MONITOR_MAX_FALLBACK": ("shares", None),
    "NEWSCRAWL_MONITOR_MAX_NOT_ARTICLE": ("share", None), "NEWSCRAWL_MONITOR_MIN_ITEMS": ("int", 0),
    "NEWSCRAWL_MONITOR_HISTORY": ("int", 0), "NEWSCRAWL_MONITOR_COVERAGE_DROP": ("share", None),
    "NEWSCRAWL_MONITOR_FALLBACK_RISE": ("share", None), "NEWSCRAWL_MONITOR_COUNT_RATIO": ("share", None),
    "NEWSCRAWL_REDIS_IDLE_TIMEOUT": ("float", 0.001), "NEWSCRAWL_REDIS_HEARTBEAT": ("float", 0.001),
    "NEWSCRAWL_MONITOR_MAX_FAILED": ("share", None), "NEWSCRAWL_RETRY_AFTER_MAX": ("float", 0),
    "NEWSCRAWL_MAX_BODY_CHARS": ("int", 0), "NEWSCRAWL_EXTRACT_PROCESSES": ("int", 0),
    "NEWSCRAWL_WORKERS_MIN_PAGES": ("int", 0), "NEWSCRAWL_DATE_EARLIEST": ("date", None),
    "NEWSCRAWL_DATE_MAX_AHEAD_DAYS": ("float", 0), "NEWSCRAWL_ALLOWED_NETWORKS": ("networks", None),
    "NEWSCRAWL_ARCHIVE_ROTATE_MB": ("float", 0.001),
}
# Environment variables that are not settings of the same name.
ENVIRONMENT_ALIASES = {
    "NEWSCRAWL_LOG_LEVEL": "LOG_LEVEL", "NEWSCRAWL_DOWNLOAD_MAXSIZE": "DOWNLOAD_MAXSIZE",
    "NEWSCRAWL_DOWNLOAD_WARNSIZE": "DOWNLOAD_WARNSIZE",
}
NOT_SETTINGS = ("NEWSCRAWL_TEST_", "NEWSCRAWL_REQUIRE_SERVICES")  # the test suite's own variables


class ConfigError(ValueError):
    """One or more settings that cannot work; ``lines`` holds one line per mistake."""

    def __init__(self, lines: list[str]):
        super().__init__("\n".join(lines))
        self.lines = lines


def project_defaults() -> dict:
    """The NEWSCRAWL_* defaults of newscrawl/settings.py: their type is the setting's kind."""
    from newscrawl import settings as module

    return {name: getattr(module, name) for name in dir(module) if name.startswith("NEWSCRAWL_")}


def kinds() -> dict[str, Kind]:
    """Every checked setting and its kind; a NEWSCRAWL_* setting not listed takes the type of its default."""
    found = {name: Kind(*spec) for name, spec in SCRAPY_KINDS.items()}
    for name, default in project_defaults().items():
        if isinstance(default, bool):
            found[name] = Kind("bool")
        elif isinstance(default, (int, float)):
            found[name] = Kind("int" if isinstance(default, int) else "float", 0)
        elif isinstance(default, dict):
            found[name] = Kind("shares")
        else:
            found[name] = Kind("str")
    found.update({name: Kind(*spec) for name, spec in NEWSCRAWL_KINDS.items()})
    return found


def environment_settings(environ=None) -> dict[str, str]:
    """The environment's NEWSCRAWL_* variables as settings (NEWSCRAWL_LOG_LEVEL is LOG_LEVEL)."""
    environ = os.environ if environ is None else environ
    return {
        ENVIRONMENT_ALIASES.get(name, name): value for name, value in environ.items()
        if name.startswith("NEWSCRAWL_") and not name.startswith(NOT_SETTINGS)
    }


def ignored_environment(environ=None) -> list[str]:
    """A line for each environment variable named like a Scrapy setting: Scrapy reads none (only -s, settings.py)."""
    environ = os.environ if environ is None else environ
    return [_ignored_line(name) for name in sorted(SCRAPY_KINDS) if name in environ]


def _ignored_line(name: str) -> str:
    alias = next((a for a, target in ENVIRONMENT_ALIASES.items() if target == name), None)
    instead = f"-s {name}=… or {alias} in the environment" if alias else f"-s {name}=…"
    return f"warning: {name} in the environment is not read: Scrapy's own settings come from {instead}"


def apply_environment(settings: BaseSettings, environ=None) -> None:
    """Environment variables override settings.py; `-s` (and a spider's custom_settings) override them."""
    project = SETTINGS_PRIORITIES["project"]
    for name, value in environment_settings(environ).items():
        if (settings.getpriority(name) or 0) <= project:
            settings.set(name, value, priority="project")


def problems(settings: BaseSettings, environ=None) -> list[str]:
    """One line per setting that cannot work, saying what it accepts; also unknown NEWSCRAWL_* names."""
    table = kinds()
    lines = []
    for name, kind in table.items():
        if name not in settings:
            continue
        value = settings.get(name)
        if value is None or (value == "" and kind.name not in ("int", "float", "bool", "share")):
            continue
        try:
            kind.parse(value)
        except ValueError as exc:
            lines.append(f"{name}={_show(value)}: must be {exc}")
    known = set(table) | set(ENVIRONMENT_ALIASES)
    environment = environment_settings(environ)
    for name in sorted({n for n in settings.attributes if n.startswith("NEWSCRAWL_")} | set(environment)):
        if name not in known and not name.startswith(NOT_SETTINGS):
            lines.append(f"{name}: no such setting{_did_you_mean(name, known)}")
    return lines


def normalise(settings: BaseSettings) -> None:
    """Replace each checked value that parses by its typed value (`on` becomes True), at its own priority."""
    for name, kind in kinds().items():
        if name not in settings or settings.get(name) is None:
            continue
        try:
            value = kind.parse(settings.get(name))
        except ValueError:
            continue
        settings.set(name, value, priority=settings.getpriority(name) or 0)


def configure(settings: BaseSettings, environ=None) -> None:
    """The environment into the settings, and every value that parses typed: what each command starts with."""
    apply_environment(settings, environ)
    normalise(settings)


def check(settings: BaseSettings, environ=None) -> None:
    lines = problems(settings, environ)
    if lines:
        raise ConfigError(lines)
    if not settings.frozen:
        normalise(settings)


def report(lines: list[str], prefix: str = "") -> None:
    """Each line on stderr, and in the log when it goes to a file (Scrapyd's job log)."""
    for line in lines:
        if _logs_to_file():
            logger.error("%s%s", prefix, line)
        print(f"{prefix}{line}", file=sys.stderr)


def stop(lines: list[str], prefix: str = "") -> None:
    report(lines, prefix)
    raise SystemExit(EXIT_USAGE)


class Config:
    """Add-on (first in ADDONS): environment into the settings before any crawler, checked per crawler."""

    @classmethod
    def update_pre_crawler_settings(cls, settings):
        configure(settings)
        for line in ignored_environment():
            print(line, file=sys.stderr)

    def update_settings(self, settings):
        try:
            check(settings)
        except ConfigError as exc:
            stop(exc.lines)
        unload_disabled(settings)


# Scrapy components that only raise NotConfigured when their setting is off, but whose modules cost a run
# the imports (remote control: aiohttp; cookies: tldextract, requests, urllib3; telnet: twisted.conch),
# about 0.15 s of a one-page cron run. Scrapy imports every class named in a component dict, even one set to
# None, so a disabled one is taken out of the ``_BASE`` dict; turned on with -s, it loads as usual.
LOADED_ONLY_WHEN_ENABLED = {
    "COOKIES_ENABLED": ("DOWNLOADER_MIDDLEWARES", "scrapy.downloadermiddlewares.cookies.CookiesMiddleware"),
    "TELNETCONSOLE_ENABLED": ("EXTENSIONS", "scrapy.extensions.telnet.TelnetConsole"),
    "REMOTE_CONTROL_ENABLED": ("EXTENSIONS", "scrapy.extensions.remote_control.RemoteControl"),
}


def unload_disabled(settings) -> None:
    for flag, (name, path) in LOADED_ONLY_WHEN_ENABLED.items():
        base = settings.getdict(f"{name}_BASE")
        if settings.getbool(flag, True) or path not in base or path in settings.getdict(name):
            continue  # on, or already gone, or placed in the dict by the user: left as it is
        del base[path]
        settings.set(f"{name}_BASE", base, settings.getpriority(f"{name}_BASE") or 0)


def _logs_to_file() -> bool:
    return any(isinstance(h, logging.FileHandler) for h in logging.getLogger().handlers)


def _show(value) -> str:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, (dict, list)) else repr(value) if value == "" else str(value)


def _did_you_mean(name: str, known) -> str:
    import difflib

    close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.75)
    return f" (did you mean {close[0]}?)" if close else ""


class StartError(Exception):
    """A component cannot start as configured (a database that refuses the login, a JOBDIR in use): its one
    line says what to fix; `scrapy crawl` and `crawlall` show it and exit 2."""


@dataclass(frozen=True)
class Options:
    """Every NEWSCRAWL_* setting, checked and typed, read once per crawler: ``options(settings)``.

    A field is its setting's name without the prefix, in lower case (``store_batch_size`` is
    NEWSCRAWL_STORE_BATCH_SIZE); the defaults live in newscrawl/settings.py only.
    """

    database_url: str
    db_auto_migrate: bool
    db_statement_timeout: float
    db_lock_timeout: float
    db_keepalive: float
    store_batch_size: int
    store_flush_interval: float
    store_retries: int
    store_retry_delay: float
    store_timeout: float
    store_process: bool
    spool_dir: str
    incremental: bool
    gone_days: float
    record_runs: bool
    mirror: str
    mirror_latency: float
    now: str
    extract_processes: int
    workers_min_pages: int
    allowed_networks: tuple[str, ...]
    allowed_schemes: tuple[str, ...]
    retry_after_max: float
    max_body_chars: int
    max_page_tags: int
    max_page_bytes: int
    date_earliest: str
    date_max_ahead_days: float
    redis_url: str
    redis_key_prefix: str
    redis_idle_timeout: float
    redis_heartbeat: float
    redis_recovery: bool
    report_path: str
    metrics_path: str
    max_errors: int
    progress: str
    progress_interval: float
    monitor_enabled: bool
    monitor_min_sample: int
    monitor_min_coverage: dict
    monitor_max_fallback: dict
    monitor_max_not_article: float
    monitor_max_failed: float
    monitor_min_items: int
    monitor_history: int
    monitor_coverage_drop: float
    monitor_fallback_rise: float
    monitor_count_ratio: float

    @classmethod
    def from_settings(cls, settings) -> Options:
        """Typed values of ``settings``; a setting it does not hold (a bare test crawler) takes settings.py's default.

        Values were checked at start (``problems``); one that still does not parse raises ConfigError.
        """
        defaults, table, values, lines = project_defaults(), kinds(), {}, []
        for field in fields(cls):
            name = f"NEWSCRAWL_{field.name.upper()}"
            value = settings.get(name) if name in settings and settings.get(name) is not None else defaults[name]
            try:
                value = table[name].parse(value)
            except ValueError as exc:
                lines.append(f"{name}={_show(value)}: must be {exc}")
                continue
            if field.type.startswith("tuple"):
                value = tuple(v.strip() for v in (value if isinstance(value, (list, tuple)) else str(value).split(",")) if v.strip())
            values[field.name] = value
        if lines:
            raise ConfigError(lines)
        return cls(**values)


def options(settings) -> Options:
    """The settings' Options, built once: a frozen Settings object keeps them."""
    cached = getattr(settings, "_newscrawl_options", None)
    if cached is not None:
        return cached
    made = Options.from_settings(settings)
    if getattr(settings, "frozen", False):
        settings._newscrawl_options = made
    return made


def lenient(settings, *names: str) -> tuple:
    """The named Options fields where the settings may hold mistakes (a run refused at start): a value that
    does not parse is taken as given if it is text, else as settings.py's default."""
    defaults, table, found = project_defaults(), kinds(), []
    for name in names:
        setting = f"NEWSCRAWL_{name.upper()}"
        value = settings.get(setting, defaults[setting])
        try:
            found.append(table[setting].parse(value))
        except ValueError:
            found.append(value if isinstance(defaults[setting], str) else defaults[setting])
    return tuple(found)


def for_command(settings, command: str) -> Options:
    """A command's Options; a setting that cannot work stops it with one line per mistake, exit status 2."""
    try:
        return options(settings)
    except ConfigError as exc:
        stop(exc.lines, f"scrapy {command}: ")
