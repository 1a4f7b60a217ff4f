"""The frictionless adapter (Data Package descriptors, JSON and YAML) measured on
the shared devcorpus with its own scorer: every labelled field right, no absent violations.

The corpus is read in place (never copied into the project); the test is skipped when it is
not there.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from extractors import registry, resolve

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
ADAPTER = "frictionless"
# folder -> inputs of this adapter in it (None: all of the folder's labelled inputs)
INPUTS: dict[str, list[str] | None] = {
    "frictionless": None,   # includes the Zenodo bucket URL: zenodo's pattern vetoes, sniffing claims
}

pytestmark = pytest.mark.skipif(not (CORPUS / "score.py").is_file(),
                                reason=f"shared devcorpus not found at {CORPUS}")


def _labels() -> list[dict]:
    out = []
    for folder, only in INPUTS.items():
        for path in sorted((CORPUS / folder).glob("*.expected.json")):
            label = json.loads(path.read_text(encoding="utf-8"))
            if label.get("input") and (only is None or label["input"] in only):
                out.append(label)
    return out


LABELS = _labels() if (CORPUS / "score.py").is_file() else []


def _predict(label: dict) -> dict:
    body = (CORPUS / label["input"]).read_bytes()
    name = registry.detect(label["url"], body, label.get("content_type"))
    ex = registry.run(name, label["url"], body, label.get("content_type"))
    assert ex.error is None, f"{label['input']}: {ex.error}"
    return {"input": label["input"], "adapter": name, "record": resolve.record(ex.facts)}


def _score(folder: str, predictions: list[dict], tmp_path: Path, strict: bool = False) -> str:
    preds = tmp_path / f"{folder}.jsonl"
    preds.write_text("".join(json.dumps({"input": p["input"], "record": p["record"]}) + "\n"
                             for p in predictions), encoding="utf-8")
    args = [sys.executable, str(CORPUS / "score.py"), "-v"] + (["--strict"] if strict else [])
    done = subprocess.run(args + [str(CORPUS / folder), str(preds)], capture_output=True, text=True,
                          timeout=120, check=True)
    return done.stdout


def _row(output: str, input_path: str) -> tuple[int, int, int]:
    """(expected, correct, absent violations) of one input in the scorer's per-file table."""
    for line in output.splitlines():
        m = re.match(r"^(\S+)\s+(\d+)\s+(\d+)\s+(?:[\d.]+|-)\s+(\d+)\s+(\d+)", line)
        if m and m.group(1) == input_path:
            return int(m.group(2)), int(m.group(3)), int(m.group(5))
    raise AssertionError(f"{input_path} not in scorer output:\n{output}")


@pytest.mark.parametrize("label", LABELS, ids=lambda label: label["input"])
def test_detected_as_this_adapter(label):
    body = (CORPUS / label["input"]).read_bytes()
    assert registry.detect(label["url"], body, label.get("content_type")) == ADAPTER


@pytest.mark.parametrize("strict", [False, True], ids=["default", "strict"])
@pytest.mark.parametrize("folder", list(INPUTS))
def test_every_labelled_field_and_no_absent_violation(folder, strict, tmp_path):
    labels = [label for label in LABELS if label["input"].startswith(folder + "/")]
    assert labels, f"no labelled inputs for {folder}"
    output = _score(folder, [_predict(label) for label in labels], tmp_path, strict)
    for label in labels:
        expected, correct, violations = _row(output, label["input"])
        assert (correct, violations) == (expected, 0), output
    if INPUTS[folder] is None:   # the whole folder is this adapter's
        assert re.search(r"^fields: (\d+) correct of \1 \(100\.0%\), absent violations: 0$", output, re.M), output
