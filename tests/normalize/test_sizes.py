"""parse_size: human and machine byte sizes; non-byte quantities refused."""
from decimal import Decimal

import pytest

from extractors.normalize.sizes import parse_number, parse_size

SIZES = [
    ("475.1 MB", 475_100_000),
    ("1120335512 Bytes", 1_120_335_512),
    ("5.5 MBytes", 5_500_000),
    ("13510573713 B", 13_510_573_713),
    ("4.698 MB", 4_698_000),             # "." is a decimal point, not European grouping
    ("15.7M", 15_700_000),               # bare suffix: decimal
    ("15.7 M", 15_700_000),
    ("2 GiB", 2 * 2**30),
    ("1.5 MiB", 1_572_864),
    ("1 KiB", 1024),
    ("1,234 KB", 1_234_000),             # comma + 3 digits: thousands
    ("1,234,567 bytes", 1_234_567),
    ("1,5 GB", 1_500_000_000),           # comma + 1-2 digits: decimal comma
    ("1,25 GB", 1_250_000_000),
    ("1.234,5 MB", 1_234_500_000),       # European grouping with decimal comma
    ("1,234.5 MB", 1_234_500_000),
    ("1.234.567 B", 1_234_567),
    ("1 234 567 bytes", 1_234_567),
    ("1\u202f234 kB", 1_234_000),
    ("1.2 TB", 1_200_000_000_000),
    ("3 PB", 3 * 10**15),
    ("10 kB", 10_000),
    ("10kb", 10_000),
    ("10 KB", 10_000),
    ("12 Mb", 12_000_000),               # read as megabytes (dataset pages mean bytes)
    ("2 Go", 2_000_000_000),             # French octets
    ("700 Mo", 700_000_000),
    ("3 gigabytes", 3_000_000_000),
    ("4 GBs", 4_000_000_000),
    ("~2 GB", 2_000_000_000),
    ("  42 B  ", 42),
    ("0", 0),
    ("1120335512", 1_120_335_512),       # digit string = bytes
    ("1,120,335,512", 1_120_335_512),
    (1120335512, 1_120_335_512),
    (5.0, 5),
    (Decimal("7"), 7),
    ("1.0 B", 1),
]


@pytest.mark.parametrize("raw, expected", SIZES)
def test_parse_size(raw, expected):
    result = parse_size(raw)
    assert result is not None, raw
    assert result[0] == expected
    assert isinstance(result[0], int)
    assert isinstance(result[1], str) and result[1]


@pytest.mark.parametrize("raw", [
    "8898 data points", "100 hours", "3 files", "112,120 images", "12 Mbit", "100 Mbps",
    "5 bits", "5.5", "5.5 B", 5.5, -1, "-5 MB", "", "   ", "MB", "large", "1-2 GB", "1e9",
    "1.2.3 GB", "1,23,4 MB", "12,34,567 B", "nan", float("nan"), float("inf"), None, True,
    ["1 MB"], {"value": 1}, "10^30 B", "999999999999999 PB", "1" * 100, "about 3 GB",
])
def test_not_a_size(raw):
    assert parse_size(raw) is None


@pytest.mark.parametrize("raw, note", [
    ("475.1 MB", "475.1 MB read as decimal megabytes (10^6 B)"),
    ("2 GiB", "2 GiB read as binary gibibytes (2^30 B)"),
    ("13510573713 B", "13510573713 B read as bytes"),
    (1234, "1234 read as bytes"),
])
def test_notes(raw, note):
    assert parse_size(raw)[1] == note


def test_bare_suffix_note_says_decimal():
    assert "decimal" in parse_size("15.7M")[1] and "bare" in parse_size("15.7M")[1]


@pytest.mark.parametrize("value, unit, expected", [
    (5.5, "MBytes", 5_500_000),            # schema.org QuantitativeValue value + unitText
    ("5.5", "MB", 5_500_000),
    (2, "GiB", 2 * 2**30),
    ("5 MB", "GB", 5_000_000),             # a unit in the value wins
    (3, "files", None),
])
def test_separate_unit(value, unit, expected):
    result = parse_size(value, unit=unit)
    assert (result[0] if result else None) == expected


def test_exact_decimal_arithmetic():
    # float arithmetic would give 475099999 or 4697999 for some inputs
    for text, expected in [("475.1 MB", 475_100_000), ("0.1 GB", 100_000_000), ("4.698 MB", 4_698_000)]:
        assert parse_size(text)[0] == expected


@pytest.mark.parametrize("raw, expected", [
    ("1,5", Decimal("1.5")), ("1,234", Decimal("1234")), ("1.234", Decimal("1.234")),
    ("1.234.567", Decimal("1234567")), ("1'234.5", Decimal("1234.5")), ("1,2,3", None), ("", None),
])
def test_parse_number(raw, expected):
    assert parse_number(raw) == expected
