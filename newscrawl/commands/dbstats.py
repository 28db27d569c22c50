"""`scrapy dbstats`: what is in the database — per portal, per day, duplicates, edits, field coverage, runs."""

from __future__ import annotations

import json
import sys
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from scrapy.commands import ScrapyCommand

from newscrawl import config, db
from newscrawl.archive import stats as archive_stats
from newscrawl.reader import (
    CommandError,
    article_filters,
    check_portals,
    open_database,
    parse_days,
    parse_portals,
    parse_since,
    spider_names,
    stored_columns,
)
from newscrawl.items import ARTICLE_FIELDS, LIST_FIELDS

DROP_PREFIX = "item_dropped_reasons_count/"


def _has_value(column: sa.Column):
    """SQL for "this field is filled": not NULL, not '' for text, not an empty list for JSON lists."""
    if column.name in LIST_FIELDS:
        # '[]' is how both engines spell an empty JSON/JSONB list as text.
        return sa.and_(column.is_not(None), sa.cast(column, sa.Text).not_in(["[]", "null", ""]))
    if isinstance(column.type, sa.String):
        return sa.and_(column.is_not(None), column != "")
    return column.is_not(None)


def _count_if(condition):
    return sa.func.sum(sa.case((condition, 1), else_=0))


def _iso(value) -> str | None:
    if isinstance(value, datetime):
        return value.replace(microsecond=0).isoformat()
    return value


def collect(engine: sa.Engine, portals=(), since: date | None = None, days: int = 14, runs: int = 5, settings=None) -> dict:
    """Everything the report shows, as plain JSON-ready data."""
    columns = {c.name: c for c in stored_columns(engine, db.articles)}
    where = article_filters(columns, list(portals), since)
    tables = set(sa.inspect(engine).get_table_names())
    report: dict = {"database": db.shown_url(engine.url), "engine": engine.dialect.name}
    with engine.connect() as connection:
        # -------------------------------------------------------------- per portal
        c = columns
        fields = [
            c["portal"],
            sa.func.count().label("articles"),
            sa.func.min(c["published_at"]).label("first_published"),
            sa.func.max(c["published_at"]).label("last_published"),
            sa.func.max(c["crawled_at"]).label("last_crawled"),
        ]
        if "version" in c:
            fields.append(_count_if(c["version"] > 1).label("edited"))
        if "near_duplicate_of" in c:
            fields.append(_count_if(c["near_duplicate_of"].is_not(None)).label("near_duplicates"))
        if "published_at_local" in c:
            fields.append(sa.func.min(c["published_at_local"]).label("first_local"))
            fields.append(sa.func.max(c["published_at_local"]).label("last_local"))
        per_portal = {}
        for row in connection.execute(sa.select(*fields).where(*where).group_by(c["portal"]).order_by(c["portal"])):
            m = row._mapping
            per_portal[m["portal"]] = {
                "articles": m["articles"],
                # The portal's own calendar when we have it: what "published on day X" means to a reader.
                "first_published": (m.get("first_local") or _iso(m["first_published"]) or "")[:10] or None,
                "last_published": (m.get("last_local") or _iso(m["last_published"]) or "")[:10] or None,
                "last_crawled": _iso(m["last_crawled"]),
                "edited": int(m.get("edited") or 0) if "version" in c else None,
                "near_duplicates": int(m.get("near_duplicates") or 0) if "near_duplicate_of" in c else None,
            }
        report["portals"] = per_portal
        report["articles"] = sum(x["articles"] for x in per_portal.values())

        # ------------------------------------------------------------------ per day
        per_day: dict[str, dict[str, int]] = {}
        last = max((x["last_published"] for x in per_portal.values() if x["last_published"]), default=None)
        if "published_at_local" in c and last:
            first = (date.fromisoformat(last) - timedelta(days=days - 1)).isoformat()
            day = sa.func.substr(c["published_at_local"], 1, 10).label("day")
            query = (
                sa.select(day, c["portal"], sa.func.count().label("n"))
                .where(*where, day >= first, day <= last)
                .group_by(day, c["portal"])
            )
            counts = defaultdict(dict)
            for row in connection.execute(query):
                counts[row.day][row.portal] = row.n
            current = date.fromisoformat(first)
            while current.isoformat() <= last:  # every day, so a gap shows as a 0
                per_day[current.isoformat()] = dict(counts.get(current.isoformat(), {}))
                current += timedelta(days=1)
        report["per_day"] = per_day

        # ------------------------------------------------------------ field coverage
        coverage = {}
        names = [n for n in ARTICLE_FIELDS if n in c and n not in ("url", "portal")]
        if names and per_portal:
            query = sa.select(
                c["portal"], *(_count_if(_has_value(c[n])).label(n) for n in names)
            ).where(*where).group_by(c["portal"])
            for row in connection.execute(query):
                m = row._mapping
                coverage[m["portal"]] = {n: int(m[n] or 0) for n in names}
        report["coverage"] = coverage

        # ------------------------------------------------------------ edits, runs
        if "article_versions" in tables:
            versions = db.article_versions
            query = sa.select(sa.func.count()).select_from(versions.join(db.articles, versions.c.article_id == db.articles.c.id))
            report["previous_versions"] = connection.execute(query.where(*where)).scalar_one()
        else:
            report["previous_versions"] = None
        report["runs"] = _runs(connection, engine, tables, portals, runs)
        report["archive"] = archive_stats.report(connection, columns, where, settings) if settings is not None else None
    return report


def _runs(connection, engine, tables, portals, recent: int) -> dict | None:
    """Drop reasons summed over every recorded run, and the last few runs."""
    if "crawl_runs" not in tables:
        return None
    present = {col.name: col for col in stored_columns(engine, db.crawl_runs)}
    wanted = [
        present[n] for n in ("id", "spider", "started_at", "finished_at", "finish_reason", "exit_code",
                             "items_scraped", "items_stored", "items_dropped", "requests_skipped", "stats")
        if n in present
    ]
    query = sa.select(*wanted).order_by(present["started_at"].desc(), present["id"].desc())
    if portals:
        query = query.where(present["spider"].in_(list(portals)))
    drops, last, total = Counter(), [], 0
    for row in connection.execute(query):
        m = dict(row._mapping)
        total += 1
        stats = m.pop("stats", None) or {}
        for key, value in stats.items() if isinstance(stats, dict) else ():
            if key.startswith(DROP_PREFIX) and isinstance(value, (int, float)):
                drops[key[len(DROP_PREFIX):]] += int(value)
        if len(last) < recent:
            last.append({k: _iso(v) for k, v in m.items() if k != "id"})
    return {"count": total, "dropped": dict(drops.most_common()), "recent": last}


# ------------------------------------------------------------------ text


def _table(header: list[str], rows: list[list]) -> list[str]:
    cells = [header] + [["" if v is None else str(v) for v in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    return [
        "  ".join(v.ljust(w) if i == 0 else v.rjust(w) for i, (v, w) in enumerate(zip(r, widths))).rstrip()
        for r in cells
    ]


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "-"


def render(report: dict) -> str:
    portals = report["portals"]
    total = report["articles"]
    out = [f"Database {report['database']} ({report['engine']})"]
    if not total:
        out.append("No articles stored (for this selection). Run a crawl, or check NEWSCRAWL_DATABASE_URL.")
        return "\n".join(out) + "\n"
    firsts = [p["first_published"] for p in portals.values() if p["first_published"]]
    lasts = [p["last_published"] for p in portals.values() if p["last_published"]]
    crawled = [p["last_crawled"] for p in portals.values() if p["last_crawled"]]
    last_crawled = max(crawled)[:16].replace("T", " ") + " UTC" if crawled else "?"
    out.append(
        f"{total} articles from {len(portals)} portal(s), published {min(firsts, default='?')} .. "
        f"{max(lasts, default='?')}, last crawled {last_crawled}"
    )

    out += ["", "Per portal"]
    out += _table(
        ["portal", "articles", "first published", "last published", "last crawled (UTC)", "edited", "near-dup"],
        [[name, p["articles"], p["first_published"], p["last_published"], (p["last_crawled"] or "")[:16],
          "-" if p["edited"] is None else p["edited"], "-" if p["near_duplicates"] is None else p["near_duplicates"]]
         for name, p in portals.items()],
    )

    if report["per_day"]:
        days = list(report["per_day"])
        out += ["", f"Per day (publication day on the portal's calendar, {days[0]} .. {days[-1]})"]
        out += _table(
            ["day", "total", *portals],
            [[day, sum(counts.values()), *(counts.get(name, 0) for name in portals)]
             for day, counts in reversed(report["per_day"].items())],
        )

    out += ["", "Duplicates"]
    near = [p["near_duplicates"] for p in portals.values() if p["near_duplicates"] is not None]
    out.append(
        f"  near duplicates stored (near_duplicate_of set): {sum(near)}" if near
        else "  near duplicates: not recorded by this database (no near_duplicate_of column)"
    )
    runs = report["runs"]
    if runs is None:
        out.append("  dropped by crawls: no crawl_runs table")
    else:
        reasons = ", ".join(f"{k} {v}" for k, v in runs["dropped"].items()) or "none"
        out.append(f"  dropped by crawls ({runs['count']} recorded runs): {reasons}")
    edited = [p["edited"] for p in portals.values() if p["edited"] is not None]
    if edited or report["previous_versions"] is not None:
        out.append(
            f"  edited after first stored (version > 1): {sum(edited)} articles, "
            f"{report['previous_versions'] or 0} previous versions kept"
        )

    if report["coverage"]:
        names = list(next(iter(report["coverage"].values())))
        out += ["", "Field coverage (share of articles with a value)"]
        rows = []
        for field in names:
            filled = sum(report["coverage"][p][field] for p in report["coverage"])
            rows.append([field, _percent(filled, total),
                         *(_percent(report["coverage"].get(p, {}).get(field, 0), portals[p]["articles"]) for p in portals)])
        out += _table(["field", "all", *portals], rows)

    out += archive_stats.render(report.get("archive"))

    if runs and runs["recent"]:
        out += ["", f"Last {len(runs['recent'])} runs"]
        keys = [k for k in ("spider", "started_at", "finish_reason", "exit_code", "items_scraped", "items_stored",
                            "items_dropped", "requests_skipped") if k in runs["recent"][0]]
        out += _table(
            [k.replace("items_", "").replace("_", " ") for k in keys],
            [[(str(run[k])[:16] if k == "started_at" and run[k] else run[k]) for k in keys] for run in runs["recent"]],
        )
    return "\n".join(out) + "\n"


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_ENABLED": False}

    def syntax(self):
        return "[--portal P] [--since YYYY-MM-DD] [--days N] [--json]"

    def short_desc(self):
        return "Summarize the article database: per portal and day, duplicates, field coverage, runs"

    def add_options(self, parser):
        super().add_options(parser)
        parser.add_argument("--portal", metavar="P", nargs="?", const="", help="only these portals (comma-separated)")
        parser.add_argument("--since", metavar="YYYY-MM-DD", nargs="?", const="", help="only articles published since")
        parser.add_argument("--days", metavar="N", default="14", help="days in the per-day table (default 14)")
        parser.add_argument("--json", action="store_true", help="print the numbers as JSON")

    def run(self, args, opts):
        config.configure(self.settings)  # no crawler process here: the environment is read by hand
        try:
            if args:
                raise CommandError(f"unexpected argument {args[0]}; see `scrapy dbstats -h`")
            portals, since = parse_portals(opts.portal), parse_since(opts.since)
            days = parse_days(opts.days)
            engine = open_database(self.settings)
            try:
                check_portals(engine, portals, spider_names(self.settings))
                report = collect(engine, portals, since, days, settings=self.settings)
            except sa.exc.DBAPIError as exc:
                raise CommandError(f"database error: {db.describe(exc)}", exitcode=db.exit_code_for(exc)) from None
            finally:
                engine.dispose()
        except CommandError as exc:
            print(f"scrapy dbstats: {exc}", file=sys.stderr)
            self.exitcode = exc.exitcode
            return
        sys.stdout.write(json.dumps(report, ensure_ascii=False, indent=2) + "\n" if opts.json else render(report))
