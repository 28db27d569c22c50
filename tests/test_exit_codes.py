"""Configuration errors stop at start in one line with exit 2 (nothing spooled, no password shown); a portal
no request reaches exits 69; spool files for another database are named at start."""

import os
import subprocess
import sys
import socket

import pytest
import sqlalchemy as sa

from newscrawl import db, spool
import storecrawl as sc

SECRET = "s3cr3t-pw"


def crawl(tmp_path, url, *args, env=None):
    command = [sys.executable, "-m", "scrapy", "crawl", "ofweek", "-a", "max_pages=1",
               "-s", f"NEWSCRAWL_DATABASE_URL={url}", "-s", f"NEWSCRAWL_SPOOL_DIR={tmp_path / 'spool'}",
               "-s", "ROBOTSTXT_OBEY=0", "-s", "DOWNLOAD_DELAY=0", "-s", "RETRY_TIMES=0", *args]
    return subprocess.run(command, cwd=sc.ROOT, capture_output=True, text=True, timeout=120, env=env)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def pg(user: str, database: str = "test", host: str = "127.0.0.1") -> str:
    return f"postgresql+psycopg://{user}:{SECRET}@{host}:5432/{database}"


@pytest.fixture(scope="module")
def postgres_up():
    engine = sa.create_engine(pg("postgres"), connect_args={"connect_timeout": 3})
    try:
        with engine.connect():
            pass
    except sa.exc.OperationalError:
        pytest.skip("PostgreSQL not reachable at 127.0.0.1:5432")
    finally:
        engine.dispose()


@pytest.mark.parametrize("url, says", [
    (f"postgresql+psycopg://u:{SECRET}@[::1/test", "is not a database URL"),
    (f"mysql://u:{SECRET}@127.0.0.1/x", "mysql is not supported"),
    ("sqlite:///{tmp}/no/such/dir/news.db", "does not exist; create it"),
    (pg("postgres", host="no-such-host.invalid"), "no-such-host.invalid"),
])
def test_a_configuration_error_is_one_line_and_exit_2(tmp_path, url, says):
    result = crawl(tmp_path, url.format(tmp=tmp_path))
    assert result.returncode == 2, result.stderr[-2000:]
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("scrapy crawl ofweek") and says in last, last
    assert "Traceback" not in result.stderr and SECRET not in result.stderr + result.stdout
    assert not (tmp_path / "spool").exists()


@pytest.mark.parametrize("user, database, says", [
    ("no_such_role", "test", 'role "no_such_role" does not exist'),
    ("postgres", "no_such_database", 'database "no_such_database" does not exist'),
])
def test_a_missing_postgresql_role_or_database_is_exit_2(tmp_path, postgres_up, user, database, says):
    result = crawl(tmp_path, pg(user, database))
    assert result.returncode == 2, result.stderr[-2000:]
    last = result.stderr.strip().splitlines()[-1]
    assert says in last and "fix NEWSCRAWL_DATABASE_URL" in last, last
    assert "Traceback" not in result.stderr and SECRET not in result.stderr + result.stdout
    assert not (tmp_path / "spool").exists()


def test_authentication_failure_is_classified_as_configuration_an_outage_is_not():
    # The test server trusts every local login, so the server's words are given here as psycopg reports them.
    def operational(message):
        return sa.exc.OperationalError("SELECT 1", {}, Exception(message))

    assert db.classify(operational('connection failed: FATAL:  password authentication failed for user "news"')) == "configuration"
    assert db.classify(operational("connection failed: FATAL:  no pg_hba.conf entry for host")) == "configuration"
    assert db.classify(operational("connection failed: Connection refused")) == "outage"
    assert db.classify(operational("canceling statement due to lock timeout")) == "outage"
    assert db.classify(db.DatabaseTimeout("no answer")) == "outage"
    assert db.exit_code_for(operational("FATAL:  password authentication failed")) == 2
    assert db.exit_code_for(operational("server closed the connection unexpectedly")) == 75


def test_passwords_are_masked_in_every_log_line(tmp_path):
    # Refused: an outage, so the crawl runs, spools and logs the URL in several places.
    url = f"postgresql+psycopg://postgres:{SECRET}@127.0.0.1:{free_port()}/test"
    mirror = tmp_path / "mirror"
    sc.write_mirror(mirror, 3)
    result = crawl(tmp_path, url, "-s", f"NEWSCRAWL_MIRROR={mirror}", "-s", "NEWSCRAWL_STORE_TIMEOUT=1",
                   "-s", "NEWSCRAWL_STORE_RETRIES=0", "-s", "LOG_LEVEL=DEBUG")
    assert result.returncode == 75, result.stderr[-2000:]
    assert SECRET not in result.stderr + result.stdout
    assert "postgres:***@127.0.0.1" in result.stderr
    assert db.mask_passwords(f"a {url} b") == f"a {url.replace(SECRET, '***')} b"


def test_the_log_record_factory_masks_a_password_whoever_logs_it(caplog):
    import logging

    from newscrawl import logmask

    logmask.install()
    with caplog.at_level(logging.INFO):
        logging.getLogger("some.library").info("connecting to %s", f"redis://:{SECRET}@10.0.0.5:6379/0")
    assert SECRET not in caplog.text and "redis://:***@10.0.0.5:6379/0" in caplog.text


def test_a_portal_no_request_reaches_exits_69_not_3(tmp_path):
    port = free_port()  # nothing listens: every request is refused by the "proxy"
    env = {**os.environ, "https_proxy": f"http://127.0.0.1:{port}", "http_proxy": f"http://127.0.0.1:{port}"}
    env.pop("NO_PROXY", None), env.pop("no_proxy", None)
    result = crawl(tmp_path, f"sqlite:///{tmp_path / 'news.db'}", "-s", "LOG_LEVEL=INFO", env=env)
    assert result.returncode == 69, result.stderr[-3000:]
    assert "UNREACHABLE ofweek: portal unreachable: none of" in result.stderr
    assert "ALARM" not in result.stderr
    [(code,)] = sc.sqlite_rows(tmp_path / "news.db", "SELECT exit_code FROM crawl_runs")
    assert code == 69


def test_spool_files_for_another_database_are_named_in_one_line_at_start(tmp_path):
    other = spool.SpoolWriter(tmp_path / "spool", "ofweek", spool.database_key("sqlite:///old-place.db"))
    other.write([{"url": f"https://ee.ofweek.com/a/{i}.html"} for i in range(7)], db.utcnow())
    other.close()
    mirror = tmp_path / "mirror"
    sc.write_mirror(mirror, 2)
    result = crawl(tmp_path, f"sqlite:///{tmp_path / 'news.db'}", "-s", f"NEWSCRAWL_MIRROR={mirror}")
    assert result.returncode == 0, result.stderr[-2000:]
    [line] = [line for line in result.stderr.splitlines() if "meant for another database" in line]
    assert "7 items in 1 spool file(s)" in line and f"scrapy loadspool {tmp_path / 'spool'} --all" in line
