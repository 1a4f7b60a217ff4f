"""Dates as `YYYY-MM-DD`, `YYYY-MM` or `YYYY`, keeping the precision the input gave.

Rules (adapters rely on them):
- Never invent a part: "2021" -> "2021", "June 2021" -> "2021-06". dateutil fills missing parts
  from a default; we parse with two different defaults and drop every part that changed.
- Datetimes keep the date as written, whatever the offset: "2021-06-09T23:30:00-05:00" ->
  "2021-06-09" (the maintainer's calendar day; converting to UTC would move it).
- Numeric day/month orders are read only when unambiguous: "2021/06/09" (year first),
  "13/06/2021" and dotted "09.06.2021" (always day-first) are fine; "06/09/2021" and
  "06-09-2021" (June 9 or 6 September?) -> None.
- Years outside 1900..2100, impossible dates ("2021-02-30"), ranges, times alone, empty or
  non-date text -> None. A bare int is a year ("2017"); epoch seconds go through `from_epoch`.
- `datetime.date`/`datetime` objects (YAML front matter gives them) -> "YYYY-MM-DD".
"""
from __future__ import annotations

import datetime as _dt
import re

from dateutil import parser as _dateparser

YEAR_MIN, YEAR_MAX = 1900, 2100
_MAX_LEN = 64

_ISO_RE = re.compile(
    r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?"
    r"(?:\s*(?:Z|UTC|GMT|[+-]\d{2}:?\d{2}))?)?)?)?$", re.I)
_SLASHED_YMD_RE = re.compile(r"^(\d{4})[/.](\d{1,2})(?:[/.](\d{1,2}))?$")
_COMPACT_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_NUMERIC_DMY_RE = re.compile(r"^(\d{1,2})([/.-])(\d{1,2})\2(\d{4})$")

# Two defaults that differ in every part (valid day in every month): a part that comes out
# different in the two parses was not in the input.
_DEFAULT_A = _dt.datetime(2000, 1, 1)
_DEFAULT_B = _dt.datetime(2004, 3, 3)


def parse_date(value) -> str | None:
    """Normalised date at the input's precision, or None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, _dt.datetime):
        return _fmt(value.year, value.month, value.day)
    if isinstance(value, _dt.date):
        return _fmt(value.year, value.month, value.day)
    if isinstance(value, int):
        return _fmt(value) if YEAR_MIN <= value <= YEAR_MAX else None
    if not isinstance(value, str):
        return None
    text = " ".join(value.split())
    if not text or len(text) > _MAX_LEN:
        return None
    for pattern in (_ISO_RE, _SLASHED_YMD_RE, _COMPACT_RE):
        m = pattern.match(text)
        if m:
            return _fmt(*(int(g) if g else None for g in m.groups()))
    m = _NUMERIC_DMY_RE.match(text)
    if m:
        first, sep, second, year = m.groups()
        if sep == ".":   # dotted dates are day-first (de, fr, ru...); US writing never uses dots
            return _fmt(int(year), int(second), int(first))
        return _numeric_dmy(int(first), int(second), int(year))
    if re.fullmatch(r"[\d\s.:/-]+", text):
        return None   # other all-digit shapes ("1.2", "12:30", "2019-2020") are not dates
    return _free_form(text)


def _fmt(year: int, month: int | None = None, day: int | None = None) -> str | None:
    """Format and validate; a day without a month is impossible by construction."""
    if year is None or not YEAR_MIN <= year <= YEAR_MAX:
        return None
    if month is None:
        return f"{year:04d}"
    if not 1 <= month <= 12:
        return None
    if day is None:
        return f"{year:04d}-{month:02d}"
    try:
        _dt.date(year, month, day)
    except ValueError:
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


def _numeric_dmy(a: int, b: int, year: int) -> str | None:
    """dd/mm/yyyy or mm/dd/yyyy, only when one reading is impossible or both agree."""
    if a == b or (a > 12 >= b):
        return _fmt(year, b, a)
    if b > 12 >= a:
        return _fmt(year, a, b)
    return None


def _free_form(text: str) -> str | None:
    """'June 9, 2021', '9 June 2021', 'Jun 2021', 'Wed, 09 Jun 2021 10:20:00 GMT'."""
    if not re.search(r"\d{4}", text):
        return None   # no four-digit year written: dateutil would take one from the default
    try:
        a = _dateparser.parse(text, default=_DEFAULT_A)
        b = _dateparser.parse(text, default=_DEFAULT_B)
    except (ValueError, OverflowError, TypeError, _dateparser.ParserError):
        return None
    if a.year != b.year:
        return None
    if a.month != b.month:
        return _fmt(a.year)
    if a.day != b.day:
        return _fmt(a.year, a.month)
    return _fmt(a.year, a.month, a.day)


def from_epoch(seconds) -> str | None:
    """'YYYY-MM-DD' (UTC) for a Unix timestamp in seconds (int, float or digit string).
    Values above 10^11 are taken as milliseconds (10^11 s would be the year 5138).
    None for non-numbers and dates outside 1900..2100."""
    if isinstance(seconds, bool) or seconds is None:
        return None
    try:
        number = float(seconds.strip()) if isinstance(seconds, str) else float(seconds)
    except (TypeError, ValueError):
        return None
    if number != number or number in (float("inf"), float("-inf")):
        return None
    if abs(number) >= 1e11:
        number /= 1000.0
    try:
        moment = _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc) + _dt.timedelta(seconds=number)
    except OverflowError:
        return None
    return _fmt(moment.year, moment.month, moment.day)
