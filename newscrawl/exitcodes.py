"""Exit codes of every newscrawl command, one meaning each (docs/OPERATIONS.md, "Exit codes")."""

EXIT_OK = 0
EXIT_SPIDER_FAILED = 1  # a spider crashed or finished with an error reason
EXIT_USAGE = 2  # bad argument, setting, database URL, credentials, missing database or directory: fix and rerun
EXIT_MONITOR_ALARM = 3  # the portal changed its markup (field coverage, fallbacks, not-article pages)
EXIT_TOO_MANY_ERRORS = 4  # more errors than NEWSCRAWL_MAX_ERRORS
EXIT_UNREACHABLE = 69  # sysexits EX_UNAVAILABLE: the portal could not be reached (DNS, refused, every request failed)
EXIT_OUTPUT_FAILED = 73  # sysexits EX_CANTCREAT: an output (feed, report) failed while written; the store has it all
EXIT_NOT_STORED = 74  # sysexits EX_IOERR: items could not be stored anywhere (spool unwritable, rows rejected)
EXIT_SPOOLED = 75  # sysexits EX_TEMPFAIL: database temporarily down, items spooled; the next run stores them

# When several codes apply (one spider's several problems, or several spiders): the most urgent wins.
# A configuration error stops everything; lost items outrank a crash; an unreachable portal is not an alarm;
# a database outage logs errors too, but 75 says what happened.
SEVERITY = (EXIT_USAGE, EXIT_NOT_STORED, EXIT_OUTPUT_FAILED, EXIT_SPIDER_FAILED, EXIT_UNREACHABLE, EXIT_MONITOR_ALARM, EXIT_SPOOLED,
            EXIT_TOO_MANY_ERRORS)
EXIT_CODE_KEY = "newscrawl/exit_code"
# What each code means, in the words a run's last line uses (README, "Exit codes").
MEANING = {
    EXIT_OK: "ok",
    EXIT_SPIDER_FAILED: "the spider failed or was stopped before it finished; rerun, nothing is lost",
    EXIT_USAGE: "usage or configuration error",
    EXIT_MONITOR_ALARM: "monitor alarm: the portal probably changed its markup",
    EXIT_TOO_MANY_ERRORS: "more errors than NEWSCRAWL_MAX_ERRORS",
    EXIT_UNREACHABLE: "portal unreachable: check network, DNS, proxy, the site",
    EXIT_OUTPUT_FAILED: "an output failed while written; the database has every article",
    EXIT_NOT_STORED: "items could not be stored anywhere: see the rejects file",
    EXIT_SPOOLED: "database down: items spooled, the next run stores them",
}


def most_urgent(codes) -> int:
    codes = {int(c) for c in codes if c} - {EXIT_OK}
    for code in SEVERITY:
        if code in codes:
            return code
    return min(codes) if codes else EXIT_OK


def record(stats, code: int) -> None:
    """Raise the run's ``newscrawl/exit_code`` stat to ``code`` unless a more urgent one is set."""
    stats.set_value(EXIT_CODE_KEY, most_urgent({stats.get_value(EXIT_CODE_KEY) or 0, code}))

# A run's outcome in one word (the report's colours, the metrics' `outcome` label), and what to do about it
# (README's exit-code table).
OUTCOMES = {
    EXIT_OK: "ok", EXIT_SPIDER_FAILED: "failed", EXIT_USAGE: "usage", EXIT_MONITOR_ALARM: "alarm",
    EXIT_TOO_MANY_ERRORS: "errors", EXIT_UNREACHABLE: "unreachable", EXIT_NOT_STORED: "not_stored",
    EXIT_SPOOLED: "spooled", EXIT_OUTPUT_FAILED: "output_failed",
}
ADVICE = {
    EXIT_OK: "nothing",
    EXIT_SPIDER_FAILED: "read the log; rerun, nothing is lost",
    EXIT_USAGE: "fix what the line says (argument, setting, database URL); retrying unchanged cannot help",
    EXIT_MONITOR_ALARM: "the portal probably changed its markup: fix the spider's selectors",
    EXIT_TOO_MANY_ERRORS: "read the log",
    EXIT_UNREACHABLE: "check the network, DNS and proxy, then whether the site is up",
    EXIT_NOT_STORED: "read the reasons in spool/rejects/, fix, load by hand",
    EXIT_SPOOLED: "bring the database back; the next run loads the spool",
    EXIT_OUTPUT_FAILED: "free the space; the database has every article (`scrapy export jsonl`)",
}


def outcome(code: int | None) -> str:
    """One word for an exit code; a run without one (killed, or still running) is ``unfinished``."""
    return "unfinished" if code is None else OUTCOMES.get(int(code), f"exit_{int(code)}")


def run_exit_code(stats: dict, reason: str | None) -> int:
    """What `scrapy crawl` exits with for a spider that closed with these stats (a cut-short run is 1)."""
    return most_urgent({int(stats.get(EXIT_CODE_KEY) or 0), EXIT_SPIDER_FAILED if reason != "finished" else 0})
