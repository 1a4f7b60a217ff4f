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


# An IPv6 form that carries a private IPv4 address reaches it through a gateway (NAT64, 6to4) or
# on the machine itself (mapped, compatible); Python's is_global judges these by the prefix only.
EMBEDDED_PRIVATE = ["64:ff9b::7f00:1", "64:ff9b::a00:7", "64:ff9b:1::7f00:1", "2002:7f00:1::",
                    "2002:a9fe:a9fe::1", "::ffff:127.0.0.1", "::ffff:10.0.0.7", "::127.0.0.1",
                    "::ffff:0:7f00:1"]


def embedded_dns(hostname: str) -> list[str]:
    """localhost poses as public; `<form>.test` resolves to one embedded-private form."""
    if hostname == "localhost":
        return ["93.184.216.34"]
    index = int(hostname.removeprefix("form").removesuffix(".test"))
    return [EMBEDDED_PRIVATE[index]]


@pytest.mark.parametrize("index", range(len(EMBEDDED_PRIVATE)), ids=EMBEDDED_PRIVATE)
def test_private_ipv4_inside_ipv6_forms_is_refused_with_its_own_ledger_outcome(site, make_fetcher, index):
    fetcher = make_fetcher(quick_settings(http={"allow_private_addresses": False}), resolver=embedded_dns)
    literal = f"http://[{EMBEDDED_PRIVATE[index]}]:{site.port}/x"
    named = f"http://form{index}.test:{site.port}/x"

    for url in (literal, named):   # robots.txt is obeyed here: the refusal comes first all the same
        got = fetcher.get(url, "ds")
        assert got.outcome == "private-address", (url, got.outcome, got.error)

    assert [(r["url"], r["outcome"], r["purpose"]) for r in fetcher.ledger] == [
        (literal, "private-address", "page"), (named, "private-address", "page")]
    assert site.seen() == []


def test_a_redirect_to_a_nat64_or_6to4_form_of_loopback_is_refused(make_site, make_fetcher):
    site = make_site("localhost")
    site.route("/nat64", Reply(302, headers={"Location": f"http://[64:ff9b::7f00:1]:{site.port}/secret"}))
    site.route("/6to4", Reply(302, headers={"Location": f"http://[2002:7f00:1::]:{site.port}/secret"}))
    fetcher = make_fetcher(no_robots(allow_private_addresses=False), resolver=public_dns, sleep=Sleeps())

    for path in ("/nat64", "/6to4"):
        assert fetcher.get(site.url(path), "ds").outcome == "private-address"

    assert [s.path for s in site.seen()] == ["/nat64", "/6to4"]


@pytest.mark.parametrize("address", ["64:ff9b::808:808", "2002:808:808::1", "::ffff:8.8.8.8",
                                     "2606:4700:4700::1111", "93.184.216.34"])
def test_public_addresses_in_any_form_pass(address):
    from fetch.http import _is_public

    assert _is_public(address)


def test_the_ledger_of_a_run_says_private_address_not_skipped_robots(site, make_config):
    from fetchkit import query
    from flows.pipeline import run_locally

    site.route("/v/inside", Reply(200, b"never served"))
    config = make_config([{"id": "inside", "url": site.url("/v/inside")}],
                         quick_settings(http={"allow_private_addresses": False}))

    summary = run_locally(config, config.sources, "refresh")

    assert summary["sources_failed"] == 1
    rows = query(config, "select url, purpose, outcome from fetches where run_id = ?", [summary["run_id"]])
    assert rows == [(site.url("/v/inside"), "page", "private-address")]
    assert site.seen() == []


# --------------------------------------------------------------------------- label files
def zipped(members: dict[str, bytes]) -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buffer.getvalue()


LABELS = b"id,label\na,x\nb,y\n"


@pytest.mark.parametrize("body, reason", [
    (zipped({"labels.csv": LABELS, "../../etc/cron.d/x": b"x"}),
     "annotations: labels.zip: member '../../etc/cron.d/x' has a '..' path (zip-slip): archive refused"),
    (zipped({"inner.zip": zipped({"labels.csv": LABELS})}),
     "annotations: labels.zip: zip holds only nested archives ('inner.zip'): refused"),
    (zipped({"labels.csv": b"id,label\n" + bytes(30_000_000)}),
     "annotations: labels.zip: zip member 'labels.csv' unpacks to more than 1000000 bytes "
     "(max_decompressed_bytes): refused as a decompression bomb"),
    (zipped({"labels.csv": LABELS, "inner.zip": zipped({"x.csv": LABELS})}),
     "annotations: labels.zip: nested archive 'inner.zip' in the zip not opened"),
])
def test_a_hostile_label_file_is_a_warning_of_the_harvest(site, make_config, make_fetcher, body, reason):
    from fetchkit import box_page, html_type
    from flows.harvest import collect

    site.route("/v/labelled", Reply(200, box_page("Labelled").encode(), html_type()))
    site.route("/labels.zip", Reply(200, body, {"Content-Type": "application/zip"}))
    config = make_config([{"id": "labelled", "url": site.url("/v/labelled"),
                           "annotations": {"url": site.url("/labels.zip"), "id_column": "id"}}])

    result = collect(config.sources[0], make_fetcher(config.settings), config.settings)

    assert result.status == "ok" and reason in result.warnings, result.warnings
    profiled = "not opened" in reason
    assert bool(result.label_stats) == profiled
    assert {r["url"]: r["outcome"] for r in result.fetches}[site.url("/labels.zip")] == "ok"
