"""What the HTML run report shows, read from the store and crawl_runs as plain data (no markup here)."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone, tzinfo

import sqlalchemy as sa

from newscrawl import db, exitcodes
from newscrawl.extensions.monitor import ALARMS_KEY, UNREACHABLE_KEY, Thresholds, shares
from newscrawl.extensions.runs import SCRAPYD_JOB_KEY

# Fields drawn besides those the monitor has a fixed threshold for.
EXTRA_COVERAGE_FIELDS = ("author", "source")
CLUSTERS_SHOWN = 20
STATUS_PREFIX = "downloader/response_status_count/"
STATUS_AT = len(STATUS_PREFIX)


@dataclass
class Run:
    """One crawl_runs row, with what the charts need taken from its stats."""

    id: int
    spider: str
    started_at: datetime
    finished_at: datetime | None
    finish_reason: str | None
    exit_code: int | None
    items_scraped: int = 0
    items_stored: int = 0
    items_dropped: int = 0
    items_spooled: int = 0
    requests_skipped: int = 0
    errors: int = 0
    http_failures: int = 0  # answers with status 400 or above
    download_errors: int = 0  # requests that got no answer (DNS, refused, timeouts)
    list_pages: int = 0
    coverage: dict[str, float] = field(default_factory=dict)
    fallback: dict[str, float] = field(default_factory=dict)
    alarms: list[str] = field(default_factory=list)
    unreachable: str | None = None
    usage_errors: list[str] = field(default_factory=list)
    scrapyd_job: str | None = None

    def __post_init__(self):
        self.outcome = exitcodes.outcome(self.exit_code)

    @property
    def advice(self) -> str:
        return exitcodes.ADVICE.get(self.exit_code, "read the log") if self.exit_code is not None else (
            "no end recorded: the run is still going, or was killed (the next plain run fetches what it left)")

    @property
    def why(self) -> list[str]:
        """The lines that say what went wrong, as the crawl said them."""
        lines = [*self.usage_errors, *([self.unreachable] if self.unreachable else []), *self.alarms]
        if self.finish_reason not in (None, "finished", "usage_error"):
            lines.insert(0, f"finished with reason {self.finish_reason!r}")
        if self.items_spooled:
            lines.append(f"{self.items_spooled} items spooled: the database did not take them")
        return lines

    @classmethod
    def from_row(cls, m, coverage_fields=(), fallback_fields=()) -> Run:
        """The row's run, with the coverage and fallback shares of these fields (the monitor's formula)."""
        stats = m["stats"] if isinstance(m["stats"], dict) else {}
        statuses = {k[STATUS_AT:]: v for k, v in stats.items() if k.startswith(STATUS_PREFIX)}
        return cls(
            id=m["id"], spider=m["spider"], started_at=m["started_at"], finished_at=m["finished_at"],
            finish_reason=m["finish_reason"], exit_code=m["exit_code"],
            items_scraped=int(m["items_scraped"] or 0), items_stored=int(m["items_stored"] or 0),
            items_dropped=int(m["items_dropped"] or 0), items_spooled=int(m["items_spooled"] or 0),
            requests_skipped=int(m["requests_skipped"] or 0), errors=int(m["errors"] or 0),
            http_failures=sum(int(v or 0) for k, v in statuses.items() if k.isdigit() and int(k) >= 400),
            download_errors=int(stats.get("downloader/exception_count") or 0),
            list_pages=int(stats.get("newscrawl/list_pages") or 0),
            coverage=shares(stats, "coverage", coverage_fields), fallback=shares(stats, "fallback", fallback_fields),
            alarms=[str(a) for a in stats.get(ALARMS_KEY) or []],
            unreachable=stats.get(UNREACHABLE_KEY) or None,
            usage_errors=[str(a) for a in stats.get("newscrawl/usage_errors") or []],
            scrapyd_job=stats.get(SCRAPYD_JOB_KEY) or None,
        )


@dataclass
class Cluster:
    """An article and the near-duplicates stored after it (near_duplicate_of = its URL)."""

    url: str
    portal: str | None  # None: the first copy is no longer stored
    title: str | None
    copies: list[tuple[str, str, str]]  # (portal, url, title)

    @property
    def portals(self) -> list[str]:
        return sorted({p for p, _, _ in self.copies} | ({self.portal} if self.portal else set()))


@dataclass
class Report:
    database: str
    generated_at: datetime
    start: datetime  # the window, UTC
    days: list[date]  # local days of the window, oldest first
    tz: tzinfo
    portals: list[str]
    last_runs: dict[str, Run]  # each portal's latest run, whenever it was
    runs: dict[str, list[Run]]  # runs started in the window, oldest first
    stored_per_day: dict[str, list[int]]  # articles first stored per local day, aligned with ``days``
    stored_total: dict[str, int]  # every article stored of the portal
    clusters: list[Cluster]
    syndication: Counter  # (portal first, portal after) -> near-duplicate articles
    cluster_count: int
    thresholds: Thresholds

    @property
    def coverage_fields(self) -> list[str]:
        return coverage_fields(self.thresholds)

    @property
    def fallback_fields(self) -> list[str]:
        return fallback_fields(self.thresholds)

    def attention(self) -> list[Run]:
        """Each portal's last run, the most urgent first (README's order of exit codes), then by name."""
        order = {code: i for i, code in enumerate(exitcodes.SEVERITY)}

        def rank(run: Run):
            if run.exit_code is None:
                return (-1, run.spider)
            return (order.get(run.exit_code, len(order)) if run.exit_code else len(order) + 1, run.spider)

        return sorted(self.last_runs.values(), key=rank)


def coverage_fields(thresholds: Thresholds) -> list[str]:
    """The fields whose coverage is drawn: those with a fixed minimum, then author and source."""
    wanted = list(thresholds.min_coverage)
    return wanted + [f for f in EXTRA_COVERAGE_FIELDS if f not in wanted]


def fallback_fields(thresholds: Thresholds) -> list[str]:
    return list(thresholds.max_fallback) or ["body_html"]


def collect(engine: sa.Engine, days: int, portals=(), tz: tzinfo = timezone.utc, thresholds: Thresholds | None = None,
            now: datetime | None = None) -> Report:
    """Everything the report shows for the ``days`` local days up to ``now`` (default: now), optionally some portals."""
    now = now or datetime.now(timezone.utc)
    today = now.astimezone(tz).date()
    local_days = [today - timedelta(days=days - 1 - i) for i in range(days)]
    start = datetime.combine(local_days[0], datetime.min.time(), tz).astimezone(timezone.utc)
    wanted = list(portals)
    tables = set(sa.inspect(engine).get_table_names())
    thresholds = thresholds or Thresholds()
    fields = (coverage_fields(thresholds), fallback_fields(thresholds))
    with engine.connect() as connection:
        last_runs, runs = ({}, {}) if "crawl_runs" not in tables else (
            _last_runs(connection, wanted, fields), _runs(connection, start, wanted, fields))
        per_day, totals = _stored(connection, start, local_days, tz, wanted)
        clusters, syndication, count = _clusters(connection, start, wanted)
    names = sorted(set(last_runs) | set(runs) | {p for p, counts in per_day.items() if any(counts)})
    if wanted:
        names = [n for n in names if n in wanted] or list(wanted)
    return Report(
        database=db.shown_url(engine.url), generated_at=now, start=start, days=local_days, tz=tz,
        portals=names, last_runs={n: last_runs[n] for n in names if n in last_runs},
        runs={n: runs.get(n, []) for n in names},
        stored_per_day={n: per_day.get(n, [0] * len(local_days)) for n in names},
        stored_total={n: totals.get(n, 0) for n in names},
        clusters=clusters, syndication=syndication, cluster_count=count,
        thresholds=thresholds,
    )


RUN_COLUMNS = ("id", "spider", "started_at", "finished_at", "finish_reason", "exit_code", "items_scraped",
               "items_stored", "items_dropped", "items_spooled", "requests_skipped", "errors", "stats")


def _run_query(portals):
    table = db.crawl_runs
    query = sa.select(*(table.c[name] for name in RUN_COLUMNS))
    return query.where(table.c.spider.in_(portals)) if portals else query


def _last_runs(connection, portals, fields) -> dict[str, Run]:
    table = db.crawl_runs
    # By start time, not id: a row loaded from the spool after the database came back is newer by id only.
    latest = sa.select(table.c.spider, sa.func.max(table.c.started_at).label("started")).group_by(table.c.spider).subquery()
    query = _run_query(portals).join(latest, sa.and_(table.c.spider == latest.c.spider, table.c.started_at == latest.c.started))
    found = {}
    for row in connection.execute(query.order_by(table.c.id)):
        found[row.spider] = Run.from_row(row._mapping, *fields)
    return found


def _runs(connection, start: datetime, portals, fields) -> dict[str, list[Run]]:
    table = db.crawl_runs
    found = defaultdict(list)
    query = _run_query(portals).where(table.c.started_at >= start).order_by(table.c.started_at, table.c.id)
    for row in connection.execute(query):
        found[row.spider].append(Run.from_row(row._mapping, *fields))
    return dict(found)


def _stored(connection, start: datetime, days: list[date], tz: tzinfo, portals):
    """Articles first stored per local day and portal, and every portal's total."""
    a = db.articles
    where = [a.c.portal.in_(portals)] if portals else []
    index = {day: i for i, day in enumerate(days)}
    per_day: dict[str, list[int]] = defaultdict(lambda: [0] * len(days))
    # Counted per UTC hour by the database (a few thousand rows for any store), then shifted to local days.
    hour = _utc_hour(connection, a.c.first_seen_at)
    query = sa.select(a.c.portal, hour, sa.func.count()).where(a.c.first_seen_at >= start, *where).group_by(a.c.portal, hour)
    for portal, text, count in connection.execute(query):
        moment = datetime.fromisoformat(f"{str(text)[:13]}:00+00:00")
        slot = index.get(moment.astimezone(tz).date())
        if slot is not None:
            per_day[portal][slot] += count
    totals = dict(connection.execute(sa.select(a.c.portal, sa.func.count()).where(*where).group_by(a.c.portal)).all())
    return dict(per_day), totals


def _utc_hour(connection, column):
    """``YYYY-MM-DD HH`` of a UTC time column on either engine (SQLite stores naive UTC text)."""
    if connection.dialect.name == "postgresql":
        return sa.func.to_char(sa.func.timezone("UTC", column), "YYYY-MM-DD HH24").label("hour")
    return sa.func.substr(column, 1, 13).label("hour")  # stored as text 'YYYY-MM-DD HH:MM:SS.ffffff


def _clusters(connection, start: datetime, portals) -> tuple[list[Cluster], Counter, int]:
    """Near-duplicate clusters with a member stored in the window, the largest first; who copies whom."""
    a = db.articles
    if "near_duplicate_of" not in {c["name"] for c in sa.inspect(connection).get_columns("articles")}:
        return [], Counter(), 0
    copies = defaultdict(list)
    query = (sa.select(a.c.near_duplicate_of, a.c.portal, a.c.url, a.c.title)
             .where(a.c.near_duplicate_of.is_not(None), a.c.first_seen_at >= start).order_by(a.c.id))
    for first, portal, url, title in connection.execute(query):
        copies[first].append((portal, url, title))
    originals = {}
    keys = list(copies)
    for i in range(0, len(keys), 500):
        chunk = keys[i:i + 500]
        for url, portal, title in connection.execute(sa.select(a.c.url, a.c.portal, a.c.title).where(a.c.url.in_(chunk))):
            originals[url] = (portal, title)
    clusters = [Cluster(url, *originals.get(url, (None, None)), copies=members) for url, members in copies.items()]
    if portals:
        clusters = [c for c in clusters if set(c.portals) & set(portals)]
    syndication = Counter()
    for cluster in clusters:
        for portal, _, _ in cluster.copies:
            syndication[(cluster.portal or "?", portal)] += 1
    clusters.sort(key=lambda c: (-len(c.copies), -len(c.portals), c.url))
    return clusters[:CLUSTERS_SHOWN], syndication, len(clusters)
