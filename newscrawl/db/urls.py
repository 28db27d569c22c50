"""Database URLs: checked before use, and never shown with their password."""

from __future__ import annotations

import re

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError


_PASSWORD = re.compile(r"(?P<head>[a-zA-Z][a-zA-Z0-9+.\-]*://[^:/@\s]*:)(?P<password>[^@\s]*)@")


def mask_passwords(text: str) -> str:
    """``scheme://user:secret@host`` becomes ``scheme://user:***@host`` wherever it appears in ``text``."""
    return _PASSWORD.sub(lambda m: f"{m['head']}***@", text) if "@" in text else text


def check_database_url(url: str) -> str:
    """Return the URL or raise ValueError with a one-line hint (the password masked)."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        raise ValueError(
            f"NEWSCRAWL_DATABASE_URL={mask_passwords(url)!r} is not a database URL; "
            "use sqlite:///path/to/file.db or postgresql+psycopg://user@host/db"
        ) from None
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise ValueError(f"NEWSCRAWL_DATABASE_URL: {parsed.get_backend_name()} is not supported; use sqlite or postgresql")
    return url


def shown_url(url) -> str:
    """A database URL fit for logs and messages: the password masked."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return mask_passwords(str(url))
