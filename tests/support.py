"""Helpers shared by test modules (fixtures themselves live in conftest.py)."""
from __future__ import annotations

from pathlib import Path

import pytest

DEMO_ARCHIVE = Path(__file__).resolve().parents[1] / "demo" / "demo.warc.gz"


def refresh_demo(folder: Path, runs: int = 1):
    """Refresh every enabled demo source offline into folder/warehouse.duckdb, `runs` times.
    Returns (config, the summary of each run, the warehouse path)."""
    from config.load import load
    from flows.pipeline import run_locally

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LQS_WAREHOUSE", str(folder / "warehouse.duckdb"))
        mp.setenv("LQS_ARCHIVE", str(folder / "archive"))
        config = load()
        sources = [s for s in config.sources if s.enabled]
        summaries = [run_locally(config, sources, "refresh", replay=[str(DEMO_ARCHIVE)]) for _ in range(runs)]
    return config, summaries, folder / "warehouse.duckdb"
