"""Byte sizes from strings and numbers: "475.1 MB", "1120335512 Bytes", "2 GiB", 13510573713.

`parse_size(value, unit=None) -> (bytes, note) | None`; the note says how the unit was read so a
reviewer can check a number that came from human units.

Rules (adapters rely on them):
- Decimal units are powers of 10: kB/KB/k = 10^3, MB/M = 10^6, GB/G = 10^9, TB/T = 10^12,
  PB = 10^15 (SI and the label format's convention: "MB = 10^6"). A bare suffix ("15.7M") is
  read as decimal too.
- Binary units are powers of 2: KiB = 2^10, MiB = 2^20, GiB = 2^30, TiB = 2^40, PiB = 2^50.
- "Mb"/"mb" are read as megabytes, not megabits (dataset pages write bytes; bits are refused
  only when spelled out: "Mbit", "Mbps", "bits").
- French octets are accepted: o, Ko, Mo, Go, To.
- Plain numbers (int, integral float, digit string) are bytes. Fractions of a byte are refused.
- Number shapes: "," followed by exactly three digits is a thousands separator ("1,234 KB" =
  1234 KB; "1,234,567 B"); "," followed by one, two or more than three digits is a decimal comma
  ("1,5 GB" = 1.5 GB). "." is always the decimal point ("4.698 MB" = 4.698 MB) except in
  European grouping "1.234.567" or "1.234,5" (dots before a decimal comma). A space, NBSP,
  narrow NBSP, "'" or "_" between three-digit groups is a thousands separator.
- Anything else after the number ("8898 data points", "100 hours", "3 files"), negatives, NaN
  and values above 10^21 B -> None.
- `unit` (optional) is a separate unit text such as schema.org `unitText` ("MBytes") for a
  numeric `value`; it is used only when `value` carries no unit itself.
"""
from __future__ import annotations

import math
import re
import unicodedata
from decimal import Decimal, InvalidOperation

_MAX_BYTES = 10**21

# unit (lower-cased) -> (multiplier, note template); "{v}" is the value as written.
_DECIMAL = {
    "": 1, "b": 1, "byte": 1, "bytes": 1, "o": 1, "octet": 1, "octets": 1,
    "k": 10**3, "kb": 10**3, "kbyte": 10**3, "kbytes": 10**3, "kilobyte": 10**3, "kilobytes": 10**3, "ko": 10**3,
    "m": 10**6, "mb": 10**6, "mbyte": 10**6, "mbytes": 10**6, "megabyte": 10**6, "megabytes": 10**6, "mo": 10**6,
    "g": 10**9, "gb": 10**9, "gbyte": 10**9, "gbytes": 10**9, "gigabyte": 10**9, "gigabytes": 10**9, "go": 10**9,
    "t": 10**12, "tb": 10**12, "tbyte": 10**12, "tbytes": 10**12, "terabyte": 10**12, "terabytes": 10**12, "to": 10**12,
    "kbs": 10**3, "mbs": 10**6, "gbs": 10**9, "tbs": 10**12,   # informal plurals ("4 GBs")
    "p": 10**15, "pb": 10**15, "pbyte": 10**15, "pbytes": 10**15, "petabyte": 10**15, "petabytes": 10**15,
}
_BINARY = {
    "kib": 2**10, "kibibyte": 2**10, "kibibytes": 2**10,
    "mib": 2**20, "mebibyte": 2**20, "mebibytes": 2**20,
    "gib": 2**30, "gibibyte": 2**30, "gibibytes": 2**30,
    "tib": 2**40, "tebibyte": 2**40, "tebibytes": 2**40,
    "pib": 2**50, "pebibyte": 2**50, "pebibytes": 2**50,
}
_DECIMAL_NAMES = {10**3: "kilobytes", 10**6: "megabytes", 10**9: "gigabytes", 10**12: "terabytes",
                  10**15: "petabytes"}
_BINARY_NAMES = {2**10: "kibibytes", 2**20: "mebibytes", 2**30: "gibibytes", 2**40: "tebibytes",
                 2**50: "pebibytes"}
_POWERS = {10**3: "10^3", 10**6: "10^6", 10**9: "10^9", 10**12: "10^12", 10**15: "10^15",
           2**10: "2^10", 2**20: "2^20", 2**30: "2^30", 2**40: "2^40", 2**50: "2^50"}

_SIZE_RE = re.compile(r"^~?\s*(?P<num>\d[\d.,' _]*)\s*(?P<unit>[a-z]*)\.?$", re.I)


def parse_size(value, unit: str | None = None) -> tuple[int, str] | None:
    """(bytes, note) for a size, or None when the value is not a byte quantity."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float, Decimal)):
        number = _number_from_numeric(value)
        text = f"{value} {unit}".strip() if unit else str(value)
    elif isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip()
        if not text or len(text) > 64:
            return None
        m = _SIZE_RE.match(text)
        if not m:
            return None
        number = parse_number(m.group("num"))
        if m.group("unit"):
            unit = m.group("unit")
        elif unit:
            text = f"{text} {unit}"
    else:
        return None
    if number is None:
        return None
    return _apply_unit(number, (unit or "").strip(), text)


def _number_from_numeric(value) -> Decimal | None:
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number >= 0 else None


def parse_number(text: str) -> Decimal | None:
    """A non-negative number written with thousands separators and/or a decimal comma or
    point (rules in the module docstring). None when the grouping is inconsistent."""
    s = text.strip().replace("\u202f", " ").replace("\u00a0", " ").replace("\u2009", " ")
    s = s.replace("’", "'")
    # space/apostrophe/underscore only ever group thousands
    if re.search(r"[ '_]", s):
        if not re.fullmatch(r"\d{1,3}(?:[ '_]\d{3})+(?:[.,]\d+)?", s):
            return None
        s = re.sub(r"[ '_]", "", s)
        s = s.replace(",", ".")
    elif "," in s and "." in s:
        if s.rfind(",") > s.rfind("."):        # 1.234,5  (European)
            if not re.fullmatch(r"\d{1,3}(?:\.\d{3})+,\d+", s):
                return None
            s = s.replace(".", "").replace(",", ".")
        else:                                   # 1,234.5
            if not re.fullmatch(r"\d{1,3}(?:,\d{3})+\.\d+", s):
                return None
            s = s.replace(",", "")
    elif "," in s:
        if re.fullmatch(r"\d{1,3}(?:,\d{3})+", s):
            s = s.replace(",", "")               # 1,234 / 1,234,567: thousands
        elif re.fullmatch(r"\d+,\d+", s):
            s = s.replace(",", ".")              # 1,5: decimal comma
        else:
            return None
    elif s.count(".") > 1:
        if not re.fullmatch(r"\d{1,3}(?:\.\d{3})+", s):
            return None
        s = s.replace(".", "")                   # 1.234.567: European thousands
    if not re.fullmatch(r"\d+(?:\.\d+)?", s):
        return None
    return Decimal(s)


def is_byte_unit(unit: str) -> bool:
    """True for a unit this module reads as bytes ("MB", "GiB", "bytes", "Mo")."""
    key = unit.strip().lower()
    return bool(key) and (key in _DECIMAL or key in _BINARY)


def _apply_unit(number: Decimal, unit: str, text: str) -> tuple[int, str] | None:
    key = unit.lower()
    if key in _BINARY:
        factor = _BINARY[key]
        kind = f"binary {_BINARY_NAMES[factor]} ({_POWERS[factor]} B)"
    elif key in _DECIMAL:
        factor = _DECIMAL[key]
        kind = (f"decimal {_DECIMAL_NAMES[factor]} ({_POWERS[factor]} B)" if factor > 1 else "bytes")
        if factor > 1 and len(key) == 1:
            kind += f"; a bare '{unit}' suffix is taken as decimal"
    else:
        return None   # not a byte unit: "data points", "hours", "files", "Mbit"
    total = number * factor
    if total != total.to_integral_value() and factor == 1:
        return None   # "5.5 bytes" / "5.5": no fractional bytes
    result = int(total.to_integral_value())
    if result > _MAX_BYTES:
        return None
    note = f"{text} read as {kind}" if (unit or factor > 1) else f"{text} read as bytes"
    return result, note
