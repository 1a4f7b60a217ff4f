"""Per-host limits shared by every process of a run, held by Prefect global concurrency limits.

The in-process gate (fetch.http.HostGate) bounds the threads of one process. When a run's batches
run in several processes (Dask workers, or flow runs of a deployment pulled by Prefect workers on
several machines), each process would keep its own limits and a host would get N times the rate we
promise. So, in a shared run, every request to a host also passes these limits on the Prefect API,
which all those processes talk to:

- `lqs-host-<host>-in-flight`: `per_host_concurrency` slots, held while a request is in flight,
  together with `lqs-run-<run_id>`: `global_concurrency` slots, the whole run's cap over all
  hosts. Both are taken in one API call, as a lease that outlives the longest request
  (total_deadline + LEASE_MARGIN): a process that dies mid-request frees its slots when the lease
  expires, and a live one never needs to renew it.
- `lqs-host-<host>-spacing`: one slot that decays at 1 / (min_delay + SHARED_SLACK) per second,
  taken in "rate_limit" mode: the Prefect server grants it at most once per that interval, so
  request starts to the host are at least min_delay apart, whichever process sends them.
  Crawl-delay, when longer, sets the decay instead. Taken after the in-flight slot, right before
  the request is sent: a request that had to wait for a free in-flight slot cannot start right
  after another one's spacing slot.
- A Retry-After pause reaches every process through the spacing limit: its active slots are set to
  what takes the pause to decay, so nobody is granted the slot before the pause is over.

Cost per request: three API calls (take the lease, take the spacing slot, release the lease) on
one HTTP client per process, kept open (benchmarks/shared_gate.py measures them). Prefect's own
`prefect.concurrency.sync.concurrency()` / `rate_limit()` do the same calls but also start a lease
renewal task and emit two events per call, through a client they look up from the calling
thread's settings: a fetch thread of a Dask worker has none of the flow's settings, so it would
start a Prefect server of its own. These limits talk to the API URL the flow hands every batch.

The spacing slot is granted on the server's clock and the request leaves a moment later; two
processes whose moments differ (one busier than the other) could otherwise arrive slightly closer
than min_delay, hence SHARED_SLACK. Hosts with min_delay 0 (and no Crawl-delay) have no spacing
limit: a request there costs one call less, and a Retry-After pause stays in the process that got
it (the other processes pause when the host answers them the same).

Limits are created or updated from settings by the flow before it dispatches (ensure_host with
overwrite), and by a worker the first time it meets a host nobody announced (a redirect, a
followed link): it only makes them stricter.
"""
from __future__ import annotations

import contextlib
import math
import threading
import time

SHARED_SLACK = 0.05          # seconds added to min_delay in a shared run (see the docstring)
ACQUIRE_TIMEOUT = 3600.0     # a slot not granted in an hour means the API is gone: the fetch fails
LEASE_MARGIN = 60.0          # seconds a lease outlives the longest request (total_deadline)
POLL_MIN, POLL_MAX = 0.02, 0.25  # seconds between tries for a busy limit (see _take)


def in_flight_name(host: str) -> str:
    return f"lqs-host-{host}-in-flight"


def spacing_name(host: str) -> str:
    return f"lqs-host-{host}-spacing"


def run_name(run_id: str) -> str:
    return f"lqs-run-{run_id}"


def decay_for(delay: float) -> float:
    """Slots per second the spacing limit frees: one per (delay + slack)."""
    return 1.0 / (delay + SHARED_SLACK)


def api_url() -> str:
    """The Prefect API this process talks to (starting the temporary one if none is set): the
    flow hands it to every batch, so workers in other processes use the same limits."""
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        return str(client.api_url)


_CLIENTS: dict[str, object] = {}
_CLIENTS_LOCK = threading.Lock()


def client_for(url: str):
    """One open Prefect client per API URL in this process, shared by its threads (httpx's
    client is thread-safe); it lives as long as the process."""
    with _CLIENTS_LOCK:
        client = _CLIENTS.get(url)
        if client is None:
            from prefect.client.orchestration import SyncPrefectClient
            from prefect.settings import PREFECT_API_AUTH_STRING, PREFECT_API_KEY

            client = SyncPrefectClient(url, auth_string=PREFECT_API_AUTH_STRING.value(),
                                       api_key=PREFECT_API_KEY.value())
            client.__enter__()
            _CLIENTS[url] = client
        return client


class SharedLimits:
    """The Prefect-held limits of one run, as seen from one process (thread-safe)."""

    def __init__(self, run_id: str, global_concurrency: int, api: str, request_seconds: float):
        """api: the flow's API URL; request_seconds: the longest a request may take."""
        self.run_id = run_id
        self.global_concurrency = int(global_concurrency)
        self.api = api
        self.lease_seconds = min(86400.0, max(60.0, request_seconds + LEASE_MARGIN))
        self._lock = threading.Lock()
        self._ensured: dict[str, tuple] = {}     # limit name -> (limit, decay) known to be in place
        self._run_ready = False

    @property
    def client(self):
        return client_for(self.api)

    # ------------------------------------------------------------------ setup
    def ensure_run(self) -> None:
        with self._lock:
            if self._run_ready:
                return
        upsert(self.client, run_name(self.run_id), self.global_concurrency, None)
        with self._lock:
            self._run_ready = True

    def ensure_host(self, host: str, concurrency: int, delay: float, overwrite: bool = False) -> None:
        """The host's limits exist with these values. overwrite=False (a worker): only make them
        stricter than what another process set; True (the flow, from settings): set them."""
        wanted = {in_flight_name(host): (max(1, concurrency), None)}
        if delay > 0:
            wanted[spacing_name(host)] = (1, decay_for(delay))
        for name, (limit, decay) in wanted.items():
            with self._lock:
                if self._ensured.get(name) == (limit, decay) and not overwrite:
                    continue
            upsert(self.client, name, limit, decay, stricter_only=not overwrite)
            with self._lock:
                self._ensured[name] = (limit, decay)

    # ------------------------------------------------------------------ per request
    @contextlib.contextmanager
    def slot(self, host: str, concurrency: int, delay: float):
        """Hold the host's in-flight slot and a slot of the run's cap; take the spacing slot last."""
        self.ensure_run()
        self.ensure_host(host, concurrency, delay)
        client = self.client
        deadline = time.monotonic() + ACQUIRE_TIMEOUT
        lease = _take(lambda: client.increment_concurrency_slots_with_lease(
            names=[in_flight_name(host), run_name(self.run_id)], slots=1, mode="concurrency",
            lease_duration=self.lease_seconds), deadline).json()["lease_id"]
        try:
            if delay > 0:
                _take(lambda: client.increment_concurrency_slots(
                    names=[spacing_name(host)], slots=1, mode="rate_limit"), deadline)
            yield
        finally:
            client.release_concurrency_slots_with_lease(lease)

    def pause(self, host: str, seconds: float, delay: float) -> None:
        """No process is granted the host's spacing slot for `seconds` (a Retry-After)."""
        if delay <= 0 or seconds <= 0:
            return
        from prefect.client.schemas.actions import GlobalConcurrencyLimitUpdate

        # The slot is free again once active_slots - floor(decay * elapsed) + 1 <= 1.
        slots = math.ceil(seconds * decay_for(delay))
        self.client.update_global_concurrency_limit(
            spacing_name(host), GlobalConcurrencyLimitUpdate(active_slots=slots))

    def close(self) -> None:
        """Remove the run's cap (the host limits stay: the next run updates them)."""
        delete(self.client, run_name(self.run_id))


def _take(call, deadline: float):
    """call() until the server grants it. A busy limit answers 423 with a Retry-After that grows
    with the waiters it refused (capped at 30 s for limits without decay); we try again sooner,
    within [POLL_MIN, POLL_MAX], since a slot here is held for one request, not a task."""
    import httpx

    while True:
        try:
            return call()
        except httpx.HTTPStatusError as exc:
            if exc.response.status_code != 423:
                raise
            wait = float(exc.response.headers.get("Retry-After") or POLL_MAX)
        wait = min(max(wait, POLL_MIN), POLL_MAX)
        if time.monotonic() + wait > deadline:
            raise TimeoutError(f"no Prefect concurrency slot in {ACQUIRE_TIMEOUT:g}s")
        time.sleep(wait)


def upsert(client, name: str, limit: int, decay: float | None, stricter_only: bool = False) -> None:
    """Create the limit, or update it to these values (stricter_only: only to a smaller limit or a
    slower decay, so a worker never loosens what the flow or another worker set)."""
    from prefect.client.schemas.actions import (
        GlobalConcurrencyLimitCreate,
        GlobalConcurrencyLimitUpdate,
    )
    from prefect.exceptions import ObjectAlreadyExists, ObjectNotFound

    try:
        current = client.read_global_concurrency_limit_by_name(name)
    except ObjectNotFound:
        try:
            client.create_global_concurrency_limit(GlobalConcurrencyLimitCreate(
                name=name, limit=limit, slot_decay_per_second=decay or 0.0))
            return
        except ObjectAlreadyExists:   # another process created it meanwhile
            current = client.read_global_concurrency_limit_by_name(name)
    new_limit, new_decay = limit, decay or 0.0
    if stricter_only:
        new_limit = min(limit, current.limit)
        if current.slot_decay_per_second and new_decay:
            new_decay = min(new_decay, current.slot_decay_per_second)
    if (current.limit, current.slot_decay_per_second, current.active) != (new_limit, new_decay, True):
        client.update_global_concurrency_limit(name, GlobalConcurrencyLimitUpdate(
            limit=new_limit, slot_decay_per_second=new_decay, active=True))


def delete(client, name: str) -> None:
    from prefect.exceptions import ObjectNotFound

    with contextlib.suppress(ObjectNotFound):
        client.delete_global_concurrency_limit_by_name(name)
