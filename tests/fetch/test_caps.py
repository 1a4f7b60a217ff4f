"""Caps and safety: read timeout, total deadline, body and decompressed byte caps (gzip, deflate
and brotli bombs), redirect loops and limits, http(s) only, and no private addresses unless
http.allow_private_addresses says so."""
from __future__ import annotations

import gzip
import time
import zlib

import brotli
import pytest

from fetchkit import Reply, Sleeps, quick_settings

BOMB_SIZE = 50_000_000   # 50 MB of zeros; the cap in quick_settings is 1 MB


@pytest.fixture(scope="module")
def bombs() -> dict[str, bytes]:
    zeros = bytes(BOMB_SIZE)
    return {"gzip": gzip.compress(zeros, 9), "deflate": zlib.compress(zeros, 9),
            "br": brotli.compress(zeros, quality=1)}


def no_robots(**http) -> dict:
    return quick_settings(politeness={"obey_robots": False}, http={"retries": 0, **http})


def timed(fetcher, url):
    started = time.monotonic()
    got = fetcher.get(url, "ds")
    return got, time.monotonic() - started


def test_a_server_stalling_past_the_read_timeout_times_out_and_is_retried(site, make_fetcher):
    site.route("/slow", Reply(200, b"late", stall=3.0))
    got, took = timed(make_fetcher(quick_settings(politeness={"obey_robots": False})), site.url("/slow"))
    assert got.outcome == "timeout" and got.attempts == 2
    assert took < 2.5   # two attempts of read_timeout 0.5 s, not two 3 s stalls
    assert len(site.seen("/slow")) == 2


def test_a_trickling_body_stops_at_the_total_deadline(site, make_fetcher):
    # Each byte arrives well inside the read timeout; only the total deadline can stop this.
    site.route("/drip", Reply(200, b"x" * 200, trickle=0.05))
    got, took = timed(make_fetcher(no_robots(total_deadline=1.0)), site.url("/drip"))
    assert got.outcome == "timeout" and "deadline" in got.error
    assert took < 2.0


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "streamed"])
def test_a_body_over_the_byte_cap_is_refused(site, make_fetcher, chunked):
    site.route("/big", Reply(200, b"x" * 1_500_000, chunked=chunked))
    got = make_fetcher(no_robots()).get(site.url("/big"), "ds")
    assert got.outcome == "too-large" and got.body is None
    assert len(site.seen("/big")) == 1   # a cap is not a transient fault: no retry


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br"])
def test_a_decompression_bomb_stops_at_the_decompressed_cap(site, make_fetcher, bombs, encoding):
    site.route("/bomb", Reply(200, bombs[encoding], {"Content-Encoding": encoding}))
    got, took = timed(make_fetcher(no_robots()), site.url("/bomb"))
    assert got.outcome == "decompression-bomb" and got.body is None
    assert len(bombs[encoding]) < 1_000_000   # the wire size is under the byte cap: only this cap helps
    assert took < 5.0


@pytest.mark.parametrize("encoding, pack", [
    ("gzip", gzip.compress), ("deflate", zlib.compress), ("br", brotli.compress),
    ("deflate", lambda b: zlib.compress(b)[2:-4]),   # raw deflate, as some servers send it
])
def test_compressed_bodies_within_the_cap_are_decoded(site, make_fetcher, encoding, pack):
    page = b"<html>" + b"metadata " * 10_000 + b"</html>"
    site.route("/z", Reply(200, pack(page), {"Content-Encoding": encoding}))
    got = make_fetcher(no_robots()).get(site.url("/z"), "ds")
    assert got.ok and got.body == page


def test_a_redirect_loop_is_detected(site, make_fetcher):
    site.route("/a", Reply(302, headers={"Location": "/b"}))
    site.route("/b", Reply(301, headers={"Location": site.url("/a")}))
    got = make_fetcher(no_robots()).get(site.url("/a"), "ds")
    assert got.outcome == "redirect-loop"
    assert len(site.seen("/a")) == 1 and len(site.seen("/b")) == 1


def test_too_many_redirects_stop_at_the_limit(site, make_fetcher):
    for n in range(10):
        site.route(f"/r{n}", Reply(307, headers={"Location": f"/r{n + 1}"}))
    got = make_fetcher(no_robots(max_redirects=3)).get(site.url("/r0"), "ds")
    assert got.outcome == "too-many-redirects"
    assert len(site.seen()) == 4   # the first request and three hops


@pytest.mark.parametrize("url", ["ftp://127.0.0.1/file", "file:///etc/passwd", "gopher://127.0.0.1/"])
def test_only_http_and_https_are_fetched(make_fetcher, url):
    got = make_fetcher(no_robots()).get(url, "ds")
    assert got.outcome == "bad-url"


def test_a_redirect_to_a_non_http_scheme_is_refused(site, make_fetcher):
    site.route("/a", Reply(302, headers={"Location": "file:///etc/passwd"}))
    assert make_fetcher(no_robots()).get(site.url("/a"), "ds").outcome == "bad-url"


# --------------------------------------------------------------------------- private addresses
def public_dns(hostname: str) -> list[str]:
    """A resolver stub: `localhost` poses as a public host (the connection still reaches the
    loopback test server); intranet.test is a private one."""
    return {"localhost": ["93.184.216.34"], "intranet.test": ["10.1.2.3"]}.get(hostname, [])


@pytest.mark.parametrize("target", [
    "http://127.0.0.1:{port}/secret", "http://10.0.0.7/secret", "http://intranet.test/secret",
    "http://169.254.169.254/latest/meta-data/", "http://[::1]:{port}/secret",
    "http://[::ffff:127.0.0.1]:{port}/secret", "http://0.0.0.0:{port}/secret",
])
def test_a_redirect_to_a_private_address_is_refused(make_site, make_fetcher, target):
    site = make_site("localhost")
    site.route("/start", Reply(302, headers={"Location": target.format(port=site.port)}))
    fetcher = make_fetcher(no_robots(allow_private_addresses=False), resolver=public_dns, sleep=Sleeps())

    got = fetcher.get(site.url("/start"), "ds")

    assert got.outcome == "private-address", got.error
    assert [s.path for s in site.seen()] == ["/start"]   # the redirect target was never asked


def test_private_addresses_are_refused_by_default(site, make_fetcher):
    site.route("/x", Reply(200, b"x"))
    got = make_fetcher(no_robots(allow_private_addresses=False)).get(site.url("/x"), "ds")
    assert got.outcome == "private-address" and site.seen() == []


def test_truncated_body_and_hang_up_are_retried_faults(site, make_fetcher):
    site.route("/short", Reply(200, b"x" * 100, length=1000))
    site.route("/gone", Reply(hang_up=True))
    fetcher = make_fetcher(quick_settings(politeness={"obey_robots": False}), sleep=Sleeps())
    assert fetcher.get(site.url("/short"), "ds").outcome == "truncated"
    assert fetcher.get(site.url("/gone"), "ds").outcome == "connection-error"
    assert len(site.seen("/short")) == 2 and len(site.seen("/gone")) == 2
