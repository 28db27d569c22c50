"""A scheduled run's summary: each spider's entry, the run's exit code, the table and the conditions line."""

from __future__ import annotations

from newscrawl import exitcodes
from newscrawl.db.rows import json_safe
from newscrawl.exitcodes import (
    EXIT_MONITOR_ALARM,
    EXIT_NOT_STORED,
    EXIT_OK,
    EXIT_OUTPUT_FAILED,
    EXIT_SPIDER_FAILED,
    EXIT_SPOOLED,
    EXIT_TOO_MANY_ERRORS,
    EXIT_UNREACHABLE,
    EXIT_USAGE,
)
from newscrawl.extensions.monitor import ALARMS_KEY, UNREACHABLE_KEY

# Which code a run (and a spider) exits with when several apply: newscrawl.exitcodes.SEVERITY.
SEVERITY = exitcodes.SEVERITY
STATUS = {
    EXIT_OK: "ok",
    EXIT_SPIDER_FAILED: "FAILED",
    EXIT_USAGE: "USAGE",
    EXIT_TOO_MANY_ERRORS: "ERRORS",
    EXIT_MONITOR_ALARM: "ALARM",
    EXIT_UNREACHABLE: "UNREACHABLE",
    EXIT_NOT_STORED: "NOT STORED",
    EXIT_OUTPUT_FAILED: "NOT WRITTEN",
    EXIT_SPOOLED: "SPOOLED",
}


def spider_summary(name: str, stats: dict, failure: str | None, max_errors: int) -> dict:
    """The report's entry for one spider; ``exit_code`` is what this spider alone would exit with."""
    reasons = {
        key.rsplit("/", 1)[1]: value
        for key, value in stats.items()
        if key.startswith("item_dropped_reasons_count/")
    }
    duplicate = sum(v for k, v in reasons.items() if k.startswith("Duplicate"))
    dropped = {k: v for k, v in reasons.items() if not k.startswith("Duplicate")}
    errors = int(stats.get("log_count/ERROR") or 0)
    alarms = list(stats.get(ALARMS_KEY) or [])
    finish_reason = stats.get("finish_reason")
    codes = {int(stats.get("newscrawl/exit_code") or 0)}
    if failure or finish_reason != "finished":
        codes.add(EXIT_SPIDER_FAILED)
    if alarms:
        codes.add(EXIT_MONITOR_ALARM)
    if errors > max_errors:
        codes.add(EXIT_TOO_MANY_ERRORS)
    code = most_urgent(codes)
    # errors above the threshold are named when nothing else explains them (an outage or a dead portal logs errors)
    conditions = [STATUS.get(c, f"exit {c}") for c in SEVERITY if c in codes and (c != EXIT_TOO_MANY_ERRORS or code == c)]
    # The store counts only what happened; with no store stat at all there was no store (or no item).
    stored = any(k.startswith("newscrawl/store/") for k in stats) or not stats.get("item_scraped_count")
    store = {
        k: int(stats.get(f"newscrawl/store/{k}") or 0) if stored else None
        for k in ("inserted", "updated", "unchanged", "written", "spooled", "rejected", "lost")
    }
    return {
        "spider": name,
        "status": STATUS.get(code, f"exit {code}"),
        "exit_code": code,
        "conditions": conditions,
        "failure": failure,
        "finish_reason": finish_reason,
        "duration_s": round(float(stats.get("elapsed_time_seconds") or 0.0), 3),
        "requests": int(stats.get("downloader/request_count") or 0),
        "pages": int(stats.get("response_received_count") or 0),
        "articles": {
            "scraped": int(stats.get("item_scraped_count") or 0),
            "known": int(stats.get("newscrawl/incremental/skipped") or 0),  # not downloaded again
            **store,
            "duplicate": duplicate,
            "dropped": dropped,
        },
        "errors": errors,
        "alarms": alarms,
        "unreachable": stats.get(UNREACHABLE_KEY),
        "rejects_file": stats.get("newscrawl/store/rejects_file"),
        "stats": json_safe(stats),
    }


def most_urgent(codes) -> int:
    return exitcodes.most_urgent(codes)


def overall_exit_code(entries: list[dict]) -> int:
    return most_urgent(e["exit_code"] for e in entries)


def conditions_line(entries: list[dict]) -> str:
    """Every condition of the run, most urgent first, with its spiders: ``ALARM gasgoo; SPOOLED 5 portals``."""
    found: dict[str, list[str]] = {}
    for entry in entries:
        for condition in entry.get("conditions") or ([entry["status"]] if entry["status"] != "ok" else []):
            found.setdefault(condition, []).append(entry["spider"])
    order = [STATUS[c] for c in SEVERITY if c in STATUS]
    parts = [f"{c} {','.join(n) if len(n) <= 3 else f'{len(n)} portals'}"
             for c, n in sorted(found.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order))]
    return "; ".join(parts) or "ok"


def summary_table(entries: list[dict]) -> str:
    header = ("spider", "status", "requests", "pages", "known", "articles", "new", "updated", "unchanged", "dup", "errors", "time", "dropped")
    rows = [header]
    for e in entries:
        a = e["articles"]
        rows.append((
            e["spider"], e["status"], str(e["requests"]), str(e["pages"]), str(a["known"]), str(a["scraped"]),
            *("-" if a[k] is None else str(a[k]) for k in ("inserted", "updated", "unchanged")),
            str(a["duplicate"]), str(e["errors"]), f"{e['duration_s']:.1f}s",
            ",".join(f"{k}={v}" for k, v in sorted(a["dropped"].items())) or "-",
        ))
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    left = {0, 1, len(header) - 1}
    lines = ["  ".join(c.ljust(w) if i in left else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))).rstrip() for r in rows]
    for e in entries:
        if e["failure"]:
            lines.append(f"FAILED {e['spider']}: {e['failure']}")
        elif e["finish_reason"] != "finished":
            resume = f"; the next run resumes from {e['jobdir']}" if e.get("jobdir") else ""
            lines.append(f"FAILED {e['spider']}: finished with reason {e['finish_reason']!r}{resume}")
        if e.get("unreachable"):
            lines.append(f"UNREACHABLE {e['spider']}: {e['unreachable']}")
        for alarm in e["alarms"]:
            lines.append(f"ALARM {e['spider']}: {alarm}")
        if e.get("rejects_file"):
            lines.append(f"NOT STORED {e['spider']}: {e['articles']['rejected']} items, see {e['rejects_file']}")
    foreign = max((int(e["stats"].get("newscrawl/store/spool_other_databases") or 0) for e in entries if e.get("stats")), default=0)
    if foreign:  # every store sees the same spool directory: said once
        lines.append(f"SPOOL: {foreign} items in the spool were meant for another database; "
                     "`scrapy loadspool --all` loads them into this one")
    return "\n".join(lines)
