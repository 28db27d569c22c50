"""Make docs/report.png, the README's picture: `scrapy report` of a store with three weeks of runs, in headless Chromium.

The store: tests/report_history.py's runs of four portals (a drift, a database outage, an unreachable portal,
a killed run), then `scrapy crawlall` over samples/mirror (every portal spider, ok). Needs Debian's chromium.

    .venv/bin/python samples/make_report_demo.py [--keep DIR]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import report_history  # noqa: E402
from newscrawl import db, migrations  # noqa: E402


def scrapy(*args: str, url: str) -> None:
    subprocess.run([sys.executable, "-m", "scrapy", *args, "-s", f"NEWSCRAWL_DATABASE_URL={url}"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", help="write the store and report.html here instead of a temp dir")
    parser.add_argument("--out", default=str(ROOT / "docs" / "report.png"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(args.keep or tmp)
        home.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{home / 'demo.db'}"
        engine = db.create_engine(url)
        migrations.upgrade(engine)
        report_history.fill(engine, end_before=timedelta(hours=1))
        engine.dispose()
        scrapy("crawlall", "-s", f"NEWSCRAWL_MIRROR={ROOT / 'samples' / 'mirror'}", "-s", "DOWNLOAD_DELAY=0",
               "-s", "AUTOTHROTTLE_ENABLED=0", "-s", f"NEWSCRAWL_SPOOL_DIR={home / 'spool'}", "-s", "NEWSCRAWL_REPORT_PATH=", url=url)
        html = home / "report.html"
        scrapy("report", str(html), "--tz", "Asia/Shanghai", "--portal", "drifty,downdb,gone,ofweek", url=url)
        subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                        "--window-size=1100,1500", f"--screenshot={args.out}", html.as_uri()],
                       check=True, capture_output=True)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
