"""Exit codes of every newscrawl command, one meaning each (docs/OPERATIONS.md, "Exit codes")."""

EXIT_OK = 0
EXIT_SPIDER_FAILED = 1  # a spider crashed or finished with an error reason
EXIT_USAGE = 2  # bad argument, setting, database URL, credentials, missing database or directory: fix and rerun
EXIT_MONITOR_ALARM = 3  # the portal changed its markup (field coverage, fallbacks, not-article pages)
EXIT_TOO_MANY_ERRORS = 4  # more errors than NEWSCRAWL_MAX_ERRORS
EXIT_UNREACHABLE = 69  # sysexits EX_UNAVAILABLE: the portal could not be reached (DNS, refused, every request failed)
EXIT_NOT_STORED = 74  # sysexits EX_IOERR: items could not be stored anywhere (spool unwritable, rows rejected)
EXIT_SPOOLED = 75  # sysexits EX_TEMPFAIL: database temporarily down, items spooled; the next run stores them
