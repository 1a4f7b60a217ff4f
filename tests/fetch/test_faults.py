"""Fault injection over a whole run: 200 Box-structured sources on one loopback server, 40 of
them (20%) misbehaving in ten ways, a few more misbehaving in ways that must still land.

Run 1: every healthy source lands with its facts; every faulty one is recorded as failed with its
reason and the fetch outcome that explains it, and leaves no facts/files/label_stats behind; the
run finishes (status partial). Then the server is healed. Run 2: the missing sources land, and the
healthy ones come back not-modified (ETag or Last-Modified) or unchanged (same bytes).
"""
from __future__ import annotations

import gzip

import pytest

from fetchkit import Reply, box_page, html_type, http_date, query, quick_settings
from flows.pipeline import run_locally

SOURCES = 200
FAULTS = ["http-500", "http-404", "http-429", "timeout", "too-large", "decompression-bomb",
          "redirect-loop", "skipped-robots", "truncated", "connection-error"]
FLAKY, PAGING_LOOP, WRONG_CHARSET = (1, 2), (3, 6), (7, 8)   # misbehave, yet land
LAST_MODIFIED = http_date(-86400)
SETTINGS = quick_settings(
    http={"retries": 1, "backoff_base": 0.01, "backoff_cap": 0.02, "retry_after_cap": 1.0,
          "read_timeout": 0.5, "total_deadline": 3.0},
    politeness={"min_delay": 0.0, "per_host_concurrency": 8, "global_concurrency": 8},
    run={"batch_size": 50})   # four batches: robots.txt must still be asked once per run


def fault(n: int) -> str | None:
    return FAULTS[(n // 5) % len(FAULTS)] if n % 5 == 0 else None


def first_of(kind: str) -> str:
    return next(f"s{n:03d}" for n in range(SOURCES) if fault(n) == kind)


def path(n: int) -> str:
    return f"/private/s{n:03d}" if fault(n) == "skipped-robots" else f"/v/s{n:03d}"


def healthy(n: int) -> Reply:
    """Most pages carry an ETag, some only Last-Modified, some no validator at all."""
    body = box_page(f"Source {n}").encode()
    if n % 7 == 3:
        return Reply(200, body, html_type())
    if n % 11 == 4:
        return Reply(200, body, html_type(), last_modified=LAST_MODIFIED)
    return Reply(200, body, html_type(), etag=f'"s{n}-v1"')


def faulty(kind: str, n: int, bomb: bytes) -> Reply:
    return {
        "http-500": Reply(500, b"internal error"),
        "http-404": Reply(404, b"gone"),
        "http-429": Reply(429, b"slow down", {"Retry-After": "120"}),   # over the 1 s cap: not retried
        "timeout": Reply(200, b"late", stall=2.0),
        "too-large": Reply(200, b"x" * 1_500_000, chunked=True),
        "decompression-bomb": Reply(200, bomb, {"Content-Encoding": "gzip", "Content-Type": "text/html"}),
        "redirect-loop": Reply(302, headers={"Location": path(n) + "/loop"}),
        "skipped-robots": healthy(n),
        "truncated": Reply(200, box_page("cut").encode(), html_type(), length=100_000),
        "connection-error": Reply(hang_up=True),
    }[kind]


def serve(site, bomb: bytes) -> None:
    site.route("/robots.txt", Reply(200, b"User-agent: *\nDisallow: /private/\n"))
    for n in range(SOURCES):
        kind = fault(n)
        if kind:
            site.route(path(n), faulty(kind, n, bomb))
            site.route(path(n) + "/loop", Reply(302, headers={"Location": path(n)}))
        elif n in FLAKY:
            site.route(path(n), Reply(500, b"try again"), healthy(n))
        elif n in PAGING_LOOP:   # page 2 lists folder 2000, whose page lists itself
            site.route(path(n), Reply(200, box_page(f"Source {n}", page_count=2).encode(), html_type(), etag='"1"'))
            site.route(path(n) + "?page=2", Reply(200, box_page("", files=1, first_file=5, folders=(2000,)).encode(),
                                                  html_type(), etag='"2"'))
            site.route(path(n) + "/folder/2000", Reply(200, box_page("", folder_id=2000, folders=(2000,)).encode(),
                                                       html_type(), etag='"3"'))
        elif n in WRONG_CHARSET:
            site.route(path(n), Reply(200, box_page(f"Source {n}").encode(), html_type("iso-8859-1"), etag='"w"'))
        else:
            site.route(path(n), healthy(n))


def heal(site) -> None:
    site.route("/robots.txt", Reply(200, b"User-agent: *\nDisallow:\n"))
    for n in range(SOURCES):
        if fault(n):
            site.route(path(n), healthy(n))


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return gzip.compress(bytes(50_000_000), 9)


def by_source(config, sql: str, run_id: str) -> dict:
    out: dict = {}
    for dataset_id, *rest in query(config, sql, [run_id]):
        out.setdefault(dataset_id, []).append(rest[0] if len(rest) == 1 else tuple(rest))
    return out


def test_a_catalog_with_injected_faults_lands_what_it_can_and_heals(site, make_config, bomb):
    serve(site, bomb)
    config = make_config([{"id": f"s{n:03d}", "url": site.url(path(n))} for n in range(SOURCES)], SETTINGS)
    faulty_ids = {f"s{n:03d}": fault(n) for n in range(SOURCES) if fault(n)}
    healthy_ids = {f"s{n:03d}" for n in range(SOURCES)} - set(faulty_ids)
    assert len(faulty_ids) == 40

    first = run_locally(config, config.sources, "refresh")
    run_1 = first["run_id"]

    assert (first["sources"], first["sources_ok"], first["sources_failed"]) == (200, 160, 40)
    assert query(config, "select status from runs where run_id = ?", [run_1]) == [("partial",)]
    assert len(site.seen("/robots.txt")) == 1
    runs = dict(query(config, "select dataset_id, status || ': ' || coalesce(error, '') from source_runs "
                              "where run_id = ?", [run_1]))
    outcomes = by_source(config, "select dataset_id, outcome from fetches where run_id = ? and purpose = 'page'", run_1)
    for dataset_id, kind in faulty_ids.items():
        assert runs[dataset_id].startswith("failed: ") and len(runs[dataset_id]) > len("failed: "), dataset_id
        assert set(outcomes[dataset_id]) == {kind}, (dataset_id, outcomes[dataset_id])
    assert "over the 1s cap" in runs[first_of("http-429")] and "robots.txt" in runs[first_of("skipped-robots")]
    for table in ("facts", "files", "label_stats"):   # no partial rows for a failed source
        leftovers = query(config, f"select distinct dataset_id from {table} where run_id = ? "
                                  "and dataset_id in (select unnest(?))", [run_1, list(faulty_ids)])
        assert leftovers == [], table
    titles = dict(query(config, "select dataset_id, value ->> '$' from facts where run_id = ? and field = 'title' "
                                "and winner", [run_1]))
    assert set(titles) == healthy_ids
    assert all(titles[d] == f"Source {int(d[1:])}" for d in healthy_ids)
    assert {s["dataset_id"] for s in first["per_source"] if s["warnings"]} >= {"s003", "s006"}   # paging loops
    fetch_rows = query(config, "select count(*) from fetches where run_id = ?", [run_1])[0][0]
    assert sum(first["hosts"]["127.0.0.1"].values()) == fetch_rows
    assert first["hosts"]["127.0.0.1"]["skipped-robots"] == 4

    heal(site)
    second = run_locally(config, config.sources, "refresh")
    run_2 = second["run_id"]

    assert (second["sources_ok"], second["sources_failed"], second["sources_unchanged"]) == (200, 0, 160)
    statuses = dict(query(config, "select dataset_id, status from source_runs where run_id = ?", [run_2]))
    assert {d for d, s in statuses.items() if s == "ok"} == set(faulty_ids)
    assert {d for d, s in statuses.items() if s == "unchanged"} == healthy_ids
    outcomes = by_source(config, "select dataset_id, outcome from fetches where run_id = ? and purpose = 'page'", run_2)
    for n in range(SOURCES):
        dataset_id = f"s{n:03d}"
        expected = {"ok"} if fault(n) else {"unchanged"} if n % 7 == 3 and n not in PAGING_LOOP + WRONG_CHARSET \
            else {"not-modified"}
        assert set(outcomes[dataset_id]) == expected, (dataset_id, outcomes[dataset_id])
    current = dict(query(config, "select dataset_id, value ->> '$' from facts_current where field = 'title' and winner"))
    assert set(current) == faulty_ids.keys() | healthy_ids
    assert query(config, "select status from runs where run_id = ?", [run_2]) == [("ok",)]
