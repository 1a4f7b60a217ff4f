"""One resolution, two paths: every corpus input with an http(s) URL goes through a REAL
`lqs refresh --replay` (one process, one refresh run, every input a source of its own, read from a
WARC of the inputs at their recorded URLs), and the warehouse's winning facts of each source's
own record must equal `lqs extract`'s record of the same input (extract_document, the one path
`lqs extract` prints) on every canonical field, value for value, shape for shape.

Both paths decide through extractors/resolve.py, so any difference is a bug: one path shaping,
deriving or picking what the other does not. The corpus lives next to the project
(../shared/corpus) and is read in place, never copied.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from extractors.document import extract_document
from extractors.model import CANONICAL_FIELDS

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "corpus"
LQS = Path(sys.executable).with_name("lqs")
CATEGORY = "Tabular"   # any LQS category: the test compares facts, not scores

pytestmark = pytest.mark.skipif(
    not CORPUS.is_dir(),
    reason=f"shared corpus not found at {CORPUS} (expected ../shared/corpus next to the project)")


def url_inputs() -> list[dict]:
    """The labelled inputs recorded at an http(s) URL (the ones a harvest can fetch)."""
    labels = []
    for path in sorted(CORPUS.rglob("*.expected.json")):
        label = json.loads(path.read_text(encoding="utf-8"))
        if label.get("input") and (label.get("url") or "").startswith(("http://", "https://")):
            labels.append(label)
    return labels


def write_archive(labels: list[dict], path: Path) -> None:
    """A WARC of each input at its URL, and a permissive robots.txt per origin."""
    from fetch.archive import WarcArchive

    archive = WarcArchive(path)
    for label in labels:
        headers = {"Content-Type": label["content_type"]} if label.get("content_type") else {}
        archive.record("GET", label["url"], {}, 200, "OK", headers, (CORPUS / label["input"]).read_bytes())
    for origin in sorted({re.match(r"https?://[^/]+", label["url"]).group(0) for label in labels}):
        archive.record("GET", f"{origin}/robots.txt", {}, 200, "OK", {"Content-Type": "text/plain"},
                       b"User-agent: *\nAllow: /\n")
    archive.close()


def write_config(labels: list[dict], folder: Path) -> None:
    """The project's settings and methodology, one page per source (links are not followed, so
    each source is exactly its input), and one source per input."""
    folder.mkdir()
    shutil.copy(ROOT / "config" / "lqs.toml", folder / "lqs.toml")
    settings = (ROOT / "config" / "settings.toml").read_text(encoding="utf-8")
    settings, n = re.subn(r"(?m)^max_pages_per_source\s*=\s*\d+", "max_pages_per_source = 1", settings)
    assert n == 1, "settings.toml has no max_pages_per_source line"
    (folder / "settings.toml").write_text(settings, encoding="utf-8")
    entries = [f"[[source]]\nid = \"corpus-{i:03d}\"\nname = {json.dumps(label['input'])}\n"
               f"url = {json.dumps(label['url'])}\ncategory = \"{CATEGORY}\"\n"
               for i, label in enumerate(labels)]
    (folder / "sources.toml").write_text("\n".join(entries), encoding="utf-8")


def refresh(tmp_path: Path, config: Path, archive: Path) -> Path:
    warehouse = tmp_path / "warehouse.duckdb"
    env = {**os.environ, "LQS_WAREHOUSE": str(warehouse), "LQS_ARCHIVE": str(tmp_path / "archive"),
           "PREFECT_HOME": str(tmp_path / "prefect"), "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120"}
    env.pop("LQS_CONFIG", None)
    done = subprocess.run([str(LQS), "--config", str(config), "refresh", "--replay", str(archive)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return warehouse


def warehouse_records(warehouse: Path) -> tuple[dict[str, dict], dict[str, tuple]]:
    """{source id: the winning facts of its own record} and {source id: (status, error)}."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = con.execute("""select dataset_id, field, value::varchar from facts_current
                              where winner and record is null""").fetchall()
        runs = con.execute("select dataset_id, status, error from latest_source_runs").fetchall()
        failed = con.execute("""select dataset_id, status, error from source_runs
                                where status not in ('ok', 'unchanged')""").fetchall()
    finally:
        con.close()
    records: dict[str, dict] = {}
    for dataset_id, field, value in rows:
        if field in CANONICAL_FIELDS:
            assert field not in records.setdefault(dataset_id, {}), f"{dataset_id}: two winners of {field}"
            records[dataset_id][field] = json.loads(value) if value is not None else None
    status = {d: (s, e) for d, s, e in runs} | {d: (s, e) for d, s, e in failed}
    return records, status


def test_the_warehouse_winners_equal_lqs_extract_records(tmp_path):
    labels = url_inputs()
    assert labels, f"no input with an http(s) URL in {CORPUS}"
    urls = [label["url"] for label in labels]
    assert len(set(urls)) == len(urls), "two corpus inputs share a URL"
    write_archive(labels, tmp_path / "corpus.warc.gz")
    write_config(labels, tmp_path / "config")
    warehouse = refresh(tmp_path, tmp_path / "config", tmp_path / "corpus.warc.gz")
    stored, status = warehouse_records(warehouse)

    differences = []
    for i, label in enumerate(labels):
        dataset_id = f"corpus-{i:03d}"
        assert status.get(dataset_id, ("missing", None))[0] == "ok", (label["input"], status.get(dataset_id))
        body = (CORPUS / label["input"]).read_bytes()
        printed = extract_document(body, url=label["url"], content_type=label.get("content_type"))
        expected = printed.get("record", {})
        got = stored.get(dataset_id, {})
        for field in CANONICAL_FIELDS:
            if got.get(field) != expected.get(field):
                differences.append(f"{label['input']}: {field}: warehouse {got.get(field)!r}, "
                                   f"lqs extract {expected.get(field)!r}")
    assert not differences, f"{len(differences)} difference(s):\n" + "\n".join(differences[:40])
    # The comparison is not vacuous: most inputs have a resolved record.
    assert sum(1 for record in stored.values() if record) >= len(labels) * 3 // 4
