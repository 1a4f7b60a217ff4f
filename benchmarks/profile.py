"""Label-file profiling: extractors.profile.profile (pyarrow CSV -> DuckDB) against pandas.

    python -m benchmarks.profile [--repeat 5] [--file PATH]

The NIH ChestX-ray14 label file (../shared/corpus/annotations/Data_Entry_2017_v2020.csv.gz, else
the demo's copy in demo/pages/nihcc.app.box.com/), 112,120 rows, profiled from its gzip bytes
(as the harvest receives them) by both implementations of the same statistics: rows, unique ids,
duplicate ids, subjects, per-column fill rate and the mean, class counts of the label column split
on '|' with the background class ('No Finding') apart, labels per item (with and without the
background), Gini over the positive classes and the max/min ratio. The two must give equal numbers
(asserted), then each is timed (median of --repeat, alternating). Target: the project's < 1 s.
"""
from __future__ import annotations

import argparse
import gzip
import io
import time
from pathlib import Path

from benchmarks import _common as C

CANDIDATES = [C.ROOT.parent / "shared" / "corpus" / "annotations" / "Data_Entry_2017_v2020.csv.gz",
              C.ROOT / "demo" / "pages" / "nihcc.app.box.com" / "Data_Entry_2017_v2020.csv.gz"]
ID, LABEL, SEP, SUBJECT, BACKGROUND = "Image Index", "Finding Labels", "|", "Patient ID", "No Finding"


def nih_file() -> Path:
    for path in CANDIDATES:
        if path.is_file():
            return path
    raise SystemExit("NIH label file not found in " + " or ".join(map(str, CANDIDATES)))


def lqs_profile(body: bytes) -> dict:
    from extractors.profile import LabelSpec, profile

    ex = profile("Data_Entry_2017_v2020.csv.gz", body, LabelSpec(ID, LABEL, SEP, SUBJECT, BACKGROUND, item_unit="images"))
    assert ex.error is None, ex.error
    return ex.meta["label_stats"]


def pandas_profile(body: bytes) -> dict:
    """The same statistics with pandas (every column read as text, as the project reads them)."""
    import pandas as pd

    data = gzip.decompress(body) if body[:2] == b"\x1f\x8b" else body
    df = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, na_values=[""])
    rows, columns = len(df), list(df.columns)
    filled = {c: round(int((df[c].fillna("").str.strip() != "").sum()) / rows, 6) for c in columns}
    stats = {"rows": rows, "columns": len(columns), "column_fill": filled,
             "fill_rate": round(100 * sum(filled.values()) / len(columns), 3)}
    unique = int(df[ID].nunique())
    stats["unique_ids"], stats["duplicate_ids"] = unique, rows - unique
    stats["subjects"] = int(df[SUBJECT].nunique())
    labels = df[LABEL].fillna("").str.split(SEP, regex=False).explode().str.strip()
    counts = labels[labels != ""].value_counts()
    background = int(counts.get(BACKGROUND, 0))
    positive = counts.drop(BACKGROUND, errors="ignore")
    ordered = sorted(int(v) for v in positive.values)
    n, total = len(ordered), sum(ordered)
    gini = sum((2 * i - n + 1) * x for i, x in enumerate(ordered)) / (n * total) if n and total else 0.0
    stats.update({
        "class_counts": {k: int(v) for k, v in positive.items()}, "classes": len(positive),
        "background_count": background,
        "labels_per_item": round((total + background) / rows, 6),
        "labels_per_item_positive": round(total / rows, 6),
        "gini": round(gini, 6), "max_min_ratio": round(ordered[-1] / ordered[0], 3),
    })
    return stats


KEYS = ("rows", "columns", "column_fill", "fill_rate", "unique_ids", "duplicate_ids", "subjects", "class_counts",
        "classes", "background_count", "labels_per_item", "labels_per_item_positive", "gini", "max_min_ratio")


def run(repeat: int = 5, path: Path | None = None) -> dict:
    path = path or nih_file()
    body = path.read_bytes()
    import pandas  # noqa: F401  (imports are not part of either timing)
    import duckdb  # noqa: F401
    import pyarrow.csv  # noqa: F401

    ours, theirs = lqs_profile(body), pandas_profile(body)
    for key in KEYS:
        assert ours[key] == theirs[key], f"{key}: lqs {ours[key]!r} != pandas {theirs[key]!r}"
    lqs_times, pandas_times = [], []
    for i in range(repeat):
        for fn, times in ((lqs_profile, lqs_times), (pandas_profile, pandas_times))[:: 1 if i % 2 == 0 else -1]:
            started = time.perf_counter()
            fn(body)
            times.append(time.perf_counter() - started)
    result = {"file": str(path), "bytes": len(body), "rows": ours["rows"], "lqs_s": lqs_times, "pandas_s": pandas_times,
              "lqs_median_s": C.median(lqs_times), "pandas_median_s": C.median(pandas_times),
              "ratio": C.median([a / b for a, b in zip(lqs_times, pandas_times)]), "target_s": 1.0}
    C.save("profile", result)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--file", type=Path, default=None)
    args = parser.parse_args()
    r = run(args.repeat, args.file)
    print(f"{r['file']}: {r['rows']:,} rows, {r['bytes']:,} bytes; equal numbers from both")
    print(f"lqs (pyarrow + DuckDB): {r['lqs_median_s']:.3f} s; pandas: {r['pandas_median_s']:.3f} s")
    met = "met" if r["lqs_median_s"] < r["target_s"] else "missed"
    print(C.result_line("profile NIH labels", r["lqs_median_s"], "s",
                        f"median of {args.repeat}; lqs/pandas {r['ratio']:.2f}x; pandas {r['pandas_median_s']:.3f} s; "
                        f"target < 1 s {met}"))


if __name__ == "__main__":
    main()
