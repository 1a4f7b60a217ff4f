"""Per-host tokens (hosts."x".token_env): bound to scheme + host + port of their host (https on
443 unless token_port says otherwise; plain http only with allow_http_token), so another port, plain
http or a redirect to another origin gets nothing; and never written to the WARC archive, the
warehouse, the body store or logs. 127.0.0.1 and localhost are two hosts here."""
from __future__ import annotations

import gzip
import logging

import pytest

from fetchkit import Reply, box_page, html_type, quick_settings
from fetch.http import HostPolicy
from flows.pipeline import run_locally

TOKEN_A, TOKEN_B = "tok-A-3f9c1e", "tok-B-77d2aa"


def authorizations(site) -> dict[str, str | None]:
    return {s.path: s.headers.get("authorization") for s in site.seen()}


@pytest.mark.parametrize("b_has_token", [True, False])
def test_a_token_reaches_its_own_host_only_across_redirects(make_site, make_fetcher, b_has_token):
    a, b = make_site(), make_site("localhost")
    a.route("/start", Reply(302, headers={"Location": b.url("/hop")}))
    b.route("/hop", Reply(302, headers={"Location": a.url("/final")}))
    a.route("/final", Reply(200, b"done"))
    hosts = {"127.0.0.1": {"token_env": "A_TOKEN", "token_port": a.port, "allow_http_token": True}}
    if b_has_token:
        hosts["localhost"] = {"token_env": "B_TOKEN", "token_port": b.port, "allow_http_token": True}
    fetcher = make_fetcher(quick_settings(hosts=hosts), environ={"A_TOKEN": TOKEN_A, "B_TOKEN": TOKEN_B})

    assert fetcher.get(a.url("/start"), "ds").ok

    assert authorizations(a) == dict.fromkeys(["/robots.txt", "/start", "/final"], f"Bearer {TOKEN_A}")
    assert authorizations(b) == dict.fromkeys(["/robots.txt", "/hop"], f"Bearer {TOKEN_B}" if b_has_token else None)


def test_a_token_is_never_archived_stored_or_logged(site, make_site, make_config, monkeypatch, caplog, tmp_path):
    other = make_site("localhost")
    monkeypatch.setenv("LQS_TEST_TOKEN", TOKEN_A)
    site.route("/v/ok", Reply(200, box_page("Fine").encode(), html_type()))
    site.route("/v/denied", Reply(401, b"bad token", {"WWW-Authenticate": "Bearer"}))
    site.route("/v/moved", Reply(301, headers={"Location": other.url("/v/moved")}))
    other.route("/v/moved", Reply(200, box_page("Moved").encode(), html_type()))
    config = make_config([{"id": s, "url": site.url(f"/v/{s}")} for s in ("ok", "denied", "moved")],
                         quick_settings(hosts={"127.0.0.1": {"token_env": "LQS_TEST_TOKEN", "token_port": site.port,
                                                             "allow_http_token": True}}))

    with caplog.at_level(logging.DEBUG):
        summary = run_locally(config, config.sources, "refresh")

    assert summary["sources_ok"] == 2 and summary["sources_failed"] == 1
    assert authorizations(site)["/v/ok"] == f"Bearer {TOKEN_A}"        # it was sent ...
    assert authorizations(other)["/v/moved"] is None                   # ... to its host only
    secret = TOKEN_A.encode()
    archives = list(config.archive_dir.rglob("*.warc.gz"))
    assert archives and all(secret not in gzip.decompress(p.read_bytes()) for p in archives)
    assert b"GET /v/ok" in gzip.decompress(archives[0].read_bytes())   # the request records are there
    assert all(secret not in p.read_bytes() for p in tmp_path.rglob("*") if p.is_file())   # raw files too
    assert TOKEN_A not in warehouse_text(config)
    assert TOKEN_A not in caplog.text


@pytest.mark.parametrize("url, sent", [
    ("https://huggingface.co/api/datasets/x", True),
    ("https://huggingface.co:443/api/datasets/x", True),
    ("https://HuggingFace.co/api", True),
    ("https://huggingface.co:8443/api/datasets/x", False),   # another port is another origin
    ("http://huggingface.co/api/datasets/x", False),         # never over plain http by default
    ("http://huggingface.co:443/api/datasets/x", False),
    ("https://huggingface.co:99999/x", False),               # a malformed port
])
def test_a_token_is_bound_to_https_on_port_443_by_default(url, sent):
    policy = HostPolicy(2, 0.0, True, token=TOKEN_A)
    assert policy.token_for(url) == (TOKEN_A if sent else None)


def test_the_token_goes_to_the_configured_https_origin_only(tls, make_site, make_fetcher):
    own, other_port = make_site("localhost", tls), make_site("localhost", tls)
    plain = make_site("localhost")
    for site in (own, other_port, plain):
        site.route("/x", Reply(200, b"x"))
    hosts = {"localhost": {"token_env": "A_TOKEN", "token_port": own.port}}
    fetcher = make_fetcher(quick_settings(hosts=hosts), environ={"A_TOKEN": TOKEN_A})

    assert all(fetcher.get(site.url("/x"), "ds").ok for site in (own, other_port, plain))

    assert authorizations(own) == {"/robots.txt": f"Bearer {TOKEN_A}", "/x": f"Bearer {TOKEN_A}"}
    assert set(authorizations(other_port).values()) == {None}   # same host and scheme, another port
    assert set(authorizations(plain).values()) == {None}        # same host, plain http


@pytest.mark.parametrize("allowed", [False, True])
def test_plain_http_gets_the_token_only_when_the_host_table_allows_it(site, make_fetcher, allowed):
    site.route("/x", Reply(200, b"x"))
    hosts = {"127.0.0.1": {"token_env": "A_TOKEN", "token_port": site.port, "allow_http_token": allowed}}
    fetcher = make_fetcher(quick_settings(hosts=hosts), environ={"A_TOKEN": TOKEN_A})

    assert fetcher.get(site.url("/x"), "ds").ok

    assert authorizations(site)["/x"] == (f"Bearer {TOKEN_A}" if allowed else None)


@pytest.mark.parametrize("target", ["same host, other port", "same host, plain http", "other host"])
def test_no_token_after_a_redirect_to_another_origin(tls, make_site, make_fetcher, target):
    own = make_site("localhost", tls)
    elsewhere = {"same host, other port": lambda: make_site("localhost", tls),
                 "same host, plain http": lambda: make_site("localhost"),
                 "other host": lambda: make_site("127.0.0.1", tls)}[target]()
    own.route("/start", Reply(302, headers={"Location": elsewhere.url("/landing")}))
    elsewhere.route("/landing", Reply(200, b"landed"))
    hosts = {"localhost": {"token_env": "A_TOKEN", "token_port": own.port}}
    fetcher = make_fetcher(quick_settings(hosts=hosts), environ={"A_TOKEN": TOKEN_A})

    got = fetcher.get(own.url("/start"), "ds")

    assert got.ok and got.body == b"landed"
    assert authorizations(own)["/start"] == f"Bearer {TOKEN_A}"
    assert authorizations(elsewhere) == {"/robots.txt": None, "/landing": None}


def warehouse_text(config) -> str:
    """Every value of every table, as text."""
    from warehouse.db import Warehouse

    with Warehouse(config.warehouse_path).reader() as con:
        tables = [r[0] for r in con.execute("select table_name from information_schema.tables "
                                            "where table_type = 'BASE TABLE'").fetchall()]
        return "\n".join(repr(con.execute(f'select * from "{t}"').fetchall()) for t in tables)
