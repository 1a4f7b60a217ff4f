"""Reality gate: every real input of the shared corpus through extract_document, scored by the
corpus's own score.py. Fails below 97% of labelled fields correct or on any absent violation.

The corpus lives next to the project (../shared/corpus) and is read in place, never copied.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from extractors.document import extract_document

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
MIN_ACCURACY = 97.0
SCORE_LINE = re.compile(r"fields: (\d+) correct of (\d+) \(([\d.]+)%\), absent violations: (\d+)")

pytestmark = pytest.mark.skipif(
    not (CORPUS / "score.py").is_file(),
    reason=f"shared corpus not found at {CORPUS} (expected ../shared/corpus next to the project)")


def labelled_inputs() -> list[dict]:
    """Labels with a real input (facts-only labels have "input": null)."""
    if not CORPUS.is_dir():
        return []
    labels = []
    for path in sorted(CORPUS.rglob("*.expected.json")):
        label = json.loads(path.read_text(encoding="utf-8"))
        if label.get("input"):
            labels.append(label)
    return labels


def run(label: dict, body: bytes | None = None) -> dict:
    if body is None:
        body = (CORPUS / label["input"]).read_bytes()
    return extract_document(body, url=label.get("url"), content_type=label.get("content_type"))


def test_corpus_score(tmp_path, capsys):
    labels = labelled_inputs()
    assert labels, f"no labelled inputs under {CORPUS}"
    predictions = tmp_path / "predictions.jsonl"
    with predictions.open("w", encoding="utf-8") as out:
        for label in labels:
            result = run(label)
            out.write(json.dumps({"input": label["input"], "adapter": result.get("adapter"),
                                  "record": result.get("record", {})}) + "\n")
    done = subprocess.run([sys.executable, str(CORPUS / "score.py"), "-v", str(CORPUS),
                           str(predictions)], capture_output=True, text=True, timeout=120)
    final = next((ln for ln in reversed(done.stdout.splitlines()) if SCORE_LINE.search(ln)), None)
    with capsys.disabled():
        print("\n" + (final or "score.py printed no score line"))
    assert final, f"score.py failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    correct, total, pct, violations = SCORE_LINE.search(final).groups()
    report = done.stdout[-6000:]
    assert float(pct) >= MIN_ACCURACY, f"{final}\n{report}"
    assert int(violations) == 0, f"{final}\n{report}"


@pytest.mark.parametrize("label", labelled_inputs(), ids=lambda label: label["input"])
def test_truncated_input_never_raises(label):
    body = (CORPUS / label["input"]).read_bytes()
    result = run(label, body[: len(body) // 2])
    assert result["adapter"]
    assert "error" in result or isinstance(result["record"], dict)
