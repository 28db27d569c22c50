"""Passwords never reach a message: masked on the raw text, so malformed database URLs hide theirs too."""

import logging
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from newscrawl import logmask
from newscrawl.db import mask_passwords

ROOT = Path(__file__).resolve().parents[1]
SECRET = "pw-Zq81x"

password = st.text(st.characters(blacklist_categories=("Cs", "Zs", "Cc"), blacklist_characters="'\"\u2028\u2029\x85"),
                   min_size=4).filter(lambda p: p.strip() and "@" not in p[:1])
spelling = st.sampled_from([
    "postgresql+psycopg://user:{pw}@db.internal:5432/news",   # well formed
    "postgresql+psycopg//user:{pw}@db.internal/news",         # a missing colon
    "postgresql+psycopg:/user:{pw}@db.internal/news",         # a missing slash
    "postgresql+psycopg:user:{pw}@db.internal/news",          # no slashes at all
    "redis://:{pw}@10.0.0.5:6379/0",                          # no user
    "user:{pw}@db.internal",                                  # no scheme
])


@given(spelling, password, st.sampled_from(["{url}", "URL '{url}' is bad", "({url}), retry", "\"{url}\""]))
def test_a_password_is_masked_in_any_spelling_of_a_url(template, pw, context):
    url = template.format(pw=pw)
    shown = mask_passwords(context.format(url=url))
    assert pw not in shown.replace("***", "")
    assert "***@" in shown


def test_text_without_a_password_is_left_alone():
    for text in ("bob@example.com wrote", "https://medium.com/@user", "no at sign: here", "user@host:5432"):
        assert mask_passwords(text) == text


def test_a_log_line_with_a_malformed_url_is_masked(caplog):
    logmask.install()
    with caplog.at_level(logging.INFO):
        logging.getLogger("some.library").error("cannot parse %s", f"postgresql+psycopg//postgres:{SECRET}@host/x")
    assert SECRET not in caplog.text and "postgres:***@host/x" in caplog.text


@pytest.mark.parametrize("command", ["crawl ofweek", "crawlall", "dbstats", "export jsonl -", "migrate"])
def test_no_command_shows_the_password_of_a_malformed_database_url(command, tmp_path):
    url = f"postgresql+psycopg//postgres:{SECRET}@127.0.0.1/x"
    result = subprocess.run([sys.executable, "-m", "scrapy", *command.split(), "-s", f"NEWSCRAWL_DATABASE_URL={url}",
                             "-s", f"NEWSCRAWL_SPOOL_DIR={tmp_path / 'spool'}"],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2, result.stderr[-2000:]
    assert SECRET not in result.stdout + result.stderr
    assert "postgres:***@127.0.0.1/x" in result.stderr
