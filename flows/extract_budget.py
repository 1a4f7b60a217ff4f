"""A time budget per extracted document: extraction runs in worker processes that can be killed.

Why processes, not a timer in the harvest thread: extraction is CPU-bound Python and regular
expressions, and Python's `re` does not release the GIL - a runaway match in one thread stalls
every thread of the batch (fetches included) and no signal or exception can interrupt it. Only a
process can be stopped mid-match, so each batch keeps a few small persistent worker processes
(never one per document: starting a process costs ~15-40 ms, a round trip to a warm worker well
under 1 ms plus pickling the body, see benchmarks/extract_budget.py). A worker that overruns its
budget is SIGKILLed and replaced; only that document's source fails, with reason
`extract-timeout`, and the other threads carry on with the other workers.

Workers are started from a forkserver, not by fork(): the harvest process has fetch threads
that may hold locks at the moment of a fork, and a forked child would also inherit the parent's
ends of the other workers' pipes (a worker then never sees EOF when the harvest dies). The
forkserver preloads the extractor modules once, so a new worker starts without importing them.

Nothing is left behind by a killed harvest: a worker waiting for a job sees EOF and exits, and a
worker in the middle of a job is ended by its own SIGALRM (default action: terminate, which needs
no Python code to run, so it works even inside a C-level regex match) a little after the budget.
Where no child process can be started (a daemonic Dask worker, for instance) extraction runs in
the calling thread without a budget, and `in_process` says so.
"""
from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from typing import Any, Callable

REASON = "extract-timeout"
# A worker ends itself this long after its budget should the harvest no longer be there to kill it.
_SELF_KILL_GRACE = 5.0


class ExtractTimeout(Exception):
    """A document took longer than the budget to extract. str() starts with the reason."""

    reason = REASON

    def __init__(self, what: str, seconds: float):
        super().__init__(f"{REASON}: extraction of {what} took longer than {seconds:g} s")
        self.what, self.seconds = what, seconds


class WorkerDied(Exception):
    """The worker process ended without answering (killed for memory, a crash in C code)."""


def _preload() -> list[str]:
    from extractors.registry import module_names

    return ["extractors.document", "flows.harvest"] + [f"extractors.adapters.{name}" for name in module_names()]


def _context():
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(_preload())
    return ctx


def _serve(conn, seconds: float) -> None:
    """The worker's loop: one job (fn, args) in, ("ok", value) or ("error", message) out."""
    signal.signal(signal.SIGALRM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # Ctrl-C is the harvest's to handle
    while True:
        try:
            fn, args = conn.recv()
        except (EOFError, OSError):
            return
        signal.setitimer(signal.ITIMER_REAL, seconds + _SELF_KILL_GRACE)
        try:
            answer = ("ok", fn(*args))
        except BaseException as exc:   # the harvest decides what a failed document means
            answer = ("error", f"{type(exc).__name__}: {exc}"[:500])
        signal.setitimer(signal.ITIMER_REAL, 0)
        try:
            conn.send(answer)
        except Exception as exc:   # an answer that does not pickle
            conn.send(("error", f"unsendable result: {type(exc).__name__}: {exc}"[:500]))


class _Worker:
    def __init__(self, ctx, seconds: float):
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_serve, args=(child, seconds), daemon=True,
                                   name="lqs-extract")
        self.process.start()
        child.close()

    def ask(self, fn, args, seconds: float) -> tuple[bool, Any]:
        """(True, answer) or (False, None) when the budget ran out. WorkerDied if it vanished."""
        try:
            self.conn.send((fn, args))
            if not self.conn.poll(seconds):
                return False, None
            return True, self.conn.recv()
        except (EOFError, OSError, BrokenPipeError):
            self.process.join(1)
            raise WorkerDied(f"extraction worker ended (exit code {self.process.exitcode})") from None

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        self.conn.close()


class Budget:
    """Runs module-level functions in worker processes, each call within `seconds`.

    Thread-safe: up to `workers` calls run at once, others wait for a free worker (the wait does
    not count against the budget). Use as a context manager, or call close()."""

    def __init__(self, seconds: float, workers: int = 1):
        self.seconds = float(seconds)
        self.in_process = False
        self._ctx = None
        self._idle: list[_Worker] = []
        self._all: list[_Worker] = []
        self._slots = threading.Semaphore(max(1, workers))
        self._lock = threading.Lock()

    def __enter__(self) -> "Budget":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def call(self, fn: Callable, *args, what: str = "the document") -> Any:
        """fn(*args) in a worker. Raises ExtractTimeout when it overruns, RuntimeError with the
        worker's one-line message when fn raised, WorkerDied when the worker vanished."""
        if self.in_process:
            return fn(*args)
        with self._slots:
            worker = self._take()
            if worker is None:
                return fn(*args)
            try:
                answered, answer = worker.ask(fn, args, self.seconds)
            except WorkerDied:
                self._drop(worker)
                raise
            if not answered:
                self._drop(worker)
                raise ExtractTimeout(what, self.seconds)
            with self._lock:
                self._idle.append(worker)
        status, value = answer
        if status == "error":
            raise RuntimeError(value)
        return value

    def _take(self) -> _Worker | None:
        with self._lock:
            if self._idle:
                return self._idle.pop()
        try:
            if self._ctx is None:
                self._ctx = _context()
            worker = _Worker(self._ctx, self.seconds)
        except Exception:   # e.g. "daemonic processes are not allowed to have children"
            self.in_process = True
            return None
        with self._lock:
            self._all.append(worker)
        return worker

    def _drop(self, worker: _Worker) -> None:
        worker.stop()
        with self._lock:
            if worker in self._all:
                self._all.remove(worker)

    def close(self) -> None:
        with self._lock:
            workers, self._all, self._idle = self._all, [], []
        for worker in workers:
            worker.stop()


def default_workers(threads: int) -> int:
    """Worker processes for a batch: no more than the threads that feed them or the cores."""
    return max(1, min(threads, os.cpu_count() or 1))


# ---------------------------------------------------------------------- jobs run in the workers
def detect_and_run(adapter: str | None, detect_url: str | None, run_url: str | None, body: bytes,
                   content_type: str | None):
    """(adapter name, Extraction without its files, the files as warehouse.rows.FILE_FIELDS
    tuples): detection sniffs the body too, so it runs under the budget. The files go back as
    tuples because that is what crosses the pipe cheaply (warehouse/rows.py)."""
    from extractors import registry
    from warehouse.rows import file_row

    name = adapter or registry.detect(detect_url, body, content_type)
    extraction = registry.run(name, run_url, body, content_type)
    rows, extraction.files = list(map(file_row, extraction.files)), []
    return name, extraction, rows


def extract_document(body: bytes, url: str | None, adapter: str | None, content_type: str | None) -> dict:
    from extractors.document import extract_document as extract

    return extract(body, url=url, adapter=adapter, content_type=content_type)
