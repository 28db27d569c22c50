"""Database URLs: checked before use, and never shown with their password."""

from __future__ import annotations

import re

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError


# A run of text that may hold a URL: up to whitespace or a quote.
_TOKEN = re.compile(r"""[^\s'"]*@[^\s'"]*""")


def mask_passwords(text: str) -> str:
    """``scheme://user:secret@host`` becomes ``scheme://user:***@host`` wherever it appears in ``text``.

    Read on the raw text, not a parsed URL, so that a malformed one hides its password too:
    >>> mask_passwords("bad URL postgresql+psycopg//postgres:pw@host/x")
    'bad URL postgresql+psycopg//postgres:***@host/x'
    """
    return _TOKEN.sub(_mask_token, text) if "@" in text else text


def _mask_token(match: re.Match) -> str:
    """Everything between the user's ``:`` and the last ``@`` (a password may hold ``@`` or ``/`` unescaped)."""
    token = match.group(0)
    at = token.rfind("@")
    head = token[:at]
    slashes = head.find("//")
    colon = head.find(":", slashes + 2 if slashes >= 0 else 0)  # no //: from the first colon on (more, never less)
    if colon < 0 or colon + 1 == at:
        return token
    return f"{token[:colon + 1]}***{token[at:]}"


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
