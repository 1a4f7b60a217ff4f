"""Per-host tokens (hosts."x".token_env): sent to their own host only, also across redirects in
both directions, and never written to the WARC archive, the warehouse, the body store or logs.
127.0.0.1 and localhost are two hosts here."""
from __future__ import annotations

import gzip
import logging

import pytest

from fetchkit import Reply, box_page, html_type, quick_settings
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
    hosts = {"127.0.0.1": {"token_env": "A_TOKEN"}}
    if b_has_token:
        hosts["localhost"] = {"token_env": "B_TOKEN"}
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
                         quick_settings(hosts={"127.0.0.1": {"token_env": "LQS_TEST_TOKEN"}}))

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


def warehouse_text(config) -> str:
    """Every value of every table, as text."""
    from warehouse.db import Warehouse

    with Warehouse(config.warehouse_path).reader() as con:
        tables = [r[0] for r in con.execute("select table_name from information_schema.tables "
                                            "where table_type = 'BASE TABLE'").fetchall()]
        return "\n".join(repr(con.execute(f'select * from "{t}"').fetchall()) for t in tables)
