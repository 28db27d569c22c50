"""CPU time of a benchmark's command and of every process it starts (the crawl's workers), read from /proc.

``run_measured(command, ...)`` returns wall seconds and a CPU split ``{name: seconds}``: the command's own
process as "main", its descendants by their process name (``newscrawl-read``, ``newscrawl-store``; the
multiprocessing forkserver as "python..."). The main process's CPU comes from ``wait4`` (exact); the
descendants' from /proc samples every ``interval`` seconds (a process's last fraction of a sample before it
exits is not seen: workers are idle by then). Linux only.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time

TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> tuple[int, str, float] | None:
    """(parent pid, name, CPU seconds) of a live process."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            raw = stat.read().decode("utf-8", "replace")
    except OSError:
        return None
    name = raw[raw.index("(") + 1 : raw.rindex(")")]
    fields = raw[raw.rindex(")") + 2 :].split()
    return int(fields[1]), name, (int(fields[11]) + int(fields[12])) / TICK


def _resample(seen: dict[int, tuple[str, float]]) -> None:
    """Processes already seen, read again (an orphan's parent is no longer the main process)."""
    for pid, (name, cpu) in list(seen.items()):
        got = _stat(pid)
        if got and got[1] == name:
            seen[pid] = (name, max(cpu, got[2]))


def _descendants(root: int, seen: dict[int, tuple[str, float]]) -> None:
    stats = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            got = _stat(int(entry))
            if got:
                stats[int(entry)] = got
    family, changed = {root}, True
    while changed:
        changed = False
        for pid, (parent, _, _) in stats.items():
            if parent in family and pid not in family:
                family.add(pid)
                changed = True
    for pid in family - {root}:
        _, name, cpu = stats[pid]
        seen[pid] = (name, max(cpu, seen.get(pid, ("", 0.0))[1]))


def run_measured(command: list[str], cwd, env: dict, interval: float = 0.1) -> tuple[int, float, dict[str, float], str]:
    """(exit code, wall seconds, CPU seconds by process name, stderr's tail) of ``command``."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    seen: dict[int, tuple[str, float]] = {}
    err = []
    reader = threading.Thread(target=lambda: err.append(process.stderr.read()), daemon=True)
    reader.start()
    while True:
        _descendants(process.pid, seen)
        # exited, not yet reaped: its /proc entry still holds its final CPU time
        if os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None:
            break
        time.sleep(interval)
    elapsed = time.perf_counter() - start
    main = _stat(process.pid)
    _resample(seen)
    process.wait()
    reader.join()
    split: dict[str, float] = {"main": main[2] if main else 0.0}
    for name, cpu in seen.values():
        split[name] = split.get(name, 0.0) + cpu
    return process.returncode, elapsed, split, (err[0] if err else b"").decode("utf-8", "replace")[-3000:]
