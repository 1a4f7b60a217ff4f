"""Hugging Face adapter against the shared development corpus (../shared/corpus/huggingface):
every labelled field right and no absent-field violation, scored by the corpus's own score.py.
The corpus is read in place, never copied into the project."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from extractors import registry, resolve

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
KIND = "huggingface"

pytestmark = pytest.mark.skipif(
    not (CORPUS / "score.py").is_file() or not (CORPUS / KIND).is_dir(),
    reason=f"shared corpus not found at {CORPUS}; corpus score not measured")

ROW_RE = re.compile(r"^(\S+)\s+(\d+)\s+(\d+)\s+(\S+)\s+(\d+)\s+(\d+)")
FINAL_RE = re.compile(r"fields: (\d+) correct of (\d+) .*absent violations: (\d+)")


def labels() -> list[dict]:
    return [json.loads(p.read_text("utf-8")) for p in sorted((CORPUS / KIND).glob("*.expected.json"))]


def predict(label: dict) -> tuple[str, dict]:
    body = (CORPUS / label["input"]).read_bytes()
    name = registry.detect(label["url"], body, label.get("content_type"))
    ex = registry.run(name, label["url"], body, label.get("content_type"))
    assert ex.error is None, f"{label['input']}: {ex.error}"
    return name, resolve.record(ex.facts)


def score(tmp_path: Path) -> str:
    lines = [json.dumps({"input": lab["input"], "record": predict(lab)[1]}) for lab in labels()]
    preds = tmp_path / "preds.jsonl"
    preds.write_text("\n".join(lines) + "\n", "utf-8")
    done = subprocess.run([sys.executable, str(CORPUS / "score.py"), "-v", str(CORPUS / KIND),
                           str(preds)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_every_input_is_read_by_this_adapter():
    for label in labels():
        assert predict(label)[0] == KIND, label["input"]


def test_corpus_score_is_complete(tmp_path):
    report = score(tmp_path)
    final = FINAL_RE.search(report.strip().splitlines()[-1])
    assert final, report
    correct, total, violations = map(int, final.groups())
    assert (correct, violations) == (total, 0), report
    rows = [m for line in report.splitlines() if (m := ROW_RE.match(line))]
    assert len(rows) == len(labels()), report
