"""The bare baseline a refresh is compared with: the same fetches and the same extractors, and
nothing else.

    python -m benchmarks.baseline --config DIR --out FACTS.duckdb [--concurrency 16]

requests (one Session per thread, a connection pool as large as the concurrency) and a
ThreadPoolExecutor fetch each source's page and the pages its adapter asks to follow (Box
subfolders and page 2..n); extractors.registry.detect/run read them and registry.combine merges
a source's pages, as the harvest does; every fact goes to ONE bulk insert (Arrow) into a DuckDB
table at the end. No Prefect, no robots.txt, no politeness gate, no retries, no WARC archive or
body store, no fetch ledger, no conditional requests, no label-file profiling, no scoring, no
staging/publish of the warehouse.
"""
from __future__ import annotations

import argparse
import json
import sys
import threading
import time
import tomllib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
from requests.adapters import HTTPAdapter

from extractors import registry

_local = threading.local()


def _session(concurrency: int) -> requests.Session:
    session = getattr(_local, "session", None)
    if session is None:
        session = _local.session = requests.Session()
        adapter = HTTPAdapter(pool_connections=4, pool_maxsize=concurrency)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
    return session


def harvest(source: dict, concurrency: int, max_pages: int = 200) -> tuple[list[dict], int, int]:
    """(fact rows, pages, bytes) of one source."""
    session = _session(concurrency)
    queue, seen, groups, pages, size = [(source["url"], source.get("adapter"))], set(), {}, 0, 0
    while queue and pages < max_pages:
        url, adapter = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        resp = session.get(url, timeout=(10, 30))
        resp.raise_for_status()
        body, ctype = resp.content, resp.headers.get("content-type")
        pages += 1
        size += len(body)
        name = adapter or registry.detect(resp.url, body, ctype)
        extraction = registry.run(name, url, body, ctype)
        groups.setdefault(name, []).append(extraction)
        queue.extend((f.url, name) for f in extraction.follow if f.kind in ("page", "folder"))
    rows = []
    for name, parts in groups.items():
        merged = registry.combine(name, parts) if len(parts) > 1 else parts[0]
        for fact in merged.facts:
            rows.append({"dataset_id": source["id"], "field": fact.field,
                         "value": json.dumps(fact.value, ensure_ascii=False), "unit": fact.unit,
                         "source_url": merged.url, "extractor": merged.extractor,
                         "evidence": (fact.evidence or "")[:1000], "basis": fact.basis, "rank": fact.rank,
                         "record": fact.record})
    return rows, pages, size


COLUMNS = ("dataset_id", "field", "value", "unit", "source_url", "extractor", "evidence", "basis", "rank", "record")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", required=True, help="a config folder (its sources.toml is read)")
    parser.add_argument("--out", required=True, help="the DuckDB file to write")
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()

    started = time.perf_counter()
    sources = [s for s in tomllib.loads((Path(args.config) / "sources.toml").read_text())["source"]
               if s.get("enabled", True)]
    facts, pages, size, failed = [], 0, 0, 0

    def one(source):
        try:
            return harvest(source, args.concurrency)
        except Exception as exc:  # a failing source is counted, as a refresh would
            print(f"{source['id']}: {type(exc).__name__}: {exc}", file=sys.stderr)
            return None

    with ThreadPoolExecutor(args.concurrency) as pool:
        for result in pool.map(one, sources):
            if result is None:
                failed += 1
                continue
            rows, n, b = result
            facts += rows
            pages += n
            size += b

    import duckdb
    import pyarrow as pa

    table = pa.table({c: [row[c] for row in facts] for c in COLUMNS})
    Path(args.out).unlink(missing_ok=True)
    con = duckdb.connect(args.out)
    con.execute("""create table facts (dataset_id varchar, field varchar, value json, unit varchar, source_url varchar,
                   extractor varchar, evidence varchar, basis varchar, rank integer, record varchar)""")
    con.register("_facts", table)
    con.execute("insert into facts select * from _facts")   # the one bulk insert
    con.close()
    print(json.dumps({"sources": len(sources), "sources_ok": len(sources) - failed, "sources_failed": failed,
                      "facts": len(facts), "pages": pages, "bytes": size,
                      "seconds": round(time.perf_counter() - started, 3)}))


if __name__ == "__main__":
    main()
