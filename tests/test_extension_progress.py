"""Progress lines: on a terminal every N seconds, never in cron or pipes unless asked for."""

import io
import os
import pty
import re
import subprocess
import sys
from pathlib import Path

from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from newscrawl import config

from newscrawl.extensions.progress import Progress, duration, wanted
from newscrawl.spiders.ofweek import OfweekSpider

ROOT = Path(__file__).resolve().parents[1]


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_auto_means_only_on_a_terminal():
    assert wanted("auto", Terminal()) is True
    assert wanted("auto", io.StringIO()) is False
    assert wanted("on", io.StringIO()) is True
    assert wanted("0", Terminal()) is False
    # a word it does not know stops the run at start, with the setting's one line (newscrawl/config.py)
    assert config.problems(Settings({"NEWSCRAWL_PROGRESS": "sometimes"})) == ["NEWSCRAWL_PROGRESS=sometimes: must be auto, on or off"]


def test_line_shows_counts_rates_and_queue_at_a_glance():
    crawler = get_crawler(OfweekSpider)
    stream = Terminal()
    progress = Progress(crawler, 10.0, stream)
    progress.started = progress.last_time = 100.0
    crawler.stats.set_stats({
        "response_received_count": 1234, "item_scraped_count": 880, "item_dropped_count": 12,
        "log_count/ERROR": 1, "scheduler/enqueued": 1300, "scheduler/dequeued": 1243,
    })
    assert progress.line("ofweek", 230.0) == (
        "ofweek  0:02:10  pages 1,234 (9.5/s)  articles 880 (6.8/s)  dropped 12  errors 1  queued 57"
    )
    crawler.stats.inc_value("response_received_count", 100)
    assert "pages 1,334 (10.0/s)" in progress.line("ofweek", 240.0)  # rate over the last interval
    assert progress.line("ofweek", 240.0, final="finished").endswith("done (finished)")
    assert duration(3725) == "1:02:05"


def test_terminal_run_prints_progress_lines(tmp_path):
    controller, terminal = pty.openpty()
    command = [
        sys.executable, "-m", "scrapy", "crawl", "ofweek",
        "-s", f"NEWSCRAWL_MIRROR={ROOT / 'samples' / 'mirror'}", "-s", f"NEWSCRAWL_DATABASE_URL=sqlite:///{tmp_path / 'n.db'}",
        "-s", "NEWSCRAWL_PROGRESS_INTERVAL=0.05", "-s", "LOG_LEVEL=WARNING",
    ]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=terminal)
    os.close(terminal)
    output = b""
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # the terminal closes when the crawl ends
            break
        if not chunk:
            break
        output += chunk
    process.wait(timeout=120)
    os.close(controller)
    text = output.decode("utf-8", "replace")
    lines = [line for line in text.splitlines() if line.startswith("ofweek  ")]
    assert lines, text[-2000:]
    assert any(re.fullmatch(r"ofweek  0:00:\d\d  pages \d+ \(\d+\.\d/s\)  articles \d+ \(\d+\.\d/s\)  dropped 0  errors 0  queued \d+", line.strip()) for line in lines[:-1])
    assert re.fullmatch(r"ofweek  0:00:\d\d  pages \d+ \(\d+\.\d/s\)  articles 12 \(\d+\.\d/s\)  dropped 0  errors 0  done \(finished\)", lines[-1].strip())
