"""OpenML adapter against the shared development corpus (../shared/corpus/openml): every
labelled field of the inputs this adapter reads right, no absent-field violation, scored by the
corpus's own score.py. The folder also holds a Croissant file, which is the croissant adapter's:
it must not be claimed here. The corpus is read in place, never copied into the project."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from extractors import registry, resolve

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
KIND = "openml"

pytestmark = pytest.mark.skipif(
    not (CORPUS / "score.py").is_file() or not (CORPUS / KIND).is_dir(),
    reason=f"shared corpus not found at {CORPUS}; corpus score not measured")

ROW_RE = re.compile(r"^(\S+)\s+(\d+)\s+(\d+)\s+(\S+)\s+(\d+)\s+(\d+)")


def labels() -> list[dict]:
    return [json.loads(p.read_text("utf-8")) for p in sorted((CORPUS / KIND).glob("*.expected.json"))]


def predict(label: dict) -> tuple[str, dict]:
    body = (CORPUS / label["input"]).read_bytes()
    name = registry.detect(label["url"], body, label.get("content_type"))
    ex = registry.run(name, label["url"], body, label.get("content_type"))
    return name, resolve.record(ex.facts) if ex.error is None else {}


def test_openml_api_inputs_are_ours_and_croissant_is_not():
    for label in labels():
        name = predict(label)[0]
        if label["input"].endswith(".croissant.json"):
            assert name != KIND, label["input"]
        else:
            assert name == KIND, label["input"]


def test_corpus_score_is_complete_for_openml_inputs(tmp_path):
    predictions = {lab["input"]: predict(lab) for lab in labels()}
    preds = tmp_path / "preds.jsonl"
    preds.write_text("".join(json.dumps({"input": k, "record": rec}) + "\n"
                             for k, (_, rec) in predictions.items()), "utf-8")
    done = subprocess.run([sys.executable, str(CORPUS / "score.py"), "-v", str(CORPUS / KIND),
                           str(preds)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    rows = {m.group(1): m for line in done.stdout.splitlines() if (m := ROW_RE.match(line))}
    ours = [k for k, (name, _) in predictions.items() if name == KIND]
    assert ours, done.stdout
    for key in ours:
        row = rows[key]
        expected, correct, violations = int(row.group(2)), int(row.group(3)), int(row.group(6))
        assert (correct, violations) == (expected, 0), f"{key}\n{done.stdout}"
