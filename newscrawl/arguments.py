"""Declared spider arguments (-a NAME=VALUE): name, kind, default and help, checked before a spider starts."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any, Callable
from zoneinfo import ZoneInfo

from scrapy.exceptions import UsageError

from newscrawl import processors as p
from newscrawl.kinds import BOOL_HELP, parse_bool

# Passed by the tools around a spider, not by people: Scrapyd's job id.
PASSED_BY_TOOLS = ("_job",)


class SpiderArgumentError(UsageError):
    """A spider argument that cannot work; the message says what to pass instead."""


def urls(name: str, value) -> list[str]:
    items = value if isinstance(value, (list, tuple)) else str(value).split(",")
    found = [u.strip() for u in items if u.strip()]
    for url in found:
        if not re.match(r"^https?://[^/\s]+", url):
            raise ValueError(f"{name} must be http(s) URLs separated by commas, got {url!r}")
    return found


def count(name: str, value) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        number = 0
    if number < 1:
        raise ValueError(f"{name} must be a whole number of at least 1, got {value!r}")
    return number


def flag(name: str, value) -> bool:
    try:
        return parse_bool(value)
    except ValueError:
        raise ValueError(f"{name} must be {BOOL_HELP}, got {value!r}") from None


def day(name: str, value):
    try:
        return p.parse_since(value)
    except ValueError:
        raise ValueError(f"{name} must be a date like 2024-01-31, got {value!r}") from None


def zone(name: str, value) -> str:
    try:
        ZoneInfo(str(value).strip())
    except (ValueError, KeyError, OSError):
        raise ValueError(f"{name} must be an IANA time zone such as Asia/Shanghai, got {value!r}") from None
    return str(value).strip()


def domains(name: str, value) -> list[str]:
    found = [d.strip().lower() for d in str(value).split(",") if d.strip()]
    for domain in found:
        if domain != "*" and not re.match(r"^[a-z0-9.-]+$|^\[?[0-9a-f:.]+\]?$", domain):
            raise ValueError(f"{name} must be domains like example.com separated by commas, or *, got {domain!r}")
    return found


def regex(name: str, value):
    try:
        return re.compile(value)
    except re.error as exc:
        raise ValueError(f"{name} is not a valid regular expression ({exc}): {value!r}") from None


@dataclass(frozen=True)
class Argument:
    """``parse(name, text)`` returns the value or raises ValueError with the whole message."""

    name: str
    parse: Callable[[str, Any], Any]
    default: Any = None
    help: str = ""
    metavar: str = "TEXT"

    def value(self, given):
        if given is None or (isinstance(given, str) and not given.strip()):
            return self.default
        try:
            return self.parse(self.name, given)
        except ValueError as exc:
            raise SpiderArgumentError(str(exc)) from None


def declared(spidercls) -> dict[str, Argument]:
    """Every argument the spider class and its bases declare (``arguments``), subclasses' last."""
    found: dict[str, Argument] = {}
    for klass in reversed(spidercls.__mro__):
        for name in vars(klass).get("not_arguments", ()):  # a base's argument this spider has no use for
            found.pop(name, None)
        for argument in vars(klass).get("arguments", ()):
            found[argument.name] = argument
    return found


def parse(spidercls, given: dict) -> dict:
    """The declared arguments' values; an unknown name or bad value raises SpiderArgumentError."""
    table = declared(spidercls)
    for name in given:
        if name not in table and name not in PASSED_BY_TOOLS:
            close = difflib.get_close_matches(name, list(table), n=1, cutoff=0.6)
            hint = f"did you mean {close[0]}? " if close else ""
            raise SpiderArgumentError(
                f"unknown argument {name!r}; {hint}{spidercls.name} takes {', '.join(table) or 'no arguments'} "
                f"(`scrapy args {spidercls.name}` explains them)"
            )
    return {name: argument.value(given.get(name)) for name, argument in table.items()}


def describe(spidercls) -> str:
    """The table `scrapy args NAME` and `scrapy crawl NAME -a help=1` print."""
    table = declared(spidercls)
    lines = [f"{spidercls.name}: -a NAME=VALUE arguments"]
    width = max((len(f"{a.name}={a.metavar}") for a in table.values()), default=0)
    for argument in table.values():
        default = getattr(spidercls, f"default_{argument.name}", argument.default)
        shown = "" if not default else f" (default {_show(default)})"
        lines.append(f"  {f'{argument.name}={argument.metavar}':<{width}}  {argument.help}{shown}")
    return "\n".join(lines)


def _show(value) -> str:
    return ",".join(map(str, value)) if isinstance(value, (list, tuple)) else str(value)
