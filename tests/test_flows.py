"""The Prefect flows on a real (temporary) Prefect API: harvest-source and refresh-catalog write
the same warehouse rows as the plain pipeline, isolate a failing source and publish a report."""
from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from config.load import load

ROOT = Path(__file__).resolve().parents[1]
DEMO = str(ROOT / "demo" / "demo.warc.gz")

pytestmark = pytest.mark.usefixtures("prefect_server")


def rows(workdir, sql):
    con = duckdb.connect(str(workdir / "var" / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_harvest_source_flow(workdir):
    from flows.prefect_flows import configured, harvest_source

    summary = configured(harvest_source, load())(source_id="nih-chestxray14", replay=DEMO)
    assert summary["sources_ok"] == 1
    assert summary["per_source"][0]["lqs_after"] == 81 and summary["per_source"][0]["tier_after"] == "gold"
    assert rows(workdir, "select dataset_id, lqs, tier from catalog where lqs is not null") == \
        [("nih-chestxray14", 81, "gold")]
    flow_run_id = rows(workdir, "select flow_run_id from runs")[0][0]
    assert flow_run_id  # the warehouse run points at its Prefect flow run


def test_refresh_isolates_a_failing_source_and_reports(config_dir, workdir):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    from flows.prefect_flows import configured, refresh_catalog

    with open(config_dir / "sources.toml", "a") as fh:
        fh.write('\n[[source]]\nid = "gone"\nname = "Gone"\nurl = "https://example.org/gone"\ncategory = "NLP"\n')
    config = load(config_dir)
    summary = configured(refresh_catalog, config)(only=["nih-chestxray14", "gone"], replay=DEMO,
                                                  config_dir=str(config_dir))
    by_id = {s["dataset_id"]: s for s in summary["per_source"]}
    assert by_id["nih-chestxray14"]["status"] == "ok" and by_id["gone"]["status"] == "failed"
    assert rows(workdir, "select status from runs") == [("partial",)]
    assert rows(workdir, "select count(*) from facts where dataset_id = 'gone'") == [(0,)]
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["refresh-report"])))
    assert artifacts and "| nih-chestxray14 | ok |" in artifacts[0].data and "| gone | failed |" in artifacts[0].data
