"""Every normaliser is total: hostile or random input gives a value or None, never an exception,
and never takes long."""
import random
import time

import pytest

from extractors.model import ExtractionError
from extractors.normalize.access import page_access, phrase_access
from extractors.normalize.counts import parse_count, parse_count_with_unit
from extractors.normalize.dates import from_epoch, parse_date
from extractors.normalize.digests import prefixed_digest_fields
from extractors.normalize.formats import from_encoding_format, from_filename, from_mime
from extractors.normalize.ids import find_doi, normalize_doi
from extractors.normalize.license import commercial_use, normalize_license
from extractors.normalize.prose import (prose_counts, single_subject_phrase, split_total,
                                        stated_totals, subject_counts)
from extractors.normalize.sizes import parse_size
from extractors.normalize.text import decode, load_json

STRING_FUNCS = [normalize_license, commercial_use, parse_size, parse_date, from_epoch,
                normalize_doi, find_doi, parse_count, parse_count_with_unit, from_filename,
                from_mime, from_encoding_format, phrase_access, page_access, prefixed_digest_fields,
                prose_counts, subject_counts, single_subject_phrase, stated_totals, split_total]

ODD_VALUES = [None, True, 0, -1, 1.5, float("nan"), b"bytes", [], {}, ["x"], {"a": 1}, object(),
              "", " ", "\x00", "\ufeff", "\u202e", "(" * 1000, "1" * 100_000, "a b " * 50_000,
              "10." + "1" * 10_000, "CC " * 10_000, "Creative Commons " * 2_000, "\n" * 10_000]
ALPHABET = "0123456789.,' -_/:;()[]{}<>%+~abcdefghijklmnopqrstuvwxyzKMGTBiCcYNDSA\u00a0\u202féü中"


def _random_strings(n, seed=1234):
    rng = random.Random(seed)
    for _ in range(n):
        yield "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 40)))


@pytest.mark.parametrize("func", STRING_FUNCS, ids=lambda f: f.__name__)
def test_total_on_odd_values(func):
    for value in ODD_VALUES:
        func(value)


@pytest.mark.parametrize("func", STRING_FUNCS, ids=lambda f: f.__name__)
def test_total_on_random_strings(func):
    started = time.monotonic()
    for text in _random_strings(1500):
        func(text)
    assert time.monotonic() - started < 10


def test_random_bytes_decode_and_load_json():
    rng = random.Random(99)
    for _ in range(300):
        body = bytes(rng.randrange(256) for _ in range(rng.randint(0, 200)))
        assert isinstance(decode(body, rng.choice([None, "text/html; charset=utf-8", "x; charset=koi8-r"])), str)
        try:
            load_json(body)
        except ExtractionError as exc:
            assert "\n" not in str(exc)


def test_output_shapes():
    for text in _random_strings(1500, seed=7):
        size = parse_size(text)
        assert size is None or (type(size[0]) is int and size[0] >= 0 and isinstance(size[1], str))
        count = parse_count(text)
        assert count is None or (type(count) is int and count >= 0)
        date = parse_date(text)
        assert date is None or len(date) in (4, 7, 10)
        doi = normalize_doi(text)
        assert doi is None or (doi.startswith("10.") and doi == doi.lower())
        licence = normalize_license(text)
        assert licence is None or isinstance(licence, str)
