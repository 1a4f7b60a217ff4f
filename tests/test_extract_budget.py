"""The per-document extraction budget ([run] extract_timeout): a runaway document fails its own
source with reason extract-timeout, the rest of the batch is read, and `lqs extract` ends with
one line. Real processes, a real HTTP server on loopback."""
from __future__ import annotations

import json
import re
import subprocess
import sys
import time

import pytest

from config.load import DEFAULT_SETTINGS, Source, load
from flows.extract_budget import Budget, ExtractTimeout, detect_and_run
from flows.pipeline import BatchSpec, collect_batch

PACKAGE = {"name": "readings", "title": "Readings", "licenses": [{"name": "CC-BY-4.0"}],
           "resources": [{"path": "data.csv", "format": "csv"}]}


def backtrack(n: int):
    """Exponential backtracking: stands for any runaway regex (it holds the GIL throughout)."""
    return re.match(r"(a+)+$", "a" * n + "!")


@pytest.mark.timeout(60)
def test_budget_kills_a_runaway_call_and_keeps_serving():
    with Budget(0.5, workers=1) as budget:
        started = time.monotonic()
        with pytest.raises(ExtractTimeout, match=r"^extract-timeout: extraction of x took longer than 0.5 s"):
            budget.call(backtrack, 60, what="x")
        assert time.monotonic() - started < 30
        name, ex, files = budget.call(detect_and_run, None, None, None, json.dumps(PACKAGE).encode(), None)
        assert name == "frictionless" and {f.field for f in ex.facts} >= {"license", "title"}
        assert ex.files == [] and all(isinstance(f, tuple) for f in files)
        assert not budget.in_process


@pytest.mark.timeout(60)
def test_a_runaway_call_does_not_stall_other_threads():
    """Two workers: while one is stuck, the other thread's documents are still read."""
    from concurrent.futures import ThreadPoolExecutor

    with Budget(3, workers=2) as budget, ThreadPoolExecutor(2) as pool:
        stuck = pool.submit(budget.call, backtrack, 60)
        time.sleep(0.5)
        for _ in range(5):
            budget.call(detect_and_run, None, None, None, json.dumps(PACKAGE).encode(), None)
        assert not stuck.done()   # the other documents did not wait for the stuck one
        with pytest.raises(ExtractTimeout):
            stuck.result()


def _settings(timeout: float) -> dict:
    settings = {k: dict(v) for k, v in DEFAULT_SETTINGS.items()}
    settings["http"]["allow_private_addresses"] = True
    settings["politeness"]["min_delay"] = 0.0
    settings["run"]["extract_timeout"] = timeout
    # The test server answers one request at a time: while it sends the 15 MB page, the other
    # source's requests wait; generous timeouts keep that from failing them.
    settings["http"].update(connect_timeout=60.0, read_timeout=60.0, total_deadline=120.0)
    return settings


@pytest.mark.timeout(120)
def test_a_slow_page_fails_only_its_source_with_extract_timeout(httpserver):
    # 15 MB of prose paragraphs: seconds of HTML and prose reading, beyond a 1 s budget that a
    # small descriptor meets by far, even on a loaded machine.
    slow = "<!doctype html><html><head><title>T</title></head><body>" + \
        "<p>The dataset has 1,000 images of 12 classes under CC-BY-4.0. [a](http://x/)</p>\n" * 180_000
    httpserver.expect_request("/robots.txt").respond_with_data("User-agent: *\nAllow: /\n")
    httpserver.expect_request("/slow").respond_with_data(slow, content_type="text/html")
    httpserver.expect_request("/datapackage.json").respond_with_data(json.dumps(PACKAGE),
                                                                     content_type="application/json")
    sources = [Source("slow", "Slow", httpserver.url_for("/slow"), "vision"),
               Source("quick", "Quick", httpserver.url_for("/datapackage.json"), "vision")]
    spec = BatchSpec("run-1", sources, _settings(1.0), {}, None, None, None)
    results = {r.dataset_id: r for r in collect_batch(spec)}
    assert results["slow"].status == "failed"
    assert results["slow"].error.startswith("extract-timeout: extraction of http://")
    assert results["slow"].facts == []
    assert results["quick"].status == "ok"
    assert {f["field"] for f in results["quick"].facts} >= {"license", "title"}


def test_extract_timeout_is_a_checked_setting(config_dir):
    assert load(config_dir).settings["run"]["extract_timeout"] == 10.0
    path = config_dir / "settings.toml"
    path.write_text(path.read_text().replace("extract_timeout = 10.0", "extract_timeout = 0"))
    from config.load import ConfigError
    with pytest.raises(ConfigError, match=r"extract_timeout must be > 0"):
        load(config_dir)


@pytest.mark.timeout(120)
def test_lqs_extract_honours_the_budget(config_dir, tmp_path):
    path = config_dir / "settings.toml"
    path.write_text(path.read_text().replace("extract_timeout = 10.0", "extract_timeout = 0.05"))
    page = tmp_path / "page.html"
    page.write_text("<!doctype html><html><body>" + "<p>1,000 images [a](http://x/)</p>\n" * 200_000)
    done = subprocess.run([sys.executable, "-m", "cli", "--config", str(config_dir), "extract", str(page)],
                          capture_output=True, text=True, timeout=100)
    assert done.returncode == 2
    assert done.stderr.strip() == f"lqs: error: extraction of {page} took longer than 0.05 s (extract-timeout)"
    path.write_text(path.read_text().replace("extract_timeout = 0.05", "extract_timeout = 10.0"))
    small = tmp_path / "datapackage.json"
    small.write_text(json.dumps(PACKAGE))
    done = subprocess.run([sys.executable, "-m", "cli", "--config", str(config_dir), "extract", str(small)],
                          capture_output=True, text=True, timeout=100)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["record"]["license"] == "CC-BY-4.0"
