"""What the per-adapter corpus tests (test_*_corpus.py) share: where the shared corpus is, its
labels, one input read the way `lqs extract` reads it (detect, then run), and the corpus's own
score.py run over predictions. The corpus is read in place, never copied into the project."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from extractors import registry, resolve
from extractors.model import Extraction

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
HAS_SCORER = (CORPUS / "score.py").is_file()
# One input's row in score.py's per-file table: input, exp, ok, acc%, absent, viol.
ROW_RE = re.compile(r"^(\S+)\s+(\d+)\s+(\d+)\s+(\S+)\s+(\d+)\s+(\d+)")
FINAL_RE = re.compile(r"fields: (\d+) correct of (\d+) \(([\d.]+)%\), absent violations: (\d+)")


def labels(folder: str, only: list[str] | None = None) -> list[dict]:
    """The folder's labels that have a real input (only: just these inputs)."""
    out = []
    for path in sorted((CORPUS / folder).glob("*.expected.json")):
        label = json.loads(path.read_text(encoding="utf-8"))
        if label.get("input") and (only is None or label["input"] in only):
            out.append(label)
    return out


def read(label: dict) -> tuple[str, Extraction]:
    """(detected adapter, its extraction) for one labelled input."""
    body = (CORPUS / label["input"]).read_bytes()
    url, content_type = label.get("url"), label.get("content_type")
    name = registry.detect(url, body, content_type)
    return name, registry.run(name, url, body, content_type)


def predicted_record(label: dict) -> dict:
    """The input's resolved record (empty for a listing); the run must not fail."""
    _, ex = read(label)
    assert ex.error is None, f"{label['input']}: {ex.error}"
    return {} if ex.listing else resolve.record(ex.facts)


def score(folder: str, records: dict[str, dict], tmp_path: Path, strict: bool = False) -> str:
    """score.py's verbose report for {input: record} predictions of one corpus folder."""
    preds = tmp_path / f"{folder}.jsonl"
    preds.write_text("".join(json.dumps({"input": key, "record": record}) + "\n"
                             for key, record in records.items()), encoding="utf-8")
    args = [sys.executable, str(CORPUS / "score.py"), "-v"] + (["--strict"] if strict else [])
    done = subprocess.run(args + [str(CORPUS / folder), str(preds)], capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout


def rows(report: str) -> dict[str, tuple[int, int, int]]:
    """{input: (expected, correct, absent violations)} from the report's per-file table."""
    out = {}
    for line in report.splitlines():
        m = ROW_RE.match(line)
        if m:
            out[m.group(1)] = (int(m.group(2)), int(m.group(3)), int(m.group(6)))
    return out


def totals(report: str) -> tuple[int, int, int]:
    """(correct, total, absent violations) of the report's last line."""
    final = FINAL_RE.search(report)
    assert final, report
    correct, total, _, violations = final.groups()
    return int(correct), int(total), int(violations)


def check_folder_scores(folder: str, records: dict[str, dict], tmp_path: Path,
                        strict: bool = False, whole_folder: bool = True) -> str:
    """Every labelled field of these inputs right and no absent violation; with whole_folder,
    the folder's final line must be 100% too (the folder is all this adapter's)."""
    report = score(folder, records, tmp_path, strict)
    table = rows(report)
    for key in records:
        assert key in table, f"{key} not in scorer output:\n{report}"
        expected, correct, violations = table[key]
        assert (correct, violations) == (expected, 0), f"{key}\n{report}"
    if whole_folder:
        correct, total, violations = totals(report)
        assert (correct, violations) == (total, 0), report
    return report


def all_labels() -> list[dict]:
    """Every label with a real input, in every corpus folder ([] without the corpus)."""
    if not CORPUS.is_dir():
        return []
    labels = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(CORPUS.rglob("*.expected.json"))]
    return [label for label in labels if label.get("input")]


def other_inputs(folder: str) -> list[dict]:
    """Labels with a real input in every corpus folder but this one."""
    out = []
    for path in sorted(CORPUS.glob("*/*.expected.json")):
        label = json.loads(path.read_text(encoding="utf-8"))
        if label.get("input") and path.parent.name != folder:
            out.append(label)
    return out


def detect(label: dict) -> str:
    body = (CORPUS / label["input"]).read_bytes()
    return registry.detect(label.get("url"), body, label.get("content_type"))
