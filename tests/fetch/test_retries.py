"""Retries: connection errors, timeouts, 408, 429 and 5xx are retried with exponential backoff and
jitter, Retry-After (seconds or an HTTP date) is honoured up to a cap, other 4xx are not retried,
and every attempt is a ledger row."""
from __future__ import annotations

import socket

import pytest

from fetchkit import Reply, Sleeps, http_date, quick_settings


def ledger(fetcher, dataset_id="ds"):
    return [(r["attempt"], r["status"], r["outcome"], r["retry_after"]) for r in fetcher.take_ledger(dataset_id)
            if r["purpose"] != "robots"]


def test_429_with_retry_after_seconds_waits_that_long(site, make_fetcher):
    site.route("/x", Reply(429, headers={"Retry-After": "3"}), Reply(200, b"done"))
    sleeps = Sleeps()
    fetcher = make_fetcher(sleep=sleeps)

    got = fetcher.get(site.url("/x"), "ds")

    assert got.ok and got.attempts == 2
    assert len(sleeps) == 1 and 2.5 < sleeps[0] <= 3.0
    assert ledger(fetcher) == [(1, 429, "http-429", 3.0), (2, 200, "ok", None)]


def test_429_with_retry_after_as_an_http_date(site, make_fetcher):
    site.route("/x", Reply(429, headers={"Retry-After": http_date(4)}), Reply(200, b"done"))
    sleeps = Sleeps()
    fetcher = make_fetcher(sleep=sleeps)

    assert fetcher.get(site.url("/x"), "ds").ok
    assert len(sleeps) == 1 and 2.0 < sleeps[0] <= 4.5   # HTTP dates have one-second resolution
    (_, _, _, retry_after), _ = ledger(fetcher)
    assert 2.0 < retry_after <= 4.5


def test_a_short_retry_after_is_really_waited(site, make_fetcher):
    site.route("/x", Reply(503, headers={"Retry-After": "1"}), Reply(200, b"done"))
    assert make_fetcher().get(site.url("/x"), "ds").ok
    first, second = site.seen("/x")
    assert second.start - first.start >= 0.95


def test_retry_after_pauses_the_whole_host(site, make_fetcher):
    site.route("/busy", Reply(429, headers={"Retry-After": "2"}), Reply(200, b"ok"))
    site.route("/other", Reply(200, b"ok"))
    sleeps = Sleeps()
    fetcher = make_fetcher(sleep=sleeps)

    assert fetcher.get(site.url("/busy"), "ds").ok
    assert fetcher.get(site.url("/other"), "ds").ok   # no real time passed: still inside the pause

    assert len(sleeps) == 2 and all(1.5 < s <= 2.0 for s in sleeps)


def test_retry_after_over_the_cap_is_not_retried(site, make_fetcher):
    site.route("/x", Reply(429, headers={"Retry-After": "3600"}), Reply(200, b"done"))
    sleeps = Sleeps()
    fetcher = make_fetcher(sleep=sleeps)

    got = fetcher.get(site.url("/x"), "ds")

    assert got.outcome == "http-429" and "over the 5s cap" in got.error
    assert sleeps == [] and len(site.seen("/x")) == 1
    assert ledger(fetcher) == [(1, 429, "http-429", 3600.0)]


def test_500_then_success_backs_off_once(site, make_fetcher):
    site.route("/x", Reply(500, b"oops"), Reply(200, b"done"))
    sleeps = Sleeps()
    fetcher = make_fetcher(sleep=sleeps)

    got = fetcher.get(site.url("/x"), "ds")

    assert got.ok and got.body == b"done"
    assert len(sleeps) == 1 and 0.005 <= sleeps[0] <= 0.01   # backoff_base 0.01 with jitter in [0.5, 1]
    assert ledger(fetcher) == [(1, 500, "http-500", None), (2, 200, "ok", None)]


def test_exhausted_retries_back_off_exponentially_and_record_every_attempt(site, make_fetcher):
    site.route("/x", Reply(503, b"down"))
    sleeps = Sleeps()
    settings = quick_settings(http={"retries": 4, "backoff_base": 1.0, "backoff_cap": 5.0})
    fetcher = make_fetcher(settings, sleep=sleeps)

    got = fetcher.get(site.url("/x"), "ds")

    assert got.outcome == "http-503" and got.attempts == 5
    for attempt, wait in enumerate(sleeps, 1):
        ceiling = min(5.0, 2 ** (attempt - 1))
        assert ceiling / 2 <= wait <= ceiling, sleeps
    assert [row[0] for row in ledger(fetcher)] == [1, 2, 3, 4, 5]


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410])
def test_other_4xx_are_not_retried(site, make_fetcher, status):
    site.route("/x", Reply(status, b"no"), Reply(200, b"never"))
    got = make_fetcher(quick_settings(http={"retries": 3})).get(site.url("/x"), "ds")
    assert got.outcome == f"http-{status}" and len(site.seen("/x")) == 1


def test_408_is_retried(site, make_fetcher):
    site.route("/x", Reply(408, b"slow"), Reply(200, b"done"))
    assert make_fetcher(sleep=Sleeps()).get(site.url("/x"), "ds").ok
    assert len(site.seen("/x")) == 2


def test_a_refused_connection_is_retried(make_fetcher):
    with socket.socket() as sock:   # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings = quick_settings(politeness={"obey_robots": False}, http={"retries": 2})
    fetcher = make_fetcher(settings, sleep=Sleeps())

    got = fetcher.get(f"http://127.0.0.1:{port}/x", "ds")

    assert got.outcome == "connection-error" and got.attempts == 3
    assert [row[2] for row in ledger(fetcher)] == ["connection-error"] * 3
