"""The row contract between the harvest and the warehouse: what one source's harvest hands to
the writer (SourceResult: plain rows, picklable so it can come back from a worker process) and
what the writer hands back for the next run (Previous). It lives here, below both: the harvest
imports it, the warehouse never imports the harvest."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from operator import attrgetter

from extractors.model import FileEntry

# A file of a listing travels from the extraction worker to the writer as a tuple of FileEntry's
# fields in this order, not as a FileEntry or a dict: a 2,000-source refresh lists 1.5 million
# files, a tuple crosses the worker's pipe several times faster than an object (unpickling an
# object calls back into Python) and the writer turns the tuples into columns at once.
FILE_FIELDS = tuple(FileEntry.__dataclass_fields__)
file_row = attrgetter(*FILE_FIELDS)   # FileEntry -> its row


def file_entry(row: tuple) -> FileEntry:
    return FileEntry(*row)


def now() -> datetime:
    """UTC now without tzinfo, as every timestamp column stores it."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


@dataclass
class Previous:
    """What the last successful run of one source left: its fingerprint, validators per URL and
    the extractors its facts name (`adapter@version`, e.g. "zenodo@1.1.1", "profile@1.1.0")."""
    run_id: str
    fingerprint: str | None
    urls: dict[str, dict]   # url -> {etag, last_modified, sha256, purpose}
    extractors: frozenset[str] = frozenset()


@dataclass
class SourceResult:
    dataset_id: str
    status: str                       # ok | unchanged | failed
    adapter: str | None = None
    error: str | None = None
    fingerprint: str | None = None
    reused_run_id: str | None = None
    facts: list[dict] = field(default_factory=list)
    files: list[tuple] = field(default_factory=list)   # FILE_FIELDS rows
    label_stats: list[dict] = field(default_factory=list)
    fetches: list[dict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    pages: int = 0
    bytes: int = 0
    started_at: datetime | None = None
    finished_at: datetime | None = None

    reused_facts: int = 0             # for 'unchanged': facts copied from reused_run_id

    @property
    def fact_count(self) -> int:
        return self.reused_facts if self.status == "unchanged" else len(self.facts)
