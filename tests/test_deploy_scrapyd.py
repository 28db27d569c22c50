"""Scrapyd end to end: a real Scrapyd on 127.0.0.1, `scrapyd-deploy`, schedule.json, listjobs.json, the database."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import sqlalchemy as sa

from ofweek_site import LIST_URL, write_site

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def api(base: str, endpoint: str, data: list[tuple[str, str]] | None = None) -> dict:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    with urllib.request.urlopen(f"{base}{endpoint}", data=body, timeout=10) as response:
        return json.loads(response.read())


@pytest.fixture
def scrapyd(tmp_path):
    """A Scrapyd with its own config and directories in tmp_path; yields its base URL."""
    if not (BIN / "scrapyd").exists():
        pytest.fail("scrapyd is not installed: pip install -r requirements-dev.txt")
    home = tmp_path / "scrapyd"
    home.mkdir()
    port = free_port()
    (home / "scrapyd.conf").write_text(
        f"[scrapyd]\nbind_address = 127.0.0.1\nhttp_port = {port}\neggs_dir = {home / 'eggs'}\n"
        f"logs_dir = {home / 'logs'}\ndbs_dir = {home / 'dbs'}\nitems_dir =\npoll_interval = 0.5\nmax_proc = 2\n"
    )
    # HOME: no ~/.scrapyd.conf of the machine's user; no NEWSCRAWL_* of the caller reaches the jobs.
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSCRAWL_")} | {"HOME": str(home)}
    process = subprocess.Popen(
        [str(BIN / "scrapyd")], cwd=home, env=env, stdout=(home / "scrapyd.out").open("w"), stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if api(base, "daemonstatus.json")["status"] == "ok":
                    break
            except OSError:
                pass
            assert process.poll() is None, (home / "scrapyd.out").read_text()[-2000:]
            assert time.monotonic() < deadline, "Scrapyd did not answer within 30 s"
            time.sleep(0.2)
        yield base, home
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()


def test_deploy_schedule_and_find_articles_in_database(scrapyd, tmp_path):
    base, home = scrapyd
    # The committed scrapy.cfg target, plus one for this Scrapyd from the user-level config scrapy reads.
    xdg = tmp_path / "xdg"
    xdg.mkdir()
    (xdg / "scrapy.cfg").write_text(f"[deploy:test]\nurl = {base}\nproject = newscrawl\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSCRAWL_")} | {"XDG_CONFIG_HOME": str(xdg)}
    targets = subprocess.run([str(BIN / "scrapyd-client"), "targets"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert targets.returncode == 0, targets.stderr
    assert any(line.split() == ["default", "http://127.0.0.1:6800/"] for line in targets.stdout.splitlines())

    deploy = subprocess.run(
        [str(BIN / "scrapyd-deploy"), "test", "-v", "r1"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert deploy.returncode == 0, deploy.stdout + deploy.stderr
    answer = json.loads(deploy.stdout.strip().splitlines()[-1])
    # Scrapyd ran `scrapy list` inside the uploaded egg: the spiders import from it.
    assert answer["status"] == "ok" and answer["project"] == "newscrawl" and answer["spiders"] >= 1, answer

    mirror = tmp_path / "mirror"
    urls = write_site(mirror, 6)
    database = tmp_path / "news.db"
    job = api(base, "schedule.json", [
        ("project", "newscrawl"), ("spider", "ofweek"), ("start_urls", LIST_URL),
        ("setting", f"NEWSCRAWL_MIRROR={mirror}"), ("setting", f"NEWSCRAWL_DATABASE_URL=sqlite:///{database}"),
        ("setting", "ROBOTSTXT_OBEY=0"), ("setting", "DOWNLOAD_DELAY=0"), ("setting", "AUTOTHROTTLE_ENABLED=0"),
    ])
    assert job["status"] == "ok", job
    deadline = time.monotonic() + 90
    while True:
        jobs = api(base, "listjobs.json?project=newscrawl")
        finished = [j for j in jobs["finished"] if j["id"] == job["jobid"]]
        if finished:
            break
        assert time.monotonic() < deadline, f"job still not finished after 90 s: {jobs}"
        time.sleep(0.5)

    log = (home / "logs" / "newscrawl" / "ofweek" / f"{job['jobid']}.log").read_text()
    assert "'finish_reason': 'finished'" in log, log[-3000:]
    engine = sa.create_engine(f"sqlite:///{database}")
    with engine.connect() as connection:
        stored = connection.execute(sa.text("SELECT url, title, body_text FROM articles")).all()
    engine.dispose()
    assert sorted(row.url for row in stored) == sorted(urls)
    assert all(row.title and "第" in row.body_text for row in stored)
    # The job is in the run history the report and the monitor read, with its Scrapyd job id.
    with engine.connect() as connection:
        [run] = connection.execute(sa.text("SELECT finish_reason, exit_code, items_stored, stats FROM crawl_runs")).all()
    engine.dispose()
    assert (run.finish_reason, run.exit_code, run.items_stored) == ("finished", 0, 6)
    assert json.loads(run.stats)["newscrawl/scrapyd_job"] == job["jobid"]

    # A typo in an argument: the job log and crawl_runs both say what to fix.
    bad = api(base, "schedule.json", [
        ("project", "newscrawl"), ("spider", "ofweek"), ("full", "ture"),
        ("setting", f"NEWSCRAWL_DATABASE_URL=sqlite:///{database}"),
    ])
    deadline = time.monotonic() + 90
    while not [j for j in api(base, "listjobs.json?project=newscrawl")["finished"] if j["id"] == bad["jobid"]]:
        assert time.monotonic() < deadline, "the refused job did not finish within 90 s"
        time.sleep(0.5)
    line = "scrapy crawl ofweek: full must be 1/0, true/false, yes/no or on/off, got 'ture'"
    log = (home / "logs" / "newscrawl" / "ofweek" / f"{bad['jobid']}.log").read_text()
    assert f"ERROR: {line}" in log, log[-3000:]
    with engine.connect() as connection:
        refused = connection.execute(sa.text(
            "SELECT finish_reason, exit_code, stats FROM crawl_runs WHERE finish_reason != 'finished'")).all()
    engine.dispose()
    assert [(r.finish_reason, r.exit_code) for r in refused] == [("usage_error", 2)]
    assert line.split(": ", 1)[1] in json.loads(refused[0].stats)["newscrawl/usage_errors"]
