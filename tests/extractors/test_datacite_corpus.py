"""DataCite adapter against the shared development corpus (../shared/corpus/datacite), scored with
the corpus's own score.py: every labelled field right and no absent-field violations. The
corpus is read in place, never copied into the project."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from extractors import registry, resolve

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
KIND = "datacite"

pytestmark = pytest.mark.skipif(not (CORPUS / KIND).is_dir(),
                                reason=f"shared corpus not found at {CORPUS}")


def predict(label_path: Path) -> tuple[dict, object]:
    label = json.loads(label_path.read_text())
    body = (CORPUS / label["input"]).read_bytes()
    url, content_type = label.get("url"), label.get("content_type")
    name = registry.detect(url, body, content_type)
    ex = registry.run(name, url, body, content_type)
    record = {} if ex.listing else resolve.record(ex.facts)
    return {"input": label["input"], "record": record}, ex


def labels() -> list[Path]:
    return sorted((CORPUS / KIND).glob("*.expected.json")) if (CORPUS / KIND).is_dir() else []


@pytest.mark.parametrize("label_path", labels(), ids=lambda p: p.name.removesuffix(".expected.json"))
def test_each_input_is_read_by_this_adapter(label_path):
    _, ex = predict(label_path)
    assert ex.adapter == KIND and ex.error is None, ex.error


def test_corpus_score(tmp_path):
    lines = [predict(p)[0] for p in labels()]
    preds = tmp_path / "preds.jsonl"
    preds.write_text("".join(json.dumps(line) + "\n" for line in lines))
    out = subprocess.run([sys.executable, str(CORPUS / "score.py"), "-v", str(CORPUS / KIND), str(preds)],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    final = re.search(r"fields: (\d+) correct of (\d+) \(([\d.]+)%\), absent violations: (\d+)", out.stdout)
    assert final, out.stdout
    correct, total, _, violations = final.groups()
    assert (correct, violations) == (total, "0"), out.stdout


def test_no_other_corpus_input_is_claimed_by_this_adapter():
    # Content sniffing must not take bodies of other kinds (Zenodo records with DataCite-ish
    # fields, Croissant, Data Packages ...).
    for label_path in sorted(CORPUS.glob("*/*.expected.json")):
        label = json.loads(label_path.read_text())
        if label.get("input") is None or label_path.parent.name == KIND:
            continue
        body = (CORPUS / label["input"]).read_bytes()
        name = registry.detect(label.get("url"), body, label.get("content_type"))
        assert name != KIND, label["input"]
