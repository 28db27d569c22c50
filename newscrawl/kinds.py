"""What a setting may hold: each kind parses a raw value (text from -s or the environment) into a typed one."""

from __future__ import annotations

import ipaddress
import json
from dataclasses import dataclass
from datetime import date, datetime

# Scrapy's getbool takes 1/0 and true/false only, while the environment used to take off as well: both
# spellings now accept the four pairs, and each value is stored typed, so components keep Scrapy's getters.
TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("0", "false", "no", "off")
BOOL_HELP = "1/0, true/false, yes/no or on/off"
LOG_LEVELS = ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG")


@dataclass(frozen=True)
class Kind:
    """What a setting holds (int, float, bool, share, shares, date, datetime, networks, level, progress, str)."""

    name: str
    minimum: float | None = None

    def parse(self, value):
        """The typed value, or ValueError whose text says what is accepted."""
        kind = self.name
        if kind == "bool":
            return parse_bool(value)
        if kind in ("int", "float"):
            return self._number(value)
        if kind == "share":
            number = Kind("float").parse(value)
            if not 0 <= number <= 1:
                raise ValueError("a share between 0 and 1")
            return number
        if kind == "shares":
            return parse_shares(value)
        if kind == "datetime":
            if value in (None, ""):
                return ""
            try:
                datetime.fromisoformat(str(value).strip())
            except ValueError:
                raise ValueError("an ISO 8601 time like 2026-07-23T16:32:00+08:00") from None
            return str(value).strip()
        if kind == "date":
            try:
                date.fromisoformat(str(value).strip())
            except ValueError:
                raise ValueError("a date like 1990-01-01") from None
            return str(value).strip()
        if kind == "networks":
            names = [n.strip() for n in (value if isinstance(value, (list, tuple)) else str(value).split(",")) if n.strip()]
            try:
                for name in names:
                    if name != "*":
                        ipaddress.ip_network(name, strict=False)
            except ValueError:
                raise ValueError("networks like 127.0.0.1/32,10.0.0.0/8 separated by commas, or *") from None
            return ",".join(names)
        if kind == "level":
            level = str(value).strip().upper()
            if level not in LOG_LEVELS and not level.isdigit():  # logging's numbers (20) are levels too
                raise ValueError(f"one of {', '.join(LOG_LEVELS)}")
            return int(level) if level.isdigit() else level
        if kind == "progress":
            word = str(value).strip().lower()
            if word != "auto" and word not in TRUE_WORDS + FALSE_WORDS:
                raise ValueError("auto, on or off")
            return word
        return value  # text: taken as given (lists stay lists for getlist)

    def _number(self, value):
        integer = self.name == "int"
        what = "a whole number" if integer else "a number"
        if self.minimum is not None:
            what += f" of at least {self.minimum:g}"
        if isinstance(value, bool):
            raise ValueError(what)
        try:
            if integer:
                number = value if isinstance(value, int) else int(str(value).strip())
            else:
                number = float(value) if isinstance(value, (int, float)) else float(str(value).strip())
        except (TypeError, ValueError):
            raise ValueError(what) from None
        if number != number or number in (float("inf"), float("-inf")):
            raise ValueError(what)
        if self.minimum is not None and number < self.minimum:
            raise ValueError(what)
        return number


def parse_bool(value) -> bool:
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower() if value is not None else ""
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(BOOL_HELP)


def parse_shares(value) -> dict[str, float]:
    what = 'a JSON object of field names and shares between 0 and 1, e.g. {"title": 0.9}'
    if isinstance(value, str):
        try:
            value = json.loads(value) if value.strip() else {}
        except ValueError:
            raise ValueError(what) from None
    if not isinstance(value, dict):
        raise ValueError(what)
    try:
        shares = {str(k): float(v) for k, v in value.items()}
    except (TypeError, ValueError):
        raise ValueError(what) from None
    if not all(0 <= v <= 1 for v in shares.values()):
        raise ValueError(what)
    return shares
