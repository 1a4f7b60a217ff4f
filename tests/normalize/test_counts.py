"""parse_count / parse_count_with_unit."""
from decimal import Decimal

import pytest

from extractors.normalize.counts import parse_count, parse_count_with_unit

COUNTS = [
    ("70000", 70000),
    ("112,120", 112120),
    ("1,234,567", 1234567),
    ("327.680", 327680),            # European thousands
    ("1.234.567", 1234567),
    ("1 234", 1234),
    ("1\u00a0234", 1234),           # NBSP
    ("1\u202f234", 1234),           # narrow NBSP (French)
    ("1\u2009234", 1234),           # thin space
    ("1'234", 1234),                # Swiss
    ("1’234", 1234),
    ("1_234", 1234),
    ("1,12,120", 112120),           # Indian lakh grouping
    ("1.234", 1234),                # a count cannot be 1.234
    ("0", 0),
    ("  70,000 ", 70000),
    ("1.2 million", 1_200_000),
    ("1.2 Million", 1_200_000),
    ("1 million", 1_000_000),
    ("1M", 1_000_000),
    ("1.5M", 1_500_000),
    ("1,5 Mio", 1_500_000),         # decimal comma before a multiplier
    ("70K", 70_000),
    ("70k", 70_000),
    ("1.5k", 1_500),
    ("3 thousand", 3_000),
    ("2 billion", 2_000_000_000),
    ("2.5bn", 2_500_000_000),
    (70000, 70000),
    (7.0, 7),
    (Decimal("12"), 12),
]


@pytest.mark.parametrize("raw, expected", COUNTS)
def test_parse_count(raw, expected):
    result = parse_count(raw)
    assert result == expected
    assert type(result) is int


@pytest.mark.parametrize("raw", [
    "3.5", "1,5", "12,34", "1,234.5", "1.234,5", "1,2345", "12,3456,789", "1,234.567.890",
    "-5", "-1,000", "+5", "10K+", "70,000+", "1.2345k", "500B", "1 2 3", "1,000 000",
    "", "   ", "many", "about 5", "~5", "1e6", "five", "5 images", "2019-2020", "10^6",
    -3, 7.5, float("nan"), float("inf"), None, True, False, ["5"], "9" * 100,
])
def test_not_a_count(raw):
    assert parse_count(raw) is None


WITH_UNIT = [
    ("112,120 images", (112120, "images")),
    ("8,898 data points", (8898, "data points")),
    ("8898 Data Points", (8898, "data points")),
    ("1.2 million conversations", (1_200_000, "conversations")),
    ("1M images", (1_000_000, "images")),
    ("70,000 rows.", (70000, "rows")),
    ("1 image", (1, "image")),
    ("5 mice", (5, "mice")),
    ("327.680 Bilder", (327680, "bilder")),
    ("1\u202f234 patients", (1234, "patients")),
    ("100 hours", (100, "hours")),
    ("3 files", (3, "files")),
]


@pytest.mark.parametrize("raw, expected", WITH_UNIT)
def test_parse_count_with_unit(raw, expected):
    assert parse_count_with_unit(raw) == expected


@pytest.mark.parametrize("raw", [
    "112,120", "500 MB", "2 GiB", "10 bytes", "3 million", "3.5 images", "-3 images",
    "about 5 images", "5 images from 3 sites in 2 countries and more", "", None, 5, "images",
])
def test_not_a_count_with_unit(raw):
    assert parse_count_with_unit(raw) is None
