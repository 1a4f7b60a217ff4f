"""One harvest run, independent of Prefect: the pieces the Prefect flows are made of.

A Run owns the single warehouse writer, the run's WARC archive and the fetch settings. Sources
are collected in batches (each batch one unit of work that may run on a thread, a Prefect task or
a Dask worker); the results come back here and are written batch by batch; the touched datasets
are scored at each publish and at the end, and the run is closed and published.
"""
from __future__ import annotations

import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from config.load import Config, Source
from flows.extract_budget import Budget, default_workers
from flows.harvest import by_host_turns, collect
from warehouse.rows import SourceResult


# Observers of runs in this process (the CLI's progress bar): called as hook(done, total) after
# each batch is written. Module level because flow parameters must be plain data.
PROGRESS_HOOKS: list = []


# Seconds between publishes when no reader waits (a waiting reader is let in after the batch being
# written): each publish checkpoints and scores what was written since the last one.
PUBLISH_EVERY = 10.0


def new_run_id() -> str:
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()) + "-" + uuid.uuid4().hex[:6]


@dataclass
class BatchSpec:
    """Everything a worker needs to collect a batch: plain data, no connections."""
    run_id: str
    sources: list[Source]
    settings: dict
    previous: dict
    archive_path: str | None
    replay: list[str] | None
    store_dir: str | None


def collect_batch(spec: BatchSpec) -> list[SourceResult]:
    """Fetch, extract and profile a batch of sources (threads inside, one archive file)."""
    from fetch.archive import BodyStore, Replay, WarcArchive
    from fetch.http import Fetcher

    archive = WarcArchive(spec.archive_path) if spec.archive_path else None
    replay = Replay(spec.replay) if spec.replay else None
    store = BodyStore(spec.store_dir) if spec.store_dir else None
    fetcher = Fetcher(spec.settings, spec.run_id, archive=archive, replay=replay)
    workers = max(1, min(spec.settings["politeness"]["global_concurrency"], len(spec.sources)))
    # Extraction runs in killable worker processes within [run] extract_timeout per page (why:
    # flows/extract_budget.py); a runaway page fails its own source and stalls no other thread.
    budget = Budget(spec.settings["run"]["extract_timeout"], default_workers(workers))
    try:
        with ThreadPoolExecutor(workers, thread_name_prefix="lqs-fetch") as pool:
            return list(pool.map(
                lambda s: collect(s, fetcher, spec.settings, spec.previous.get(s.id), store, budget),
                by_host_turns(spec.sources)))
    finally:
        budget.close()
        fetcher.close()
        if archive is not None:
            archive.close()


@dataclass
class Summary:
    run_id: str
    kind: str
    sources: list[dict] = field(default_factory=list)
    hosts: dict[str, dict[str, int]] = field(default_factory=dict)   # host -> outcome -> fetches
    started: float = field(default_factory=time.monotonic)

    def add(self, result: SourceResult, before: dict | None, after: dict | None) -> None:
        outcomes: dict[str, int] = {}
        for row in result.fetches:
            outcomes[row["outcome"]] = outcomes.get(row["outcome"], 0) + 1
            per_host = self.hosts.setdefault(row["host"], {})
            per_host[row["outcome"]] = per_host.get(row["outcome"], 0) + 1
        self.sources.append({
            "dataset_id": result.dataset_id, "status": result.status, "error": result.error,
            "facts": result.fact_count, "pages": result.pages, "bytes": result.bytes,
            "fetches": outcomes, "warnings": len(result.warnings),
            "lqs_before": before.get("composite") if before else None,
            "tier_before": before.get("tier") if before else None,
            "lqs_after": after.get("composite") if after else None,
            "tier_after": after.get("tier") if after else None,
        })

    def as_dict(self) -> dict:
        ok = sum(s["status"] in ("ok", "unchanged") for s in self.sources)
        return {
            "run_id": self.run_id, "kind": self.kind, "sources": len(self.sources),
            "sources_ok": ok, "sources_failed": len(self.sources) - ok,
            "sources_unchanged": sum(s["status"] == "unchanged" for s in self.sources),
            "facts": sum(s["facts"] for s in self.sources),
            "bytes": sum(s["bytes"] for s in self.sources),
            "seconds": round(time.monotonic() - self.started, 3),
            "hosts": self.hosts,
            "per_source": self.sources,
        }


class Run:
    """The flow-process side of a run: the only place that writes the warehouse."""

    def __init__(self, config: Config, kind: str, replay: list[str] | None = None,
                 flow_run_id: str | None = None, publish_every: float = PUBLISH_EVERY):
        from warehouse.db import Warehouse

        self.config = config
        self.kind = kind
        self.replay = [str(Path(p).resolve()) for p in replay] if replay else None
        self.run_id = new_run_id()
        self.flow_run_id = flow_run_id
        self.warehouse = Warehouse(config.warehouse_path, config.settings["warehouse"]["lock_timeout"])
        archive_dir = config.archive_dir
        self.archive_path = str(archive_dir / f"{self.run_id}.warc.gz")
        self.store_dir = str(archive_dir / "bodies")
        self.summary = Summary(self.run_id, kind)
        self.publish_every = publish_every
        self._last_publish = time.monotonic()
        self._writer_cm = None
        self.writer = None
        self.before: dict[str, dict] = {}
        self._versions: dict[str, str] = {}   # dataset -> methodology version of its latest score
        self.total = 0
        self.done = 0
        self._unscored: list[SourceResult] = []   # written, not yet scored (see score())

    # ------------------------------------------------------------------ lifecycle
    def __enter__(self) -> "Run":
        from warehouse.load import start_run, upsert_datasets

        self._writer_cm = self.warehouse.writer(f"{self.kind} run {self.run_id}")
        self.writer = self._writer_cm.__enter__()
        upsert_datasets(self.writer, self.config.sources)
        start_run(self.writer, self.run_id, self.kind, ",".join(self.replay or []) or None,
                  self.archive_path, self.flow_run_id)
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        from warehouse.load import finish_run

        if exc_type is None:
            self._score_queued()
        else:
            self._settle_queued()
        result = self.summary.as_dict()
        if exc_type is None:
            status = "ok" if result["sources_failed"] == 0 else ("partial" if result["sources_ok"] else "failed")
            finish_run(self.writer, self.run_id, status, result)
        else:
            # The batches written so far are committed (the writer has no staging copy to throw
            # away): close the run as failed, saying why, rather than leave it `running`.
            try:
                finish_run(self.writer, self.run_id, "failed",
                           {**result, "error": f"{exc_type.__name__}: {exc}"[:500]})
            except Exception:
                pass   # the next writer closes it (load.start_run)
        self._writer_cm.__exit__(exc_type, exc, tb)

    # ------------------------------------------------------------------ steps
    def batches(self, sources: list[Source]) -> list[BatchSpec]:
        from warehouse.load import previous_state

        size = max(1, self.config.settings["run"]["batch_size"])
        self.total += len(sources)
        previous = previous_state(self.writer.con, [s.id for s in sources])
        self.before.update(self._scores([s.id for s in sources]))
        self._versions.update((d, b["version"]) for d, b in self.before.items())
        out = []
        for start in range(0, len(sources), size):
            chunk = sources[start:start + size]
            archive = self.archive_path if len(sources) <= size else \
                self.archive_path.replace(".warc.gz", f"-{start // size:05d}.warc.gz")
            out.append(BatchSpec(self.run_id, chunk, self.config.settings,
                                 {s.id: previous[s.id] for s in chunk if s.id in previous},
                                 archive, self.replay, self.store_dir))
        self.publish()   # no session open while the first batches are collected
        return out

    def write(self, results: list[SourceResult]) -> None:
        from warehouse.load import write_results

        write_results(self.writer, self.run_id, results)
        self.done += len(results)
        for hook in PROGRESS_HOOKS:
            hook(self.done, self.total)

    def score(self, results: list[SourceResult]) -> None:
        """Queue the batch's sources for scoring. When a reader waits, or publish_every seconds
        have passed since the last publish, score the queue and publish (end the writer session:
        readers get in between batches). Scoring at publish points rather than per batch: the
        scoring query costs about as much for 100 datasets as for 2,000 (benchmarks/README.md),
        and a reader still never sees facts without the scores they give."""
        self._unscored += results
        if self.writer.readers_waiting() or time.monotonic() - self._last_publish >= self.publish_every:
            self.publish()

    def publish(self) -> None:
        self._score_queued()
        self.writer.publish()
        self._last_publish = time.monotonic()

    def _score_queued(self) -> None:
        """Score the queued sources whose facts changed. An `unchanged` source keeps its score row
        (same facts, same methodology version: the same score); it is rescored only when it has
        no score under config/lqs.toml's version."""
        from scoring.run import score_datasets

        results, self._unscored = self._unscored, []
        version = str(self.config.lqs["methodology_version"])
        ids = [r.dataset_id for r in results if r.status == "ok" or (
            r.status == "unchanged" and self._versions.get(r.dataset_id) != version)]
        after = score_datasets(self.writer, self.run_id, self.config.lqs, ids) if ids else {}
        # (Under a new methodology, scoring rescores the whole warehouse at once: not again.)
        self._versions.update((d, version) for d in after)
        for result in results:
            before = self.before.get(result.dataset_id)
            now_ = after.get(result.dataset_id) or (before if result.status == "unchanged" else None)
            self.summary.add(result, before, now_)

    def _settle_queued(self) -> None:
        """A run ending in an error still scores the sources it wrote (they are committed), and
        reports them unscored if that fails too (the next run rescores them: _scores)."""
        queued = list(self._unscored)
        try:
            self._score_queued()
        except Exception:
            for result in queued:
                self.summary.add(result, self.before.get(result.dataset_id), None)

    def _scores(self, ids: list[str]) -> dict[str, dict]:
        """Each dataset's latest score. A score older than the source run that holds the
        dataset's current facts (a writer killed between writing a batch and scoring it) has no
        version here, so an `unchanged` result rescores it."""
        rows = self.writer.con.execute(
            """select l.dataset_id, l.composite, l.tier,
                      case when l.scored_at >= coalesce(r.finished_at, l.scored_at) then l.methodology_version end
               from lqs_latest l
               left join latest_source_runs s on s.dataset_id = l.dataset_id
               left join source_runs r on r.run_id = s.facts_run_id and r.dataset_id = s.dataset_id
               where l.dataset_id in (select unnest(?))""", [ids]).fetchall()
        return {d: {"composite": c, "tier": t, "version": v} for d, c, t, v in rows}


def run_locally(config: Config, sources: list[Source], kind: str, replay=None,
                on_source=None) -> dict:
    """The whole run without Prefect (used by tests and benchmarks as the plain path)."""
    with Run(config, kind, replay) as run:
        for spec in run.batches(sources):
            results = collect_batch(spec)
            run.write(results)
            run.score(results)
            if on_source:
                for r in results:
                    on_source(r)
    return run.summary.as_dict()
