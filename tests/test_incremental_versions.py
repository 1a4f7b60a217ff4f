"""Per-adapter versions: a source is harvested in full again only when an adapter its last run
used (the `adapter@version` on its facts) has changed version; bumping one adapter leaves the
sources of every other adapter 'unchanged'. Real HTTP on 127.0.0.1, the whole run path
(run_locally: fetch, extract, write, score)."""
from __future__ import annotations

from pathlib import Path

import duckdb

from config.load import load
from extractors import registry
from flows.harvest import versions_unchanged
from flows.pipeline import run_locally

FIXTURES = Path(__file__).parent / "extractors" / "fixtures"
PAGES = {   # path -> (adapter, body): two sources read by two different adapters
    "/croissant/metadata.json": ("croissant", FIXTURES / "croissant" / "archives-1.0.json"),
    "/package/datapackage.json": ("frictionless", FIXTURES / "frictionless" / "tabular-v1-datapackage.json"),
}


def local_config(config_dir: Path, httpserver):
    """The bundled settings made fit for a loopback server, and one source per page."""
    settings = (config_dir / "settings.toml").read_text()
    (config_dir / "settings.toml").write_text(
        settings.replace("allow_private_addresses = false", "allow_private_addresses = true")
        .replace("min_delay = 1.0", "min_delay = 0.0"))
    sources = []
    for path, (adapter, _) in PAGES.items():
        sources.append(f'[[source]]\nid = "{adapter}-source"\nname = "A {adapter} source"\n'
                       f'url = "{httpserver.url_for(path)}"\ncategory = "Tabular"\nadapter = "{adapter}"\n')
    (config_dir / "sources.toml").write_text("\n".join(sources))
    return load(config_dir)


def serve(httpserver) -> None:
    if not httpserver.is_running():   # the session's server may have been stopped by an earlier test
        httpserver.start()
    httpserver.expect_request("/robots.txt").respond_with_data("User-agent: *\nAllow: /\n")
    for path, (_, body) in PAGES.items():
        httpserver.expect_request(path).respond_with_data(body.read_bytes(), content_type="application/json")


def statuses(workdir: Path, run_id: str) -> dict[str, str]:
    con = duckdb.connect(str(workdir / "var" / "warehouse.duckdb"), read_only=True)
    try:
        return dict(con.execute("select dataset_id, status from source_runs where run_id = ?", [run_id]).fetchall())
    finally:
        con.close()


def used_extractors(workdir: Path) -> dict[str, set[str]]:
    con = duckdb.connect(str(workdir / "var" / "warehouse.duckdb"), read_only=True)
    try:
        rows = con.execute("select distinct dataset_id, extractor from facts_current").fetchall()
    finally:
        con.close()
    out: dict[str, set[str]] = {}
    for dataset_id, extractor in rows:
        out.setdefault(dataset_id, set()).add(extractor)
    return out


def test_bumping_one_adapter_re_extracts_only_its_sources(httpserver, config_dir, workdir, monkeypatch):
    serve(httpserver)
    config = local_config(config_dir, httpserver)

    first = run_locally(config, config.sources, "refresh")
    assert first["sources_ok"] == 2, first["per_source"]
    used = used_extractors(workdir)
    assert f"croissant@{registry.version('croissant')}" in used["croissant-source"]
    assert f"frictionless@{registry.version('frictionless')}" in used["frictionless-source"]

    second = run_locally(config, config.sources, "refresh")   # nothing changed: nothing re-extracted
    assert statuses(workdir, second["run_id"]) == {"croissant-source": "unchanged",
                                                   "frictionless-source": "unchanged"}

    # A new croissant version, read at the next check (never cached at import).
    monkeypatch.setattr(registry.get("croissant"), "VERSION", registry.version("croissant") + ".1")
    third = run_locally(config, config.sources, "refresh")
    assert statuses(workdir, third["run_id"]) == {"croissant-source": "ok",
                                                  "frictionless-source": "unchanged"}


def test_versions_unchanged_compares_only_the_versions_used(monkeypatch):
    croissant = f"croissant@{registry.version('croissant')}"
    zenodo = f"zenodo@{registry.version('zenodo')}"
    assert versions_unchanged({croissant, zenodo, "curated@config", "derived@1"})
    monkeypatch.setattr(registry.get("zenodo"), "VERSION", "0.0.0-test")
    assert not versions_unchanged({croissant, zenodo})
    assert versions_unchanged({croissant, "curated@config"})      # zenodo was not used
    assert not versions_unchanged({"gone@1.0.0"})                   # an adapter that no longer exists
    assert not versions_unchanged(set())                            # a run without facts tells nothing
