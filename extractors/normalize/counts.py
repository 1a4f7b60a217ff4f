"""Integer counts as written by people: "112,120", "327.680", "1 234", "1'234", "1.2 million".

Rules (adapters rely on them):
- A count is a whole, non-negative number. Thousands separators may be ",", ".", space, NBSP,
  narrow NBSP, thin space, "'", "’" or "_", used consistently between groups of three digits
  ("327.680" = 327680, European). Indian grouping "1,12,120" is accepted.
- So a dot or comma followed by anything but a three-digit group is a decimal, and a decimal
  count is refused: "3.5" -> None, "1,5" -> None. ("1.234" is read as 1234: as a count, a
  fractional reading makes no sense.)
- Multipliers: k/K/thousand = 10^3, M/million/mio/mln = 10^6, bn/billion = 10^9,
  trillion = 10^12; the number before one may have a decimal point or comma ("1.2 million",
  "1,5 Mio") and the product must be whole. A bare "B" is refused (bytes or billions?).
- Negatives, "+" suffixes ("10K+": a lower bound), ranges and anything else -> None.
- `parse_count_with_unit("8,898 data points")` -> (8898, "data points"): one to four words
  after the number, lower-cased, plural kept; refused when the unit is a byte unit ("500 MB").
"""
from __future__ import annotations

import math
import re
import unicodedata
from decimal import Decimal, InvalidOperation

from extractors.normalize.sizes import is_byte_unit, parse_number

_MULTIPLIERS = {
    "k": 10**3, "thousand": 10**3,
    "m": 10**6, "mio": 10**6, "mln": 10**6, "million": 10**6, "millions": 10**6,
    "bn": 10**9, "billion": 10**9, "billions": 10**9,
    "trillion": 10**12,
}
_MAX_LEN = 80
# NFKC turns NBSP, narrow NBSP and thin space into a plain space; "’" is not touched.
_NUMBER = r"\d[\d.,' _’]*\d|\d"
_MULT = r"k|thousand|m|mio|mln|millions?|bn|billions?|trillion"
_COUNT_RE = re.compile(rf"^(?P<num>{_NUMBER})\s*(?:(?P<mult>{_MULT})\.?)?$", re.I)
_WITH_UNIT_RE = re.compile(
    rf"^(?P<num>{_NUMBER})(?:\s*(?P<mult>{_MULT})(?=\s))?\s+"
    r"(?P<unit>[^\W\d_][\w-]*(?:\s+[^\W\d_][\w-]*){0,3})[.,;:!]?$",
    re.I,
)


def parse_count(text) -> int | None:
    """A whole non-negative count, or None."""
    if isinstance(text, bool) or text is None:
        return None
    if isinstance(text, int):
        return text if text >= 0 else None
    if isinstance(text, (float, Decimal)):
        if isinstance(text, float) and not math.isfinite(text):
            return None
        return int(text) if text >= 0 and text == int(text) else None
    if not isinstance(text, str):
        return None
    s = _clean(text)
    if s is None:
        return None
    m = _COUNT_RE.match(s)
    return _value(m.group("num"), m.group("mult")) if m else None


def parse_count_with_unit(text) -> tuple[int, str] | None:
    """(count, unit noun) for "112,120 images", "1.2 million conversations"; None otherwise."""
    if not isinstance(text, str):
        return None
    s = _clean(text)
    if s is None:
        return None
    m = _WITH_UNIT_RE.match(s)
    if not m:
        return None
    unit = " ".join(m.group("unit").lower().split())
    if is_byte_unit(unit) or unit.rstrip("s") in _MULTIPLIERS:
        return None   # "500 MB" is a size; "3 million" alone has no unit
    value = _value(m.group("num"), m.group("mult"))
    return (value, unit) if value is not None else None


def _clean(text: str) -> str | None:
    s = unicodedata.normalize("NFKC", text).strip()
    if not s or len(s) > _MAX_LEN:
        return None
    return " ".join(s.split())


def _value(num: str, mult: str | None) -> int | None:
    if mult:
        number = parse_number(num)   # decimals allowed before a multiplier
        if number is None:
            return None
        total = number * _MULTIPLIERS[mult.lower()]
        return int(total) if total == total.to_integral_value() else None
    return _grouped_integer(num)


def _grouped_integer(num: str) -> int | None:
    num = num.replace("’", "'")
    if num.isdigit():
        return int(num)
    seps = {c for c in num if not c.isdigit()}
    if len(seps) != 1:
        return None   # mixed separators ("1,234.5") mean a decimal part
    sep = re.escape(seps.pop())
    if re.fullmatch(rf"\d{{1,3}}(?:{sep}\d{{3}})+", num) or (
            sep == "," and re.fullmatch(r"\d{1,2}(?:,\d{2})+,\d{3}", num)):
        try:
            return int(re.sub(r"\D", "", num))
        except (ValueError, InvalidOperation):
            return None
    return None
