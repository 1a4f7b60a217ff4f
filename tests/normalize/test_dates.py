"""parse_date keeps the input's precision and never invents a day or month; from_epoch."""
import datetime as dt

import pytest

from extractors.normalize.dates import from_epoch, parse_date

DATES = [
    ("2017", "2017"),
    ("2021-06", "2021-06"),
    ("2021-06-09", "2021-06-09"),
    ("2021-6-9", "2021-06-09"),
    ("2021-06-09T10:20:00Z", "2021-06-09"),
    ("2021-06-09T10:20:00.123+00:00", "2021-06-09"),
    ("2021-06-09T10:20:00.123456", "2021-06-09"),
    ("2021-06-09T23:30:00-05:00", "2021-06-09"),   # the date as written, not moved to UTC
    ("2021-06-09 10:20:00", "2021-06-09"),
    ("2021-06-09T10:20Z", "2021-06-09"),
    ("June 9, 2021", "2021-06-09"),
    ("9 June 2021", "2021-06-09"),
    ("9th June 2021", "2021-06-09"),
    ("Jun 9 2021", "2021-06-09"),
    ("June 2021", "2021-06"),                      # no day given: none invented
    ("Jun. 2021", "2021-06"),
    ("2021 June", "2021-06"),
    ("2021/06/09", "2021-06-09"),
    ("2021/06", "2021-06"),
    ("2021.06.09", "2021-06-09"),
    ("20210609", "2021-06-09"),
    ("13/06/2021", "2021-06-13"),                  # only one reading possible
    ("06/13/2021", "2021-06-13"),
    ("09/09/2021", "2021-09-09"),                  # both readings agree
    ("09.06.2021", "2021-06-09"),                  # dotted: day-first
    ("Wed, 09 Jun 2021 10:20:00 GMT", "2021-06-09"),
    ("Wednesday, June 9, 2021", "2021-06-09"),
    ("  2017 ", "2017"),
    ("1900", "1900"),
    ("2100-12-31", "2100-12-31"),
    ("2020-02-29", "2020-02-29"),
    (2017, "2017"),
    (dt.date(2021, 6, 9), "2021-06-09"),
    (dt.datetime(2021, 6, 9, 10, 20), "2021-06-09"),
]


@pytest.mark.parametrize("raw, expected", DATES)
def test_parse_date(raw, expected):
    assert parse_date(raw) == expected


@pytest.mark.parametrize("raw", [
    "", "   ", "hello", "tomorrow", "now", "June 9", "9 June", "June", "12:30", "10:20:00",
    "06/09/2021", "06-09-2021", # June 9 or 6 September: refused
    "13.13.2021", "09/06.2021",
    "1899", "2101", "1899-12-31", "2101-01-01", "0001-01-01", "9999-12-31",
    "2021-02-30", "2021-13-01", "2021-00", "2021-06-00", "2019-02-29",
    "2019-2020", "2019/2020", "1.2", "3", "21", "Q3 2021", "Spring 2021", "c. 2019",
    "2021 foo", "version 2021", "x" * 1000, None, True, 1899, 2101, 1.5, ["2021"], {"y": 2021},
    "1623234000",               # an epoch is not a date string: use from_epoch
])
def test_not_a_date(raw):
    assert parse_date(raw) is None


@pytest.mark.parametrize("raw, expected", [
    (1623234000, "2021-06-09"),
    (1623234000.5, "2021-06-09"),
    ("1623234000", "2021-06-09"),
    (1623234000000, "2021-06-09"),   # milliseconds
    (0, "1970-01-01"),
    (1623196799, "2021-06-08"),      # 23:59:59 UTC
    (-2208988800, "1900-01-01"),
])
def test_from_epoch(raw, expected):
    assert from_epoch(raw) == expected


@pytest.mark.parametrize("raw", ["x", "", None, True, float("nan"), float("inf"), 1e30, -1e13, [1]])
def test_from_epoch_rejects(raw):
    assert from_epoch(raw) is None
