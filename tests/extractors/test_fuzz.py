"""Every registered adapter against generated hostile inputs (issue 11 item 2): deep nesting,
runs of one delimiter, 10 MB lines, 50 MB JSON, UTF-16/32 with and without BOM, NUL bytes,
truncated UTF-8. Each (input, adapter) pair - forced with registry.run(name, ...) and through
detection - must finish in < 2 s with facts or a clean error, and each input kind's process must
stay under 500 MB peak RSS.

Inputs are generated once per kind inside one subprocess per kind (tests/extractors/fuzz_runner.py),
so a hang or a crash is caught by the subprocess timeout and a segfault cannot take pytest down;
the kinds run in parallel, one per CPU. The 2 s bound is generous on purpose (to catch runaway work, not to
measure speed: that is benchmarks/' job)."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from tests.extractors.fuzz_runner import KINDS

ROOT = Path(__file__).resolve().parents[2]
MAX_SECONDS = 2.0
MAX_PEAK_MB = 500
# An adapter bug shows as "<ExceptionName>: ..." (registry.run); a clean error is a sentence.
_BUG = re.compile(r"^[A-Z]\w*(?:Error|Exception|Exit|Interrupt): ")


# Kinds by their running time, longest first, so that the last one to start is a short one.
ORDER = ["runs", "json50mb", "nesting", "line10mb", "encodings"]


def _start(kind: str) -> tuple[subprocess.Popen, object, object]:
    # Output goes to files: a pipe nobody reads while the others run would fill and block.
    out, err = tempfile.TemporaryFile("w+"), tempfile.TemporaryFile("w+")
    process = subprocess.Popen([sys.executable, "-m", "tests.extractors.fuzz_runner", kind], cwd=ROOT,
                               stdout=out, stderr=err, text=True)
    return process, out, err


def _report(process: subprocess.Popen, out, err) -> dict:
    out.seek(0)
    err.seek(0)
    if process.returncode != 0:
        return {"failure": f"exit code {process.returncode}: {err.read().strip()[-500:]}"}
    return json.loads(out.read())


@pytest.fixture(scope="session")
def fuzz_reports() -> dict[str, dict]:
    """One process per kind, at most one per CPU at a time: more would share the CPUs and time
    each run slower than it is."""
    assert sorted(ORDER) == sorted(KINDS)
    slots = max(1, min(len(ORDER), os.cpu_count() or 1))
    waiting, running, reports = list(ORDER), {}, {}
    deadline = time.monotonic() + 300
    while waiting or running:
        while waiting and len(running) < slots:
            kind = waiting.pop(0)
            running[kind] = _start(kind)
        done = next((k for k, (p, _, _) in running.items() if p.poll() is not None), None)
        if done is not None:
            reports[done] = _report(*running.pop(done))
        elif time.monotonic() > deadline:
            for kind, (process, _, _) in running.items():
                process.kill()
                process.wait()
                reports[kind] = {"failure": "did not finish in 300 s"}
            reports.update({kind: {"failure": "not started in 300 s"} for kind in waiting})
            return reports
        else:
            time.sleep(0.05)
    return reports


@pytest.mark.timeout(400)
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_adapter_survives_hostile_input(fuzz_reports, kind):
    report = fuzz_reports[kind]
    assert "failure" not in report, report.get("failure")
    slow = [f"{r['seconds']} s {r['adapter']}{' (detected)' if r['detected'] else ''}: {r['input']}"
            for r in report["rows"] if r["seconds"] >= MAX_SECONDS]
    bugs = [f"{r['adapter']}: {r['input']}: {r['error'][:150]}"
            for r in report["rows"] if r["error"] and _BUG.match(r["error"])]
    assert not slow, "slower than 2 s:\n" + "\n".join(slow)
    assert not bugs, "errors that are adapter bugs, not clean messages:\n" + "\n".join(bugs)
    assert report["peak_mb"] < MAX_PEAK_MB, f"{kind}: peak RSS {report['peak_mb']} MB"


def test_every_adapter_and_detection_were_tried(fuzz_reports):
    from extractors import registry

    report = fuzz_reports["encodings"]
    assert "failure" not in report, report.get("failure")
    assert {r["adapter"] for r in report["rows"] if not r["detected"]} == set(registry.names())
    assert any(r["detected"] for r in report["rows"])
