"""Shared fixtures: the project root, the shared corpus (skipped when absent), temp config and
warehouse locations, and one Prefect test server per session for flow tests."""
from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # demo/ and benchmarks/ helpers are importable in tests
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"
NIH_LABELS = CORPUS / "annotations" / "Data_Entry_2017_v2020.csv.gz"
DEMO_ARCHIVE = ROOT / "demo" / "demo.warc.gz"


@pytest.fixture
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"shared corpus not found at {CORPUS}: real-data tests skipped")
    return CORPUS


@pytest.fixture
def nih_labels() -> Path:
    if not NIH_LABELS.is_file():
        pytest.skip(f"{NIH_LABELS} not found: NIH profiling test skipped")
    return NIH_LABELS


@pytest.fixture
def config_dir(tmp_path) -> Path:
    """A private copy of the bundled config/ (tests may edit it)."""
    target = tmp_path / "config"
    shutil.copytree(ROOT / "config", target, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    return target


@pytest.fixture
def workdir(tmp_path, monkeypatch) -> Path:
    """Warehouse and archive in a temp folder, via the documented environment overrides."""
    monkeypatch.setenv("LQS_WAREHOUSE", str(tmp_path / "var" / "warehouse.duckdb"))
    monkeypatch.setenv("LQS_ARCHIVE", str(tmp_path / "var" / "archive"))
    return tmp_path


@pytest.fixture(scope="session")
def prefect_server(tmp_path_factory):
    """One temporary Prefect API for the whole session (a fresh home takes ~25 s to start)."""
    home = tmp_path_factory.mktemp("prefect-home")
    os.environ["PREFECT_HOME"] = str(home)
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield
