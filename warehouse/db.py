"""The DuckDB warehouse: migrations, a single writer in short sessions, reads, bulk writes.

Concurrency and crash safety (DuckDB lets one process hold a file for writing, and then no other
process may open it, not even read-only):
- A writer takes an exclusive lock file (flock, released by the kernel if the process dies) for
  the whole run, but holds the database file itself only for short sessions: it opens it on first
  use and `publish()` checkpoints and closes it (a run publishes after a batch when a reader is
  waiting, and at least every few seconds). Nothing is copied: a publish costs what the session
  wrote, not the size of the warehouse.
- Readers open the file read-only between sessions. One that finds a session open waits for it
  (Warehouse.reader retries within a bound) and says so (`<name>.readers`), and the writer lets
  waiting readers in before it opens its next session; a writer that finds readers in waits for
  them (`<name>.writer-waiting` keeps new readers out meanwhile). So a reader sees the state of
  the last publish, never a half-written session, and waits at most about one session.
- Every write is a DuckDB transaction, and DuckDB's write-ahead log makes a commit durable and
  all-or-nothing: a SIGKILL at any point leaves the file with exactly the transactions committed
  before it (the next open replays the log; an uncommitted transaction leaves nothing). The next
  writer closes runs a killed writer left `running` (warehouse/load.py start_run).
"""
from __future__ import annotations

import fcntl
import json
import os
import re
import socket
import time
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Callable, Iterator

MIGRATION_RE = re.compile(r"^(\d{3})_([\w-]+)\.sql$")


class WarehouseError(Exception):
    """A warehouse problem a user can act on (one line)."""


class WarehouseBusy(WarehouseError):
    pass


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def migrations() -> list[Migration]:
    found = []
    for entry in resources.files("warehouse").joinpath("migrations").iterdir():
        match = MIGRATION_RE.match(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), match.group(2), entry.read_text("utf-8")))
    return sorted(found, key=lambda m: m.version)


# Every connection we open touches only its own database file. No code path needs DuckDB to read
# or write other files, load extensions or change settings, so readers (which run users' SQL in
# `lqs query`) and the writer alike get DuckDB's own sandbox: no file system or network access
# beyond the database (COPY, EXPORT, ATTACH, read_csv, glob ... fail), no extension installs or
# loads, and a locked configuration so SQL cannot switch any of this back on.
SANDBOX = {
    "enable_external_access": False,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "lock_configuration": True,
}


def _connect(path: Path, read_only: bool = False):
    import duckdb

    return duckdb.connect(str(path), read_only=read_only, config=SANDBOX)


# ------------------------------------------------------------------ read queries (`lqs query`)
class QueryRefused(WarehouseError):
    """A statement that is not a read, or a query that ran past its time limit."""


# PRAGMAs that only call a read-only table function; all others change settings or state.
READ_PRAGMAS = frozenset({
    "collations", "database_list", "database_size", "functions", "metadata_info", "platform", "show",
    "show_databases", "show_tables", "show_tables_expanded", "storage_info", "table_info", "user_agent",
    "version",
})
_LEADING_COMMENTS = re.compile(r"^(?:\s+|--[^\n]*(?:\n|$)|/\*.*?\*/)*", re.S)
_PRAGMA_NAME = re.compile(r"pragma\s+(\w+)", re.I)
_EXPLAIN_PREFIX = re.compile(r"explain\s+(?:analy[sz]e\s+|\([^)]*\)\s*)?", re.I)


def read_statement(con, sql: str) -> str:
    """The one read statement in `sql`, or QueryRefused. DuckDB's own parser classifies it:
    SELECT covers WITH, FROM, VALUES, DESCRIBE, SHOW and SUMMARIZE; EXPLAIN must explain a SELECT;
    a PRAGMA must be one of READ_PRAGMAS. More than one statement is refused (a COPY hidden
    between two SELECTs would otherwise run)."""
    import duckdb

    try:
        statements = con.extract_statements(sql)
    except duckdb.Error as exc:
        raise QueryRefused(f"query failed: {str(exc).splitlines()[0]}") from None
    if not statements:
        raise QueryRefused("no SQL statement given")
    for statement in statements:
        kind = _kind(con, statement)
        if not _is_read(kind, statement.query):
            raise QueryRefused(f"only read queries are allowed (got {kind})")
    if len(statements) > 1:
        raise QueryRefused(f"only one statement at a time is allowed (got {len(statements)})")
    return statements[0].query


def _is_read(kind: str, query: str) -> bool:
    return kind in ("SELECT", "EXPLAIN") or (kind == "PRAGMA" and _pragma_name(query) in READ_PRAGMAS)


def _kind(con, statement) -> str:
    """The statement type's name; an EXPLAIN of anything but a SELECT is named after what it
    explains (EXPLAIN ANALYZE runs the statement)."""
    kind = statement.type.name
    if kind != "EXPLAIN":
        return kind
    inner = _EXPLAIN_PREFIX.sub("", _LEADING_COMMENTS.sub("", statement.query, count=1), count=1)
    try:
        explained = con.extract_statements(inner)
    except Exception:
        return "EXPLAIN ?"
    if len(explained) != 1:
        return "EXPLAIN ?"
    inner_kind = explained[0].type.name
    return "EXPLAIN" if inner_kind == "SELECT" else f"EXPLAIN {inner_kind}"


def _pragma_name(query: str) -> str:
    match = _PRAGMA_NAME.match(_LEADING_COMMENTS.sub("", query, count=1))
    return match.group(1).lower() if match else ""


def run_read_query(con, sql: str, timeout: float) -> tuple[list[str], list[tuple]]:
    """Columns and rows of one read statement, interrupted after `timeout` seconds."""
    import threading

    import duckdb

    statement = read_statement(con, sql)
    timer = threading.Timer(timeout, con.interrupt)  # interrupt() is DuckDB's way to stop a running query
    timer.daemon = True
    timer.start()
    try:
        cursor = con.execute(statement)
        columns = [d[0] for d in cursor.description] if cursor.description else []
        rows = cursor.fetchall() if columns else []
    except duckdb.InterruptException:
        raise QueryRefused(f"query stopped after the {timeout:g} s time limit (raise it with --timeout SECONDS)") from None
    except duckdb.Error as exc:
        raise QueryRefused(f"query failed: {str(exc).splitlines()[0]}") from None
    finally:
        timer.cancel()
    return columns, rows


def applied_versions(con) -> set[int]:
    exists = con.execute(
        "select count(*) from information_schema.tables where table_name = 'schema_migrations'"
    ).fetchone()[0]
    if not exists:
        return set()
    return {row[0] for row in con.execute("select version from schema_migrations").fetchall()}


def pending(con) -> list[Migration]:
    done = applied_versions(con)
    return [m for m in migrations() if m.version not in done]


def migrate(con, upto: int | None = None) -> list[Migration]:
    """Apply pending migrations in order (up to version `upto`), each in its own transaction,
    recorded."""
    con.execute("create table if not exists schema_migrations "
                "(version integer primary key, name varchar, applied_at timestamp)")
    applied = []
    for migration in pending(con):
        if upto is not None and migration.version > upto:
            break
        con.execute("begin")
        try:
            con.execute(migration.sql)
            con.execute("insert into schema_migrations values (?, ?, current_timestamp)",
                        [migration.version, migration.name])
            con.execute("commit")
        except Exception:
            con.execute("rollback")
            raise
        applied.append(migration)
    return applied


class Warehouse:
    def __init__(self, path: str | os.PathLike, lock_timeout: float = 600.0):
        self.path = Path(path)
        self.lock_timeout = lock_timeout

    @property
    def staging_path(self) -> Path:
        return self.path.with_name(self.path.name + ".staging")

    @property
    def lock_path(self) -> Path:
        return self.path.with_name(self.path.name + ".lock")

    @property
    def readers_path(self) -> Path:
        return self.path.with_name(self.path.name + ".readers")

    @property
    def writer_waiting_path(self) -> Path:
        return self.path.with_name(self.path.name + ".writer-waiting")

    # ---------------------------------------------------------------- reading
    @contextmanager
    def reader(self, wait: float | None = None) -> Iterator:
        """A read-only connection to the warehouse as last published. While a writer session is
        open, waits for its publish (at most `wait` seconds, READ_WAIT by default)."""
        if not self.path.exists():
            raise WarehouseError(f"{self.path}: no warehouse yet (run `lqs harvest` or `lqs refresh` first)")
        con = self._open_reader(READ_WAIT if wait is None else wait)
        try:
            yield con
        finally:
            con.close()

    def _open_reader(self, wait: float):
        import duckdb

        deadline = time.monotonic() + wait
        waiting = None   # the `.readers` lock, held (shared) while this reader waits
        try:
            while True:
                _wait_unlocked(self.writer_waiting_path, deadline)   # a writer waiting for readers goes first
                try:
                    return _connect(self.path, read_only=True)
                except duckdb.IOException as exc:
                    if not _lock_conflict(exc) or time.monotonic() >= deadline:
                        raise WarehouseError(f"{self.path}: cannot open for reading: "
                                             f"{str(exc).splitlines()[0]}") from None
                if waiting is None:
                    waiting = _lock_file(self.readers_path, fcntl.LOCK_SH)
                time.sleep(0.01)
        finally:
            if waiting is not None:
                _release(waiting)

    # ---------------------------------------------------------------- writing
    @contextmanager
    def reserve(self, holder: str = "lqs") -> Iterator[None]:
        """Take the writer lock now and hand it to the next writer() of this process. The CLI
        reserves before it starts a Prefect flow, so a busy warehouse is refused with one line
        before any flow run (whose engine would log the error with a full traceback) begins."""
        lock = self._acquire(holder)
        key = str(self.lock_path.resolve())
        _RESERVED[key] = lock
        try:
            yield
        finally:
            if _RESERVED.get(key) is lock:  # not handed over: release it here
                del _RESERVED[key]
                _release(lock)

    @contextmanager
    def writer(self, holder: str = "lqs") -> Iterator["Writer"]:
        """The single writer. Publishes on normal exit; on error rolls back the open transaction
        and closes (what was committed stays: each commit is all-or-nothing)."""
        lock = _RESERVED.pop(str(self.lock_path.resolve()), None)
        if lock is not None:
            _label(lock, holder)
        else:
            lock = self._acquire(holder)
        writer = None
        try:
            writer = Writer(self)
            writer.open()
            yield writer
            writer.publish(reopen=False)
        except BaseException:
            if writer is not None:
                writer.discard()
            raise
        finally:
            _release(lock)

    def _acquire(self, holder: str):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock = open(self.lock_path, "a+")
        deadline = time.monotonic() + self.lock_timeout
        while True:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    lock.seek(0)
                    who = lock.read().strip() or "another process"
                    lock.close()
                    raise WarehouseBusy(f"{self.path}: another writer holds the warehouse ({who}); "
                                        f"waited {self.lock_timeout:g}s") from None
                time.sleep(0.2)
        _label(lock, holder)
        return lock

    def migrate_in_place(self, dry_run: bool = False) -> list[Migration]:
        """Upgrade the published file (under the writer lock)."""
        if dry_run:
            if not self.path.exists():
                return migrations()
            with self.reader() as con:
                return pending(con)
        with self.writer("lqs migrate") as w:
            return w.applied


# The tables behind the views `facts`, `files` and `label_stats` (migration 008: each change is
# stored once; the views show every run's rows). Writes name either.
STORED = {"facts": "facts_stored", "files": "files_stored", "label_stats": "label_stats_stored"}

# How long a reader waits for a writer session to end (a session is one batch of a run; a
# migration or `lqs publish` hold it longer).
READ_WAIT = 120.0
# How long a writer lets readers that are waiting go first before it opens its next session.
READERS_FIRST = 5.0


# Writer locks reserved by this process (Warehouse.reserve), by lock file path, waiting for the
# writer they were taken for; each is handed over once.
_RESERVED: dict[str, object] = {}


def _label(lock, holder: str) -> None:
    """Say in the lock file who holds it (shown to a writer that times out waiting)."""
    lock.seek(0)
    lock.truncate()
    lock.write(f"pid {os.getpid()} on {socket.gethostname()}: {holder}")
    lock.flush()


def _release(lock) -> None:
    if lock is None:
        return
    fcntl.flock(lock, fcntl.LOCK_UN)
    lock.close()


def _lock_file(path: Path, mode: int):
    """An flock of `mode` on path (created if missing), waited for; None where the file cannot be
    made or opened (a reader without write access to the folder then simply does not signal)."""
    for how in ("a+", "r"):
        try:
            handle = open(path, how)
        except OSError:
            continue
        fcntl.flock(handle, mode)
        return handle
    return None


def _held(path: Path) -> bool:
    """Whether another process holds an flock on path."""
    try:
        handle = open(path, "r")
    except OSError:
        return False
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
        return False


def _let_readers_in(path: Path, bound: float) -> None:
    """Until no reader is waiting (none holds `.readers`), at most `bound` seconds."""
    _wait_free(path, fcntl.LOCK_EX, time.monotonic() + bound)


def _wait_unlocked(path: Path, deadline: float) -> None:
    """Until nobody holds path exclusively (a writer waiting for readers), or the deadline."""
    _wait_free(path, fcntl.LOCK_SH, deadline)


def _wait_free(path: Path, mode: int, deadline: float) -> None:
    """Until a flock of `mode` on path could be taken (it is not kept), or the deadline; a
    missing file is free."""
    try:
        handle = open(path, "r")
    except OSError:
        return
    with handle:
        while True:
            try:
                fcntl.flock(handle, mode | fcntl.LOCK_NB)
                fcntl.flock(handle, fcntl.LOCK_UN)
                return
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    return
                time.sleep(0.005)


def _lock_conflict(exc) -> bool:
    """DuckDB's error when another process holds the file in a conflicting mode."""
    return "lock" in str(exc).lower()


class Writer:
    """Writes go straight into the warehouse file, in short sessions: the file is opened on first
    use (`con`) and publish() checkpoints and closes it, so readers can open it until the next
    write. Holds the writer lock (Warehouse.writer) throughout."""

    def __init__(self, warehouse: Warehouse):
        self.wh = warehouse
        self._con = None
        self.applied: list[Migration] = []
        self.commits = 0
        self.sessions = 0

    @property
    def con(self):
        if self._con is None:
            self._session()
        return self._con

    def open(self) -> None:
        _remove(self.wh.staging_path)  # a staging copy left by a killed writer of an older release
        self._session()

    def _session(self) -> None:
        import duckdb

        _let_readers_in(self.wh.readers_path, READERS_FIRST)
        deadline = time.monotonic() + self.wh.lock_timeout
        announced = None   # `.writer-waiting`, held while readers are still in
        try:
            while True:
                try:
                    self._con = _connect(self.wh.path)
                    break
                except duckdb.IOException as exc:
                    if not _lock_conflict(exc):
                        raise
                    if time.monotonic() >= deadline:
                        raise WarehouseBusy(f"{self.wh.path}: readers kept the warehouse open; waited "
                                            f"{self.wh.lock_timeout:g}s") from None
                if announced is None:
                    announced = _lock_file(self.wh.writer_waiting_path, fcntl.LOCK_EX)
                time.sleep(0.01)
        finally:
            if announced is not None:
                _release(announced)
        self.sessions += 1
        if self.sessions == 1:   # the writer lock is held throughout: one migration check per writer
            applied = migrate(self._con)
            if applied:
                self.__dict__.pop("_columns", None)  # cached columns of the schema before
            self.applied += applied
            _pause_point("writer-open")

    def publish(self, reopen: bool = True) -> None:
        """Make everything committed so far visible to readers: checkpoint (the write-ahead log
        into the file) and close; the next use opens a new session. `reopen` is kept for
        callers of the copy-based writer: reopening is lazy now."""
        if self._con is None:
            return
        self._con.execute("checkpoint")
        _pause_point("before-publish")
        self._con.close()
        self._con = None

    def readers_waiting(self) -> bool:
        """Whether a reader is waiting for this writer's session to end (it holds `.readers`)."""
        return _held(self.wh.readers_path)

    def discard(self) -> None:
        if self._con is not None:
            try:
                self._con.close()   # an open transaction is rolled back
            except Exception:
                pass
            self._con = None

    # ------------------------------------------------------------ bulk writes
    @contextmanager
    def transaction(self) -> Iterator:
        self.con.execute("begin")
        try:
            yield self.con
            _pause_point(f"before-commit-{self.commits + 1}")
            self.con.execute("commit")
        except BaseException:
            self.con.execute("rollback")
            raise
        self.commits += 1
        _pause_point(f"commit-{self.commits}")

    def columns(self, table: str) -> list[tuple[str, str]]:
        """(name, type) of a table's columns, cached: inserts are on the hot path."""
        cache = self.__dict__.setdefault("_columns", {})
        if table not in cache:
            cache[table] = [tuple(r) for r in self.con.execute(
                "select column_name, data_type from information_schema.columns where table_name = ? "
                "order by ordinal_position", [table]).fetchall()]
        return cache[table]

    def insert(self, table: str, rows: list[dict]) -> int:
        """Bulk insert rows (dicts keyed by column) through Arrow — never row by row."""
        if not rows:
            return 0
        table = STORED.get(table, table)
        self.insert_columns(table, {
            name: [_cell(row.get(name)) for row in rows] if kind == "JSON" else [row.get(name) for row in rows]
            for name, kind in self.columns(table)})
        return len(rows)

    def insert_columns(self, table: str, columns: dict[str, list]) -> None:
        """Bulk insert columns (name -> values) through one Arrow table: the one insert path."""
        import pyarrow as pa

        table = STORED.get(table, table)
        with self.registered(pa.table(columns)) as view:
            names = ", ".join(f'"{c}"' for c in columns)
            self.con.execute(f'insert into {table} ({names}) select {names} from {view}')

    @contextmanager
    def registered(self, arrow, name: str = "_lqs_rows") -> Iterator[str]:
        """An Arrow table visible to SQL as `name` for the duration of the block."""
        self.con.register(name, arrow)
        try:
            yield name
        finally:
            self.con.unregister(name)


def fetch_one(con, sql: str, params: list | None = None) -> tuple | None:
    """The first row of a query, with the result finished: DuckDB refuses relation work on a
    connection whose last execute() result was only partly fetched (fetchone)."""
    rows = con.execute(sql, params or []).fetchall()
    return rows[0] if rows else None


# Called with the name of each moment a crash test may stop the writer at (writer-open: the
# first session opened; before-commit-<n> with the n-th transaction's rows written, not committed;
# commit-<n>; before-publish: checkpointed, not yet closed). None in production; the crash and concurrency tests set it in
# their child processes (tests/pause_hook.py), so no test protocol lives here.
PAUSE_HOOK: Callable[[str], None] | None = None


def _pause_point(point: str) -> None:
    if PAUSE_HOOK is not None:
        PAUSE_HOOK(point)


def _cell(value):
    # JSON columns get serialised text; everything else goes in as is.
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return value


def _remove(path: Path) -> None:
    for p in (path, path.with_name(path.name + ".wal")):
        try:
            p.unlink()
        except FileNotFoundError:
            pass


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
