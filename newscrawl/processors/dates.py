"""Date cleaners: Chinese, relative and RFC formats in the portal's time zone, ISO 8601 out."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from newscrawl.processors.text import _WS, bounded, strip_control

DEFAULT_TZ = "Asia/Shanghai"
# The sane range of a published date (NEWSCRAWL_DATE_EARLIEST / NEWSCRAWL_DATE_MAX_AHEAD_DAYS): outside, None.
EARLIEST = date(1990, 1, 1)
MAX_AHEAD = timedelta(days=1)
_MAX_DATEPARSER_CHARS = 80  # a date is short; dateparser's cost on a long text is not linear
# A date is read from the start of its text: a longer text is cut to this first (docs/OPERATIONS.md, "Bounded work
# per page").
MAX_DATE_CHARS = 1000

_RELATIVE_UNITS = {
    "秒": timedelta(seconds=1),
    "分钟": timedelta(minutes=1),
    "分": timedelta(minutes=1),
    "小时": timedelta(hours=1),
    "天": timedelta(days=1),
    "日": timedelta(days=1),
    "周": timedelta(weeks=1),
    "星期": timedelta(weeks=1),
}
_FULL_DATE = re.compile(
    r"(?P<y>\d{4})\s?[-/.年]\s?(?P<m>\d{1,2})\s?[-/.月]\s?(?P<d>\d{1,2})\s?日?"
    r"(?:[\sT]{0,3}(?P<H>\d{1,2})\s?[:：时]\s?(?P<M>\d{1,2})(?:\s?[:：分]\s?(?P<S>\d{1,2}))?)?"
)
_NO_YEAR = re.compile(
    r"^(?P<m>\d{1,2})\s*[-/月]\s*(?P<d>\d{1,2})\s*日?(?:\s+(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?)?$"
)
_RELATIVE = re.compile(r"^(?P<n>\d+|半|一|两|几)\s*(?P<unit>秒|分钟|分|小时|个小时|天|日|周|星期|个月|月|年)\s*前$")
_DAY_WORD = re.compile(r"^(?P<word>今天|昨天|前天|today|yesterday)\s*(?:(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?)?$", re.I)


# A date (and time) somewhere in a line of page text, for findall/search; parse_date cleans the match.
# Whitespace runs are bounded ({0,3}): unbounded \s* after a run of digits is quadratic on hostile text.
DATE_IN_TEXT_RE = re.compile(
    r"\d{4}\s{0,3}[-/年]\s{0,3}\d{1,2}\s{0,3}[-/月]\s{0,3}\d{1,2}\s{0,3}日?(?:\s{1,3}\d{1,2}:\d{2}(?::\d{2})?)?"
)


# A date is looked for in the first MAX_DATE_SCAN_CHARS characters of a text (an info line, the lines under a
# headline: a few hundred characters on a news page); docs/OPERATIONS.md, "Bounded work per page".
MAX_DATE_SCAN_CHARS = 10_000


def date_in_text(text: str | None) -> str | None:
    """The first date (and time) written in the first MAX_DATE_SCAN_CHARS characters of ``text``, as written.

    >>> date_in_text("发布时间：2022年8月10日，来源：OFweek"), date_in_text("无日期")
    ('2022年8月10日', None)
    """
    match = DATE_IN_TEXT_RE.search(bounded(text or "", MAX_DATE_SCAN_CHARS))
    return match.group(0) if match else None


@lru_cache(maxsize=32)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def parse_date(
    value,
    tz: str = DEFAULT_TZ,
    now: datetime | None = None,
    earliest: date | None = None,
    max_ahead: timedelta | None = None,
) -> datetime | None:
    """Parse a published date into an aware datetime in ``tz``; None when unparseable or out of range.

    Naive values are taken as local time of ``tz`` (the portal's zone). Relative values
    ('3小时前', '昨天 10:20', '刚刚') resolve against ``now``. Never raises: a date before
    ``earliest`` (1990-01-01) or after ``now + max_ahead`` (1 day), an impossible time or offset
    is None; the offset of the result is whole minutes (else the result is in UTC).

    >>> parse_date("2022-08-10 14:20").isoformat()
    '2022-08-10T14:20:00+08:00'
    >>> parse_date("Wed, 10 Aug 2022 06:20:00 GMT").isoformat()
    '2022-08-10T14:20:00+08:00'
    >>> parse_date("今天 25:00") is None, parse_date("2022-08-10 14:20 +99:00") is None
    (True, True)
    """
    try:
        zone = _zone(tz)
        now = (now or datetime.now(timezone.utc)).astimezone(zone)
        result = _parse(value, tz, zone, now)
        if result is None:
            return None
        result = result.astimezone(zone)
        if result.utcoffset() % timedelta(minutes=1):  # local mean time of old dates: +08:05:43
            result = result.astimezone(timezone.utc)
        if result.date() < (earliest or EARLIEST) or result > now + (MAX_AHEAD if max_ahead is None else max_ahead):
            return None
        return result
    except Exception:
        return None  # hostile values (year 9999 -05:00, 99999999天前, hour 25): no date rather than a crash


def _parse(value, tz: str, zone: ZoneInfo, now: datetime) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=zone)
    text = unicodedata.normalize("NFKC", strip_control(bounded(value, MAX_DATE_CHARS)))
    text = _WS.sub(" ", text).strip()
    text = re.sub(r"^(?:发布(?:时间|于)?|时间|日期|更新(?:时间)?|published)\s*[:：]?\s*", "", text, flags=re.I)
    if not text:
        return None
    result = _fast_parse(text, zone, now)
    if result is None and len(text) <= _MAX_DATEPARSER_CHARS:
        result = _dateparser_parse(text, tz, now)
    return result


def _fast_parse(text: str, zone: ZoneInfo, now: datetime) -> datetime | None:
    if text in ("刚刚", "刚才", "just now"):
        return now.replace(microsecond=0)
    match = _RELATIVE.match(text)
    if match:
        raw = match.group("n")
        amount = {"半": 0.5, "一": 1, "两": 2, "几": 3}.get(raw) or int(raw)
        unit = match.group("unit").replace("个", "")
        if unit in ("月", "年"):
            days = 30 if unit == "月" else 365
            return (now - timedelta(days=days * amount)).replace(microsecond=0)
        return (now - _RELATIVE_UNITS[unit] * min(amount, 10**6)).replace(microsecond=0)
    match = _DAY_WORD.match(text)
    if match:
        back = {"今天": 0, "today": 0, "昨天": 1, "yesterday": 1, "前天": 2}[match.group("word").lower()]
        day = (now - timedelta(days=back)).date()
        return _build(day.year, day.month, day.day, match, zone)
    match = _NO_YEAR.match(text)
    if match:
        month, day_ = int(match.group("m")), int(match.group("d"))
        for year in (now.year, now.year - 1):
            try:
                candidate = _build(year, month, day_, match, zone)
            except ValueError:
                continue
            if candidate is not None and candidate <= now + timedelta(minutes=5):
                return candidate
        return None
    if re.match(r"^\d{4}-\d{2}-\d{2}T", text):
        try:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            parsed = None
        if parsed is not None:
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)
    if re.match(r"^(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{4}\s+\d", text):
        try:
            parsed = parsedate_to_datetime(text)
        except (TypeError, ValueError):
            parsed = None
        if parsed is not None:
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)
    match = _FULL_DATE.search(text)
    if match and (match.start() == 0 or not text[: match.start()].strip(" :：")):
        rest = text[match.end():].strip()
        try:
            parsed = _build(int(match.group("y")), int(match.group("m")), int(match.group("d")), match, zone)
        except ValueError:
            return None
        offset = re.match(r"^([+-])(\d{2}):?(\d{2})$", rest)
        if offset and parsed is not None:
            sign = 1 if offset.group(1) == "+" else -1
            delta = timedelta(hours=int(offset.group(2)), minutes=int(offset.group(3))) * sign
            parsed = parsed.replace(tzinfo=timezone(delta))
        return parsed
    return None


def _build(year: int, month: int, day: int, match, zone: ZoneInfo) -> datetime:
    hour = int(match.group("H") or 0)
    minute = int(match.group("M") or 0)
    second = int(match.group("S") or 0) if "S" in match.re.groupindex else 0
    return datetime(year, month, day, hour, minute, second, tzinfo=zone)


def _dateparser_parse(text: str, tz: str, now: datetime) -> datetime | None:
    import dateparser

    parsed = dateparser.parse(
        text,
        languages=["zh", "en"],
        settings={
            "TIMEZONE": tz,
            "TO_TIMEZONE": tz,
            "RETURN_AS_TIMEZONE_AWARE": True,
            "RELATIVE_BASE": now.replace(tzinfo=None),
            "PREFER_DATES_FROM": "past",
        },
    )
    if parsed is None or not (1990 <= parsed.year <= now.year + 1):
        return None
    return parsed


def parse_since(value: str | None) -> date | None:
    """'YYYY-MM-DD' spider argument -> date; ValueError with a readable message otherwise."""
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValueError(f"since must be a date like 2024-01-31, got {value!r}") from None


def to_iso(value: datetime | None) -> str | None:
    """ISO 8601 with offset, seconds precision."""
    if value is None:
        return None
    return value.replace(microsecond=0).isoformat()
