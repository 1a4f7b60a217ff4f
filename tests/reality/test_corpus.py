"""Reality gate: every real input of the shared corpus, read two ways — as `lqs extract` reads it
(extract_document) and as a harvest reads it (a source per input, fetched from a WARC replay of
the input at its recorded URL, collected by flows.harvest) — each scored by the corpus's own
score.py. Prints accuracy per kind (corpus folder) and per field; fails below 97% of labelled
fields correct, or on any absent violation, on either path.

The corpus lives next to the project (../shared/corpus) and is read in place, never copied.
"""
from __future__ import annotations

import copy
import json
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from extractors.document import extract_document, shape
from extractors.model import CANONICAL_FIELDS

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
MIN_ACCURACY = 97.0
SCORE_LINE = re.compile(r"fields: (\d+) correct of (\d+) \(([\d.]+)%\), absent violations: (\d+)")
ROW = re.compile(r"^(\S+)\s+(\d+)\s+(\d+)\s+(\S+)\s+(\d+)\s+(\d+)")
FIELD_ROW = re.compile(r"^(\w+)\s+(\d+)/(\d+)\s+\S+\s+(\d+)/(\d+)")

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


# ------------------------------------------------------------------------------ the two paths

def extract_records(labels: list[dict]) -> dict[str, dict]:
    return {label["input"]: run(label).get("record", {}) for label in labels}


def source_url(label: dict) -> str:
    """The input's recorded URL; inputs recorded without an http(s) one (a file inside a wheel)
    get a name of their own that no adapter's URL pattern claims, so detection reads the body."""
    url = label.get("url") or ""
    return url if url.startswith(("http://", "https://")) else f"https://corpus.invalid/{label['input']}"


def harvest_records(labels: list[dict], tmp_path: Path) -> dict[str, dict]:
    """Each input harvested as its own source from a WARC replay, then the harvest's winning
    facts of the input's own record, in the label format's shapes."""
    from fetch.archive import Replay, WarcArchive
    from config.load import Source, load
    from flows.harvest import collect
    from fetch.http import Fetcher

    archive_path = tmp_path / "corpus.warc.gz"
    archive = WarcArchive(archive_path)
    seen: dict[str, str] = {}
    for label in labels:
        url = source_url(label)
        assert url not in seen, f"{label['input']} and {seen[url]} share the URL {url}"
        seen[url] = label["input"]
        headers = {"Content-Type": label["content_type"]} if label.get("content_type") else {}
        archive.record("GET", url, {}, 200, "OK", headers, (CORPUS / label["input"]).read_bytes())
    for origin in {re.match(r"https?://[^/]+", url).group(0) for url in seen}:
        archive.record("GET", f"{origin}/robots.txt", {}, 200, "OK", {"Content-Type": "text/plain"},
                       b"User-agent: *\nAllow: /\n")
    archive.close()

    settings = copy.deepcopy(load().settings)
    settings["run"]["max_pages_per_source"] = 1     # one input, one page: links are not followed
    fetcher = Fetcher(settings, "reality", replay=Replay([archive_path]))
    records = {}
    try:
        for index, label in enumerate(labels):
            source = Source(id=f"corpus-{index}", name=label["input"], url=source_url(label),
                            category="corpus")
            result = collect(source, fetcher, settings)
            assert result.status == "ok", f"{label['input']}: {result.error}"
            winners = {row["field"]: row["value"] for row in result.facts
                       if row["winner"] and row["record"] is None}
            records[label["input"]] = {field: value for field in CANONICAL_FIELDS
                                       if field in winners
                                       and (value := shape(field, winners[field])) is not None}
    finally:
        fetcher.close()
    return records


# ------------------------------------------------------------------------------ scoring

def score(records: dict[str, dict], tmp_path: Path, name: str) -> str:
    predictions = tmp_path / f"{name}.jsonl"
    predictions.write_text("".join(json.dumps({"input": key, "record": record}) + "\n"
                                   for key, record in records.items()), encoding="utf-8")
    done = subprocess.run([sys.executable, str(CORPUS / "score.py"), "-v", str(CORPUS),
                           str(predictions)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def by_kind(report: str) -> dict[str, list[int]]:
    """{kind: [correct, expected, absent violations]} from the report's per-file table."""
    kinds: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for line in report.splitlines():
        m = ROW.match(line)
        if m and "/" in m.group(1):
            total = kinds[m.group(1).split("/", 1)[0]]
            total[0] += int(m.group(3))
            total[1] += int(m.group(2))
            total[2] += int(m.group(6))
    return dict(sorted(kinds.items()))


def summary(title: str, report: str) -> str:
    lines = [f"{title}: " + (SCORE_LINE.search(report).group(0) if SCORE_LINE.search(report)
                             else "score.py printed no score line"),
             f"  {'kind':<14}{'correct':>8}{'fields':>8}{'acc%':>8}{'absent viol':>13}"]
    for kind, (ok, n, viol) in by_kind(report).items():
        pct = f"{100 * ok / n:.1f}" if n else "-"
        lines.append(f"  {kind:<14}{ok:>8}{n:>8}{pct:>8}{viol:>13}")
    lines.append(f"  {'field':<22}{'correct':>8}{'fields':>8}{'acc%':>8}{'absent viol':>13}")
    for line in report.splitlines():
        m = FIELD_ROW.match(line)
        if m:
            field, ok, n, viol = m.group(1), int(m.group(2)), int(m.group(3)), int(m.group(4))
            pct = f"{100 * ok / n:.1f}" if n else "-"
            lines.append(f"  {field:<22}{ok:>8}{n:>8}{pct:>8}{viol:>13}")
    return "\n".join(lines)


def check(report: str) -> None:
    final = SCORE_LINE.search(report)
    assert final, report[-3000:]
    _, _, pct, violations = final.groups()
    misses = report[report.find("misses:"):] if "misses:" in report else report[-4000:]
    assert float(pct) >= MIN_ACCURACY, f"{final.group(0)}\n{misses}"
    assert int(violations) == 0, f"{final.group(0)}\n{misses}"


def test_corpus_score_through_extract(tmp_path, capsys):
    labels = labelled_inputs()
    assert labels, f"no labelled inputs under {CORPUS}"
    report = score(extract_records(labels), tmp_path, "extract")
    with capsys.disabled():
        print("\n" + summary("lqs extract", report))
    check(report)


def test_corpus_score_through_harvest(tmp_path, capsys):
    labels = labelled_inputs()
    assert labels, f"no labelled inputs under {CORPUS}"
    report = score(harvest_records(labels, tmp_path), tmp_path, "harvest")
    with capsys.disabled():
        print("\n" + summary("harvest path", report))
    check(report)


@pytest.mark.parametrize("label", labelled_inputs(), ids=lambda label: label["input"])
def test_truncated_input_never_raises(label):
    body = (CORPUS / label["input"]).read_bytes()
    result = run(label, body[: len(body) // 2])
    assert result["adapter"]
    assert "error" in result or isinstance(result["record"], dict)
