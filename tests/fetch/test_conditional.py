"""Conditional GET end to end (run_locally, warehouse included): the validators of every URL are
remembered in the fetches ledger, the next run sends If-None-Match / If-Modified-Since, a 304 or
a byte-identical body reuses the previous facts without re-extracting (source_runs 'unchanged'),
and a change is harvested afresh with each URL asked once."""
from __future__ import annotations

from fetchkit import Reply, box_page, html_type, http_date, query
from flows.pipeline import run_locally

LAST_MODIFIED = http_date(-86400)


def page(title: str, **reply) -> Reply:
    return Reply(200, box_page(title).encode(), html_type(), **reply)


def serve(site, **pages: Reply) -> list[dict]:
    """Route /v/<id> for each page and return the sources that read them."""
    for source_id, reply in pages.items():
        site.route(f"/v/{source_id}", reply)
    return [{"id": source_id, "url": site.url(f"/v/{source_id}")} for source_id in pages]


def run(config) -> dict:
    return run_locally(config, config.sources, "refresh")


def statuses(config, run_id) -> dict[str, str]:
    return dict(query(config, "select dataset_id, status from source_runs where run_id = ?", [run_id]))


def page_rows(config, run_id) -> dict[str, tuple]:
    return {d: (o, etag, lm, sha) for d, o, etag, lm, sha in query(
        config, "select dataset_id, outcome, etag, last_modified, sha256 from fetches "
                "where run_id = ? and purpose = 'page'", [run_id])}


def facts(config, run_id, dataset_id) -> list[tuple]:
    return sorted(query(config, "select field, value::varchar, winner from facts where run_id = ? and dataset_id = ?",
                        [run_id, dataset_id]))


def test_validators_round_trip_into_304s_and_unchanged_sources(site, make_config):
    sources = serve(site, etag=page("E", etag='"e1"'), lastmod=page("L", last_modified=LAST_MODIFIED),
                    bare=page("B", etag='"b1"', bare_304=True), plain=page("P"))
    config = make_config(sources)

    first = run(config)
    second = run(config)
    third = run(config)

    assert first["sources_ok"] == 4 and first["sources_unchanged"] == 0
    for summary in (second, third):
        assert summary["sources_unchanged"] == 4, summary["per_source"]
        assert statuses(config, summary["run_id"]) == dict.fromkeys(("etag", "lastmod", "bare", "plain"), "unchanged")
        rows = page_rows(config, summary["run_id"])
        assert {d: r[0] for d, r in rows.items()} == {"etag": "not-modified", "lastmod": "not-modified",
                                                      "bare": "not-modified", "plain": "unchanged"}
        # The validators and the body's sha256 stay on the ledger through 304s, for the next run.
        assert rows["bare"][1] == '"b1"' and rows["lastmod"][2] == LAST_MODIFIED
        assert all(r[3] for r in rows.values())
        for source_id in ("etag", "lastmod", "bare", "plain"):
            assert facts(config, summary["run_id"], source_id) == facts(config, first["run_id"], source_id)

    for path, header, value in [("/v/etag", "if-none-match", '"e1"'), ("/v/bare", "if-none-match", '"b1"'),
                                ("/v/lastmod", "if-modified-since", LAST_MODIFIED)]:
        first_ask, *later = site.seen(path)
        assert header not in first_ask.headers
        assert [s.headers.get(header) for s in later] == [value, value]
    reused = query(config, "select distinct reused_run_id from source_runs where run_id = ?", [second["run_id"]])
    assert reused == [(first["run_id"],)]


def test_a_changed_page_is_extracted_again(site, make_config):
    config = make_config(serve(site, moving=page("Old title", etag='"v1"')))
    first = run(config)
    site.route("/v/moving", page("New title", etag='"v2"'))

    second = run(config)

    assert statuses(config, second["run_id"]) == {"moving": "ok"}
    assert page_rows(config, second["run_id"])["moving"][0] == "ok"
    titles = dict(query(config, "select run_id, value ->> '$' from facts where field = 'title'"))
    assert titles == {first["run_id"]: "Old title", second["run_id"]: "New title"}


def test_a_partly_changed_source_asks_each_url_once(site, make_config):
    site.route("/v/multi", Reply(200, box_page("Multi", page_count=2).encode(), html_type(), etag='"p1"'))
    site.route("/v/multi?page=2", Reply(200, box_page("Multi", files=1, first_file=2).encode(), html_type(),
                                        etag='"p2-v1"'))
    config = make_config([{"id": "multi", "url": site.url("/v/multi")}])
    run(config)
    asked_before = len(site.seen())
    site.route("/v/multi?page=2", Reply(200, box_page("Multi", files=3, first_file=2).encode(), html_type(),
                                        etag='"p2-v2"'))

    second = run(config)

    asked = sorted(s.path for s in site.seen()[asked_before:])
    assert asked == ["/robots.txt", "/v/multi", "/v/multi?page=2"]
    assert statuses(config, second["run_id"]) == {"multi": "ok"}
    outcomes = sorted(r[0] for r in query(config, "select outcome from fetches where run_id = ? and purpose = 'page'",
                                          [second["run_id"]]))
    assert outcomes == ["not-modified", "ok"]
    file_count = query(config, "select value::int from facts where run_id = ? and field = 'file_count' and winner",
                       [second["run_id"]])
    assert file_count == [(5,)]   # 2 files on page 1 (from the stored body) + 3 on the new page 2


def test_an_unchanged_label_file_is_not_downloaded_again_when_its_page_changed(site, make_config):
    labels = b"Image Index,Finding Labels\nimg1.png,A\nimg2.png,B|C\nimg3.png,No Finding\n"
    download = "/index.php?rm=box_download_shared_file&shared_name=s&file_id=f_1000000"   # part-0.csv
    site.route("/v/labelled", page("Labelled", etag='"v1"'))
    site.route(download, Reply(200, labels, {"Content-Type": "text/csv"}, etag='"labels-1"'))
    annotations = {"file": "part-0.csv", "id_column": "Image Index", "label_column": "Finding Labels",
                   "separator": "|", "background": "No Finding"}
    config = make_config([{"id": "labelled", "url": site.url("/v/labelled"), "annotations": annotations}])
    first = run(config)
    site.route("/v/labelled", page("Labelled again", etag='"v2"'))

    second = run(config)

    assert statuses(config, second["run_id"]) == {"labelled": "ok"}
    first_ask, again = site.seen(download)   # one full download, then one 304, nothing more
    assert again.headers.get("if-none-match") == '"labels-1"'
    stats = query(config, "select run_id, rows from label_stats")
    assert sorted(stats) == sorted([(first["run_id"], 3), (second["run_id"], 3)])
