"""Harvest one source: fetch -> extract -> profile -> facts, with no Prefect and no database.

collect() does all the I/O of one source through the Fetcher and returns a SourceResult of plain
rows (picklable, so it can come back from a Prefect or Dask worker); only the flow process writes
them to the warehouse. Incremental: when the previous run's pages and label file all come back
not-modified (or byte-identical), the source's fingerprint (its config and the resolution rules)
is unchanged and every adapter the previous run used (the `adapter@version` on its facts) still
has that version, the result says 'unchanged' and the writer reuses the previous facts.
"""
from __future__ import annotations

import hashlib
import json
import re
from collections import deque
from dataclasses import asdict
from urllib.parse import urlsplit

from extractors import registry, resolve
from extractors.model import Extraction, Fact, RANK_API
from extractors import profile as profile_
from extractors.profile import profile, profile_set
from warehouse.rows import FILE_FIELDS, Previous, SourceResult, file_entry, file_row, now
from config.load import Source
from flows.extract_budget import ExtractTimeout, detect_and_run


class FetchFailed(Exception):
    """A page of the source could not be fetched; the message is the fetcher's reason (the same
    text as the ledger's error), not an exception class."""

    def __init__(self, url: str, got) -> None:
        reason = fetch_reason(got)
        if got.outcome == "skipped-robots":
            super().__init__(f"{url} not fetched: {reason}")
        else:
            super().__init__(reason if url in reason else f"{url}: {reason}")


# Failures whose ledger text is the HTTP library's exception: said in words instead.
_WORDS = {"timeout": "no answer in time", "truncated": "the answer broke off before its end"}


def fetch_reason(got) -> str:
    """Why a fetch gave no body, in plain words: the fetcher's own text (HTTP 404 from ...,
    robots.txt unreadable ..., not in the replay archive ...), except where that text is an
    exception of the HTTP library."""
    error = got.error or ""
    if got.outcome == "connection-error":
        low = error.lower()
        cause = ("the host name did not resolve" if "resolve" in low or "name or service" in low else
                 "the connection was refused" if "refused" in low else
                 "the connection was reset" if "reset" in low else
                 "a TLS certificate or handshake failed" if "ssl" in low or "certificate" in low else
                 "no connection could be made")
        return f"could not connect to {urlsplit(got.url).hostname}: {cause}"
    if got.outcome in _WORDS and "deadline" not in error:   # a deadline's own text is plain already
        return _WORDS[got.outcome]
    return error or got.outcome.replace("-", " ")


def by_host_turns(sources: list[Source]) -> list[Source]:
    """The sources reordered so their hosts take turns. A pool working through a host-sorted list
    would have every thread queued at one host's gate while other hosts wait for a free thread."""
    queues: dict[str, deque] = {}
    for source in sources:
        queues.setdefault((urlsplit(source.url).hostname or "").lower(), deque()).append(source)
    ordered = []
    while queues:
        for host in list(queues):
            ordered.append(queues[host].popleft())
            if not queues[host]:
                del queues[host]
    return ordered


def current_versions() -> dict[str, str]:
    """name -> version of every extractor a fact can name, read now (never cached: a version
    bumped in a running process, as the tests do, counts from the next check): each adapter,
    the label-file profiler, curated config facts (their content is in the fingerprint) and
    resolution's derived facts."""
    versions = {name: registry.version(name) for name in registry.names()}
    versions["profile"] = profile_.VERSION
    versions["curated"] = "config"
    name, _, version = resolve.DERIVED.partition("@")
    versions[name] = version
    return versions


def versions_unchanged(used: frozenset[str] | set[str]) -> bool:
    """True when every `adapter@version` the last run's facts name is still the current version.
    A run that left no facts tells nothing, so it is never reused."""
    if not used:
        return False
    current = current_versions()
    return all(current.get(name) == version
               for name, _, version in (tag.partition("@") for tag in used))


def fingerprint(source: Source) -> str:
    """Equal for two runs when the source's config and the resolution rules are equal. Adapter
    versions are not in it: versions_unchanged checks only the adapters the last run used, so
    bumping one adapter re-harvests only the sources it read."""
    blob = json.dumps({"source": asdict(source), "resolution": resolve.VERSION},
                      sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


def collect(source: Source, fetcher, settings: dict, previous: Previous | None = None,
            store=None, budget=None) -> SourceResult:
    """budget: a flows.extract_budget.Budget that extracts each page in a killable worker within
    [run] extract_timeout; None extracts in this thread (tests, tools) with no time limit."""
    started = now()
    result = SourceResult(source.id, "failed", started_at=started, fingerprint=fingerprint(source))
    try:
        bodies = {}
        if (previous and previous.fingerprint == result.fingerprint and previous.urls
                and versions_unchanged(previous.extractors)):
            unchanged, bodies = _revalidate(source, fetcher, previous, store)
            if unchanged:
                result.status, result.reused_run_id = "unchanged", previous.run_id
                return _finish(result, fetcher)
        _harvest(source, fetcher, settings, previous, store, result, bodies, budget)
    except (ExtractTimeout, FetchFailed) as exc:   # the message is the reason, in plain words
        result.status, result.error = "failed", str(exc)[:500]
        result.facts, result.files, result.label_stats = [], [], []
    except Exception as exc:  # one source's failure is recorded, never raised into the run
        # Not a reason a source gives but a bug of ours: the class name helps whoever fixes it.
        result.status, result.error = "failed", f"internal error: {type(exc).__name__}: {exc}"[:500]
        result.facts, result.files, result.label_stats = [], [], []
    return _finish(result, fetcher)


def _finish(result: SourceResult, fetcher) -> SourceResult:
    result.fetches = fetcher.take_ledger(result.dataset_id)
    result.bytes = sum(r["bytes"] or 0 for r in result.fetches)
    result.finished_at = now()
    return result


def _revalidate(source, fetcher, previous: Previous, store) -> tuple[bool, dict]:
    """Conditional GET of every URL the last run read. True when none changed. Either way the
    answers are kept (by URL) so the harvest that may follow asks no URL twice in one run."""
    bodies, unchanged = {}, True
    for url, meta in previous.urls.items():
        got = _get(source, fetcher, url, meta, meta["purpose"], _cap(fetcher, meta["purpose"]))
        bodies[url] = got
        if got.outcome == "not-modified":
            continue
        if got.ok and got.sha256 == meta.get("sha256"):
            fetcher.ledger_update(source.id, url, outcome="unchanged")
            continue
        unchanged = False
        if not got.ok:  # the harvest will stop at this URL; asking the rest is wasted on the host
            break
    return unchanged, bodies


def _cap(fetcher, purpose: str) -> int | None:
    return fetcher.http["max_annotation_bytes"] if purpose == "annotations" else None


def _get(source, fetcher, url, meta: dict | None, purpose: str, max_bytes: int | None):
    """A GET with the last run's validators. A 304 is noted with the sha256 of the body it stands
    for, so the ledger row tells the next run what to compare with."""
    got = fetcher.get(url, source.id, _validators(meta), max_bytes=max_bytes, purpose=purpose)
    if got.outcome == "not-modified" and meta and meta.get("sha256"):
        got.sha256 = meta["sha256"]
        fetcher.ledger_update(source.id, url, sha256=got.sha256)
    return got


def _validators(meta: dict | None) -> dict:
    if not meta:
        return {}
    out = {}
    if meta.get("etag"):
        out["If-None-Match"] = meta["etag"]
    if meta.get("last_modified"):
        out["If-Modified-Since"] = meta["last_modified"]
    return out


def _fetch_page(source, fetcher, url, previous, store, bodies, purpose="page", max_bytes=None):
    """One body for url: reuse a revalidation answer, a 304's stored body, or a fresh GET."""
    got = bodies.pop(url, None)
    if got is None:
        meta = previous.urls.get(url) if previous else None
        got = _get(source, fetcher, url, meta, purpose, max_bytes)
    if got.outcome == "not-modified":
        body = store.get(got.sha256) if store else None
        if body is None:  # no stored copy: ask again without validators
            got = fetcher.get(url, source.id, {}, max_bytes=max_bytes, purpose=purpose)
        else:
            got.body, got.outcome = body, "ok"
    if got.ok and store is not None:
        store.put(got.sha256, got.body)
    return got


def _harvest(source, fetcher, settings, previous, store, result: SourceResult, bodies,
             budget=None) -> None:
    max_pages = settings["run"]["max_pages_per_source"]
    groups: dict[str, list[tuple[Extraction, str]]] = {}
    queue = deque((url, source.adapter if url == source.url else None, "source") for url in source.all_urls)
    seen: set[str] = set()
    while queue:
        url, adapter, kind = queue.popleft()
        if url in seen:
            if kind != "evidence":   # evidence pages are often named by two pages (or the config)
                result.warnings.append(f"paging loop: {url} listed again; walk ended there")
            continue
        if result.pages >= max_pages:
            result.warnings.append(f"page limit {max_pages} reached; {len(queue) + 1} pages not read")
            break
        seen.add(url)
        got = _fetch_page(source, fetcher, url, previous, store, bodies)
        if not got.ok and kind == "evidence":
            # A host's statistics endpoint that is down, gated or not computed yet leaves that
            # evidence out; the dataset's own pages still describe it.
            result.warnings.append(f"evidence page not read: {fetch_reason(got)}")
            continue
        if not got.ok:
            raise FetchFailed(url, got)
        if got.final_url != url and got.final_url in seen:  # a page redirecting to one already read
            result.warnings.append(f"paging loop: {url} redirects to {got.final_url}, already read; walk ended there")
            continue
        seen.add(got.final_url)
        result.pages += 1
        name, extraction, files = _extract(budget, adapter, got.final_url, got.final_url if url == got.url else url,
                                           got.body, got.content_type)
        groups.setdefault(name, []).append((extraction, got.sha256, files))
        queue.extend((f.url, name, f.kind) for f in extraction.follow if f.kind in ("page", "folder", "evidence"))
    facts, files = _combine(groups, result)
    facts += [_curated_row(source, c) for c in source.curated]
    facts += _annotations(source, fetcher, files, previous, store, bodies, result, max_pages)
    result.facts, result.files = _resolve(facts), files
    result.status = "ok"


def _extract(budget, adapter, detect_url, run_url, body, content_type) -> tuple[str, Extraction, list[tuple]]:
    """Detect (unless the adapter is given) and run, within the budget when there is one: the
    adapter's name, its Extraction without files, and the files as rows (FILE_FIELDS)."""
    if budget is None:
        return detect_and_run(adapter, detect_url, run_url, body, content_type)
    return budget.call(detect_and_run, adapter, detect_url, run_url, body, content_type, what=run_url)


def _combine(groups, result: SourceResult) -> tuple[list[dict], list[tuple]]:
    facts, files = [], []
    for name, parts in groups.items():
        merged, rows = _merged(name, parts)
        result.adapter = result.adapter or name
        result.warnings += merged.warnings
        if merged.error:
            result.warnings.append(f"{name}: {merged.error}")
            facts.append(_row(Fact("extraction_error", merged.error, merged.extractor, rank=0),
                              merged, parts[0][1]))
        sha_by_url = {e.url: sha for e, sha, _ in parts}
        facts += [_row(f, merged, sha_by_url.get(merged.url)) for f in merged.facts]
        files += rows
    return facts, files


def _merged(name: str, parts) -> tuple[Extraction, list[tuple]]:
    """One adapter's pages of a source as one Extraction and its file rows. Only pages to merge
    (an adapter's combine reads FileEntry objects) turn their rows back into objects."""
    if len(parts) == 1:
        extraction, _, rows = parts[0]
        return extraction, rows
    for extraction, _, rows in parts:
        extraction.files = list(map(file_entry, rows))
    merged = registry.combine(name, [p[0] for p in parts])
    rows, merged.files = list(map(file_row, merged.files)), []
    return merged, rows


def _row(fact: Fact, ex: Extraction, sha: str | None) -> dict:
    return {"field": fact.field, "value": fact.value, "unit": fact.unit, "source_url": ex.url,
            "archive_sha256": sha, "extractor": ex.extractor, "evidence": (fact.evidence or "")[:1000],
            "basis": fact.basis, "rank": fact.rank, "record": fact.record}


def _curated_row(source: Source, item) -> dict:
    return {"field": item.field, "value": item.value, "unit": item.unit, "source_url": None,
            "archive_sha256": None, "extractor": "curated@config", "evidence": item.citation,
            "basis": "curated", "rank": RANK_API, "record": None}


# Label files looked for in a listing when the source configures none: (rank, pattern, what the
# profiler must find in it). Lower rank is tried first; at most MAX_DETECTED files are downloaded.
DETECT = (
    (0, (".csv", ".csv.gz"), re.compile(r"labels?[^/]*\.csv(\.gz)?$", re.IGNORECASE), "labels"),
    (1, (".json", ".json.gz"), re.compile(r"^instances_[^/]*train[^/]*\.json(\.gz)?$", re.IGNORECASE), "coco"),
    (2, (".json", ".json.gz"), re.compile(r"^instances_[^/]*\.json(\.gz)?$", re.IGNORECASE), "coco"),
    (3, (".csv", ".csv.gz"), re.compile(r"^train\.csv(\.gz)?$", re.IGNORECASE), "table"),
    (4, (".parquet",), re.compile(r"train[^/]*\.parquet$", re.IGNORECASE), "parquet"),
    (5, (".parquet",), re.compile(r"\.parquet$", re.IGNORECASE), "parquet"),
)
MAX_DETECTED = 2
# The (lower-case) endings the patterns can match: most entries of a listing are data files, and
# a suffix test turns them away before any pattern runs.
DETECT_SUFFIXES = tuple(sorted({end for _, ends, _, _ in DETECT for end in ends}))
_NAME, _SIZE, _URL, _KIND = (FILE_FIELDS.index(f) for f in ("name", "size_bytes", "url", "kind"))


def _annotations(source: Source, fetcher, files, previous, store, bodies, result: SourceResult,
                 max_pages: int) -> list[dict]:
    """The label file's facts: the configured one(s), else one detected in the file listing."""
    if source.annotations is None:
        return _detected(source, fetcher, files, previous, store, bodies, result, max_pages)
    spec = source.annotations
    wanted = list(spec.files) if spec.files else [spec.url or spec.file]
    got_files = []
    for entry in wanted:
        url, name = _locate(entry, spec, files)
        if url is None:
            result.warnings.append(f"annotations: {name!r} not in the file listing; not profiled")
            return []
        got = _fetch_page(source, fetcher, url, previous, store, bodies, purpose="annotations",
                          max_bytes=_cap(fetcher, "annotations"))
        if not got.ok:
            result.warnings.append(f"annotations: {url}: {got.error or got.outcome}; not profiled")
            return []
        got_files.append((name, url, got))
    ex = _profile(fetcher, got_files, spec, format=spec.format)   # Annotations is a LabelSpec
    return _record(ex, got_files, result)


def _locate(entry: str, spec, files) -> tuple[str | None, str]:
    """(URL, file name) of one configured label file: a URL as given, a name from the listing."""
    if entry and "://" in entry:
        return entry, (spec.file if entry == spec.url and spec.file else _basename(entry))
    match = next((f for f in files if f[_NAME] == entry and f[_URL]), None)
    return (match[_URL] if match else None), entry


def _basename(url: str) -> str:
    return url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]


def _profile(fetcher, got_files, spec, *, format=None, require_id=False) -> Extraction:
    http = fetcher.http
    limits = {"max_decompressed_bytes": http["max_decompressed_bytes"],
              "max_members": http["max_archive_members"], "max_ratio": http["max_compression_ratio"]}
    url = got_files[0][1]
    if len(got_files) == 1:
        name, _, got = got_files[0]
        return profile(name, got.body, spec, url=url, format=format, require_id=require_id, **limits)
    return profile_set([(name, got.body) for name, _, got in got_files], spec, url=url,
                       format=format, require_id=require_id, **limits)


def _record(ex: Extraction, got_files, result: SourceResult, detected: bool = False) -> list[dict]:
    """Warnings, the label_stats row and the fact rows of one profiled label set."""
    name = " + ".join(n for n, _, _ in got_files)
    result.warnings += [f"annotations: {name}: {w}" for w in ex.warnings]
    if ex.error:
        result.warnings.append(f"annotations: detected {ex.error}; nothing recorded" if detected
                               else f"annotations: {ex.error}")
        return []
    _, url, first = got_files[0]
    stats = ex.meta["label_stats"]
    result.label_stats.append({
        "file_name": name, "source_url": url, "archive_sha256": first.sha256, "rows": stats["rows"],
        "unique_ids": stats.get("unique_ids"), "duplicate_ids": stats.get("duplicate_ids"),
        "subjects": stats.get("subjects"), "columns": stats["columns"], "fill_rate": stats["fill_rate"],
        "classes": stats.get("classes"), "background_count": stats.get("background_count"),
        "labels_per_item": stats.get("labels_per_item"),
        "labels_per_item_positive": stats.get("labels_per_item_positive"),
        "gini": stats.get("gini"), "max_min_ratio": stats.get("max_min_ratio"),
        "class_counts": stats.get("class_counts"), "column_fill": stats.get("column_fill"),
    })
    sha_by_url = {u: got.sha256 for _, u, got in got_files}
    return [_row(f, ex, sha_by_url.get(ex.url)) for f in ex.facts]


def _candidates(files, max_bytes: int, result: SourceResult) -> list[tuple[tuple, str]]:
    """The first MAX_DETECTED listing entries that look like a label file, by DETECT rank then
    name: (file, what it must show). An entry met on the way without a URL, or stated larger than
    max_annotation_bytes, is passed over with a warning."""
    # One pass keeps the names a pattern can take (most of a listing is data files); a pattern
    # then runs only on the names with its endings, rank after rank, until enough are found.
    looking = [(lower, name.rsplit("/", 1)[-1], f) for f in files
               if f[_KIND] == "file" and (lower := (name := f[_NAME] or "").lower()).endswith(DETECT_SUFFIXES)]
    found, seen = [], set()
    for _, ends, pattern, shape in DETECT:
        matched = sorted((f[_NAME], id(f), f) for lower, base, f in looking
                         if lower.endswith(ends) and pattern.search(base))
        for name, key, f in matched:
            if key in seen:   # taken by a better rank
                continue
            seen.add(key)
            if not f[_URL]:
                result.warnings.append(f"annotations: {name} looks like a label file but the listing gives no "
                                       "URL; add [source.annotations] to profile it")
            elif f[_SIZE] is not None and f[_SIZE] > max_bytes:
                result.warnings.append(f"annotations: {name} looks like a label file but is {f[_SIZE]} bytes, "
                                       f"over max_annotation_bytes ({max_bytes}); not downloaded")
            else:
                found.append((f, shape))
                if len(found) == MAX_DETECTED:
                    return found
    return found


def _detected(source, fetcher, files, previous, store, bodies, result: SourceResult, max_pages: int) -> list[dict]:
    """No [source.annotations]: try the best label-looking files of the listing (at most
    MAX_DETECTED downloads, each counted as a page of the source) and record the first one the
    profiler finds label-shaped, with the id and label columns inferred from it."""
    for f, shape in _candidates(files, _cap(fetcher, "annotations"), result):
        name, url = f[_NAME], f[_URL]
        if result.pages >= max_pages:
            result.warnings.append(f"annotations: page limit {max_pages} reached; {name} not downloaded")
            return []
        got = _fetch_page(source, fetcher, url, previous, store, bodies, purpose="annotations",
                          max_bytes=_cap(fetcher, "annotations"))
        result.pages += 1
        if not got.ok:
            result.warnings.append(f"annotations: detected {name}: {got.error or got.outcome}; nothing recorded")
            continue
        got_files = [(name, url, got)]
        ex = _profile(fetcher, got_files, None, format="coco" if shape == "coco" else None,
                      require_id=shape == "table")
        rows = _record(ex, got_files, result, detected=True)
        if rows:
            spec = ex.meta["label_spec"]
            result.warnings.append(f"annotations: profiled {name} ({url}), found in the listing: id column "
                                   f"{spec.id_column!r}, label column {spec.label_column!r}, inferred from its shape")
            return rows
    return []


def _resolve(rows: list[dict]) -> list[dict]:
    """The rows as extractors.resolve decides them (the same decision `lqs extract` prints):
    values in the label format's shapes, `winner` per (record, field), `basis_best` per
    (record, field, basis), and the facts resolution derives (commercial_use from a clear
    licence, item_unit from the winning count's unit) as rows of extractor resolve.DERIVED."""
    resolution = resolve.resolve(_as_fact(r) for r in rows)
    out = []
    for i, fact in enumerate(resolution.facts):
        if resolution.derived[i]:
            row = {"field": fact.field, "unit": None, "source_url": None, "archive_sha256": None,
                   "extractor": resolve.DERIVED, "evidence": fact.evidence[:1000], "basis": fact.basis,
                   "rank": fact.rank, "record": fact.record}
        else:
            row = rows[i]
        out.append({**row, "value": fact.value, "winner": resolution.winner[i],
                    "basis_best": resolution.basis_best[i]})
    return out


def _as_fact(row: dict) -> Fact:
    return Fact(row["field"], row["value"], row["evidence"], row["unit"], row["basis"], row["rank"] or 0,
                row["record"])
