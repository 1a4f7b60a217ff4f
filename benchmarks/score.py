"""LQS scoring of many datasets from warehouse facts.

    python -m benchmarks.score --datasets 100000 [--repeat 5] [--runs 1]

Builds a warehouse (migrations applied) holding N synthetic datasets whose facts look like the
harvester's: every dataset has published facts (title, description, licence, item count and unit,
formats, file count, size, release date, class count, …, some stated twice by two pages with one
winner), a third have a profiled label file (measured fill rate, rows, columns, unique ids,
subjects, labels per item, Gini, max/min, class counts, column fill), some have curated facts
(label provenance, a provenance mix, inner format), a few have a published completeness or dedup
method or a measured kappa, and most list files with sizes and formats. Rows are bulk-loaded
with Arrow. `--runs 2` appends a second run per dataset (`unchanged`: it points at the first
run's rows, as an unchanged incremental refresh does), so facts_current has history to skip.

Times scoring.run.score_datasets(writer, run_id, lqs_cfg) for all datasets (evidence loading,
scoring and the writes of lqs_scores/lqs_dimensions), median of --repeat runs, each on a fresh
copy of the built warehouse. Target: < 2 s for 100,000 datasets.
"""
from __future__ import annotations

import argparse
import json
import random
import shutil
import time
from datetime import datetime, timedelta
from pathlib import Path

from benchmarks import _common as C

CATEGORIES = ["Medical Imaging", "Computer Vision", "NLP", "Tabular", "Speech", "Document / OCR",
              "LLM instruction/preference", "Audio classification", "Video", "Remote Sensing"]
FORMATS = ["TAR", "ZIP", "CSV", "PARQUET", "JSON", "PNG", "DICOM", "NIFTI", "JPEG", "HDF5", "NPZ", "TSV",
           "ARFF", "JSONL", "WAV", "MP4", "TIFF", "GEOTIFF", "MAT", None]
LICENSES = ["CC0-1.0", "CC-BY-4.0", "MIT", "CC-BY-NC-4.0", "Apache-2.0", "other"]
PROVENANCE = ["expert-adjudicated", "single-expert", "crowd-adjudicated", "model-or-programmatic",
              "nlp-extracted", "crowd-single-pass", "nlp-unvalidated", "weak-heuristic", "unknown"]
CLASSES = ["Infiltration", "Effusion", "Atelectasis", "Nodule", "Mass", "Pneumothorax", "Consolidation",
           "Pleural_Thickening", "Cardiomegaly", "Emphysema", "Edema", "Fibrosis", "Pneumonia", "Hernia",
           "cat", "dog", "car", "truck", "ship", "bird", "frog", "horse", "deer", "plane"]


def _facts_of(rng: random.Random, n: int) -> tuple[list[tuple], list[tuple]]:
    """(field, value, basis, rank, winner, record, evidence, extractor) rows and
    (name, size_bytes, format, kind) files of one synthetic dataset."""
    facts: list[tuple] = []

    def add(field, value, basis="published", rank=30, winner=True, record=None, extractor="zenodo@1.0.0",
            evidence=None):
        facts.append((field, json.dumps(value), basis, rank, winner, record, evidence or f"$.metadata.{field}",
                      extractor))

    items = int(10 ** rng.uniform(2, 7))
    add("title", f"Synthetic dataset {n}")
    if rng.random() < 0.5:  # a second page states the title too (loser)
        add("title", f"Synthetic dataset {n} (landing page)", rank=10, winner=False, extractor="html@1.0.0")
    add("description", "Images of synthetic things. " * rng.randint(2, 20))
    add("license", rng.choice(LICENSES))
    add("commercial_use", rng.random() < 0.6)
    add("item_count", items)
    add("item_unit", rng.choice(["images", "records", "documents", "hours", "samples"]))
    add("formats", sorted({f for f in rng.sample(FORMATS[:-1], rng.randint(1, 4))}))
    add("file_count", rng.randint(1, 500))
    add("size_bytes", rng.randint(10 ** 5, 10 ** 12))
    add("release_date", f"20{rng.randint(10, 25):02d}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}")
    add("keywords", rng.sample(["medical", "xray", "vision", "text", "speech", "tabular"], 3))
    add("doi", f"10.5281/zenodo.{100000 + n}")
    add("access", "open")
    add("publisher", "zenodo.org")
    add("homepage", f"https://zenodo.org/records/{100000 + n}")
    add("version", f"1.{n % 7}")
    if rng.random() < 0.5:
        add("class_count", rng.randint(2, 1000))
    if rng.random() < 0.2:
        add("feature_count", rng.randint(3, 2000))
    if rng.random() < 0.05:
        add("completeness_pct", round(rng.uniform(60, 100), 1))
    if rng.random() < 0.05:
        add("dedup_method", "exact-hash")
    if rng.random() < 0.3:  # a profiled label file: measured facts
        rows = items + rng.randint(0, items // 50 + 1)
        unique = items
        subjects = max(1, items // rng.randint(1, 5))
        k = rng.randint(2, 20)
        counts = sorted((rng.randint(10, 20000) for _ in range(k)), reverse=True)
        counts_map = {CLASSES[i % len(CLASSES)] + ("" if i < len(CLASSES) else str(i)): c for i, c in enumerate(counts)}
        m = dict(basis="measured", extractor="profile@1.0.0", evidence="labels.csv: rows")
        add("item_count", unique, **m)
        add("item_unit", "images", **m)
        add("rows", rows, **m)
        add("columns", rng.randint(2, 20), **m)
        add("column_fill", {f"col{i}": round(rng.random(), 6) for i in range(6)}, **m)
        add("fill_rate", round(rng.uniform(40, 100), 3), **m)
        add("annotation_format", rng.choice(["CSV", "TSV", "JSON"]), **m)
        add("unique_ids", unique, **m)
        add("duplicate_ids", rows - unique, **m)
        add("subject_count", subjects, **m)
        add("items_per_subject", round(unique / subjects, 3), **m)
        add("class_count", k, **m)
        add("class_counts", counts_map, **m)
        add("background_count", rng.randint(0, items), **m)
        add("labels_per_item", round(rng.uniform(0.3, 4), 6), **m)
        add("labels_per_item_positive", round(rng.uniform(0.2, 3), 6), **m)
        add("gini", round(rng.uniform(0, 0.9), 6), **m)
        add("max_min_ratio", round(max(counts) / min(counts), 3), **m)
    elif rng.random() < 0.2:
        add("class_counts", {CLASSES[i]: rng.randint(10, 5000) for i in range(rng.randint(2, 12))})
    if rng.random() < 0.03:
        add("validation_kappa", round(rng.uniform(0.3, 0.95), 3), basis="measured", extractor="curated@config")
    if rng.random() < 0.25:
        add("label_provenance", rng.choice(PROVENANCE), basis="curated", extractor="curated@config",
            evidence="README: how labels were made")
    if rng.random() < 0.05:
        add("label_provenance_mix", {"single-expert": rng.randint(1, 60), "model-or-programmatic": rng.randint(1, 60)},
            basis="curated", extractor="curated@config")
    if rng.random() < 0.1:
        add("inner_format", rng.choice(["PNG", "DICOM", "JPEG", "NIFTI"]), basis="curated", extractor="curated@config")
    if rng.random() < 0.02:  # a listing page's facts about another record (ignored by scoring)
        add("title", "another record", record="rec-1")
    files = [(f"part-{i:04d}", rng.randint(10 ** 3, 10 ** 10), rng.choice(FORMATS), "file")
             for i in range(rng.choice([0, 1, 2, 3, 5, 8, 13, 20]))]
    if files and rng.random() < 0.2:
        files.append(("images", None, None, "folder"))
    return facts, files


def build(path: Path, datasets: int, runs: int = 1, seed: int = 7) -> dict:
    """A warehouse at path with `datasets` synthetic datasets (and `runs` successful runs each)."""
    import pyarrow as pa

    from warehouse.db import Warehouse

    rng = random.Random(seed)
    cols = {k: [] for k in ("run_id", "dataset_id", "field", "value", "unit", "source_url", "archive_sha256",
                            "extractor", "evidence", "basis", "rank", "winner", "basis_best", "record")}
    fcols = {k: [] for k in ("run_id", "dataset_id", "name", "size_bytes", "format", "url", "file_id", "folder",
                             "sha256", "kind", "file_count")}
    ds_rows = {k: [] for k in ("dataset_id", "name", "category", "source_url", "adapter", "updated_at")}
    sr = {k: [] for k in ("run_id", "dataset_id", "status", "adapter", "error", "facts", "pages", "bytes",
                          "fingerprint", "reused_run_id", "started_at", "finished_at", "facts_run_id")}
    t0 = datetime(2026, 1, 1)
    run_ids = [f"2026010{r + 1}T000000Z-bench{r}" for r in range(runs)]
    for n in range(datasets):
        dataset_id = f"synthetic-{n:06d}"
        facts, files = _facts_of(rng, n)
        ds_rows["dataset_id"].append(dataset_id)
        ds_rows["name"].append(f"Synthetic {n}")
        ds_rows["category"].append(CATEGORIES[n % len(CATEGORIES)])
        ds_rows["source_url"].append(f"https://zenodo.org/records/{100000 + n}")
        ds_rows["adapter"].append("zenodo")
        ds_rows["updated_at"].append(t0)
        for r, run_id in enumerate(run_ids):
            # Later runs are `unchanged`: they store no rows and point at the first (migration 008).
            for field, value, basis, rank, winner, record, evidence, extractor in (facts if r == 0 else ()):
                cols["run_id"].append(run_id)
                cols["dataset_id"].append(dataset_id)
                cols["field"].append(field)
                cols["value"].append(value)
                cols["unit"].append("percent" if field == "fill_rate" else None)
                cols["source_url"].append(f"https://zenodo.org/api/records/{100000 + n}")
                cols["archive_sha256"].append(None)
                cols["extractor"].append(extractor)
                cols["evidence"].append(evidence)
                cols["basis"].append(basis)
                cols["rank"].append(rank)
                cols["winner"].append(winner)
                cols["basis_best"].append(winner)   # every loser here shares its winner's basis
                cols["record"].append(record)
            for name, size, fmt, kind in (files if r == 0 else ()):
                for key, value in (("run_id", run_id), ("dataset_id", dataset_id), ("name", name),
                                   ("size_bytes", size), ("format", fmt), ("url", None), ("file_id", None),
                                   ("folder", None), ("sha256", None), ("kind", kind), ("file_count", None)):
                    fcols[key].append(value)
            for key, value in (("run_id", run_id), ("dataset_id", dataset_id), ("status", "ok" if r == 0 else "unchanged"),
                               ("adapter", "zenodo"), ("error", None), ("facts", len(facts)), ("pages", 1),
                               ("bytes", 50_000), ("fingerprint", "f"), ("reused_run_id", run_ids[0] if r else None),
                               ("started_at", t0 + timedelta(days=r)), ("finished_at", t0 + timedelta(days=r, seconds=n % 3600)),
                               ("facts_run_id", run_ids[0])):
                sr[key].append(value)
    if path.exists():
        path.unlink()
    with Warehouse(path).writer("benchmark build") as w:
        con = w.con
        for table, data in (("datasets", ds_rows), ("source_runs", sr), ("facts_stored", cols), ("files_stored", fcols)):
            arrow = pa.table(data)
            con.register("_bench", arrow)
            names = ", ".join(f'"{c}"' for c in data)
            con.execute(f"insert into {table} ({names}) select {names} from _bench")
            con.unregister("_bench")
        for r, run_id in enumerate(run_ids):
            con.execute("insert into runs (run_id, kind, started_at, status) values (?, 'refresh', ?, 'ok')",
                        [run_id, t0 + timedelta(days=r)])
    return {"facts": len(cols["field"]), "files": len(fcols["name"]), "datasets": datasets, "runs": runs}


GENERATOR_VERSION = 2   # bump when _facts_of or build change: the cached warehouses are rebuilt


def cached_build(datasets: int, runs: int, seed: int = 7) -> tuple[Path, dict]:
    """The built warehouse, kept in var/bench/cache (building 100,000 datasets takes ~30-60 s)."""
    cache = C.RESULTS / "cache"
    cache.mkdir(parents=True, exist_ok=True)
    path = cache / f"score-{datasets}-{runs}-{seed}-v{GENERATOR_VERSION}.duckdb"
    meta = path.with_suffix(".json")
    if path.exists() and meta.exists():
        info = json.loads(meta.read_text())
        print(f"using {path.relative_to(C.ROOT)} ({info['facts']:,} facts, {info['files']:,} files)", flush=True)
        return path, info
    started = time.perf_counter()
    tmp = path.with_suffix(".tmp.duckdb")
    info = build(tmp, datasets, runs, seed)
    tmp.replace(path)
    for leftover in cache.glob(tmp.name + ".*"):
        leftover.unlink()
    info["build_s"] = round(time.perf_counter() - started, 2)
    meta.write_text(json.dumps(info))
    print(f"built {datasets:,} datasets, {info['facts']:,} facts, {info['files']:,} files "
          f"in {info['build_s']} s", flush=True)
    return path, info


def time_scoring(path: Path) -> tuple[float, float, dict]:
    """(wall s, CPU s, result) of one score_datasets call over every dataset in the warehouse."""
    from config.load import load
    from scoring.run import score_datasets
    from warehouse.db import Warehouse

    cfg = load().lqs
    with Warehouse(path).writer("benchmark score") as w:
        w.con.execute("checkpoint")
        cpu, started = time.process_time(), time.perf_counter()
        out = score_datasets(w, "bench-score", cfg)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return seconds, cpu, out


LEGACY_COMMIT = "6df2cb0"   # the last commit before issue 7 changed scoring/run.py and scoring/lqs.py


def legacy_scoring(path: Path) -> float | None:
    """Seconds of score_datasets as it was at LEGACY_COMMIT (read from git), on a copy: the
    before figure, measured in the same run. None when git or the commit is not there."""
    import subprocess
    import types

    def source(name):
        proc = subprocess.run(["git", "show", f"{LEGACY_COMMIT}:scoring/{name}.py"], cwd=str(C.ROOT),
                              capture_output=True, text=True)
        return proc.stdout if proc.returncode == 0 else None

    lqs_src, run_src = source("lqs"), source("run")
    if not lqs_src or not run_src:
        return None
    import sys

    legacy_lqs = types.ModuleType("_legacy_lqs")
    sys.modules["_legacy_lqs"] = legacy_lqs   # dataclasses look their module up while being made
    try:
        exec(compile(lqs_src, "legacy scoring/lqs.py", "exec"), legacy_lqs.__dict__)
        namespace: dict = {"__name__": "_legacy_run"}
        exec(compile(run_src.replace("from scoring.lqs import", "from _legacy_lqs import"), "legacy scoring/run.py",
                     "exec"), namespace)
        from config.load import load
        from warehouse.db import Warehouse

        cfg = load().lqs
        with Warehouse(path).writer("benchmark legacy score") as w:
            w.con.execute("checkpoint")
            started = time.perf_counter()
            namespace["score_datasets"](w, "bench-legacy", cfg)
            return time.perf_counter() - started
    finally:
        sys.modules.pop("_legacy_lqs", None)


def phases(path: Path) -> dict:
    """Where score_datasets' time goes: the scoring query alone (reading the evidence and the
    formulas, one DuckDB query: scoring.run.scores), and (the rest of the total) writing the rows.
    Measured apart on the built warehouse, read-only."""
    import duckdb

    from config.load import load
    from scoring.run import scores

    cfg = load().lqs
    con = duckdb.connect(str(path), read_only=True)
    try:
        started = time.perf_counter()
        scores(con, cfg)
        queried = time.perf_counter()
    finally:
        con.close()
    return {"load_s": 0.0, "formulas_s": round(queried - started, 3)}


def run(datasets: int = 100_000, repeat: int = 1, runs: int = 1, legacy: bool = True) -> dict:
    work = C.tempdir("lqs-bench-score-")
    try:
        built, info = cached_build(datasets, runs)
        times, cpus, scored = [], [], 0
        for i in range(repeat):
            copy = work / f"run{i}.duckdb"
            shutil.copyfile(built, copy)
            seconds, cpu, out = time_scoring(copy)
            scored = len(out)
            times.append(seconds)
            cpus.append(cpu)
            print(f"  run {i + 1}: score_datasets {seconds:.3f} s wall, {cpu:.3f} s CPU for {scored:,} datasets",
                  flush=True)
            copy.unlink()
        legacy_s = None
        if legacy:
            copy = work / "legacy.duckdb"
            shutil.copyfile(built, copy)
            legacy_s = legacy_scoring(copy)
            copy.unlink()
            if legacy_s is not None:
                print(f"  before (scoring at {LEGACY_COMMIT}, once): {legacy_s:.3f} s", flush=True)
        split = phases(built)
        split["write_s"] = round(max(0.0, C.median(times) - split["load_s"] - split["formulas_s"]), 3)
        print(f"  phases (apart): scoring query {split['formulas_s']} s (evidence and formulas in one), "
              f"write ≈ {split['write_s']} s", flush=True)
        result = {"datasets": datasets, "scored": scored, "runs_per_dataset": runs, "seconds": times, **split,
                  "legacy_s": legacy_s, "speedup": legacy_s / C.median(times) if legacy_s else None,
                  "cpu_seconds": cpus, "median_s": C.median(times), "median_cpu_s": C.median(cpus),
                  "target_s": 2.0, **info}
        C.save("score", result)
        return result
    finally:
        C.rmtree(work)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--runs", type=int, default=1, help="successful runs per dataset in the warehouse")
    parser.add_argument("--no-legacy", action="store_true", help=f"skip the before figure (scoring at {LEGACY_COMMIT})")
    args = parser.parse_args()
    r = run(args.datasets, args.repeat, args.runs, not args.no_legacy)
    met = "met" if r["median_s"] < r["target_s"] else "missed"
    print(C.result_line(f"score {args.datasets:,} datasets", r["median_s"], "s",
                        f"median of {len(r['seconds'])}; CPU {r['median_cpu_s']:.2f} s; "
                        + (f"before {r['legacy_s']:.1f} s ({r['speedup']:.1f}x faster); " if r["legacy_s"] else "")
                        + f"{r['datasets'] / r['median_s']:,.0f} datasets/s; target < 2 s {met}"))


if __name__ == "__main__":
    main()
